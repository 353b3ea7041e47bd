//! Mitigations and actions, a sub-resource of their risk or issue:
//! `/api/v1/risks/{ref}/mitigations/{n}` with `n` the 1-based position, as the paper
//! numbers its bullets. A mitigation has no version of its own: it is part of its record, so
//! its ETag is the record's, and every change to it is a new version of the record.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use riskreg_domain::risk::MitigationEdits;
use riskreg_domain::view::{IssueView, MitigationView, RiskView};
use riskreg_domain::{IssueChange, Mitigation, MitigationState, RiskChange};
use riskreg_store::{Applied, Change, WriteContext};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::schema::MitigationStateSchema;
use super::{tagged, visible_issue, visible_risk};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::etag::{IfMatch, with_etag};
use crate::extract::{ApiJson, ApiPath};
use crate::patch::double_option;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_risk_mitigations, add_risk_mitigation))
        .routes(routes!(
            get_risk_mitigation,
            amend_risk_mitigation,
            remove_risk_mitigation
        ))
        .routes(routes!(list_issue_mitigations, add_issue_mitigation))
        .routes(routes!(
            get_issue_mitigation,
            amend_issue_mitigation,
            remove_issue_mitigation
        ))
}

/// A mitigation to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMitigation {
    #[schema(pattern = r"\S", max_length = 10000)]
    pub text: String,
    /// planned (the default), ongoing or complete.
    #[schema(value_type = Option<MitigationStateSchema>)]
    pub state: Option<MitigationState>,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    #[serde(default)]
    #[schema(schema_with = super::schema::texts)]
    pub sub_items: Vec<String>,
}

impl NewMitigation {
    pub fn into_domain(self) -> Mitigation {
        Mitigation {
            text: self.text,
            state: self.state.unwrap_or(MitigationState::Planned),
            owner: self.owner,
            due: self.due,
            added_on: None,
            sub_items: self.sub_items,
        }
    }
}

/// Changes to a mitigation: only the fields present change; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MitigationPatch {
    pub text: Option<String>,
    #[schema(value_type = Option<MitigationStateSchema>)]
    pub state: Option<MitigationState>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub due: Option<Option<NaiveDate>>,
    #[schema(schema_with = super::schema::texts_or_null)]
    pub sub_items: Option<Vec<String>>,
}

/// A mitigation with its position in the record's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct MitigationItem {
    /// 1-based, as the paper numbers its bullets.
    pub position: usize,
    #[serde(flatten)]
    #[schema(inline, value_type = super::schema::MitigationSchema)]
    pub mitigation: MitigationView,
}

fn items(list: Vec<MitigationView>) -> Vec<MitigationItem> {
    list.into_iter()
        .enumerate()
        .map(|(i, m)| MitigationItem {
            position: i + 1,
            mitigation: m,
        })
        .collect()
}

fn item(list: Vec<MitigationView>, n: usize, key: &str) -> ApiResult<MitigationItem> {
    items(list)
        .into_iter()
        .find(|m| m.position == n)
        .ok_or_else(|| Error::NotFound(format!("mitigation {n} of {key}")))
}

/// Which kind of record a mitigation belongs to.
#[derive(Debug, Clone, Copy)]
enum Parent {
    Risk,
    Issue,
}

/// The record's mitigations as shown, its key and version, and its register's last paper.
async fn read(state: &AppState, caller: &Caller, parent: Parent, reference: &str) -> ApiResult<Current> {
    match parent {
        Parent::Risk => {
            let (risk, register) = visible_risk(state, caller, reference, None).await?;
            let settings = state.store.settings().await?;
            let view = RiskView::new(&risk, &settings, register.fields.last_paper_on);
            Ok(Current {
                key: view.reference.clone(),
                version: view.version,
                views: view.mitigations,
                stored: risk.fields.mitigations.clone(),
                paper: register.fields.last_paper_on,
                record: Record::Risk(risk),
            })
        }
        Parent::Issue => {
            let (issue, register) = visible_issue(state, caller, reference, None).await?;
            let view = IssueView::new(&issue, register.fields.last_paper_on);
            Ok(Current {
                key: view.reference.clone(),
                version: view.version,
                views: view.mitigations,
                stored: issue.fields.mitigations.clone(),
                paper: register.fields.last_paper_on,
                record: Record::Issue(issue),
            })
        }
    }
}

enum Record {
    Risk(riskreg_domain::Risk),
    Issue(riskreg_domain::Issue),
}

struct Current {
    key: String,
    version: u32,
    views: Vec<MitigationView>,
    stored: Vec<Mitigation>,
    paper: Option<NaiveDate>,
    record: Record,
}

/// The mitigations of the record as it now stands after `applied`, with its new version.
async fn after(
    state: &AppState,
    applied: Applied,
    paper: Option<NaiveDate>,
) -> ApiResult<(String, u32, Vec<MitigationView>)> {
    match applied {
        Applied::Risk(r) => {
            let settings = state.store.settings().await?;
            let v = RiskView::new(&r, &settings, paper);
            Ok((v.reference, v.version, v.mitigations))
        }
        Applied::Issue(i) => {
            let v = IssueView::new(&i, paper);
            Ok((v.reference, v.version, v.mitigations))
        }
        _ => Err(Error::internal("a mitigation change produced another kind of record")),
    }
}

async fn list(state: AppState, caller: Caller, parent: Parent, reference: String) -> ApiResult<Response> {
    let c = read(&state, &caller, parent, &reference).await?;
    Ok(tagged(StatusCode::OK, &c.key, c.version, &items(c.views)))
}

async fn get(state: AppState, caller: Caller, parent: Parent, reference: String, n: usize) -> ApiResult<Response> {
    let c = read(&state, &caller, parent, &reference).await?;
    let it = item(c.views, n, &c.key)?;
    Ok(tagged(StatusCode::OK, &c.key, c.version, &it))
}

/// Applies an edit of the mitigation list through the record's own amend use case.
async fn edit(
    state: &AppState,
    caller: &Caller,
    c: &Current,
    expected: u32,
    edits: MitigationEdits,
) -> ApiResult<Applied> {
    let ctx = WriteContext::new(caller.actor(), None);
    let result = match &c.record {
        Record::Risk(r) => {
            let change = RiskChange {
                mitigations: edits,
                ..Default::default()
            };
            state
                .store
                .amend_risk(r.reference.clone(), Some(expected), change, ctx)
                .await
                .map(Applied::Risk)
        }
        Record::Issue(i) => {
            let change = IssueChange {
                mitigations: edits,
                ..Default::default()
            };
            state
                .store
                .amend_issue(i.reference.clone(), Some(expected), change, ctx)
                .await
                .map(Applied::Issue)
        }
    };
    result.map_err(Error::from_versioned_write)
}

async fn add(
    state: AppState,
    caller: Caller,
    parent: Parent,
    reference: String,
    if_match: IfMatch,
    body: NewMitigation,
) -> ApiResult<Response> {
    let c = read(&state, &caller, parent, &reference).await?;
    caller.require_editor()?;
    let expected = if_match.check(&c.key, c.version)?;
    // Checked on its own first, so errors name the body's fields, not the list's.
    let new = body.into_domain().normalised()?;
    let edits = MitigationEdits {
        add: vec![new],
        ..Default::default()
    };
    let applied = edit(&state, &caller, &c, expected, edits).await?;
    let (key, version, views) = after(&state, applied, c.paper).await?;
    let n = views.len();
    let it = item(views, n, &key)?;
    let mut response = tagged(StatusCode::CREATED, &key, version, &it);
    let kind = match parent {
        Parent::Risk => "risks",
        Parent::Issue => "issues",
    };
    super::set_location(&mut response, &format!("/api/v1/{kind}/{key}/mitigations/{n}"));
    Ok(response)
}

async fn amend(
    state: AppState,
    caller: Caller,
    parent: Parent,
    reference: String,
    n: usize,
    if_match: IfMatch,
    patch: MitigationPatch,
) -> ApiResult<Response> {
    let c = read(&state, &caller, parent, &reference).await?;
    caller.require_editor()?;
    if n == 0 || n > c.stored.len() {
        return Err(Error::NotFound(format!("mitigation {n} of {}", c.key)));
    }
    let expected = if_match.check(&c.key, c.version)?;
    let mut list = c.stored.clone();
    let m = &mut list[n - 1];
    if let Some(t) = patch.text {
        m.text = t;
    }
    if let Some(s) = patch.state {
        m.state = s;
    }
    if let Some(o) = patch.owner {
        m.owner = o;
    }
    if let Some(d) = patch.due {
        m.due = d;
    }
    if let Some(items) = patch.sub_items {
        m.sub_items = items;
    }
    let ctx = WriteContext::new(caller.actor(), None);
    // Editing a mitigation in place is a replacement of the record's fields with the one
    // bullet changed, checked against the version the caller read.
    let change = match &c.record {
        Record::Risk(r) => {
            let mut fields = r.fields.clone();
            fields.mitigations = list;
            Change::ReplaceRisk {
                reference: r.reference.clone(),
                expected_version: Some(expected),
                fields,
            }
        }
        Record::Issue(i) => {
            let mut fields = i.fields.clone();
            fields.mitigations = list;
            Change::ReplaceIssue {
                reference: i.reference.clone(),
                expected_version: Some(expected),
                fields,
            }
        }
    };
    let applied = state.store.write_one(change, ctx).await.map_err(|e| {
        // The engine names the mitigation by its place in the list; the body is the mitigation.
        match Error::from_versioned_write(e) {
            Error::Invalid(mut errors) => {
                let prefix = format!("mitigations[{}].", n - 1);
                for err in &mut errors.0 {
                    if let Some(rest) = err.field.strip_prefix(&prefix) {
                        err.field = rest.to_owned();
                    }
                }
                Error::Invalid(errors)
            }
            other => other,
        }
    })?;
    let (key, version, views) = after(&state, applied, c.paper).await?;
    let it = item(views, n, &key)?;
    Ok(tagged(StatusCode::OK, &key, version, &it))
}

async fn remove(
    state: AppState,
    caller: Caller,
    parent: Parent,
    reference: String,
    n: usize,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let c = read(&state, &caller, parent, &reference).await?;
    caller.require_editor()?;
    if n == 0 || n > c.stored.len() {
        return Err(Error::NotFound(format!("mitigation {n} of {}", c.key)));
    }
    let expected = if_match.check(&c.key, c.version)?;
    let edits = MitigationEdits {
        remove: vec![n],
        ..Default::default()
    };
    let applied = edit(&state, &caller, &c, expected, edits).await?;
    let (key, version, _) = after(&state, applied, c.paper).await?;
    let mut headers = HeaderMap::new();
    with_etag(&mut headers, &key, version);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

const IF_MATCH_DOC: &str = "The ETag of the version of the record you read";

/// A risk's mitigations, in order.
#[utoipa::path(get, path = "/risks/{ref}/mitigations", tag = "mitigations", params(("ref" = String, Path)),
    responses((status = 200, body = Vec<MitigationItem>, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_risk_mitigations(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<Response> {
    list(s, caller, Parent::Risk, r).await
}

/// Adds a mitigation at the end of a risk's list (secretariat or admin). Requires the
/// risk's `If-Match`.
#[utoipa::path(post, path = "/risks/{ref}/mitigations", tag = "mitigations", request_body = NewMitigation,
    params(("ref" = String, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 201, body = MitigationItem, headers(("ETag" = String), ("Location" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn add_risk_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
    m: IfMatch,
    ApiJson(body): ApiJson<NewMitigation>,
) -> ApiResult<Response> {
    add(s, caller, Parent::Risk, r, m, body).await
}

/// One of a risk's mitigations.
#[utoipa::path(get, path = "/risks/{ref}/mitigations/{n}", tag = "mitigations",
    params(("ref" = String, Path), ("n" = usize, Path, description = "1-based position")),
    responses((status = 200, body = MitigationItem, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_risk_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
) -> ApiResult<Response> {
    get(s, caller, Parent::Risk, r, n).await
}

/// Changes one of a risk's mitigations, e.g. marks it complete (secretariat or admin).
#[utoipa::path(patch, path = "/risks/{ref}/mitigations/{n}", tag = "mitigations", request_body = MitigationPatch,
    params(("ref" = String, Path), ("n" = usize, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 200, body = MitigationItem, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_risk_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
    m: IfMatch,
    ApiJson(patch): ApiJson<MitigationPatch>,
) -> ApiResult<Response> {
    amend(s, caller, Parent::Risk, r, n, m, patch).await
}

/// Removes one of a risk's mitigations; those after it move up (secretariat or admin).
#[utoipa::path(delete, path = "/risks/{ref}/mitigations/{n}", tag = "mitigations",
    params(("ref" = String, Path), ("n" = usize, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 204, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn remove_risk_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
    m: IfMatch,
) -> ApiResult<Response> {
    remove(s, caller, Parent::Risk, r, n, m).await
}

/// An issue's actions, in order.
#[utoipa::path(get, path = "/issues/{ref}/mitigations", tag = "mitigations", params(("ref" = String, Path)),
    responses((status = 200, body = Vec<MitigationItem>, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_issue_mitigations(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<Response> {
    list(s, caller, Parent::Issue, r).await
}

/// Adds an action at the end of an issue's list (secretariat or admin).
#[utoipa::path(post, path = "/issues/{ref}/mitigations", tag = "mitigations", request_body = NewMitigation,
    params(("ref" = String, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 201, body = MitigationItem, headers(("ETag" = String), ("Location" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn add_issue_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
    m: IfMatch,
    ApiJson(body): ApiJson<NewMitigation>,
) -> ApiResult<Response> {
    add(s, caller, Parent::Issue, r, m, body).await
}

/// One of an issue's actions.
#[utoipa::path(get, path = "/issues/{ref}/mitigations/{n}", tag = "mitigations",
    params(("ref" = String, Path), ("n" = usize, Path, description = "1-based position")),
    responses((status = 200, body = MitigationItem, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_issue_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
) -> ApiResult<Response> {
    get(s, caller, Parent::Issue, r, n).await
}

/// Changes one of an issue's actions (secretariat or admin).
#[utoipa::path(patch, path = "/issues/{ref}/mitigations/{n}", tag = "mitigations", request_body = MitigationPatch,
    params(("ref" = String, Path), ("n" = usize, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 200, body = MitigationItem, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_issue_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
    m: IfMatch,
    ApiJson(patch): ApiJson<MitigationPatch>,
) -> ApiResult<Response> {
    amend(s, caller, Parent::Issue, r, n, m, patch).await
}

/// Removes one of an issue's actions (secretariat or admin).
#[utoipa::path(delete, path = "/issues/{ref}/mitigations/{n}", tag = "mitigations",
    params(("ref" = String, Path), ("n" = usize, Path), ("If-Match" = String, Header, description = IF_MATCH_DOC)),
    responses((status = 204, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn remove_issue_mitigation(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath((r, n)): ApiPath<(String, usize)>,
    m: IfMatch,
) -> ApiResult<Response> {
    remove(s, caller, Parent::Issue, r, n, m).await
}

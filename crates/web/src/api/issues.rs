//! `/api/v1/issues`: the same shape as risks — list, read (also by the reference it was
//! imported with), create in a register, amend, close — for what has already happened.

use std::cmp::Ordering;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use riskreg_domain::view::IssueView;
use riskreg_domain::{Issue, IssueChange, IssueFields, IssueStatus, Rag, RecordRef};
use riskreg_store::event::RecordType;
use riskreg_store::{RecordQuery, WriteContext};
use serde::Deserialize;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::mitigations::NewMitigation;
use super::schema::{IssueSchema, IssueStatusSchema, RagSchema};
use super::{
    AsAtQuery, Page, Paging, parse_as_at, parse_code, parse_list, parse_sort, set_content_location, tagged,
    text_matches, visible_by_source_ref, visible_issue, visible_register, visible_registers,
};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::etag::IfMatch;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::patch::double_option;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_issues))
        .routes(routes!(create_issue))
        .routes(routes!(get_issue, amend_issue))
        .routes(routes!(close_issue))
        .routes(routes!(issue_by_source_ref))
}

const SORT_KEYS: &[&str] = &["impact", "number", "ref", "rag", "updated_at", "owner"];

fn status_schema() -> Schema {
    super::list_schema(&["open", "closed"])
}

fn rag_schema() -> Schema {
    super::list_schema(super::RAG_WORDS)
}

fn sort_schema() -> Schema {
    super::sort_schema(SORT_KEYS)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IssueListQuery {
    /// Only this register.
    pub register: Option<String>,
    /// Only these statuses, comma-separated (open, closed); without it, only open issues.
    #[param(schema_with = status_schema)]
    pub status: Option<String>,
    /// Only these RAG ratings, comma-separated.
    #[param(schema_with = rag_schema)]
    pub rag: Option<String>,
    /// Only issues of at least this impact (an issue's severity is its impact).
    #[param(maximum = 65535)]
    pub min_severity: Option<u16>,
    /// Only issues with this owner (ignoring case).
    pub owner: Option<String>,
    /// Only issues whose statement, impacts, notes or actions contain this text.
    pub q: Option<String>,
    /// impact (the register's order, the default), number, ref, rag, updated_at or owner;
    /// `-` before it for descending.
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// Items per page, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
    /// The register as it stood then.
    #[param(schema_with = super::as_at_schema)]
    pub as_at: Option<String>,
    /// Include closed issues.
    pub include_closed: Option<bool>,
}

/// A new issue. The register comes from the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// "There is an issue that…"
    #[schema(pattern = r"\S", max_length = 10000)]
    pub statement: String,
    pub impacts_intro: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::schema::texts)]
    pub impacts: Vec<String>,
    #[schema(minimum = 1, maximum = 10)]
    pub impact: u8,
    #[schema(value_type = RagSchema)]
    pub rag: Rag,
    pub category: Option<String>,
    pub raised_by: Option<String>,
    pub raised_on: Option<NaiveDate>,
    /// A risk reference, e.g. `PANEL-2`; it may be closed or in another register.
    pub associated_risk: Option<String>,
    pub owner: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::schema::texts)]
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub mitigations: Vec<NewMitigation>,
}

/// Changes to an issue: only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuePatch {
    pub statement: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub impacts_intro: Option<Option<String>>,
    #[schema(schema_with = super::schema::texts_or_null)]
    pub impacts: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 10)]
    pub impact: Option<u8>,
    #[schema(value_type = Option<RagSchema>)]
    pub rag: Option<Rag>,
    #[schema(value_type = Option<IssueStatusSchema>)]
    pub status: Option<IssueStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub raised_by: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub raised_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub associated_risk: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub owner: Option<Option<String>>,
    #[schema(schema_with = super::schema::texts_or_null)]
    pub footnotes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub notes: Option<Option<String>>,
}

fn associated(value: &str) -> Result<RecordRef, Error> {
    RecordRef::parse(value).map_err(|e| Error::invalid("associated_risk", e.rule))
}

impl NewIssue {
    /// The issue's fields, open.
    pub fn into_fields(self) -> Result<IssueFields, Error> {
        Ok(IssueFields {
            statement: self.statement,
            source_ref: None,
            impacts_intro: self.impacts_intro,
            impacts: self.impacts,
            impact: self.impact,
            rag: self.rag,
            status: IssueStatus::Open,
            category: self.category,
            raised_by: self.raised_by,
            raised_on: self.raised_on,
            associated_risk: self.associated_risk.as_deref().map(associated).transpose()?,
            owner: self.owner,
            footnotes: self.footnotes,
            notes: self.notes,
            mitigations: self.mitigations.into_iter().map(NewMitigation::into_domain).collect(),
        })
    }
}

impl IssuePatch {
    pub fn into_change(self) -> Result<IssueChange, Error> {
        Ok(IssueChange {
            statement: self.statement,
            impacts_intro: self.impacts_intro,
            impacts: self.impacts,
            impact: self.impact,
            rag: self.rag,
            status: self.status,
            category: self.category,
            raised_by: self.raised_by,
            raised_on: self.raised_on,
            associated_risk: match self.associated_risk {
                None => None,
                Some(None) => Some(None),
                Some(Some(r)) => Some(Some(associated(&r)?)),
            },
            owner: self.owner,
            footnotes: self.footnotes,
            notes: self.notes,
            mitigations: Default::default(),
        })
    }
}

/// The issue as the API shows it, with its ETag.
pub fn respond(status: StatusCode, issue: &Issue, last_paper_on: Option<NaiveDate>) -> Response {
    let view = IssueView::new(issue, last_paper_on);
    tagged(status, &view.reference, view.version, &view)
}

fn compare(key: &str, a: &IssueView, b: &IssueView) -> Ordering {
    match key {
        "number" => a.number.cmp(&b.number),
        "ref" => a.register.cmp(&b.register).then(a.number.cmp(&b.number)),
        "rag" => a.rag.rank().cmp(&b.rag.rank()),
        "updated_at" => a.updated_at.cmp(&b.updated_at),
        "owner" => a.owner.cmp(&b.owner),
        _ => a.impact.cmp(&b.impact),
    }
}

/// Issues the caller can see, filtered, sorted and paged.
#[utoipa::path(get, path = "/issues", tag = "issues", params(IssueListQuery),
    responses((status = 200, body = Page<IssueSchema>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_issues(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<IssueListQuery>,
) -> ApiResult<Page<IssueView>> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let paging = Paging::new(q.limit, q.offset)?;
    let sort = parse_sort(q.sort.as_deref(), SORT_KEYS)?;
    let statuses = parse_list(q.status.as_deref(), IssueStatus::parse)?;
    let rags = parse_list(q.rag.as_deref(), Rag::parse)?;
    let register = match q.register.as_deref() {
        Some(c) => Some(visible_register(&state, &caller, &parse_code(c)?, as_at).await?.code),
        None => None,
    };
    let visible = visible_registers(&state, &caller).await?;
    let then = match as_at {
        Some(t) => state.store.registers(Some(t)).await?,
        None => visible.values().cloned().collect(),
    };
    let issues = state
        .store
        .issues(&RecordQuery {
            register,
            as_at,
            include_closed: q.include_closed.unwrap_or(false) || statuses.is_some(),
        })
        .await?;
    let needle =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
    let owner = q
        .owner
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let mut views: Vec<IssueView> = issues
        .iter()
        .filter(|i| {
            let code = &i.reference.register;
            visible.contains_key(code) && then.iter().any(|reg| &reg.code == code && caller.can_see(reg))
        })
        .filter(|i| statuses.as_ref().is_none_or(|s| s.contains(&i.fields.status)))
        .filter(|i| rags.as_ref().is_none_or(|s| s.contains(&i.fields.rag)))
        .filter(|i| q.min_severity.is_none_or(|m| u16::from(i.fields.impact) >= m))
        .filter(|i| {
            owner
                .as_ref()
                .is_none_or(|o| i.fields.owner.as_deref().is_some_and(|x| x.to_lowercase() == *o))
        })
        .filter(|i| {
            needle.as_ref().is_none_or(|n| {
                let f = &i.fields;
                let mut texts: Vec<&str> = vec![f.statement.as_str()];
                texts.extend(f.impacts.iter().map(String::as_str));
                texts.extend(f.notes.as_deref());
                texts.extend(f.mitigations.iter().map(|m| m.text.as_str()));
                text_matches(n, &texts)
            })
        })
        .map(|i| {
            let paper = then
                .iter()
                .find(|reg| reg.code == i.reference.register)
                .and_then(|reg| reg.fields.last_paper_on);
            IssueView::new(i, paper)
        })
        .collect();
    if let Some((key, descending)) = sort {
        views.sort_by(|a, b| {
            let o = compare(key, a, b);
            let o = if descending { o.reverse() } else { o };
            o.then(b.impact.cmp(&a.impact))
                .then(a.number.cmp(&b.number))
                .then(a.register.cmp(&b.register))
        });
    }
    Ok(paging.page(views))
}

/// One issue, as it stands or as it stood at `as_at`.
#[utoipa::path(get, path = "/issues/{ref}", tag = "issues",
    params(("ref" = String, Path, description = "CODE-N, e.g. PANEL-1"), AsAtQuery),
    responses((status = 200, body = IssueSchema, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsAtQuery>,
) -> ApiResult<Response> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let (issue, register) = visible_issue(&state, &caller, &reference, as_at).await?;
    Ok(respond(StatusCode::OK, &issue, register.fields.last_paper_on))
}

/// The issue of a register that was imported with this source reference, closed issues
/// included. Percent-encode it in the path.
#[utoipa::path(get, path = "/registers/{code}/issues/by-source-ref/{source_ref}", tag = "issues",
    params(("code" = String, Path, description = "The register"),
        ("source_ref" = String, Path, description = "The reference the issue had in the spreadsheet it was imported from")),
    responses((status = 200, body = IssueSchema, headers(("ETag" = String), ("Content-Location" = String, description = "The issue's own URL"))),
        (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn issue_by_source_ref(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, source_ref)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (reference, register) = visible_by_source_ref(&state, &caller, &code, RecordType::Issue, &source_ref).await?;
    let issue = state.store.issue(&reference, None).await?;
    let mut response = respond(StatusCode::OK, &issue, register.fields.last_paper_on);
    set_content_location(&mut response, &format!("/api/v1/issues/{reference}"));
    Ok(response)
}

/// Adds an issue to a register (secretariat or admin).
#[utoipa::path(post, path = "/registers/{code}/issues", tag = "issues", request_body = NewIssue,
    params(("code" = String, Path, description = "The register to add the issue to")),
    responses((status = 201, body = IssueSchema, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<NewIssue>,
) -> ApiResult<Response> {
    let register = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    caller.require_editor()?;
    let fields = body.into_fields()?;
    let issue = state
        .store
        .create_issue(
            register.code.clone(),
            None,
            fields,
            WriteContext::new(caller.actor(), None),
        )
        .await?;
    let mut response = respond(StatusCode::CREATED, &issue, register.fields.last_paper_on);
    super::set_location(&mut response, &format!("/api/v1/issues/{}", issue.reference));
    Ok(response)
}

/// Amends an issue (secretariat or admin). Requires `If-Match`.
#[utoipa::path(patch, path = "/issues/{ref}", tag = "issues", request_body = IssuePatch,
    params(("ref" = String, Path), ("If-Match" = String, Header, description = "The ETag of the version you read")),
    responses((status = 200, body = IssueSchema, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<IssuePatch>,
) -> ApiResult<Response> {
    let (current, register) = visible_issue(&state, &caller, &reference, None).await?;
    caller.require_editor()?;
    let expected = if_match.check(&current.reference.to_string(), current.revision.version)?;
    let change = patch.into_change()?;
    let issue = state
        .store
        .amend_issue(
            current.reference,
            Some(expected),
            change,
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    Ok(respond(StatusCode::OK, &issue, register.fields.last_paper_on))
}

/// Closes an open issue (secretariat or admin). Requires `If-Match`.
#[utoipa::path(post, path = "/issues/{ref}/close", tag = "issues",
    params(("ref" = String, Path), ("If-Match" = String, Header, description = "The ETag of the version you read")),
    responses((status = 200, body = IssueSchema, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn close_issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let (current, register) = visible_issue(&state, &caller, &reference, None).await?;
    caller.require_editor()?;
    let expected = if_match.check(&current.reference.to_string(), current.revision.version)?;
    let issue = state
        .store
        .close_issue(
            current.reference,
            Some(expected),
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    Ok(respond(StatusCode::OK, &issue, register.fields.last_paper_on))
}

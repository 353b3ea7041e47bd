//! `/api/v1/risks`: list (filtered, sorted, paged, also as at a date), read (also by the
//! reference it was imported with), create in a register, amend and close. Request bodies
//! name only what a caller may set: the register, number, severity and version come from
//! the path and the store, and any other field in a body is refused.

use std::cmp::Ordering;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use riskreg_domain::view::RiskView;
use riskreg_domain::{
    Rag, RecordRef, Response as RiskResponse, Risk, RiskChange, RiskFields, RiskStatus, ScorePair, Settings,
};
use riskreg_store::event::RecordType;
use riskreg_store::{RecordQuery, WriteContext};
use serde::Deserialize;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::mitigations::NewMitigation;
use super::schema::{RagSchema, ResponseSchema, RiskSchema, RiskStatusSchema, ScorePairSchema};
use super::{
    AsAtQuery, Page, Paging, json_response, parse_as_at, parse_code, parse_list, parse_sort, set_content_location,
    tagged, text_matches, visible_by_source_ref, visible_register, visible_register_with_settings, visible_registers,
    visible_risk,
};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::etag::IfMatch;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::page_cache::wants_fresh;
use crate::patch::double_option;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_risks))
        .routes(routes!(create_risk))
        .routes(routes!(get_risk, amend_risk))
        .routes(routes!(close_risk))
        .routes(routes!(risk_by_source_ref))
}

const SORT_KEYS: &[&str] = &[
    "severity",
    "number",
    "ref",
    "rag",
    "impact",
    "likelihood",
    "updated_at",
    "owner",
];

fn status_schema() -> Schema {
    super::list_schema(&["proposed", "open", "closed", "escalated", "converted"])
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
pub struct RiskListQuery {
    /// Only this register.
    pub register: Option<String>,
    /// Only these statuses, comma-separated (proposed, open, closed, escalated, converted);
    /// without it, only proposed and open risks.
    #[param(schema_with = status_schema)]
    pub status: Option<String>,
    /// Only these RAG ratings, comma-separated (RED, AMBER, GREEN).
    #[param(schema_with = rag_schema)]
    pub rag: Option<String>,
    /// Only risks of at least this severity.
    #[param(maximum = 65535)]
    pub min_severity: Option<u16>,
    /// Only risks with this owner (ignoring case).
    pub owner: Option<String>,
    /// Only risks whose statement, consequences, notes or mitigations contain this text.
    pub q: Option<String>,
    /// severity (the register's order, the default), number, ref, rag, impact, likelihood,
    /// updated_at or owner; `-` before it for descending.
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// Items per page, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
    /// The register as it stood then: a date (end of that day, UTC) or an RFC 3339 time.
    #[param(schema_with = super::as_at_schema)]
    pub as_at: Option<String>,
    /// Include closed, escalated and converted risks.
    pub include_closed: Option<bool>,
}

/// A new risk. The register comes from the path and the number is the next the register
/// has never used.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRisk {
    /// "There is a risk that…"
    #[schema(pattern = r"\S", max_length = 10000)]
    pub statement: String,
    #[serde(default)]
    #[schema(schema_with = super::schema::texts)]
    pub consequences: Vec<String>,
    #[schema(minimum = 1, maximum = 10)]
    pub impact: u8,
    #[schema(minimum = 1, maximum = 10)]
    pub likelihood: u8,
    #[schema(value_type = RagSchema)]
    pub rag: Rag,
    /// proposed or open (default open).
    #[schema(value_type = Option<RiskStatusSchema>)]
    pub status: Option<RiskStatus>,
    pub owner: Option<String>,
    pub raised_by: Option<String>,
    pub raised_on: Option<NaiveDate>,
    pub category: Option<String>,
    pub provenance: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::schema::texts)]
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    #[schema(value_type = Option<ScorePairSchema>)]
    pub inherent: Option<ScorePair>,
    #[schema(value_type = Option<ScorePairSchema>)]
    pub target: Option<ScorePair>,
    #[schema(value_type = Option<ResponseSchema>)]
    pub response: Option<RiskResponse>,
    pub proximity: Option<NaiveDate>,
    pub review_by: Option<NaiveDate>,
    #[serde(default)]
    pub mitigations: Vec<NewMitigation>,
}

/// Changes to a risk: only the fields present change; `null` clears an optional field.
/// Mitigations are changed through the risk's `mitigations` sub-resource.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPatch {
    pub statement: Option<String>,
    #[schema(schema_with = super::schema::texts_or_null)]
    pub consequences: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 10)]
    pub impact: Option<u8>,
    #[schema(minimum = 1, maximum = 10)]
    pub likelihood: Option<u8>,
    #[schema(value_type = Option<RagSchema>)]
    pub rag: Option<Rag>,
    #[schema(value_type = Option<RiskStatusSchema>)]
    pub status: Option<RiskStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub raised_by: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub raised_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub provenance: Option<Option<String>>,
    #[schema(schema_with = super::schema::texts_or_null)]
    pub footnotes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ScorePairSchema>, nullable)]
    pub inherent: Option<Option<ScorePair>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ScorePairSchema>, nullable)]
    pub target: Option<Option<ScorePair>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ResponseSchema>, nullable)]
    pub response: Option<Option<RiskResponse>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub proximity: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub review_by: Option<Option<NaiveDate>>,
}

impl NewRisk {
    /// The risk's fields; a new risk may only be proposed or open.
    pub fn into_fields(self) -> ApiResult<RiskFields> {
        let status = self.status.unwrap_or(RiskStatus::Open);
        if !status.is_live() {
            return Err(Error::invalid("status", "a new risk must be proposed or open"));
        }
        Ok(RiskFields {
            statement: self.statement,
            source_ref: None,
            consequences: self.consequences,
            impact: self.impact,
            likelihood: self.likelihood,
            rag: self.rag,
            status,
            owner: self.owner,
            raised_by: self.raised_by,
            raised_on: self.raised_on,
            category: self.category,
            provenance: self.provenance,
            footnotes: self.footnotes,
            notes: self.notes,
            inherent: self.inherent,
            target: self.target,
            response: self.response,
            proximity: self.proximity,
            review_by: self.review_by,
            mitigations: self.mitigations.into_iter().map(NewMitigation::into_domain).collect(),
        })
    }
}

impl RiskPatch {
    pub fn into_change(self) -> RiskChange {
        RiskChange {
            statement: self.statement,
            consequences: self.consequences,
            impact: self.impact,
            likelihood: self.likelihood,
            rag: self.rag,
            status: self.status,
            owner: self.owner,
            raised_by: self.raised_by,
            raised_on: self.raised_on,
            category: self.category,
            provenance: self.provenance,
            footnotes: self.footnotes,
            notes: self.notes,
            inherent: self.inherent,
            target: self.target,
            response: self.response,
            proximity: self.proximity,
            review_by: self.review_by,
            mitigations: Default::default(),
        }
    }
}

/// The risk as the API shows it, with its ETag.
pub async fn respond(
    state: &AppState,
    status: StatusCode,
    risk: &Risk,
    last_paper_on: Option<NaiveDate>,
) -> ApiResult<Response> {
    let settings = state.store.settings().await?;
    Ok(respond_with(status, risk, &settings, last_paper_on))
}

/// [`respond`] with the settings already read.
fn respond_with(status: StatusCode, risk: &Risk, settings: &Settings, last_paper_on: Option<NaiveDate>) -> Response {
    let view = RiskView::new(risk, settings, last_paper_on);
    tagged(status, &view.reference, view.version, &view)
}

fn compare(key: &str, a: &Risk, b: &Risk) -> Ordering {
    let (fa, fb) = (&a.fields, &b.fields);
    match key {
        "number" => a.reference.number.cmp(&b.reference.number),
        "ref" => a.reference.cmp(&b.reference),
        "rag" => fa.rag.rank().cmp(&fb.rag.rank()),
        "impact" => fa.impact.cmp(&fb.impact),
        "likelihood" => fa.likelihood.cmp(&fb.likelihood),
        "updated_at" => a.revision.updated_at.cmp(&b.revision.updated_at),
        "owner" => fa.owner.cmp(&fb.owner),
        // severity: the register's own order is descending, so ascending is its reverse.
        _ => a.severity().cmp(&b.severity()),
    }
}

/// Risks the caller can see, filtered, sorted and paged.
#[utoipa::path(get, path = "/risks", tag = "risks", params(RiskListQuery),
    responses((status = 200, body = Page<RiskSchema>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_risks(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RiskListQuery>,
) -> ApiResult<Response> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let paging = Paging::new(q.limit, q.offset)?;
    let sort = parse_sort(q.sort.as_deref(), SORT_KEYS)?;
    let statuses = parse_list(q.status.as_deref(), RiskStatus::parse)?;
    let rags = parse_list(q.rag.as_deref(), Rag::parse)?;
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
    let (register, settings) = match q.register.as_deref() {
        Some(c) => {
            let (register, settings) = visible_register_with_settings(&state, &caller, &parse_code(c)?, as_at).await?;
            (Some(register), settings)
        }
        None => (None, state.store.settings().await?),
    };
    let query = RecordQuery {
        register: register.as_ref().map(|r| r.code.clone()),
        as_at,
        include_closed: q.include_closed.unwrap_or(false) || statuses.is_some(),
    };
    let plain = statuses.is_none() && rags.is_none() && q.min_severity.is_none() && needle.is_none() && owner.is_none();
    if let Some(register) = register.as_ref().filter(|_| plain && sort.is_none()) {
        // One visible register in its own order: the store reads just the page, and the
        // page is kept until the next write (see `page_cache`; visibility is checked above).
        let key = format!(
            "risks {} {:?} {} {} {}",
            register.code, as_at, query.include_closed, paging.limit, paging.offset
        );
        let head = state.store.chain_head().await?;
        if !wants_fresh(&headers)
            && let Some(page) = state.pages.get(&head, &key)
        {
            return Ok(json_response(page));
        }
        let (risks, total) = state.store.risk_page(&query, paging.limit, paging.offset).await?;
        let paper = register.fields.last_paper_on;
        let views: Vec<RiskView> = risks
            .into_iter()
            .map(|r| RiskView::from_risk(r, &settings, paper))
            .collect();
        let page = paging.page_of(views, total).to_json()?;
        state.pages.put(&head, key, page.clone());
        return Ok(json_response(page));
    }
    let visible = visible_registers(&state, &caller).await?;
    let then = match as_at {
        Some(t) => state.store.registers(Some(t)).await?,
        None => visible.values().cloned().collect(),
    };
    let mut risks: Vec<Risk> = state
        .store
        .risks(&query)
        .await?
        .into_iter()
        .filter(|r| {
            let code = &r.reference.register;
            visible.contains_key(code) && then.iter().any(|reg| &reg.code == code && caller.can_see(reg))
        })
        .filter(|r| statuses.as_ref().is_none_or(|s| s.contains(&r.fields.status)))
        .filter(|r| rags.as_ref().is_none_or(|s| s.contains(&r.fields.rag)))
        .filter(|r| q.min_severity.is_none_or(|m| r.severity() >= m))
        .filter(|r| {
            owner
                .as_ref()
                .is_none_or(|o| r.fields.owner.as_deref().is_some_and(|x| x.to_lowercase() == *o))
        })
        .filter(|r| {
            needle.as_ref().is_none_or(|n| {
                let f = &r.fields;
                let mut texts: Vec<&str> = vec![f.statement.as_str()];
                texts.extend(f.consequences.iter().map(String::as_str));
                texts.extend(f.notes.as_deref());
                texts.extend(f.mitigations.iter().map(|m| m.text.as_str()));
                text_matches(n, &texts)
            })
        })
        .collect();
    if let Some((key, descending)) = sort {
        // Ties fall back to the register's own order, so every sort is total and stable.
        risks.sort_by(|a, b| {
            let o = compare(key, a, b);
            let o = if descending { o.reverse() } else { o };
            o.then_with(|| riskreg_domain::ordering::register_order(a, b))
        });
    }
    let total = risks.len() as u64;
    let page = paging.page(risks);
    // Views (with their derived fields) are built for the page only.
    let views = page
        .items
        .into_iter()
        .map(|r| {
            let paper = then
                .iter()
                .find(|reg| reg.code == r.reference.register)
                .and_then(|reg| reg.fields.last_paper_on);
            RiskView::from_risk(r, &settings, paper)
        })
        .collect();
    Ok(paging.page_of(views, total).into_response())
}

/// One risk, as it stands or as it stood at `as_at`.
#[utoipa::path(get, path = "/risks/{ref}", tag = "risks",
    params(("ref" = String, Path, description = "CODE-N, e.g. PANEL-15"), AsAtQuery),
    responses((status = 200, body = RiskSchema, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_risk(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsAtQuery>,
) -> ApiResult<Response> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    if as_at.is_none()
        && let Ok(r) = RecordRef::parse(&reference)
        && let Ok((risk, register, settings)) = state.store.risk_with_register(&r).await
        && caller.can_see(&register)
    {
        // The API's most frequent read, in one query. Anything else (a hidden or missing
        // register or risk, a past date) takes the general path, which words the answer.
        return Ok(respond_with(
            StatusCode::OK,
            &risk,
            &settings,
            register.fields.last_paper_on,
        ));
    }
    let (risk, register) = visible_risk(&state, &caller, &reference, as_at).await?;
    respond(&state, StatusCode::OK, &risk, register.fields.last_paper_on).await
}

/// The risk of a register that was imported with this source reference: the spreadsheet's
/// own reference, kept verbatim (`015(CR)`, `R-AWS-001`, `Risk 001`), closed risks
/// included. Percent-encode it in the path (`Risk%20001`).
#[utoipa::path(get, path = "/registers/{code}/risks/by-source-ref/{source_ref}", tag = "risks",
    params(("code" = String, Path, description = "The register"),
        ("source_ref" = String, Path, description = "The reference the risk had in the spreadsheet it was imported from")),
    responses((status = 200, body = RiskSchema, headers(("ETag" = String), ("Content-Location" = String, description = "The risk's own URL"))),
        (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn risk_by_source_ref(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, source_ref)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (reference, register) = visible_by_source_ref(&state, &caller, &code, RecordType::Risk, &source_ref).await?;
    let risk = state.store.risk(&reference, None).await?;
    let mut response = respond(&state, StatusCode::OK, &risk, register.fields.last_paper_on).await?;
    set_content_location(&mut response, &format!("/api/v1/risks/{reference}"));
    Ok(response)
}

/// Adds a risk to a register (secretariat or admin).
#[utoipa::path(post, path = "/registers/{code}/risks", tag = "risks", request_body = NewRisk,
    params(("code" = String, Path, description = "The register to add the risk to")),
    responses((status = 201, body = RiskSchema, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_risk(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<NewRisk>,
) -> ApiResult<Response> {
    let register = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    caller.require_editor()?;
    let fields = body.into_fields()?;
    let risk = state
        .store
        .create_risk(
            register.code.clone(),
            None,
            fields,
            WriteContext::new(caller.actor(), None),
        )
        .await?;
    let mut response = respond(&state, StatusCode::CREATED, &risk, register.fields.last_paper_on).await?;
    super::set_location(&mut response, &format!("/api/v1/risks/{}", risk.reference));
    Ok(response)
}

/// Amends a risk (secretariat or admin). Requires `If-Match`.
#[utoipa::path(patch, path = "/risks/{ref}", tag = "risks", request_body = RiskPatch,
    params(("ref" = String, Path), ("If-Match" = String, Header, description = "The ETag of the version you read")),
    responses((status = 200, body = RiskSchema, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_risk(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<RiskPatch>,
) -> ApiResult<Response> {
    let (current, register) = visible_risk(&state, &caller, &reference, None).await?;
    caller.require_editor()?;
    let key = current.reference.to_string();
    let expected = if_match.check(&key, current.revision.version)?;
    let change = patch.into_change();
    let risk = state
        .store
        .amend_risk(
            current.reference,
            Some(expected),
            change,
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    respond(&state, StatusCode::OK, &risk, register.fields.last_paper_on).await
}

/// Closes a risk that is proposed or open (secretariat or admin). Requires `If-Match`.
#[utoipa::path(post, path = "/risks/{ref}/close", tag = "risks",
    params(("ref" = String, Path), ("If-Match" = String, Header, description = "The ETag of the version you read")),
    responses((status = 200, body = RiskSchema, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn close_risk(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let (current, register) = visible_risk(&state, &caller, &reference, None).await?;
    caller.require_editor()?;
    let expected = if_match.check(&current.reference.to_string(), current.revision.version)?;
    let risk = state
        .store
        .close_risk(
            current.reference,
            Some(expected),
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    respond(&state, StatusCode::OK, &risk, register.fields.last_paper_on).await
}

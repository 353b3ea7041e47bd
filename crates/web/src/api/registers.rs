//! `/api/v1/registers`: list, read (also as at a date), create and amend registers. A
//! confidential register is listed and readable only by its members.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use riskreg_domain::{Register, RegisterCode, RegisterFields};
use riskreg_store::WriteContext;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AsAtQuery, parse_as_at, parse_code, tagged, visible_register};
use crate::auth::{Caller, Via};
use crate::error::{ApiResult, Error};
use crate::etag::IfMatch;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::patch::double_option;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_registers, create_register))
        .routes(routes!(get_register, amend_register))
}

/// A register as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterOut {
    pub code: String,
    pub name: String,
    /// The register this one escalates to.
    pub parent: Option<String>,
    /// Only members may read a confidential register.
    pub confidential: bool,
    pub description: Option<String>,
    /// The date of the register's last paper: mitigations added after it are new.
    pub last_paper_on: Option<NaiveDate>,
    pub version: u32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: String,
}

impl From<&Register> for RegisterOut {
    fn from(r: &Register) -> Self {
        Self {
            code: r.code.to_string(),
            name: r.fields.name.clone(),
            parent: r.fields.parent.as_ref().map(ToString::to_string),
            confidential: r.fields.confidential,
            description: r.fields.description.clone(),
            last_paper_on: r.fields.last_paper_on,
            version: r.revision.version,
            updated_at: r.revision.updated_at,
            updated_by: r.revision.updated_by.clone(),
        }
    }
}

fn respond(status: StatusCode, r: &Register) -> Response {
    tagged(status, r.code.as_str(), r.revision.version, &RegisterOut::from(r))
}

/// A new register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegister {
    /// 2-16 characters of A-Z, 0-9 or _, starting with a letter, e.g. `SSC`.
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9_]{1,15}$")]
    pub code: String,
    #[schema(pattern = r"\S", max_length = 200)]
    pub name: String,
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9_]{1,15}$")]
    pub parent: Option<String>,
    #[serde(default)]
    pub confidential: bool,
    pub description: Option<String>,
    pub last_paper_on: Option<NaiveDate>,
}

/// Changes to a register: only the fields present change; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub parent: Option<Option<String>>,
    pub confidential: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub last_paper_on: Option<Option<NaiveDate>>,
}

/// A parent the caller names must be one they can see: naming a hidden register reads as
/// naming none, so the answer does not reveal that it exists.
async fn visible_parent(state: &AppState, caller: &Caller, parent: Option<&str>) -> ApiResult<Option<RegisterCode>> {
    let Some(p) = parent else { return Ok(None) };
    let unknown = || Error::invalid("parent", format!("names no register: {p}"));
    let code = RegisterCode::parse(p).map_err(|e| Error::invalid("parent", e.rule))?;
    match visible_register(state, caller, &code, None).await {
        Ok(_) => Ok(Some(code)),
        Err(Error::NotFound(_)) => Err(unknown()),
        Err(e) => Err(e),
    }
}

/// Every register the caller can see, parents before children.
#[utoipa::path(get, path = "/registers", tag = "registers", params(AsAtQuery),
    responses((status = 200, body = Vec<RegisterOut>), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_registers(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AsAtQuery>,
) -> ApiResult<axum::Json<Vec<RegisterOut>>> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let current = super::visible_registers(&state, &caller).await?;
    let registers = state.store.registers(as_at).await?;
    Ok(axum::Json(
        registers
            .iter()
            .filter(|r| caller.can_see(r) && current.contains_key(&r.code))
            .map(RegisterOut::from)
            .collect(),
    ))
}

/// One register, as it stands or as it stood at `as_at`.
#[utoipa::path(get, path = "/registers/{code}", tag = "registers",
    params(("code" = String, Path, description = "The register's code, e.g. PANEL"), AsAtQuery),
    responses((status = 200, body = RegisterOut, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_register(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsAtQuery>,
) -> ApiResult<Response> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let register = visible_register(&state, &caller, &parse_code(&code)?, as_at).await?;
    Ok(respond(StatusCode::OK, &register))
}

/// Creates a register (secretariat or admin). The creator of a confidential register
/// becomes its first member, or no one could read it.
#[utoipa::path(post, path = "/registers", tag = "registers", request_body = NewRegister,
    responses((status = 201, body = RegisterOut, headers(("ETag" = String))), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewRegister>,
) -> ApiResult<Response> {
    let register = create(&state, &caller, body).await?;
    Ok(respond(StatusCode::CREATED, &register))
}

/// Creates a register (secretariat or admin); shared by the API and the settings pages.
/// The creator of a confidential register becomes its first member, or no one could read it.
pub async fn create(state: &AppState, caller: &Caller, body: NewRegister) -> ApiResult<Register> {
    caller.require_editor()?;
    let code = RegisterCode::parse(&body.code).map_err(|e| Error::invalid("code", e.rule))?;
    let fields = RegisterFields {
        name: body.name,
        parent: visible_parent(state, caller, body.parent.as_deref()).await?,
        confidential: body.confidential,
        description: body.description,
        last_paper_on: body.last_paper_on,
    };
    // A register the caller cannot see still occupies its code; saying so would reveal
    // it, so the conflict names only the code the caller chose.
    let register = state
        .store
        .create_register(code, fields, WriteContext::new(caller.actor(), None))
        .await
        .map_err(|e| match e {
            riskreg_store::StoreError::Conflict(_) => Error::Conflict(format!("the code {} is taken", body.code)),
            other => other.into(),
        })?;
    if register.fields.confidential && caller.via != Via::Disabled {
        super::users::grant_membership(state, caller, &caller.name, &register.code).await?;
    }
    Ok(register)
}

/// Amends a register (secretariat or admin). Requires `If-Match`.
#[utoipa::path(patch, path = "/registers/{code}", tag = "registers", request_body = RegisterPatch,
    params(("code" = String, Path), ("If-Match" = String, Header, description = "The ETag of the version you read")),
    responses((status = 200, body = RegisterOut, headers(("ETag" = String))), (status = 404, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_register(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<RegisterPatch>,
) -> ApiResult<Response> {
    let current = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    caller.require_editor()?;
    let expected = if_match.check(current.code.as_str(), current.revision.version)?;
    let register = amend(&state, &caller, &current, expected, patch).await?;
    Ok(respond(StatusCode::OK, &register))
}

/// Applies `patch` to `current` (a register the caller can see) if it is still at
/// `expected` (412 otherwise); secretariat or admin. Shared by the API and the settings pages.
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    current: &Register,
    expected: u32,
    patch: RegisterPatch,
) -> ApiResult<Register> {
    caller.require_editor()?;
    let mut fields = current.fields.clone();
    if let Some(name) = patch.name {
        fields.name = name;
    }
    if let Some(parent) = patch.parent {
        fields.parent = visible_parent(state, caller, parent.as_deref()).await?;
    }
    if let Some(c) = patch.confidential {
        fields.confidential = c;
    }
    if let Some(d) = patch.description {
        fields.description = d;
    }
    if let Some(d) = patch.last_paper_on {
        fields.last_paper_on = d;
    }
    if fields == current.fields {
        return Err(Error::invalid(
            "change",
            "changes nothing: the register already reads so",
        ));
    }
    let applied = state
        .store
        .write_one(
            riskreg_store::Change::AmendRegister {
                code: current.code.clone(),
                expected_version: Some(expected),
                fields,
            },
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    match applied {
        riskreg_store::Applied::Register(r) => Ok(r),
        _ => Err(Error::internal("amending a register produced another kind of record")),
    }
}

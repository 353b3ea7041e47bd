//! `/api/v1/users`: for admins — create users, change their role, disable them, grant and
//! revoke register memberships, reset a password. Any user may read their own record.
//! Every change is an audited event whose actor is the admin who made it.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use riskreg_domain::{Register, RegisterCode};
use riskreg_store::WriteContext;
use riskreg_store::users::{Role, User, UserFields, UserName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_code, tagged, visible_register, visible_registers};
use crate::auth::{Caller, password};
use crate::error::{ApiResult, Error, Problem};
use crate::etag::IfMatch;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, amend_user))
        .routes(routes!(grant, revoke))
        .routes(routes!(reset_password))
}

/// A role: admin, secretariat, member or viewer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Role)]
#[serde(rename_all = "lowercase")]
pub enum RoleSchema {
    Admin,
    Secretariat,
    Member,
    Viewer,
}

/// A user as the API shows it (never a password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub name: String,
    #[schema(value_type = RoleSchema)]
    pub role: Role,
    pub disabled: bool,
    /// The registers the user is a member of (and so may read when confidential).
    pub registers: Vec<String>,
    pub version: u32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: String,
}

impl UserOut {
    /// The user as the caller may see them: memberships of registers the caller may not see
    /// are left out, so no answer names a confidential register to a non-member.
    pub fn seen_by(u: &User, visible: &HashMap<RegisterCode, Register>) -> Self {
        let mut out = Self::from(u);
        out.registers = u
            .fields
            .registers
            .iter()
            .filter(|c| visible.contains_key(*c))
            .map(ToString::to_string)
            .collect();
        out
    }
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            name: u.name.to_string(),
            role: u.fields.role,
            disabled: u.fields.disabled,
            registers: u.fields.registers.iter().map(ToString::to_string).collect(),
            version: u.revision.version,
            updated_at: u.revision.updated_at,
            updated_by: u.revision.updated_by.clone(),
        }
    }
}

/// The ETag key of a user record (`user:alice`), distinct from any register or record.
pub fn etag_key(name: &UserName) -> String {
    format!("user:{name}")
}

pub async fn respond(state: &AppState, caller: &Caller, status: StatusCode, u: &User) -> ApiResult<Response> {
    let visible = visible_registers(state, caller).await?;
    Ok(tagged(
        status,
        &etag_key(&u.name),
        u.revision.version,
        &UserOut::seen_by(u, &visible),
    ))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")]
    pub name: String,
    #[schema(value_type = RoleSchema)]
    pub role: Role,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// Registers the user is a member of.
    #[serde(default)]
    #[schema(schema_with = super::schema::register_codes)]
    pub registers: Vec<String>,
}

/// Changes to a user: their role, or whether the account is disabled (which ends its
/// sessions; its tokens stop working while it stays disabled).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(value_type = Option<RoleSchema>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// A new password for a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

fn user_name(value: &str) -> ApiResult<UserName> {
    UserName::parse(value).map_err(|_| Error::NotFound(format!("user {value}")))
}

async fn existing(state: &AppState, name: &UserName) -> ApiResult<User> {
    state
        .store
        .user(name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("user {name}")))
}

/// Adds `register` to `user`'s memberships (used when a confidential register is created,
/// so that its creator can read it).
pub async fn grant_membership(
    state: &AppState,
    caller: &Caller,
    user: &UserName,
    register: &RegisterCode,
) -> ApiResult<()> {
    let current = existing(state, user).await?;
    if current.fields.is_member(register) {
        return Ok(());
    }
    let mut fields = current.fields.clone();
    fields.registers.push(register.clone());
    state
        .store
        .amend_user(
            user,
            Some(current.revision.version),
            fields,
            WriteContext::new(caller.actor(), None),
        )
        .await?;
    Ok(())
}

/// Every user (admins only).
#[utoipa::path(get, path = "/users", tag = "users",
    responses((status = 200, body = Vec<UserOut>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_users(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserOut>>> {
    caller.require(Role::Admin)?;
    let visible = visible_registers(&state, &caller).await?;
    Ok(Json(
        state
            .store
            .users()
            .await?
            .iter()
            .map(|u| UserOut::seen_by(u, &visible))
            .collect(),
    ))
}

/// Creates a user (admins only).
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<Response> {
    let user = create(&state, &caller, body).await?;
    respond(&state, &caller, StatusCode::CREATED, &user).await
}

/// Creates a user (admins only); shared by the API and the settings pages.
pub async fn create(state: &AppState, caller: &Caller, body: NewUser) -> ApiResult<User> {
    caller.require(Role::Admin)?;
    let name = UserName::parse(&body.name)?;
    password::check_new("password", &body.password)?;
    let mut registers = Vec::new();
    for (i, code) in body.registers.iter().enumerate() {
        let field = format!("registers[{i}]");
        let code = RegisterCode::parse(code).map_err(|e| Error::invalid(&field, e.rule))?;
        // An admin may only grant what they can see: otherwise the answer would reveal a
        // confidential register's code.
        visible_register(state, caller, &code, None)
            .await
            .map_err(|_| Error::invalid(&field, format!("names no register: {code}")))?;
        registers.push(code);
    }
    let hash = password::hash(body.password).await?;
    let fields = UserFields {
        role: body.role,
        disabled: false,
        registers,
    };
    Ok(state
        .store
        .create_user(name, fields, Some(&hash), WriteContext::new(caller.actor(), None))
        .await?)
}

/// One user: admins may read anyone, others only themselves.
#[utoipa::path(get, path = "/users/{name}", tag = "users", params(("name" = String, Path)),
    responses((status = 200, body = UserOut, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Response> {
    let name = user_name(&name)?;
    if caller.name != name && caller.require(Role::Admin).is_err() {
        return Err(Error::NotFound(format!("user {name}")));
    }
    respond(&state, &caller, StatusCode::OK, &existing(&state, &name).await?).await
}

/// Changes a user's role or disables the account (admins only). Requires `If-Match`. An
/// admin cannot demote or disable themselves, so there is always someone to undo a change.
#[utoipa::path(patch, path = "/users/{name}", tag = "users", request_body = UserPatch,
    params(("name" = String, Path), ("If-Match" = String, Header, description = "The ETag of the user you read")),
    responses((status = 200, body = UserOut, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn amend_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let name = user_name(&name)?;
    let current = existing(&state, &name).await?;
    let expected = if_match.check(&etag_key(&name), current.revision.version)?;
    let user = amend(&state, &caller, &name, expected, patch).await?;
    respond(&state, &caller, StatusCode::OK, &user).await
}

/// Changes a user's role or disabled flag if the user is still at version `expected` (412
/// otherwise); admins only, and never their own demotion or disabling. Shared by the API
/// and the settings pages.
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    name: &UserName,
    expected: u32,
    patch: UserPatch,
) -> ApiResult<User> {
    caller.require(Role::Admin)?;
    let current = existing(state, name).await?;
    let mut fields = current.fields.clone();
    if let Some(role) = patch.role {
        if *name == caller.name && role < Role::Admin {
            return Err(Error::invalid("role", "you cannot lower your own role"));
        }
        fields.role = role;
    }
    if let Some(disabled) = patch.disabled {
        if *name == caller.name && disabled {
            return Err(Error::invalid("disabled", "you cannot disable your own account"));
        }
        fields.disabled = disabled;
    }
    state
        .store
        .amend_user(name, Some(expected), fields, WriteContext::new(caller.actor(), None))
        .await
        .map_err(Error::from_versioned_write)
}

async fn membership(
    state: AppState,
    caller: Caller,
    name: String,
    code: String,
    if_match: IfMatch,
    member: bool,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let name = user_name(&name)?;
    let register = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    let current = existing(&state, &name).await?;
    let expected = if_match.check(&etag_key(&name), current.revision.version)?;
    let user = set_membership(&state, &caller, &name, &register.code, expected, member).await?;
    respond(&state, &caller, StatusCode::OK, &user).await
}

/// Grants (`member`) or ends a user's membership of `register` if the user is still at
/// version `expected` (412 otherwise); admins only, and only for registers they can see.
/// Shared by the API and the settings pages.
pub async fn set_membership(
    state: &AppState,
    caller: &Caller,
    name: &UserName,
    register: &RegisterCode,
    expected: u32,
    member: bool,
) -> ApiResult<User> {
    caller.require(Role::Admin)?;
    let register = visible_register(state, caller, register, None).await?;
    let current = existing(state, name).await?;
    let mut fields = current.fields.clone();
    if member {
        fields.registers.push(register.code.clone());
    } else {
        fields.registers.retain(|c| *c != register.code);
    }
    state
        .store
        .amend_user(name, Some(expected), fields, WriteContext::new(caller.actor(), None))
        .await
        .map_err(Error::from_versioned_write)
}

/// Makes a user a member of a register (admins only, and only of registers they can see).
#[utoipa::path(put, path = "/users/{name}/registers/{code}", tag = "users",
    params(("name" = String, Path), ("code" = String, Path), ("If-Match" = String, Header, description = "The ETag of the user you read")),
    responses((status = 200, body = UserOut, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn grant(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((name, code)): ApiPath<(String, String)>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    membership(state, caller, name, code, if_match, true).await
}

/// Ends a user's membership of a register (admins only).
#[utoipa::path(delete, path = "/users/{name}/registers/{code}", tag = "users",
    params(("name" = String, Path), ("code" = String, Path), ("If-Match" = String, Header, description = "The ETag of the user you read")),
    responses((status = 200, body = UserOut, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((name, code)): ApiPath<(String, String)>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    membership(state, caller, name, code, if_match, false).await
}

/// Sets another user's password (admins only); ends all of that user's sessions.
#[utoipa::path(post, path = "/users/{name}/password", tag = "users", request_body = NewPassword,
    params(("name" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let name = user_name(&name)?;
    set_password(&state, &caller, &name, body.password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sets another user's password (admins only) and ends that user's sessions. Shared by
/// the API and the settings pages.
pub async fn set_password(state: &AppState, caller: &Caller, name: &UserName, new: String) -> ApiResult<User> {
    caller.require(Role::Admin)?;
    existing(state, name).await?;
    password::check_new("password", &new)?;
    let hash = password::hash(new).await?;
    Ok(state
        .store
        .set_password(name, &hash, WriteContext::new(caller.actor(), None))
        .await?)
}

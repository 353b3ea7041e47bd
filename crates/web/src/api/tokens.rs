//! `/api/v1/tokens`: API tokens for scripts. A token is created from a logged-in session,
//! shown once, stored only as a hash, scoped to a role no higher than its owner's, and
//! revocable by its owner or an admin. Tokens cannot mint tokens, so a leaked one cannot
//! be used to outlive its own revocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use riskreg_store::WriteContext;
use riskreg_store::users::{ApiToken, Role, TokenFields};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::RoleSchema;
use crate::auth::{Caller, Via, secret};
use crate::error::{ApiResult, Error, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// A token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub user: String,
    pub label: String,
    #[schema(value_type = RoleSchema)]
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&ApiToken> for TokenOut {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.clone(),
            user: t.fields.user.to_string(),
            label: t.fields.label.clone(),
            role: t.fields.role,
            created_at: t.fields.created_at,
            expires_at: t.fields.expires_at,
            revoked_at: t.fields.revoked_at,
        }
    }
}

/// A new token: the secret is in this response and nowhere else, ever.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: TokenOut,
    /// Send as `Authorization: Bearer <secret>`. Shown once.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "nightly export".
    #[schema(pattern = r"\S", max_length = 200)]
    pub label: String,
    /// The most the token may do (default: your role); never more than your role.
    #[schema(value_type = Option<RoleSchema>)]
    pub role: Option<Role>,
    /// Days until the token stops working (1-3650); without it, until revoked.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// Your tokens; an admin sees everyone's.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenOut>), (status = 401, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TokenOut>>> {
    let user = (caller.role < Role::Admin).then_some(&caller.name);
    Ok(Json(
        state.store.tokens(user).await?.iter().map(TokenOut::from).collect(),
    ))
}

/// Creates a token for yourself. Only from a logged-in session, not with another token.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = [])))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let body = create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Creates a token for the caller, from a logged-in session only; shared by the API and
/// the settings pages. The secret is in the answer and nowhere else, ever.
pub async fn create(state: &AppState, caller: &Caller, body: NewToken) -> ApiResult<CreatedToken> {
    if !matches!(caller.via, Via::Session { .. }) {
        return Err(Error::Forbidden(
            "tokens are created from a logged-in session, not with another token".into(),
        ));
    }
    let label = body.label.trim().to_owned();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(Error::invalid("label", "must be 1 to 200 characters"));
    }
    let role = body.role.unwrap_or(caller.role);
    if role > caller.role {
        return Err(Error::invalid(
            "role",
            format!("must not exceed your own role ({})", caller.role),
        ));
    }
    let now = Utc::now();
    let expires_at = match body.expires_in_days {
        None => None,
        Some(d) if (1..=3650).contains(&d) => Some(now + Duration::days(i64::from(d))),
        Some(_) => return Err(Error::invalid("expires_in_days", "must be from 1 to 3650")),
    };
    let (id, secret_text) = secret::new_api_token()?;
    let fields = TokenFields {
        user: caller.name.clone(),
        label,
        role,
        created_at: now,
        expires_at,
        revoked_at: None,
    };
    let token = state
        .store
        .create_token(
            id,
            fields,
            &secret::hash(&secret_text),
            WriteContext::new(caller.actor(), None),
        )
        .await?;
    Ok(CreatedToken {
        token: TokenOut::from(&token),
        secret: secret_text,
    })
}

/// Revokes a token: yours, or anyone's if you are an admin. Revocation needs no `If-Match`:
/// it must always be possible, and there is nothing in it to overwrite.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    revoke(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Revokes a token of the caller's, or anyone's for an admin; another's token is 404 to a
/// non-admin. Shared by the API and the settings pages.
pub async fn revoke(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ApiToken> {
    let token = state
        .store
        .token(id)
        .await?
        .filter(|t| t.fields.user == caller.name || caller.role >= Role::Admin)
        .ok_or_else(|| Error::NotFound(format!("token {id}")))?;
    Ok(state
        .store
        .revoke_token(&token.id, WriteContext::new(caller.actor(), None))
        .await?)
}

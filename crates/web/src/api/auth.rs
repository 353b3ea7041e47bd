//! `/api/v1/auth`: log in (a session cookie, rotated at every login, plus the CSRF token
//! that writes must echo), see the current session, change one's password, log out.
//! Failed logins are throttled per client and per account (see [`crate::auth::throttle`]).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use riskreg_store::WriteContext;
use riskreg_store::sessions::SessionRecord;
use riskreg_store::users::{User, UserName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::UserOut;
use crate::auth::client::ClientAddr;
use crate::auth::{Caller, Via, check_same_origin, cookie, password, secret, throttle};
use crate::error::{ApiResult, Error, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(session))
        .routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

/// The logged-in user and the token their writes must send in `X-CSRF-Token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub user: UserOut,
    /// Absent when the caller authenticated with an API token (which needs none).
    pub csrf_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Starts a new session for `user`: a fresh secret in the cookie, its hash in the database.
async fn start_session(state: &AppState, user: &User) -> ApiResult<Response> {
    let now = Utc::now();
    let ttl = Duration::from_std(state.config.session_ttl).map_err(Error::internal)?;
    let cookie_secret = secret::random_hex(32)?;
    let csrf_token = secret::random_hex(32)?;
    state
        .store
        .insert_session(&SessionRecord {
            id_hash: secret::hash(&cookie_secret),
            user: user.name.clone(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at: now + ttl,
        })
        .await?;
    let set = cookie::set(&state.config, &cookie_secret, state.config.session_ttl.as_secs())
        .ok_or_else(|| Error::internal("could not build the session cookie"))?;
    let body = SessionOut {
        user: UserOut::from(user),
        csrf_token: Some(csrf_token),
    };
    Ok(([(header::SET_COOKIE, set)], Json(body)).into_response())
}

/// Logs in with a name and password. The answer to a wrong name and to a wrong password is
/// the same, and takes as long.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = SessionOut, headers(("Set-Cookie" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, headers(("Retry-After" = u64)))))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Response> {
    // A login form posted from another site would log the victim in as the attacker.
    check_same_origin(&headers)?;
    let store = state.store.as_ref();
    let now = Utc::now();
    let keys = throttle::Keys::new(&body.name, &client);
    throttle::check(store, &keys, now).await?;
    let name = UserName::parse(&body.name).ok();
    let user = match &name {
        Some(n) => store.user(n).await?.filter(|u| !u.fields.disabled),
        None => None,
    };
    let hash = match &user {
        Some(u) => store.password_hash(&u.name).await?,
        None => None,
    };
    let ok = password::verify(body.password, hash).await?;
    let Some(user) = user.filter(|_| ok) else {
        throttle::failed(store, &keys, now).await?;
        tracing::info!(client = %client, "failed login");
        return Err(Error::Unauthenticated);
    };
    throttle::succeeded(store, &keys, now).await?;
    // Rotation: whatever session this browser held before ends here.
    if let Some(old) = cookie::read(&headers, state.config.session_cookie()) {
        store.delete_session(&secret::hash(&old)).await?;
    }
    store.purge_expired_sessions(now).await?;
    tracing::info!(user = %user.name, client = %client, "login");
    start_session(&state, &user).await
}

/// Ends the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, headers(("Set-Cookie" = String))), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("session" = [])))]
async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let Via::Session { id_hash, .. } = &caller.via else {
        return Err(Error::Forbidden(
            "logging out ends a session; revoke a token instead".into(),
        ));
    };
    state.store.delete_session(id_hash).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie::clear(&state.config))],
    )
        .into_response())
}

/// The caller, and (for a session) the CSRF token.
#[utoipa::path(get, path = "/auth/session", tag = "auth",
    responses((status = 200, body = SessionOut), (status = 401, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn session(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<SessionOut>> {
    let user = match &caller.via {
        Via::Disabled => {
            return Err(Error::Forbidden("authentication is switched off on this server".into()));
        }
        _ => state.store.user(&caller.name).await?.ok_or(Error::Unauthenticated)?,
    };
    let csrf_token = match caller.via {
        Via::Session { csrf_token, .. } => Some(csrf_token),
        _ => None,
    };
    Ok(Json(SessionOut {
        user: UserOut::from(&user),
        csrf_token,
    }))
}

/// Changes your own password. Every one of your sessions ends, this one included, and a
/// new session starts in its place.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 200, body = SessionOut, headers(("Set-Cookie" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = [])))]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Response> {
    if !matches!(caller.via, Via::Session { .. }) {
        return Err(Error::Forbidden(
            "passwords are changed from a logged-in session".into(),
        ));
    }
    let hash = state.store.password_hash(&caller.name).await?;
    if !password::verify(body.current_password, hash).await? {
        return Err(Error::invalid("current_password", "is not your current password"));
    }
    password::check_new("new_password", &body.new_password)?;
    let new_hash = password::hash(body.new_password).await?;
    let user = state
        .store
        .set_password(&caller.name, &new_hash, WriteContext::new(caller.actor(), None))
        .await?;
    start_session(&state, &user).await
}

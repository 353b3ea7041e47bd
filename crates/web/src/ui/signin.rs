//! Signing in and out of the UI. Signing in checks the password exactly as the API's login
//! does — the same throttling per client and per account, the same answer for an unknown
//! name and a wrong password — and starts a database session (a fresh cookie every time).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use riskreg_store::sessions::SessionRecord;
use riskreg_store::users::UserName;
use serde::Deserialize;

use super::error::{PageResult, render, see_other};
use super::forms::safe_next;
use super::layout::Layout;
use super::session::{CsrfForm, PageUser, check_form_origin};
use crate::auth::client::ClientAddr;
use crate::auth::{Via, cookie, password, secret, throttle};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signin", get(show).post(sign_in))
        .route("/signout", post(sign_out))
}

#[derive(Template)]
#[template(path = "ui/signin.html")]
struct SignInPage {
    layout: Layout,
    name: String,
    next: String,
    message: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

async fn show(Query(q): Query<Next>) -> PageResult<Response> {
    page(StatusCode::OK, String::new(), q.next, String::new())
}

fn page(status: StatusCode, name: String, next: String, message: String) -> PageResult<Response> {
    let html = render(&SignInPage {
        layout: Layout::anonymous("Sign in"),
        name,
        next: safe_next(&next).to_owned(),
        message,
    })?;
    Ok((status, html).into_response())
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SignInForm>,
) -> PageResult<Response> {
    // A sign-in posted from another site would sign the victim in as the attacker.
    check_form_origin(&headers)?;
    let store = state.store.as_ref();
    let now = Utc::now();
    let keys = throttle::Keys::new(&form.name, &client);
    match throttle::check(store, &keys, now).await {
        Ok(()) => {}
        Err(Error::TooManyAttempts { retry_after_secs }) => {
            let message = format!("Too many failed attempts. Try again in {retry_after_secs} seconds.");
            return page(StatusCode::TOO_MANY_REQUESTS, form.name, form.next, message);
        }
        Err(e) => return Err(e.into()),
    }
    let name = UserName::parse(form.name.trim()).ok();
    let user = match &name {
        Some(n) => store.user(n).await?.filter(|u| !u.fields.disabled),
        None => None,
    };
    let hash = match &user {
        Some(u) => store.password_hash(&u.name).await?,
        None => None,
    };
    let ok = password::verify(form.password, hash).await?;
    let Some(user) = user.filter(|_| ok) else {
        throttle::failed(store, &keys, now).await?;
        tracing::info!(client = %client, "failed sign-in");
        let message = "That name and password do not match an account.".to_owned();
        return page(StatusCode::UNAUTHORIZED, form.name, form.next, message);
    };
    throttle::succeeded(store, &keys, now).await?;
    if let Some(old) = cookie::read(&headers, state.config.session_cookie()) {
        store.delete_session(&secret::hash(&old)).await?;
    }
    store.purge_expired_sessions(now).await?;
    let ttl = Duration::from_std(state.config.session_ttl).map_err(Error::internal)?;
    let cookie_secret = secret::random_hex(32)?;
    store
        .insert_session(&SessionRecord {
            id_hash: secret::hash(&cookie_secret),
            user: user.name.clone(),
            csrf_token: secret::random_hex(32)?,
            created_at: now,
            expires_at: now + ttl,
        })
        .await?;
    let set = cookie::set(&state.config, &cookie_secret, state.config.session_ttl.as_secs())
        .ok_or_else(|| Error::internal("could not build the session cookie"))?;
    tracing::info!(user = %user.name, client = %client, "sign-in");
    let mut response = see_other(safe_next(&form.next));
    response.headers_mut().insert(header::SET_COOKIE, set);
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn sign_out(State(state): State<AppState>, form: CsrfForm<Empty>) -> PageResult<Response> {
    let PageUser { caller, .. } = form.user;
    if let Via::Session { id_hash, .. } = &caller.via {
        state.store.delete_session(id_hash).await?;
    }
    let mut response = see_other("/signin");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie::clear(&state.config));
    Ok(response)
}

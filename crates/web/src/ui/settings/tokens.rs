//! `/settings/tokens`: every API token with its owner, scope and state; creating a token
//! for yourself (its secret is shown on the answer page once, and never again: riskreg
//! keeps only its hash); and revoking any token. Both through the API's own functions.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use riskreg_store::users::{ApiToken, Role};
use serde::Deserialize;

use super::{Tab, require_admin};
use crate::api::tokens::{NewToken, create, revoke};
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::FieldErrors;
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/tokens", get(list).post(add))
        .route("/settings/tokens/{id}/revoke", post(revoke_one))
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[derive(Debug)]
pub struct TokenRow {
    pub id: String,
    pub owner: String,
    pub label: String,
    pub role: &'static str,
    pub created: String,
    pub expires: String,
    /// "live", "revoked" or "expired", and when it stopped working.
    pub state: &'static str,
    pub ended: String,
}

impl TokenRow {
    fn of(t: &ApiToken, now: DateTime<Utc>) -> Self {
        let (state, ended) = match (t.fields.revoked_at, t.fields.expires_at) {
            (Some(r), _) => ("revoked", when(r)),
            (None, Some(e)) if e <= now => ("expired", when(e)),
            _ => ("live", String::new()),
        };
        Self {
            id: t.id.clone(),
            owner: t.fields.user.to_string(),
            label: t.fields.label.clone(),
            role: t.fields.role.as_str(),
            created: when(t.fields.created_at),
            expires: t.fields.expires_at.map(when).unwrap_or_default(),
            state,
            ended,
        }
    }
}

/// The create form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewValues {
    pub label: String,
    pub role: String,
    pub expires_in_days: String,
}

#[derive(Template)]
#[template(path = "ui/settings_tokens.html")]
struct TokensPage {
    layout: Layout,
    tab: Tab,
    rows: Vec<TokenRow>,
    roles: Vec<&'static str>,
    v: NewValues,
    errors: FieldErrors,
    revoked: String,
}

#[derive(Template)]
#[template(path = "ui/settings_token_created.html")]
struct CreatedPage {
    layout: Layout,
    tab: Tab,
    token: TokenRow,
    secret: String,
}

async fn page(state: &AppState, user: &PageUser, v: NewValues, errors: FieldErrors) -> PageResult<TokensPage> {
    let now = Utc::now();
    let rows = state
        .store
        .tokens(None)
        .await?
        .iter()
        .map(|t| TokenRow::of(t, now))
        .collect();
    Ok(TokensPage {
        layout: Layout::new(user, "API tokens · Settings", Section::Settings),
        tab: Tab::Tokens,
        rows,
        // A token may do no more than its owner.
        roles: Role::ALL
            .into_iter()
            .filter(|r| *r <= user.caller.role)
            .map(Role::as_str)
            .collect(),
        v,
        errors,
        revoked: String::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    revoked: String,
}

async fn list(State(state): State<AppState>, user: PageUser, Query(q): Query<Done>) -> PageResult<Response> {
    require_admin(&user)?;
    let v = NewValues {
        role: user.caller.role.as_str().to_owned(),
        ..NewValues::default()
    };
    let mut p = page(&state, &user, v, FieldErrors::default()).await?;
    if p.rows.iter().any(|r| r.id == q.revoked && r.state == "revoked") {
        p.revoked = q.revoked;
    }
    Ok(render(&p)?.into_response())
}

async fn add(State(state): State<AppState>, form: CsrfForm<NewValues>) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let v = form.form;
    let mut errors = FieldErrors::default();
    let role = match Role::parse(&v.role) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.add("role", &e.rule);
            None
        }
    };
    let days = v.expires_in_days.trim();
    let expires_in_days = match days.parse::<u32>() {
        _ if days.is_empty() => None,
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("expires_in_days", "must be a whole number of days, from 1 to 3650");
            None
        }
    };
    if errors.is_empty() {
        let body = NewToken {
            label: v.label.clone(),
            role,
            expires_in_days,
        };
        match create(&state, &user.caller, body).await {
            Ok(created) => {
                let now = Utc::now();
                let token = state
                    .store
                    .token(&created.token.id)
                    .await?
                    .ok_or_else(|| Error::internal("a token just created cannot be read"))?;
                // The only page that ever shows the secret: answered to this POST, never
                // reachable by a GET, and not kept by any cache (every page is no-store).
                let p = CreatedPage {
                    layout: Layout::new(&user, "Token created · Settings", Section::Settings),
                    tab: Tab::Tokens,
                    token: TokenRow::of(&token, now),
                    secret: created.secret,
                };
                return Ok(render(&p)?.into_response());
            }
            Err(Error::Invalid(e)) => errors = FieldErrors::from_validation(&e),
            Err(e) => return Err(e.into()),
        }
    }
    let p = page(&state, &user, v, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

async fn revoke_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let token = revoke(&state, &user.caller, &id).await?;
    Ok(see_other(&format!("/settings/tokens?revoked={}", token.id)))
}

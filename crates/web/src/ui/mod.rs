//! The web UI: server-rendered HTML pages for people, beside the JSON API for programs.
//! Pages are askama templates (escaped by default), styled by one stylesheet and enhanced
//! by one small script, both served from the binary; every page carries a strict CSP.
//!
//! How to add a page:
//! 1. Add a module here with `pub fn router() -> Router<AppState>` and merge it below.
//! 2. Take [`session::PageUser`] (redirects to sign-in when there is no session) in GET
//!    handlers, and [`session::CsrfForm`] for POSTs: it checks the session, the origin and
//!    the form's CSRF token before handing over the parsed form.
//! 3. Write a template under `templates/ui/` that `{% extends "ui/base.html" %}`, with a
//!    `layout: Layout` field built by [`layout::Layout::new`], and return it with
//!    [`error::render`]. Hide registers the user may not see with `Caller::can_see`
//!    (answer 404, never 403, for a confidential register).
//! 4. Add a plain HTTP test under `tests/ui/` and, for what a person does, a browser
//!    scenario under `tests/browser/`.

pub mod assets;
pub mod dashboard;
pub mod diff;
pub mod error;
pub mod forms;
pub mod import;
pub mod issues;
pub mod layout;
pub mod meetings;
pub mod propose;
pub mod registers;
pub mod risk_edit;
pub mod risk_form;
pub mod risk_new;
pub mod risks;
pub mod session;
pub mod settings;
pub mod signin;
pub mod view;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::WebConfig;
use crate::state::AppState;

/// Scripts and styles only from this server's assets, no inline script or style, forms
/// only to this server, never framed.
pub const UI_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                          font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every page of the UI, with the UI's CSP on every response. `config` gives the upload
/// screen its larger body limit.
pub fn router(config: &WebConfig) -> Router<AppState> {
    Router::new()
        .merge(assets::router())
        .merge(signin::router())
        .merge(dashboard::router())
        .merge(registers::router())
        .merge(risks::router())
        .merge(risk_edit::router())
        .merge(issues::router())
        .merge(settings::router())
        .merge(import::router(config.import_body_limit))
        .merge(meetings::router())
        .merge(propose::router())
        .merge(risk_new::router())
        .layer(axum::middleware::from_fn(page_headers))
}

async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(UI_CSP));
    response
}

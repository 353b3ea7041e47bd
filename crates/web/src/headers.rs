//! Security headers on every response. The API's documents are data, never pages: they may
//! not run scripts, be framed or be sniffed into HTML. The reference page (Swagger UI,
//! served from the binary) needs its own scripts and styles, and nothing from elsewhere.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Swagger UI sets inline styles from its scripts, hence 'unsafe-inline' for styles only.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                        script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_docs = request.uri().path().starts_with(crate::DOCS_PATH);
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let csp = if is_docs { DOCS_CSP } else { API_CSP };
    // The web UI's pages set their own (stricter for scripts, but allowing its forms).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if !is_docs && !h.contains_key(header::CACHE_CONTROL) {
        // Register contents may be confidential: no shared cache may keep them. (The UI's
        // static assets say otherwise for themselves.)
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

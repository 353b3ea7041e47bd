//! The UI's static assets, compiled into the binary: one stylesheet and one script. Their
//! URLs carry a hash of their contents, so browsers may keep them for a long time and still
//! see a new version the moment it ships.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

/// `/assets/app.<hash>.css`, as pages link it.
pub static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/app.{}.css", short_hash(CSS)));
/// `/assets/app.<hash>.js`, as pages link it.
pub static JS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/app.{}.js", short_hash(JS)));

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = if format!("/assets/{name}") == *CSS_URL {
        (CSS, "text/css; charset=utf-8")
    } else if format!("/assets/{name}") == *JS_URL {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}

//! riskreg's HTTP surface: the JSON API under `/api/v1` with its OpenAPI 3.1 document at
//! `/api/openapi.json` and a reference page at `/api/docs` (served from the binary), users,
//! sessions and API tokens. It depends on the domain and the store traits only, never on a
//! backend: the binary hands it an `Arc<dyn Store>`.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod etag;
pub mod extract;
pub mod headers;
pub mod openapi;
pub mod page_cache;
pub mod patch;
pub mod state;
pub mod typeset;
pub mod ui;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use riskreg_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

pub use crate::config::WebConfig;
use crate::error::{ApiResult, Error};
pub use crate::state::AppState;

pub const API_PREFIX: &str = "/api/v1";
pub const OPENAPI_PATH: &str = "/api/openapi.json";
pub const DOCS_PATH: &str = "/api/docs";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The routes and the OpenAPI document they generate, before state and layers. The
/// imports carry their own, larger body limit from `config`.
fn routes(config: &WebConfig) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::new()
        .merge(api::registers::router())
        .merge(api::risks::router())
        .merge(api::issues::router())
        .merge(api::mitigations::router())
        .merge(api::history::router())
        .merge(api::audit::router())
        .merge(api::exchange::router(config.import_body_limit))
        .merge(api::review::router())
        .merge(api::users::router())
        .merge(api::tokens::router())
        .merge(api::settings::router())
        .merge(api::auth::router());
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .nest(API_PREFIX, api)
        .split_for_parts();
    utoipa::Modify::modify(&openapi::Problems, &mut doc);
    (router, doc)
}

/// The OpenAPI document, as served at [`OPENAPI_PATH`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes(&WebConfig::default()).1
}

/// The whole application: routes, the reference page, and every layer (request ids,
/// tracing, security headers, body limit, optional CORS, panics as opaque 500s).
pub fn app(state: AppState) -> Router {
    let config = Arc::clone(&state.config);
    let (router, doc) = routes(&config);
    let mut router = router
        .merge(SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, doc))
        .merge(ui::router(&config))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ));
    if !config.cors_origins.is_empty() {
        router = router.layer(cors(&config.cors_origins));
    }
    router
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(Error::internal("a handler panicked"))
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, RequestIds::default()))
        .with_state(state)
}

/// Only the configured origins, and only with tokens: cookies are never sent cross-origin.
fn cors(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH])
        .expose_headers([header::ETAG, header::LOCATION, REQUEST_ID])
}

/// Request ids: a per-process random prefix and a counter, unique across the processes
/// sharing a database without coordination.
#[derive(Debug, Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let prefix = auth::secret::random_hex(4).unwrap_or_else(|_| format!("{:08x}", std::process::id()));
        Self {
            prefix: prefix.into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Liveness and the database's reachability.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The server is up and its database answers", body = Object),
        (status = 500, body = crate::error::Problem)))]
async fn healthz(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    state.store.settings().await?;
    Ok(axum::Json(serde_json::json!({ "status": "ok" })))
}

async fn not_found() -> Error {
    Error::NotFound("no such resource".into())
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}

/// Every hour, removes expired sessions and login counts past their window. Any server
/// process may do it; the deletes are idempotent, so several doing it at once is harmless.
async fn housekeeping(store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        if let Err(e) = store.purge_expired_sessions(now).await {
            tracing::warn!(error = %e, "could not purge expired sessions");
        }
        if let Err(e) = store.purge_throttles(now - chrono::Duration::hours(24)).await {
            tracing::warn!(error = %e, "could not purge old login counts");
        }
    }
}

/// Serves `store` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if config.insecure_disable_auth {
        tracing::warn!("AUTHENTICATION IS SWITCHED OFF: every request acts as an administrator. Benchmarks only.");
    }
    tokio::spawn(housekeeping(Arc::clone(&store)));
    let app = app(AppState::new(store, config));
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

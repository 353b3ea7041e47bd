//! The OpenAPI 3.1 document: generated from the handlers' annotations (every route is
//! registered through `utoipa_axum::routes!`, so the document and the router cannot
//! disagree), with the two security schemes and the shared error schema.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "riskreg",
        description = "Risk and issue registers for governance bodies, with their tamper-evident history.\n\n\
            Authenticate with an API token (`Authorization: Bearer rr_…`) or a session cookie from \
            `POST /api/v1/auth/login`; a cookie-authenticated write must also send the session's \
            `X-CSRF-Token`. Every write to an existing record needs `If-Match` with the record's ETag \
            (428 without it, 412 when stale). Errors are RFC 9457 `application/problem+json`."
    ),
    modifiers(&Security),
    components(schemas(crate::error::Problem, crate::error::FieldProblem)),
    tags(
        (name = "registers", description = "Registers, the lists of risks and issues a body keeps"),
        (name = "risks", description = "Risks: scored impact × likelihood, judged RED/AMBER/GREEN"),
        (name = "issues", description = "Issues: what has already happened"),
        (name = "mitigations", description = "Mitigations and actions of a risk or issue, by position"),
        (name = "history", description = "Every version of a record, and word diffs between versions"),
        (name = "audit", description = "Verification of the hash-chained history"),
        (name = "users", description = "Users, roles and register memberships (admins)"),
        (name = "tokens", description = "API tokens"),
        (name = "auth", description = "Login sessions"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("rr_<id>_<secret>")
                    .description(Some("An API token, created at POST /api/v1/tokens and shown once"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "riskreg_session",
                "The session cookie set by POST /api/v1/auth/login (named __Host-riskreg_session behind TLS); \
                 writes also need the X-CSRF-Token header",
            ))),
        );
    }
}

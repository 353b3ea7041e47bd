//! The OpenAPI 3.1 document: generated from the handlers' annotations (every route is
//! registered through `utoipa_axum::routes!`, so the document and the router cannot
//! disagree), with the two security schemes and the shared error schema.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
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
        (name = "review", description = "Meetings, the proposals put to them, decisions, and the monthly paper"),
        (name = "audit", description = "Verification of the hash-chained history"),
        (name = "exchange", description = "Spreadsheet import (XLSX, CSV) and export (XLSX, CSV, register file)"),
        (name = "users", description = "Users, roles and register memberships (admins)"),
        (name = "tokens", description = "API tokens"),
        (name = "settings", description = "Scoring settings: scales, severity bands and the impact classification"),
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

/// Every error is `application/problem+json`; every operation may fail with a 500, and
/// every secured one with a 401, so each says so without repeating it in every handler.
/// Applied to the finished document, once the routes have added their paths.
#[derive(Debug)]
pub struct Problems;

const PROBLEM: &str = "application/problem+json";

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM, Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
        .into()
}

fn document_problems(op: &mut Operation) {
    let responses = &mut op.responses.responses;
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(r)) = (status.starts_with('4') || status.starts_with('5'), response)
            && let Some(json) = r.content.shift_remove("application/json")
        {
            r.content.insert(PROBLEM.to_owned(), json);
        }
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        responses
            .entry("401".to_owned())
            .or_insert_with(|| problem_response("No valid credentials"));
    }
    responses
        .entry("500".to_owned())
        .or_insert_with(|| problem_response("The server failed; the cause is logged, not shown"));
}

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                document_problems(op);
            }
        }
    }
}

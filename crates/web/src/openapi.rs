//! The OpenAPI 3.1 document: generated from the handlers' annotations (every route is
//! registered through `utoipa_axum::routes!`, so the document and the router cannot
//! disagree), with the two security schemes, the shared error schema, and the errors every
//! operation can answer by what it reads, documented once for all of them.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
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

/// Every error is `application/problem+json`, and what may fail in the same way on every
/// operation is documented here once rather than in every handler: a 500 anywhere, a 401
/// where credentials are needed, the body extractor's 400/413/415/422, the query
/// extractor's 422 (unknown or malformed parameters), and If-Match's 400/412/428.
/// Applied to the finished document, once the routes have added their paths.
#[derive(Debug)]
pub struct Problems;

const PROBLEM: &str = "application/problem+json";

/// `If-Match`: a list of entity tags, as `crate::etag` reads it; the write goes ahead only
/// when one is the strong ETag of the record's current version.
const IF_MATCH_PATTERN: &str = r#"^[ \t,]*(W/)?"[!#-+\--~]*"([ \t]*,[ \t,]*(W/)?"[!#-+\--~]*")*[ \t,]*$"#;

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM, Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
        .into()
}

/// The problems an operation can answer whatever its handler does, by what it reads.
fn common_problems(op: &mut Operation) -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut common: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    let mut add = |status, why| {
        let whys = common.entry(status).or_default();
        if !whys.contains(&why) {
            whys.push(why);
        }
    };
    let body = match &op.request_body {
        Some(RefOr::T(body)) => Some(body.content.keys().any(|c| c == "application/json")),
        Some(RefOr::Ref(_)) => Some(false),
        None => None,
    };
    if let Some(json) = body {
        add("400", "The request could not be read (malformed JSON, a broken upload)");
        add("413", "The body is larger than the server accepts");
        if json {
            add("415", "The body is not JSON: send `Content-Type: application/json`");
        }
        add(
            "422",
            "The request broke the rules listed in `errors`; nothing was changed",
        );
    }
    let mut if_match = false;
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        match param.parameter_in {
            ParameterIn::Query => {
                add("422", "A query parameter is unknown or malformed; `errors` names it");
            }
            ParameterIn::Header if param.name.eq_ignore_ascii_case("if-match") => {
                if_match = true;
                param.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(IF_MATCH_PATTERN))
                        .into(),
                );
            }
            _ => {}
        }
    }
    if if_match {
        add("400", "If-Match is not a list of entity tags");
        add(
            "412",
            "If-Match does not name the record's current version: read it again",
        );
        add("428", "If-Match is missing");
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        add("401", "No valid credentials");
    }
    add("500", "The server failed; the cause is logged, not shown");
    common
}

fn document_problems(op: &mut Operation) {
    let common = common_problems(op);
    for (status, whys) in &common {
        op.responses
            .responses
            .entry((*status).to_owned())
            .or_insert_with(|| problem_response(&whys.join("; ")));
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(r) = response else { continue };
        // OpenAPI requires a description; a handler's own response may not give one.
        if r.description.is_empty() {
            r.description = match common.get(status.as_str()) {
                Some(whys) => whys.join("; "),
                None => StatusCode::from_bytes(status.as_bytes())
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("See the operation's description")
                    .to_owned(),
            };
        }
        if (status.starts_with('4') || status.starts_with('5'))
            && let Some(json) = r.content.shift_remove("application/json")
        {
            r.content.insert(PROBLEM.to_owned(), json);
        }
    }
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

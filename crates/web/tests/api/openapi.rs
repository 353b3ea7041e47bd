//! The OpenAPI document: served at /api/openapi.json, a valid OpenAPI 3.1 document, with
//! both security schemes, and every path in it answered by the router (not 404 or 405).
//! The response schemas twin the domain's JSON: a real risk and issue carry exactly the
//! properties their schemas document. Every operation documents the errors it can answer
//! by what it reads (a body, a query, `If-Match`), and the server answers them so. The
//! reference page is served from the binary.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Req, spawn_app};

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_and_every_path_is_routed() {
    let app = spawn_app().await;
    let r = app.send(Method::GET, riskreg_web::OPENAPI_PATH, Req::default()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["openapi"].as_str().expect("version").starts_with("3.1"));
    let spec: oas3::OpenApiV3Spec = oas3::from_json(&r.text).expect("a valid OpenAPI 3.1 document");
    let components = spec.components.as_ref().expect("components");
    assert!(components.security_schemes.contains_key("token"));
    assert!(components.security_schemes.contains_key("session"));
    assert!(components.schemas.contains_key("Problem"));
    let paths = spec.paths.as_ref().expect("paths");
    assert!(paths.len() >= 25, "{} paths", paths.len());
    let raw = &r.body["paths"];
    for (path, item) in raw.as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().expect("content");
                    assert!(
                        content.contains_key("application/problem+json") && !content.contains_key("application/json"),
                        "{method} {path} {status} is not documented as problem+json"
                    );
                }
            }
            if op.get("security").is_some() {
                assert!(op["responses"].get("401").is_some(), "{method} {path} documents no 401");
            }
            for (status, why) in common_problems(op) {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} does not document {status} ({why})"
                );
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                assert!(
                    response["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    // Every reference names a component the document defines.
    let mut refs = Vec::new();
    collect_refs(&r.body, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("an unexpected reference {reference}"));
        assert!(
            components.schemas.contains_key(name),
            "{reference} is referred to but not defined"
        );
    }
    for (path, item) in paths {
        for (method, op) in item.methods() {
            let responses = op.responses.as_ref().expect("responses");
            assert!(responses.contains_key("500"), "{method} {path} documents no 500");
            let concrete = path
                .replace("{code}", "PANEL")
                .replace("{ref}", "PANEL-1")
                .replace("{n}", "1")
                .replace("{name}", "viewer")
                .replace("{id}", "x");
            let m = Method::from_bytes(method.as_str().as_bytes()).expect("method");
            let reply = app.send(m, &concrete, Req::default()).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
            if reply.status == StatusCode::NOT_FOUND {
                assert_ne!(
                    reply.body["detail"], "no such resource",
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

/// The statuses an operation must document by what it reads: a body (unreadable 400, too
/// large 413, not JSON 415, broken rules 422), query parameters (422 for an unknown or
/// malformed one) and `If-Match` (400 when not entity tags, 412 when stale, 428 without).
fn common_problems(op: &Value) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if let Some(body) = op.get("requestBody") {
        out.extend([("400", "body"), ("413", "body"), ("422", "body")]);
        if body["content"].get("application/json").is_some() {
            out.push(("415", "JSON body"));
        }
    }
    for param in op["parameters"].as_array().into_iter().flatten() {
        match (param["in"].as_str(), param["name"].as_str()) {
            (Some("query"), _) => out.push(("422", "query")),
            (Some("header"), Some("If-Match")) => {
                assert!(param["schema"]["pattern"].is_string(), "If-Match states its grammar");
                out.extend([("400", "If-Match"), ("412", "If-Match"), ("428", "If-Match")]);
            }
            _ => {}
        }
    }
    out
}

/// Every `$ref` in a JSON document.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

fn properties(doc: &Value, schema: &str) -> Vec<String> {
    let mut keys: Vec<String> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn documented_schemas_match_real_responses() {
    let app = spawn_app().await;
    let doc = app
        .send(Method::GET, riskreg_web::OPENAPI_PATH, Req::default())
        .await
        .body;
    let risk = app.get("/api/v1/risks/PANEL-15", "viewer").await.body;
    let mut documented = properties(&doc, "Risk");
    assert_eq!(keys(&risk), documented);
    let issue = app.get("/api/v1/issues/PANEL-1", "viewer").await.body;
    assert_eq!(keys(&issue), properties(&doc, "Issue"));
    let mitigation = &risk["mitigations"][0];
    documented = properties(&doc, "Mitigation");
    documented.retain(|k| k != "sub_items" || mitigation.get("sub_items").is_some());
    assert_eq!(keys(mitigation), documented);
    let event = &app.get("/api/v1/risks/PANEL-15/history", "viewer").await.body[0];
    assert_eq!(keys(event), properties(&doc, "Event"));
    let register = app.get("/api/v1/registers/PANEL", "viewer").await.body;
    assert_eq!(keys(&register), properties(&doc, "RegisterOut"));
}

#[tokio::test]
async fn the_reference_page_is_served_from_the_binary() {
    let app = spawn_app().await;
    let r = app
        .send(Method::GET, &format!("{}/", riskreg_web::DOCS_PATH), Req::default())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("swagger"), "{:.200}", r.text);
    assert!(
        !r.text.contains("https://"),
        "no CDN: everything comes from this server"
    );
    let csp = r.header("content-security-policy").expect("CSP");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
}

/// The errors the document states for every operation are the ones the server gives, on
/// one write that reads a body, `If-Match` and the path; and what it documents as valid is
/// accepted: a whole number written as `4.0`, a page of 1 to 500 items, a diff of a list.
#[tokio::test]
async fn the_server_answers_as_the_document_says() {
    let app = spawn_app().await;
    let doc = app
        .send(Method::GET, riskreg_web::OPENAPI_PATH, Req::default())
        .await
        .body;
    let path = "/api/v1/risks/PANEL-15";
    let documented = &doc["paths"]["/api/v1/risks/{ref}"]["patch"]["responses"];
    let tag = app.etag_of(path).await;
    let attempts = [
        (
            Req::as_user("secretariat")
                .raw("text/plain", b"{}".to_vec())
                .if_match(&tag),
            415,
        ),
        (
            Req::as_user("secretariat")
                .raw("application/json", b"{".to_vec())
                .if_match(&tag),
            400,
        ),
        (
            Req::as_user("secretariat").json(json!({"impact": 4.5})).if_match(&tag),
            422,
        ),
        (
            Req::as_user("secretariat").json(json!({"impact": 4})).if_match("4"),
            400,
        ),
        (
            Req::as_user("secretariat").json(json!({"impact": 4})).if_match("*"),
            428,
        ),
        (Req::as_user("secretariat").json(json!({"impact": 4})), 428),
        (
            Req::as_user("secretariat")
                .json(json!({"impact": 4}))
                .if_match("\"PANEL-15.v0\""),
            412,
        ),
    ];
    let events = app.event_count().await;
    for (req, status) in attempts {
        let r = app.send(Method::PATCH, path, req).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.text);
        assert!(r.is_problem(), "{}", r.text);
        assert!(
            documented.get(status.to_string()).is_some(),
            "{status} is not documented"
        );
    }
    assert_eq!(app.event_count().await, events, "a refused write changes nothing");
    let r = app.patch(path, "secretariat", &tag, json!({"impact": 4.0})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["impact"], 4);

    let limit = doc["paths"]["/api/v1/risks"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("limit")["schema"]
        .clone();
    assert_eq!(
        (limit["minimum"].as_u64(), limit["maximum"].as_u64()),
        (Some(1), Some(500))
    );
    for (limit, status) in [(0, 422), (1, 200), (500, 200), (501, 422)] {
        let r = app.get(&format!("/api/v1/risks?limit={limit}"), "viewer").await;
        assert_eq!(r.status.as_u16(), status, "limit={limit}: {}", r.text);
    }

    // A diff's before and after are whatever the field holds: text, a number, a list.
    let after = &doc["components"]["schemas"]["FieldDiff"]["properties"]["after"];
    assert!(after.get("type").is_none(), "after is any JSON value: {after}");
    let diff = app.get("/api/v1/risks/PANEL-15/diff?from=0&to=1", "viewer").await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    let fields = diff.body["fields"].as_array().expect("fields");
    assert!(fields.iter().any(|f| f["after"].is_array()), "{}", diff.text);
}

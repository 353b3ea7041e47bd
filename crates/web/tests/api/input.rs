//! Bad input on every write route: a 4xx problem naming the field, and nothing changed.
//! Malformed JSON, wrong types, unknown fields, huge bodies and the wrong media type are
//! never a 500. Fields a caller may not set (register, number, version, role, ...) cannot
//! be smuggled in through a body.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Req, TestApp, spawn_app};

/// A write route with a body, the record whose ETag it needs, and a body that breaks a
/// rule of the named field.
struct Route {
    method: Method,
    path: &'static str,
    etag_of: Option<&'static str>,
    bad: Value,
    field: &'static str,
}

fn routes() -> Vec<Route> {
    let r = |method: Method, path, etag_of, bad, field| Route {
        method,
        path,
        etag_of,
        bad,
        field,
    };
    vec![
        r(
            Method::POST,
            "/api/v1/registers",
            None,
            json!({"code": "x!", "name": "N"}),
            "code",
        ),
        r(
            Method::PATCH,
            "/api/v1/registers/PANEL",
            Some("/api/v1/registers/PANEL"),
            json!({"name": "  "}),
            "name",
        ),
        r(
            Method::POST,
            "/api/v1/registers/PANEL/risks",
            None,
            json!({"statement": "S", "impact": 9, "likelihood": 1, "rag": "RED"}),
            "impact",
        ),
        r(
            Method::PATCH,
            "/api/v1/risks/PANEL-1",
            Some("/api/v1/risks/PANEL-1"),
            json!({"likelihood": 0}),
            "likelihood",
        ),
        r(
            Method::POST,
            "/api/v1/registers/PANEL/issues",
            None,
            json!({"statement": " ", "impact": 1, "rag": "RED"}),
            "statement",
        ),
        r(
            Method::PATCH,
            "/api/v1/issues/PANEL-1",
            Some("/api/v1/issues/PANEL-1"),
            json!({"associated_risk": "nope"}),
            "associated_risk",
        ),
        r(
            Method::POST,
            "/api/v1/risks/PANEL-1/mitigations",
            Some("/api/v1/risks/PANEL-1"),
            json!({"text": ""}),
            "text",
        ),
        r(
            Method::PATCH,
            "/api/v1/risks/PANEL-1/mitigations/1",
            Some("/api/v1/risks/PANEL-1"),
            json!({"state": "finished"}),
            "state",
        ),
        r(
            Method::POST,
            "/api/v1/issues/PANEL-1/mitigations",
            Some("/api/v1/issues/PANEL-1"),
            json!({"text": " "}),
            "text",
        ),
        r(
            Method::PATCH,
            "/api/v1/issues/PANEL-1/mitigations/1",
            Some("/api/v1/issues/PANEL-1"),
            json!({"due": "soon"}),
            "due",
        ),
        r(
            Method::POST,
            "/api/v1/users",
            None,
            json!({"name": "x", "role": "viewer", "password": "long enough pw"}),
            "name",
        ),
        r(
            Method::PATCH,
            "/api/v1/users/viewer",
            Some("/api/v1/users/viewer"),
            json!({"role": "root"}),
            "role",
        ),
        r(
            Method::POST,
            "/api/v1/users/viewer/password",
            None,
            json!({"password": "short"}),
            "password",
        ),
        r(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"name": "admin"}),
            "password",
        ),
    ]
}

async fn send(app: &TestApp, route: &Route, req: Req) -> crate::helpers::Reply {
    let mut req = req;
    if let Some(p) = route.etag_of {
        req = req.if_match(&app.etag_of(p).await);
    }
    app.send(route.method.clone(), route.path, req).await
}

#[tokio::test]
async fn bad_input_on_every_write_route_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    for route in routes() {
        let before = app.event_count().await;
        let r = send(&app, &route, Req::as_user("admin-in").json(route.bad.clone())).await;
        assert!(
            r.status.is_client_error(),
            "{} {}: {} {}",
            route.method,
            route.path,
            r.status,
            r.text
        );
        assert!(r.is_problem(), "{} {}: {}", route.method, route.path, r.text);
        assert!(
            r.problem_fields().iter().any(|f| f == route.field),
            "{} {}: expected {} among {:?}",
            route.method,
            route.path,
            route.field,
            r.problem_fields()
        );
        assert_eq!(
            app.event_count().await,
            before,
            "{} {} changed something",
            route.method,
            route.path
        );
    }
    // Closing what is closed is bad input too.
    let tag = app.etag_of("/api/v1/risks/PANEL-2").await;
    let r = app
        .send(
            Method::POST,
            "/api/v1/risks/PANEL-2/close",
            Req::as_user("admin").if_match(&tag),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.problem_fields(), ["status"]);
}

#[tokio::test]
async fn malformed_bodies_are_never_a_500() {
    let app = spawn_app().await;
    let huge = format!("{{\"statement\": \"{}\"}}", "x".repeat(400 * 1024));
    let bodies: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        ("application/json", b"{,".to_vec(), StatusCode::BAD_REQUEST),
        ("application/json", b"{\"a".to_vec(), StatusCode::BAD_REQUEST),
        ("application/json", b"not json".to_vec(), StatusCode::BAD_REQUEST),
        ("application/json", b"[]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "application/json",
            br#"{"impact": "high", "name": 5, "role": 7, "text": 1, "state": 2, "password": 3, "label": 4}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            br#"{"zzz_unknown": 1}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("application/json", huge.into_bytes(), StatusCode::PAYLOAD_TOO_LARGE),
        ("text/plain", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ];
    for route in routes() {
        for (ct, bytes, expected) in &bodies {
            let before = app.event_count().await;
            let r = send(&app, &route, Req::as_user("admin-in").raw(ct, bytes.clone())).await;
            assert_eq!(
                r.status,
                *expected,
                "{} {} with {ct} {:.40}: {}",
                route.method,
                route.path,
                String::from_utf8_lossy(bytes),
                r.text
            );
            assert!(r.is_problem());
            assert_eq!(app.event_count().await, before);
        }
    }
    let r = send(
        &app,
        &routes()[2],
        Req::as_user("admin-in").raw("application/json", br#"{"zzz_unknown": 1}"#.to_vec()),
    )
    .await;
    assert_eq!(r.problem_fields(), ["zzz_unknown"], "an unknown field is named");
}

#[tokio::test]
async fn fields_the_caller_may_not_set_cannot_be_smuggled_in() {
    let app = spawn_app().await;
    let before = app.event_count().await;
    let base = json!({"statement": "S", "impact": 2, "likelihood": 2, "rag": "GREEN"});
    for (field, value) in [
        ("register", json!("CONF")),
        ("number", json!(99)),
        ("version", json!(7)),
        ("severity", json!(25)),
        ("ref", json!("CONF-9")),
        ("updated_by", json!("someone else")),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let r = app.post("/api/v1/registers/PANEL/risks", "secretariat", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.text);
        assert_eq!(r.problem_fields(), [field]);
    }
    let tag = app.etag_of("/api/v1/risks/PANEL-1").await;
    for body in [
        json!({"version": 1}),
        json!({"register": "SSC"}),
        json!({"number": 2}),
        json!({"mitigations": []}),
    ] {
        let r = app
            .patch("/api/v1/risks/PANEL-1", "secretariat", &tag, body.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
    }
    let tag = app.etag_of("/api/v1/users/viewer").await;
    for body in [
        json!({"registers": ["CONF"]}),
        json!({"name": "admin"}),
        json!({"version": 1}),
        json!({"password": "long enough pw"}),
    ] {
        let r = app.patch("/api/v1/users/viewer", "admin", &tag, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
    }
    let r = app
        .patch("/api/v1/users/viewer", "secretariat", &tag, json!({"role": "admin"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only admins change roles");
    let r = app
        .post(
            "/api/v1/users",
            "admin",
            json!({"name": "eve", "role": "viewer", "password": "long enough pw", "registers": ["CONF"]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an admin outside CONF cannot grant it: {}",
        r.text
    );
    assert_eq!(app.event_count().await, before, "nothing changed");
    let me = app.get("/api/v1/users/viewer", "viewer").await;
    assert_eq!(me.body["role"], "viewer");
    assert_eq!(me.body["registers"], json!([]));
}

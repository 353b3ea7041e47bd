//! Authentication: tokens (shown once, hashed, scoped, revocable), login sessions (cookie
//! attributes, rotation, CSRF, logout, password change, disabling), login throttling that
//! cannot lock an account's owner out, security headers and CORS.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, Req, TestApp, spawn_app, spawn_app_with};

/// A logged-in browser: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
    set_cookie: String,
}

pub async fn login(app: &TestApp, name: &str, password: &str, client: &str) -> crate::helpers::Reply {
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        Req::default()
            .json(json!({"name": name, "password": password}))
            .header("x-forwarded-for", client),
    )
    .await
}

async fn browser(app: &TestApp) -> Browser {
    let r = login(app, "admin", ADMIN_PASSWORD, "10.0.0.1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let set_cookie = r.header("set-cookie").expect("a cookie");
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    Browser {
        cookie,
        csrf: r.body["csrf_token"].as_str().expect("csrf").to_owned(),
        set_cookie,
    }
}

fn with(b: &Browser) -> Req {
    Req::default().header("cookie", &b.cookie)
}

#[tokio::test]
async fn requests_without_valid_credentials_are_401() {
    let app = spawn_app().await;
    let r = app.send(Method::GET, "/api/v1/risks", Req::default()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.is_problem());
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    let r = app
        .send(
            Method::GET,
            "/api/v1/risks",
            Req::default().header("authorization", "Bearer rr_nope_0000"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .send(
            Method::GET,
            "/api/v1/risks",
            Req::default().header("authorization", "Basic YWRtaW46YWRtaW4="),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .send(
            Method::GET,
            "/api/v1/risks",
            Req::default().header("cookie", "riskreg_session=forged"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_cookie_is_safe_rotated_and_csrf_protected() {
    let app = spawn_app().await;
    let b = browser(&app).await;
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(b.set_cookie.contains(attr), "{}", b.set_cookie);
    }
    assert!(
        b.cookie.starts_with("riskreg_session="),
        "no __Host- prefix without TLS"
    );
    let r = app.send(Method::GET, "/api/v1/auth/session", with(&b)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["user"]["name"], "admin");

    let tag = app.etag_of("/api/v1/risks/PANEL-1").await;
    let write = |req: Req| req.json(json!({"notes": "via the browser"})).if_match(&tag);
    let r = app.send(Method::PATCH, "/api/v1/risks/PANEL-1", write(with(&b))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/risks/PANEL-1",
            write(with(&b).header("x-csrf-token", "0".repeat(64).as_str())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a wrong CSRF token");
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/risks/PANEL-1",
            write(
                with(&b)
                    .header("x-csrf-token", &b.csrf)
                    .header("origin", "https://evil.example"),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another origin");
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/risks/PANEL-1",
            write(with(&b).header("x-csrf-token", &b.csrf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["updated_by"], "admin");

    // Logging in again from the same browser ends the old session.
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            with(&b)
                .json(json!({"name": "admin", "password": ADMIN_PASSWORD}))
                .header("x-forwarded-for", "10.0.0.1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let new_cookie = r
        .header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    assert_ne!(new_cookie, b.cookie);
    assert_eq!(
        app.send(Method::GET, "/api/v1/auth/session", with(&b)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let b2 = Browser {
        cookie: new_cookie,
        csrf: r.body["csrf_token"].as_str().expect("csrf").to_owned(),
        set_cookie: String::new(),
    };
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            with(&b2).header("x-csrf-token", &b2.csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.header("set-cookie").expect("cleared").contains("Max-Age=0"));
    assert_eq!(
        app.send(Method::GET, "/api/v1/auth/session", with(&b2)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn behind_tls_the_cookie_is_secure_with_the_host_prefix() {
    let app = spawn_app_with(riskreg_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let r = login(&app, "admin", ADMIN_PASSWORD, "10.0.0.1").await;
    let c = r.header("set-cookie").expect("cookie");
    assert!(
        c.starts_with("__Host-riskreg_session=") && c.contains("; Secure"),
        "{c}"
    );
    assert!(r.header("strict-transport-security").is_some());
}

#[tokio::test]
async fn a_password_change_or_disabling_ends_sessions() {
    let app = spawn_app().await;
    let b = browser(&app).await;
    let other = browser(&app).await;
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            with(&b)
                .header("x-csrf-token", &b.csrf)
                .json(json!({"current_password": "wrong password!", "new_password": "another long one"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.problem_fields(), ["current_password"]);
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            with(&b)
                .header("x-csrf-token", &b.csrf)
                .json(json!({"current_password": ADMIN_PASSWORD, "new_password": "another long one"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.send(Method::GET, "/api/v1/auth/session", with(&other)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(Method::GET, "/api/v1/auth/session", with(&b)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "admin", ADMIN_PASSWORD, "10.0.0.1").await.status,
        StatusCode::UNAUTHORIZED
    );
    let b = {
        let r = login(&app, "admin", "another long one", "10.0.0.1").await;
        assert_eq!(r.status, StatusCode::OK);
        r
    };
    assert!(b.body["csrf_token"].is_string());

    // Disabling a user stops their tokens at once.
    let tag = app.etag_of("/api/v1/users/member").await;
    let r = app
        .patch("/api/v1/users/member", "admin", &tag, json!({"disabled": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/risks", "member").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .patch(
            "/api/v1/users/admin",
            "admin",
            &app.etag_of("/api/v1/users/admin").await,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an admin cannot disable themselves"
    );
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_and_revocable() {
    let app = spawn_app().await;
    let b = browser(&app).await;
    let create = |body: serde_json::Value| with(&b).header("x-csrf-token", &b.csrf).json(body);
    let r = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            create(json!({"label": "read only", "role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.body["secret"].as_str().expect("secret").to_owned();
    let id = r.body["id"].as_str().expect("id").to_owned();
    assert!(secret.starts_with(&format!("rr_{id}_")));
    let bearer = |req: Req| req.header("authorization", &format!("Bearer {secret}"));
    assert_eq!(
        app.send(Method::GET, "/api/v1/risks", bearer(Req::default()))
            .await
            .status,
        StatusCode::OK
    );
    let tag = app.etag_of("/api/v1/risks/PANEL-1").await;
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/risks/PANEL-1",
            bearer(Req::default()).json(json!({"notes": "x"})).if_match(&tag),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a viewer-scoped token of an admin cannot write"
    );

    let listed = app.send(Method::GET, "/api/v1/tokens", with(&b)).await;
    assert!(!listed.text.contains(&secret), "a listing never shows a secret");
    assert!(
        listed
            .body
            .as_array()
            .expect("list")
            .iter()
            .any(|t| t["id"] == id.as_str())
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            bearer(Req::default()).json(json!({"label": "more"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a token cannot mint tokens");
    let r = app
        .send(Method::POST, "/api/v1/tokens", create(json!({"label": " "})))
        .await;
    assert_eq!(r.problem_fields(), ["label"]);

    let r = app
        .send(Method::DELETE, &format!("/api/v1/tokens/{id}"), Req::as_user("viewer"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not the viewer's token");
    let r = app
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            with(&b).header("x-csrf-token", &b.csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(Method::GET, "/api/v1/risks", bearer(Req::default()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let history = app
        .store
        .history(riskreg_store::RecordType::Token, &id)
        .await
        .expect("history");
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "revoked"]);
    assert!(
        history
            .iter()
            .all(|e| e.actor == "admin" && !e.after.as_ref().expect("after").to_string().contains(&secret))
    );
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    for (path, user) in [
        ("/api/v1/risks", Some("viewer")),
        ("/nowhere", None),
        ("/api/v1/risks", None),
        ("/healthz", None),
    ] {
        let req = match user {
            Some(u) => Req::as_user(u),
            None => Req::default(),
        };
        let r = app.send(Method::GET, path, req).await;
        let csp = r.header("content-security-policy").expect("CSP");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert!(r.header("x-request-id").is_some());
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "no CORS unless configured"
        );
    }
    let r = app.send(Method::GET, "/nowhere", Req::default()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.is_problem());
    let r = app.send(Method::PUT, "/api/v1/risks", Req::as_user("viewer")).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.is_problem());
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let app = spawn_app_with(riskreg_web::WebConfig {
        cors_origins: vec!["https://dash.example".into()],
        ..Default::default()
    })
    .await;
    let ok = app
        .send(
            Method::GET,
            "/api/v1/risks",
            Req::as_user("viewer").header("origin", "https://dash.example"),
        )
        .await;
    assert_eq!(
        ok.header("access-control-allow-origin").as_deref(),
        Some("https://dash.example")
    );
    let other = app
        .send(
            Method::GET,
            "/api/v1/risks",
            Req::as_user("viewer").header("origin", "https://evil.example"),
        )
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
}

//! Login throttling and what several servers on one database share: failed logins are
//! slowed per client and per account without locking the account's owner out, and
//! sessions and counts live in the database, not in one server's memory.

use reqwest::{Method, StatusCode};

use crate::auth::login;
use crate::helpers::{ADMIN_PASSWORD, Req, spawn_app_with};

#[tokio::test]
async fn failed_logins_are_throttled_without_locking_the_owner_out() {
    let app = spawn_app_with(riskreg_web::WebConfig {
        trust_forwarded_for: true,
        ..Default::default()
    })
    .await;
    // The owner logs in from home once, which marks that client as theirs.
    assert_eq!(
        login(&app, "admin", ADMIN_PASSWORD, "192.0.2.10").await.status,
        StatusCode::OK
    );
    let mut throttled = None;
    for i in 0..12 {
        let r = login(&app, "admin", "guess guess guess", "198.51.100.7").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(i);
            assert!(r.header("retry-after").is_some());
            assert!(r.is_problem());
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert!(throttled.is_some(), "the attacker's client is slowed down");
    let r = login(&app, "admin", ADMIN_PASSWORD, "198.51.100.7").await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits on a throttled client"
    );
    let r = login(&app, "admin", ADMIN_PASSWORD, "192.0.2.10").await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the owner's own client is not locked out: {}",
        r.text
    );
    let r = login(&app, "nobody", "guess guess guess", "203.0.113.1").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "an unknown name answers as a wrong password"
    );
}

#[tokio::test]
async fn sessions_and_login_counts_are_shared_by_every_server_on_one_database() {
    let config = || riskreg_web::WebConfig {
        trust_forwarded_for: true,
        ..Default::default()
    };
    let a = spawn_app_with(config()).await;
    let b = a.peer(config()).await;
    // A session started on one server is honoured, and ended, on the other.
    let r = login(&a, "admin", ADMIN_PASSWORD, "192.0.2.20").await;
    let cookie = r
        .header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let csrf = r.body["csrf_token"].as_str().expect("csrf").to_owned();
    let on_b = b
        .send(
            Method::GET,
            "/api/v1/auth/session",
            Req::default().header("cookie", &cookie),
        )
        .await;
    assert_eq!(on_b.status, StatusCode::OK);
    let out = b
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            Req::default().header("cookie", &cookie).header("x-csrf-token", &csrf),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let on_a = a
        .send(
            Method::GET,
            "/api/v1/auth/session",
            Req::default().header("cookie", &cookie),
        )
        .await;
    assert_eq!(on_a.status, StatusCode::UNAUTHORIZED);
    // Failed logins spread over both servers add up.
    let mut throttled = false;
    for i in 0..12 {
        let server = if i % 2 == 0 { &a } else { &b };
        if login(server, "admin", "guess guess guess", "198.51.100.9").await.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "alternating between servers does not escape the count");
}

//! Attacks the peers have fallen to, each as a test: guessing passwords from a thousand
//! forged addresses, guessable secrets, and an upload whose name climbs out of a directory.
//! (The authorization matrix, CSRF, CORS, session ending, security headers and stored
//! script are tested beside the features they guard: matrix.rs, auth.rs, the UI and browser
//! tests.)

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use riskreg_store::users::UserName;
use riskreg_store::{RecordQuery, WriteContext};
use riskreg_web::auth::password;
use serde_json::json;

use crate::auth::login;
use crate::helpers::{ADMIN_PASSWORD, Req, spawn_app, spawn_app_with};

const VIEWER_PASSWORD: &str = "a different long password";

/// 1,000 wrong passwords for `admin`, each from a forged `X-Forwarded-For` address never
/// seen before; how many were actually checked (not answered 429).
async fn forged_guesses(app: &crate::helpers::TestApp) -> usize {
    let mut checked = 0;
    for i in 0..1000u32 {
        let forged = format!("203.0.{}.{}", i / 250, i % 250 + 1);
        let r = login(app, "admin", "guess guess guess", &forged).await;
        match r.status {
            StatusCode::TOO_MANY_REQUESTS => assert!(r.header("retry-after").is_some()),
            StatusCode::UNAUTHORIZED => checked += 1,
            other => panic!("attempt {i}: {other} {}", r.text),
        }
    }
    checked
}

#[tokio::test]
async fn a_thousand_guesses_from_rotating_forged_addresses_are_throttled_and_others_still_sign_in() {
    // Behind a proxy that sets the header, every forged address is a new client: the
    // account's count for strangers is what slows them.
    let app = spawn_app_with(riskreg_web::WebConfig {
        trust_forwarded_for: true,
        ..Default::default()
    })
    .await;
    let viewer = UserName::parse("viewer").unwrap();
    let hash = password::hash(VIEWER_PASSWORD.to_owned()).await.unwrap();
    app.store
        .set_password(&viewer, &hash, WriteContext::new("harness", None))
        .await
        .unwrap();
    // The owner has signed in before from their own address.
    assert_eq!(
        login(&app, "admin", ADMIN_PASSWORD, "192.0.2.10").await.status,
        StatusCode::OK
    );

    let checked = forged_guesses(&app).await;
    assert!(checked < 40, "{checked} of 1,000 guesses were checked");
    println!("trusted proxy: {checked} of 1,000 forged-address guesses checked, the rest throttled");
    assert_eq!(
        login(&app, "admin", ADMIN_PASSWORD, "192.0.2.10").await.status,
        StatusCode::OK,
        "the owner is never locked out"
    );
    assert_eq!(
        login(&app, "viewer", VIEWER_PASSWORD, "198.51.100.20").await.status,
        StatusCode::OK,
        "another user still signs in"
    );
}

#[tokio::test]
async fn a_forged_forwarded_for_header_is_ignored_without_a_proxy() {
    // Without a trusted proxy the header is the attacker's own text: every guess counts
    // against the one real address they come from.
    let app = spawn_app().await;
    let checked = forged_guesses(&app).await;
    assert!(checked < 40, "{checked} of 1,000 guesses were checked");
    println!("no proxy: {checked} of 1,000 forged-address guesses checked, the rest throttled");
}

#[tokio::test]
async fn secrets_are_long_random_and_never_repeat() {
    let app = spawn_app().await;
    let mut sessions = HashSet::new();
    let mut csrf = HashSet::new();
    let mut session = (String::new(), String::new());
    for i in 0..20 {
        let r = login(&app, "admin", ADMIN_PASSWORD, &format!("192.0.2.{}", i + 1)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cookie = r.header("set-cookie").unwrap();
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
        assert!(value.len() >= 32, "a session id of at least 128 bits: {value}");
        assert!(value.chars().all(|c| c.is_ascii_hexdigit()));
        sessions.insert(value);
        let token = r.body["csrf_token"].as_str().unwrap().to_owned();
        assert!(token.len() >= 32, "a CSRF token of at least 128 bits");
        csrf.insert(token.clone());
        session = (cookie.split(';').next().unwrap().to_owned(), token);
    }
    assert_eq!((sessions.len(), csrf.len()), (20, 20));

    let mut secrets = HashSet::new();
    for i in 0..20 {
        let r = app
            .send(
                Method::POST,
                "/api/v1/tokens",
                Req::default()
                    .header("cookie", &session.0)
                    .header("x-csrf-token", &session.1)
                    .json(json!({"label": format!("t{i}"), "role": "viewer"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let secret = r.body["secret"].as_str().unwrap().to_owned();
        let random = secret.rsplit('_').next().unwrap();
        assert!(random.len() * 4 >= 128, "a token secret of at least 128 bits: {secret}");
        secrets.insert(secret);
    }
    assert_eq!(secrets.len(), 20);
}

#[tokio::test]
async fn an_upload_named_to_climb_out_of_a_directory_is_only_data() {
    let app = spawn_app().await;
    let name = "../../../../../tmp/riskreg-upload-traversal.csv";
    let target = std::path::Path::new("/tmp/riskreg-upload-traversal.csv");
    let _ = std::fs::remove_file(target);
    let boundary = "riskreg-attack-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\nRef,Risk,Impact,Likelihood,RAG\r\nX-1,Uploaded risk,3,3,AMBER\r\n\r\n--{boundary}--\r\n"
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/registers/PANEL/import",
            Req::as_user("admin").raw(&format!("multipart/form-data; boundary={boundary}"), body.into_bytes()),
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    assert!(!target.exists(), "an upload is never written where its name points");
    let risks = app
        .store
        .risks(&RecordQuery {
            register: None,
            as_at: None,
            include_closed: true,
        })
        .await
        .unwrap();
    assert!(risks.iter().any(|r| r.fields.statement == "Uploaded risk"));
}

#[tokio::test]
async fn a_user_listing_never_names_a_confidential_register_to_a_non_member() {
    let app = spawn_app().await;
    let memberships = |reply: &crate::helpers::Reply, name: &str| -> Vec<String> {
        let user = match reply.body.as_array() {
            Some(list) => list.iter().find(|u| u["name"] == name).expect("the user").clone(),
            None => reply.body.clone(),
        };
        user["registers"]
            .as_array()
            .expect("registers")
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    // viewer-in is a member of the confidential register; admin is not, admin-in is.
    let outside = app.get("/api/v1/users", "admin").await;
    assert_eq!(outside.status, StatusCode::OK, "{}", outside.text);
    assert!(
        !memberships(&outside, "viewer-in")
            .iter()
            .any(|c| c == crate::helpers::CONF)
    );
    assert!(!outside.text.contains(crate::helpers::CONF), "{}", outside.text);
    let one = app.get("/api/v1/users/viewer-in", "admin").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(!memberships(&one, "viewer-in").iter().any(|c| c == crate::helpers::CONF));
    let inside = app.get("/api/v1/users", "admin-in").await;
    assert!(
        memberships(&inside, "viewer-in")
            .iter()
            .any(|c| c == crate::helpers::CONF)
    );
    // The user still sees their own memberships.
    let own = app.get("/api/v1/users/viewer-in", "viewer-in").await;
    assert!(memberships(&own, "viewer-in").iter().any(|c| c == crate::helpers::CONF));
}

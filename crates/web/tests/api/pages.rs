//! List pages kept between writes: a page is served again only while nothing has been
//! written, by this server or any other process on the database, and never to a caller
//! who may not see its register.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Req, spawn_app};
use riskreg_web::config::WebConfig;

const PAGE: &str = "/api/v1/risks?register=PANEL&limit=5&offset=0";

fn first(body: &Value) -> (String, u64, String) {
    let r = &body["items"][0];
    (
        r["ref"].as_str().expect("ref").to_owned(),
        r["version"].as_u64().expect("version"),
        r["notes"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_kept_page_gives_way_to_a_write_through_the_api() {
    let app = spawn_app().await;
    let before = app.get(PAGE, "viewer").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(
        app.get(PAGE, "viewer").await.text,
        before.text,
        "served again unchanged"
    );

    let (reference, version, _) = first(&before.body);
    let path = format!("/api/v1/risks/{reference}");
    let tag = app.etag_of(&path).await;
    let r = app
        .patch(&path, "secretariat", &tag, json!({"notes": "reviewed today"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let after = app.get(PAGE, "viewer").await;
    assert_eq!(
        first(&after.body),
        (reference.clone(), version + 1, "reviewed today".to_owned())
    );

    // Closing it takes it off the page and out of the total.
    let total = after.body["total"].as_u64().expect("total");
    let tag = app.etag_of(&path).await;
    let r = app
        .send(
            Method::POST,
            &format!("{path}/close"),
            Req::as_user("secretariat").if_match(&tag),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let closed = app.get(PAGE, "viewer").await;
    assert_ne!(first(&closed.body).0, reference);
    assert_eq!(closed.body["total"].as_u64(), Some(total - 1));
}

#[tokio::test]
async fn a_kept_page_gives_way_to_a_write_by_another_process() {
    let app = spawn_app().await;
    let other = app.peer(WebConfig::default()).await;
    let before = app.get(PAGE, "viewer").await;
    let (reference, version, _) = first(&before.body);

    // Written through the other server: this one's pool and reader saw none of it.
    let path = format!("/api/v1/risks/{reference}");
    let tag = other.etag_of(&path).await;
    let r = other
        .patch(&path, "secretariat", &tag, json!({"notes": "from elsewhere"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let after = app.get(PAGE, "viewer").await;
    assert_eq!(
        first(&after.body),
        (reference, version + 1, "from elsewhere".to_owned())
    );
}

#[tokio::test]
async fn a_kept_page_is_not_served_to_a_caller_who_may_not_see_its_register() {
    let app = spawn_app().await;
    let page = "/api/v1/risks?register=CONF&limit=5";
    let member = app.get(page, "viewer-in").await;
    assert_eq!(member.status, StatusCode::OK, "{}", member.text);
    assert_eq!(member.body["items"][0]["ref"], "CONF-1");
    let outsider = app.get(page, "viewer").await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND, "{}", outsider.text);
    assert!(!outsider.text.contains("confidential matter"));
}

#[tokio::test]
async fn no_cache_answers_from_the_records_with_the_same_page() {
    let app = spawn_app().await;
    let kept = app.get(PAGE, "viewer").await;
    let fresh = app
        .send(
            Method::GET,
            PAGE,
            Req::as_user("viewer").header("Cache-Control", "no-cache"),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(fresh.text, kept.text);
    // Another page of the same register is its own entry.
    let next = app.get("/api/v1/risks?register=PANEL&limit=5&offset=5", "viewer").await;
    assert_ne!(first(&next.body).0, first(&kept.body).0);
}

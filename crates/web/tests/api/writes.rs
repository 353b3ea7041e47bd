//! Writes: create, amend and close risks, issues, registers and mitigations; ETags and
//! If-Match (428 without, 412 when stale, one winner of two racing clients); the actor of
//! every event is the authenticated caller.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Req, spawn_app};

#[tokio::test]
async fn a_risk_is_created_amended_and_closed_with_preconditions() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/registers/PANEL/risks",
            "secretariat",
            json!({"statement": "There is a risk that the API is misused", "impact": 3, "likelihood": 2,
                   "rag": "AMBER", "consequences": ["Bad things"], "mitigations": [{"text": "Review access"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["ref"], "PANEL-19", "the next number the register never used");
    assert_eq!(r.body["severity"], 6);
    assert_eq!(r.body["updated_by"], "secretariat");
    assert_eq!(r.header("location").as_deref(), Some("/api/v1/risks/PANEL-19"));
    let v1 = r.etag();
    assert_eq!(v1, "\"PANEL-19.v1\"");

    let path = "/api/v1/risks/PANEL-19";
    let r = app
        .send(
            Method::PATCH,
            path,
            Req::as_user("secretariat").json(json!({"impact": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    assert!(r.is_problem());
    let r = app
        .patch(path, "secretariat", &v1, json!({"impact": 4, "owner": "SECAS"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["severity"], 8);
    let v2 = r.etag();
    let r = app.patch(path, "secretariat", &v1, json!({"impact": 5})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "a stale ETag loses");
    let r = app
        .patch(path, "secretariat", "\"PANEL-1.v2\"", json!({"impact": 5}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::PRECONDITION_FAILED,
        "another record's ETag never matches"
    );
    let r = app.patch(path, "secretariat", &v2, json!({"owner": null})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["owner"].is_null(), "null clears an optional field");
    let v3 = r.etag();

    let r = app
        .send(
            Method::POST,
            "/api/v1/risks/PANEL-19/close",
            Req::as_user("secretariat"),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = app
        .send(
            Method::POST,
            "/api/v1/risks/PANEL-19/close",
            Req::as_user("secretariat").if_match(&v3),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "closed");
    let r = app
        .send(
            Method::POST,
            "/api/v1/risks/PANEL-19/close",
            Req::as_user("secretariat").if_match(&r.etag()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "already closed");

    let history = app.get("/api/v1/risks/PANEL-19/history", "viewer").await;
    let actors: Vec<&str> = history
        .body
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["actor"].as_str().expect("actor"))
        .collect();
    assert_eq!(
        actors, ["secretariat"; 4],
        "every event records the authenticated actor"
    );
}

#[tokio::test]
async fn two_clients_with_the_same_etag_one_wins_one_gets_412() {
    let app = spawn_app().await;
    let tag = app.etag_of("/api/v1/risks/PANEL-15").await;
    let a = app.patch(
        "/api/v1/risks/PANEL-15",
        "secretariat",
        &tag,
        json!({"notes": "from client A"}),
    );
    let b = app.patch(
        "/api/v1/risks/PANEL-15",
        "admin",
        &tag,
        json!({"notes": "from client B"}),
    );
    let (a, b) = tokio::join!(a, b);
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text, b.text);
    let winner = if a.status == StatusCode::OK { &a } else { &b };
    let now = app.get("/api/v1/risks/PANEL-15", "viewer").await;
    assert_eq!(now.body["notes"], winner.body["notes"], "the loser changed nothing");
}

#[tokio::test]
async fn mitigations_are_added_changed_and_removed_by_position() {
    let app = spawn_app().await;
    let base = "/api/v1/risks/PANEL-15/mitigations";
    let before = app.get(base, "viewer").await;
    let count = before.body.as_array().expect("list").len();
    let r = app
        .send(
            Method::POST,
            base,
            Req::as_user("secretariat")
                .json(json!({"text": "Brief the Panel", "state": "ongoing"}))
                .if_match(&before.etag()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["position"], count + 1);
    assert_eq!(r.body["state"], "ongoing");
    let n = count + 1;
    let r = app
        .patch(
            &format!("{base}/{n}"),
            "secretariat",
            &r.etag(),
            json!({"state": "complete", "owner": "SECAS"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "complete");
    assert_eq!(r.body["owner"], "SECAS");
    let r2 = app
        .patch(&format!("{base}/{n}"), "secretariat", &r.etag(), json!({"text": "  "}))
        .await;
    assert_eq!(r2.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r2.problem_fields(), ["text"]);
    let r = app
        .send(
            Method::DELETE,
            &format!("{base}/{n}"),
            Req::as_user("secretariat").if_match(&r.etag()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let after = app.get(base, "viewer").await;
    assert_eq!(after.body.as_array().expect("list").len(), count);
    assert_eq!(after.etag(), r.etag());

    let issue = "/api/v1/issues/PANEL-2/mitigations";
    let tag = app.etag_of("/api/v1/issues/PANEL-2").await;
    let r = app
        .send(
            Method::POST,
            issue,
            Req::as_user("secretariat")
                .json(json!({"text": "Report back"}))
                .if_match(&tag),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["state"], "planned", "the default state");
}

#[tokio::test]
async fn issues_are_created_amended_and_closed() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/registers/PANEL/issues",
            "secretariat",
            json!({"statement": "There is an issue that X", "impact": 2, "rag": "GREEN", "associated_risk": "PANEL-2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["ref"], "PANEL-3");
    let r = app
        .patch(
            "/api/v1/issues/PANEL-3",
            "secretariat",
            &r.etag(),
            json!({"impacts": ["One", "Two"], "associated_risk": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["associated_risk"].is_null());
    let r = app
        .send(
            Method::POST,
            "/api/v1/issues/PANEL-3/close",
            Req::as_user("secretariat").if_match(&r.etag()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "closed");
}

#[tokio::test]
async fn registers_are_created_and_amended_and_a_confidential_one_stays_with_its_creator() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/registers",
            "secretariat",
            json!({"code": "OPSG", "name": "Operations Group", "parent": "PANEL"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app
        .patch(
            "/api/v1/registers/OPSG",
            "secretariat",
            &r.etag(),
            json!({"description": "Ops", "last_paper_on": "2018-08-03"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["last_paper_on"], "2018-08-03");
    let r = app
        .post(
            "/api/v1/registers",
            "secretariat",
            json!({"code": "OPSG", "name": "Again"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let r = app
        .post(
            "/api/v1/registers",
            "secretariat",
            json!({"code": "SECRET", "name": "Secret", "confidential": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/registers/SECRET", "secretariat").await.status,
        StatusCode::OK,
        "its creator is a member"
    );
    assert_eq!(
        app.get("/api/v1/registers/SECRET", "admin").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            "/api/v1/registers",
            "secretariat",
            json!({"code": "CHILD", "name": "Child", "parent": "CONF"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a hidden parent reads as no register"
    );
    assert_eq!(r.problem_fields(), ["parent"]);
}

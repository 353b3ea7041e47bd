//! Reads: registers, risks and issues (filtered, sorted, paged, as at a date), mitigations,
//! history, diffs and audit verification.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Req, spawn_app};

fn refs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["ref"].as_str().expect("ref").to_owned())
        .collect()
}

#[tokio::test]
async fn health_answers_without_credentials() {
    let app = spawn_app().await;
    let r = app.send(Method::GET, "/healthz", Req::default()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
}

#[tokio::test]
async fn registers_are_listed_without_confidential_ones_for_non_members() {
    let app = spawn_app().await;
    let codes = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body
            .as_array()
            .expect("list")
            .iter()
            .map(|x| x["code"].as_str().expect("code").to_owned())
            .collect()
    };
    let r = app.get("/api/v1/registers", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(codes(&r), ["PANEL", "SSC", "TABASC"]);
    let r = app.get("/api/v1/registers", "viewer-in").await;
    assert!(codes(&r).contains(&"CONF".to_owned()));
    let r = app.get("/api/v1/registers/PANEL", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "SEC Panel");
    assert_eq!(r.etag(), format!("\"PANEL.v{}\"", r.body["version"]));
    let r = app.get("/api/v1/registers/CONF", "admin").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "an admin outside CONF must not see it");
    assert!(r.is_problem());
    let r = app.get("/api/v1/registers?as_at=2018-07-01", "viewer").await;
    assert_eq!(
        r.body.as_array().expect("list").len(),
        0,
        "no register existed before July 2018"
    );
    let r = app.get("/api/v1/registers/PANEL/history", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["kind"], "created");
}

#[tokio::test]
async fn risks_are_listed_in_register_order_and_paged_stably() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/risks?register=PANEL&limit=500", "viewer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let all = refs(&r.body);
    let six = all.iter().position(|x| x == "PANEL-6").expect("PANEL-6");
    let fourteen = all.iter().position(|x| x == "PANEL-14").expect("PANEL-14");
    assert!(six < fourteen, "equal severities go by number");
    assert!(
        !all.contains(&"PANEL-2".to_owned()),
        "closed risks are not listed by default"
    );
    let severities: Vec<u64> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|x| x["severity"].as_u64().expect("severity"))
        .collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(r.body["total"].as_u64(), Some(all.len() as u64));

    let mut paged = Vec::new();
    let mut offset = Some(0);
    while let Some(o) = offset {
        let r = app
            .get(&format!("/api/v1/risks?register=PANEL&limit=5&offset={o}"), "viewer")
            .await;
        paged.extend(refs(&r.body));
        offset = r.body["next_offset"].as_u64();
    }
    assert_eq!(paged, all, "pages concatenate to the whole list");

    let r = app.get("/api/v1/risks?register=PANEL&status=closed", "viewer").await;
    assert_eq!(refs(&r.body), ["PANEL-2"]);
    let r = app.get("/api/v1/risks?rag=GREEN&min_severity=9", "viewer").await;
    assert!(
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|x| x["rag"] == "GREEN" && x["severity"].as_u64() >= Some(9))
    );
    assert!(refs(&r.body).contains(&"PANEL-3".to_owned()), "Risk 3 is 9 and GREEN");
    let r = app.get("/api/v1/risks?q=confidential", "viewer").await;
    assert!(
        refs(&r.body).iter().all(|x| x.starts_with("PANEL")),
        "no CONF risk leaks through search"
    );
    let r = app.get("/api/v1/risks?q=confidential", "viewer-in").await;
    assert!(refs(&r.body).contains(&"CONF-1".to_owned()));
    let r = app.get("/api/v1/risks?owner=secas", "viewer-in").await;
    assert!(
        refs(&r.body).contains(&"CONF-1".to_owned()),
        "owner matches ignoring case"
    );
    let r = app
        .get("/api/v1/risks?register=PANEL&sort=number&limit=3", "viewer")
        .await;
    assert_eq!(refs(&r.body), ["PANEL-1", "PANEL-3", "PANEL-4"]);
    let r = app
        .get("/api/v1/risks?register=PANEL&sort=-number&limit=1", "viewer")
        .await;
    assert_eq!(refs(&r.body), ["PANEL-18"]);
    let r = app.get("/api/v1/risks?register=CONF", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_register_and_a_risk_read_as_at_a_date() {
    let app = spawn_app().await;
    // The demo's Risk 15 amendment is pending at the August meeting; agree it first.
    app.store
        .decide(
            2,
            riskreg_domain::review::Decision::Agreed,
            None,
            None,
            riskreg_store::WriteContext::new("secretariat", None),
        )
        .await
        .expect("agree the Risk 15 amendment");
    let then = app.get("/api/v1/risks/PANEL-15?as_at=2018-07-31", "viewer").await;
    let now = app.get("/api/v1/risks/PANEL-15", "viewer").await;
    assert_eq!(then.status, StatusCode::OK);
    assert_ne!(
        then.body["statement"], now.body["statement"],
        "Risk 15 was amended on 3 August 2018"
    );
    assert_eq!(then.etag(), format!("\"PANEL-15.v{}\"", then.body["version"]));
    let r = app
        .get("/api/v1/risks?register=PANEL&as_at=2018-07-31&limit=500", "viewer")
        .await;
    assert!(
        !refs(&r.body).contains(&"PANEL-18".to_owned()),
        "Risk 18 was proposed in August"
    );
    let r = app.get("/api/v1/risks/PANEL-18?as_at=2018-07-31", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/risks/PANEL-15?as_at=last-tuesday", "viewer").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.problem_fields(), ["as_at"]);
    let r = app
        .get("/api/v1/issues?register=PANEL&as_at=2018-08-03", "viewer")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["total"], 2);
}

#[tokio::test]
async fn history_and_word_diff_of_a_record() {
    let app = spawn_app().await;
    // The demo's Risk 15 amendment is pending at the August meeting; agree it first.
    app.store
        .decide(
            2,
            riskreg_domain::review::Decision::Agreed,
            None,
            None,
            riskreg_store::WriteContext::new("secretariat", None),
        )
        .await
        .expect("agree the Risk 15 amendment");
    let r = app.get("/api/v1/risks/PANEL-15/history", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    let events = r.body.as_array().expect("events");
    assert!(events.len() >= 2);
    assert_eq!(events[0]["version"], 1);
    let r = app.get("/api/v1/risks/PANEL-15/diff?from=1&to=2", "viewer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let statement = r.body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == "statement")
        .expect("the statement changed");
    let ops: Vec<&str> = statement["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| s["op"].as_str().expect("op"))
        .collect();
    assert!(ops.contains(&"delete") && ops.contains(&"insert"), "{ops:?}");
    let r = app.get("/api/v1/risks/PANEL-15/diff?from=2&to=1", "viewer").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.problem_fields(), ["from"]);
    let r = app.get("/api/v1/risks/PANEL-15/diff?to=99", "viewer").await;
    assert_eq!(r.problem_fields(), ["to"]);
    let r = app.get("/api/v1/issues/PANEL-1/history", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/api/v1/issues/PANEL-1/diff", "viewer").await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.text
    );
    let r = app.get("/api/v1/risks/CONF-1/history", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issues_and_mitigations_read() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/issues?register=PANEL", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["total"], 2);
    let r = app.get("/api/v1/issues/PANEL-1", "viewer").await;
    assert_eq!(r.body["associated_risk"], "PANEL-2", "Issue 1 points at closed Risk 2");
    let r = app.get("/api/v1/risks/PANEL-15/mitigations", "viewer").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.body.as_array().expect("list");
    assert_eq!(list[0]["position"], 1);
    let tag = r.etag();
    let one = app.get("/api/v1/risks/PANEL-15/mitigations/1", "viewer").await;
    assert_eq!(one.body["text"], list[0]["text"]);
    assert_eq!(one.etag(), tag, "a mitigation's ETag is its record's");
    let r = app.get("/api/v1/risks/PANEL-15/mitigations/99", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/risks/PANEL-15/mitigations/x", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.is_problem());
    let r = app.get("/api/v1/issues/CONF-1/mitigations/1", "viewer-in").await;
    assert_eq!(r.body["text"], "Find out who told");
    let r = app.get("/api/v1/issues/CONF-1/mitigations", "viewer").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn audit_verify_reports_an_intact_chain() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/audit/verify", "secretariat").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["problem"].is_null(), "{}", r.text);
    assert!(r.body["events"].as_u64().expect("events") > 20);
    let r = app.get("/api/v1/audit/verify", "viewer").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

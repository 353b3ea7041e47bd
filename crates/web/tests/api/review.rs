//! The review cycle over HTTP: the demo's August meeting and its proposals, the paper in
//! every format, decisions applied to the register, the next month's paper, stale
//! proposals refused, and bad proposals refused with nothing changed.

use std::io::Read;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Req, TestApp, spawn_app, spawn_app_with};

const AUGUST: &str = "/api/v1/meetings/PANEL/2018-08-10";

/// The paper's bytes, with its status and content type.
async fn paper(app: &TestApp, meeting: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app
        .client
        .get(app.url(&format!("{meeting}/paper{query}")))
        .bearer_auth(&app.tokens["viewer"])
        .send()
        .await
        .expect("paper");
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.bytes().await.expect("body").to_vec())
}

/// A stand-in typesetter that records how many typesetters were running when it started,
/// then waits (up to five seconds) until a second one has started, so that any that may run
/// together do.
const COUNTING_TYPESETTER: &str = r##"#!/bin/sh
cat > /dev/null
dir="$(dirname "$0")"
touch "$dir/running.$$" "$dir/started.$$"
ls "$dir" | grep -c '^running' >> "$dir/counts"
i=0
while [ "$(ls "$dir" | grep -c '^started')" -lt 2 ] && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
rm "$dir/running.$$"
printf '%%PDF-1.7 stand-in'
"##;

fn docx_document(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

async fn decide(app: &TestApp, id: u64, decision: &str, minute: &str) -> crate::helpers::Reply {
    let path = format!("/api/v1/proposals/{id}");
    let tag = app.get(&path, "secretariat").await.etag();
    app.send(
        Method::POST,
        &format!("{path}/decision"),
        Req::as_user("secretariat")
            .if_match(&tag)
            .json(json!({"decision": decision, "minute": minute})),
    )
    .await
}

#[tokio::test]
async fn the_cycle_runs_from_proposals_through_the_paper_to_the_next_month() {
    let app = spawn_app().await;
    let meetings = app.get("/api/v1/meetings?body=PANEL", "viewer").await;
    assert_eq!(meetings.status, StatusCode::OK, "{}", meetings.text);
    assert_eq!(meetings.body[0]["ref"], "PANEL/2018-08-10");
    assert_eq!(meetings.body[0]["paper_on"], "2018-08-03");

    let list = app.get(&format!("{AUGUST}/proposals"), "viewer").await;
    let kinds: Vec<(u64, &str, &str, bool)> = list
        .body
        .as_array()
        .expect("proposals")
        .iter()
        .map(|p| {
            (
                p["id"].as_u64().expect("id"),
                p["change"]["kind"].as_str().expect("kind"),
                p["status"].as_str().expect("status"),
                p["stale"].as_bool().expect("stale"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "issue_update", "pending", false),
            (2, "amend", "pending", false),
            (3, "new_risk", "pending", false)
        ]
    );

    // The paper, in every format, from the pending proposals.
    let (status, kind, html) = paper(&app, AUGUST, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = String::from_utf8(html).expect("utf-8");
    for expected in [
        "SEC Panel Risk and Issue Register Update",
        "<ins",
        "<del",
        "unstable",
        "AGREE",
        "CONSIDER",
        "<svg",
    ] {
        assert!(html.contains(expected), "the HTML paper lacks {expected:?}");
    }
    let (_, kind, md) = paper(&app, AUGUST, "?format=md").await;
    assert!(kind.starts_with("text/markdown"), "{kind}");
    let md = String::from_utf8(md).expect("utf-8");
    assert!(md.contains(
        "<del>has not yet completed a sufficiently detailed or stable SMETS1 E&amp;A design leading to:</del>"
    ));
    let (_, kind, docx) = paper(&app, AUGUST, "?format=docx").await;
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let xml = docx_document(&docx);
    assert!(
        xml.contains("<w:ins ") && xml.contains("<w:del "),
        "real Word revisions"
    );
    let (_, kind, pdf) = paper(&app, AUGUST, "?format=pdf&download=true").await;
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let (_, _, draft) = paper(&app, AUGUST, "?format=md&draft=true&author=A.%20Clerk").await;
    let draft = String::from_utf8(draft).expect("utf-8");
    assert!(draft.contains("A. Clerk"), "the author given is printed");
    assert_ne!(draft, md, "a draft carries the lint's findings");
    let (status, _, body) = paper(&app, AUGUST, "?format=odt").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("format"));

    // The decisions change the register.
    let before = app.get("/api/v1/risks/PANEL-15", "viewer").await;
    assert!(
        before.body["statement"]
            .as_str()
            .expect("text")
            .contains("has not yet completed")
    );
    for (id, minute) in [(2, "Minute 5.1"), (3, "Minute 5.2")] {
        let r = decide(&app, id, "agreed", minute).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["status"], "agreed");
        assert_eq!(r.body["decided_by"], "secretariat");
    }
    let meeting = app.get(AUGUST, "viewer").await;
    assert_eq!(meeting.body["closed"], false, "one proposal is still pending");
    let r = decide(&app, 1, "agreed", "Minute 5.3").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(AUGUST, "viewer").await.body["closed"], true);
    let r15 = app.get("/api/v1/risks/PANEL-15", "viewer").await;
    assert!(
        r15.body["statement"]
            .as_str()
            .expect("text")
            .contains("which may lead to:")
    );
    assert_eq!(r15.body["updated_by"], "secretariat");
    assert_eq!(app.get("/api/v1/risks/PANEL-18", "viewer").await.body["status"], "open");
    let again = decide(&app, 1, "rejected", "too late").await;
    assert!(again.status.is_client_error(), "{}", again.text);
    assert_eq!(
        app.get("/api/v1/proposals/1", "viewer").await.body["status"],
        "agreed",
        "a decided proposal stays decided"
    );

    // September: a new meeting, a proposal drafted over the API, the August additions no
    // longer new.
    let r = app
        .post(
            "/api/v1/meetings",
            "secretariat",
            json!({"body": "PANEL", "date": "2018-09-14", "paper_on": "2018-09-07",
                   "author": "Kayla Reinhart", "team": "SECAS Team"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/meetings/PANEL/2018-09-14")
    );
    let september = "/api/v1/meetings/PANEL/2018-09-14";
    let r4 = app.get("/api/v1/risks/PANEL-4", "viewer").await;
    let r = app
        .post(
            &format!("{september}/proposals"),
            "secretariat",
            json!({"kind": "amend", "risk": "PANEL-4", "expected_version": r4.body["version"],
                   "risk_changes": {"likelihood": 4}, "rationale": "Testing slipped in August."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_u64().expect("id");
    assert_eq!(r.body["change"]["kind"], "amend");
    assert_eq!(r.body["change"]["fields"]["likelihood"], 4);
    assert_eq!(
        app.get("/api/v1/risks/PANEL-4", "viewer").await.body["version"],
        r4.body["version"],
        "a proposal changes nothing until it is agreed"
    );
    let (_, _, md) = paper(&app, september, "?format=md").await;
    let md = String::from_utf8(md).expect("utf-8");
    assert!(md.contains("Testing slipped in August."), "{md}");
    assert!(md.contains("Mitigating actions from Panel and or SCC unclear"));
    assert!(!md.contains("**New:** *Mitigating actions"), "no longer new");

    // Changed outside the cycle, the proposal is stale: reported, then refused.
    let tag = r4.etag();
    let r = app
        .patch("/api/v1/risks/PANEL-4", "secretariat", &tag, json!({"rag": "AMBER"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = app.get(&format!("/api/v1/proposals/{id}"), "viewer").await;
    assert_eq!(p.body["stale"], true);
    let r = decide(&app, id, "agreed", "Minute 6.1").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("stale") && r.text.contains("redraft"), "{}", r.text);
    assert_eq!(app.get("/api/v1/risks/PANEL-4", "viewer").await.body["rag"], "AMBER");
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}"), "viewer").await.body["status"],
        "pending"
    );

    let verify = app.get("/api/v1/audit/verify", "secretariat").await;
    assert_eq!(verify.status, StatusCode::OK);
    assert!(verify.body["problem"].is_null(), "the chain verifies: {}", verify.text);
}

#[tokio::test]
async fn bad_proposals_and_decisions_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let events = app.event_count().await;
    let proposals = format!("{AUGUST}/proposals");
    for (body, field) in [
        (
            json!({"kind": "amend", "risk": "PANEL-4", "rationale": "r"}),
            "risk_changes",
        ),
        (
            json!({"kind": "close", "risk": "PANEL-4", "to": "PANEL", "rationale": "r"}),
            "to",
        ),
        (json!({"kind": "close", "risk": "PANEL-99", "rationale": "r"}), "risk"),
        (json!({"kind": "close", "risk": "CONF-1", "rationale": "r"}), "risk"),
        (
            json!({"kind": "close", "risk": "PANEL-4", "rationale": "  "}),
            "rationale",
        ),
        (
            json!({"kind": "new_risk", "register": "PANEL", "rationale": "r",
                   "new_risk": {"statement": "S", "impact": 6, "likelihood": 2, "rag": "RED"}}),
            "impact",
        ),
        (json!({"kind": "retire", "risk": "PANEL-4", "rationale": "r"}), "kind"),
    ] {
        let r = app.post(&proposals, "secretariat", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert!(
            r.problem_fields().iter().any(|f| f.contains(field)),
            "{body} names {field}: {}",
            r.text
        );
    }
    let r = app
        .post(
            &proposals,
            "viewer",
            json!({"kind": "close", "risk": "PANEL-4", "rationale": "r"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/v1/meetings/CONF/2018-08-10/proposals",
            "secretariat",
            json!({"kind": "close", "risk": "PANEL-4", "rationale": "r"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            "/api/v1/meetings",
            "secretariat",
            json!({"body": "PANEL", "date": "2018-08-10"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a body meets once a day: {}", r.text);

    let r = app
        .send(
            Method::POST,
            "/api/v1/proposals/2/decision",
            Req::as_user("secretariat").json(json!({"decision": "agreed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let tag = app.get("/api/v1/proposals/2", "secretariat").await.etag();
    assert_eq!(tag, "\"proposal-2.v1\"");
    let r = app
        .send(
            Method::POST,
            "/api/v1/proposals/2/decision",
            Req::as_user("secretariat")
                .if_match(&tag)
                .json(json!({"decision": "agreed", "defer_to": "PANEL/2018-09-14"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.problem_fields(), ["defer_to"]);
    assert_eq!(app.event_count().await, events, "nothing was written");
    assert_eq!(app.get("/api/v1/proposals/2", "viewer").await.body["status"], "pending");
    assert_eq!(
        app.get("/api/v1/proposals/999", "viewer").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pdf_papers_asked_for_together_are_typeset_at_most_pdf_jobs_at_a_time() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("typesetter");
    std::fs::write(&program, COUNTING_TYPESETTER).expect("write the typesetter");
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let app = spawn_app_with(riskreg_web::WebConfig {
        typesetter: Some(program),
        pdf_jobs: 2,
        ..Default::default()
    })
    .await;
    let pdf = || paper(&app, AUGUST, "?format=pdf");
    let (a, b, c, d) = tokio::join!(pdf(), pdf(), pdf(), pdf());
    for (status, kind, bytes) in [a, b, c, d] {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "application/pdf");
        assert_eq!(bytes, b"%PDF-1.7 stand-in");
    }
    let counts = std::fs::read_to_string(dir.path().join("counts")).expect("counts");
    let counts: Vec<u32> = counts.lines().map(|n| n.trim().parse().expect("a count")).collect();
    assert_eq!(counts.len(), 4, "one typesetter a paper");
    assert_eq!(counts.iter().max(), Some(&2), "two at a time, never more: {counts:?}");
}

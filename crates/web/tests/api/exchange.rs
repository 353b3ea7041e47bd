//! Spreadsheet import and export over the API: a multipart upload previewed with
//! `dry_run`, then applied; refused whole with every bad row named; editors only; a record
//! found again by its source reference; the import's larger body limit, and 413 past it;
//! and the register exported as XLSX, CSV and the register file with the right headers.

use reqwest::{Method, StatusCode};

use crate::helpers::{Req, TestApp, spawn_app, spawn_app_with};

const BOUNDARY: &str = "riskreg-test-boundary";

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, user: &str, code: &str, parts: &[(&str, Option<&str>, &[u8])]) -> crate::helpers::Reply {
    let req = Req::as_user(user).raw(&format!("multipart/form-data; boundary={BOUNDARY}"), multipart(parts));
    app.send(Method::POST, &format!("/api/v1/registers/{code}/import"), req)
        .await
}

const GOOD: &[u8] = b"Ref,Risk,Impact,Likelihood,RAG,Owner\r\n015(CR),Supplier failure,4,3,RED,CFO\r\nR-AWS-001,Cloud compromise,5,2,AMBER,CISO\r\n";

#[tokio::test]
async fn a_dry_run_reports_and_changes_nothing_then_the_import_lands() {
    let app = spawn_app().await;
    let before = app.event_count().await;
    let r = upload(
        &app,
        "secretariat",
        "SSC",
        &[("file", Some("ssc.csv"), GOOD), ("dry_run", None, b"true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["imported"], false);
    assert_eq!(r.body["created"]["risks"], 2);
    assert_eq!(r.body["records"][0]["source_ref"], "015(CR)");
    assert_eq!(r.body["sheets"][0]["header_row"], 1);
    assert_eq!(app.event_count().await, before);

    let r = upload(&app, "secretariat", "SSC", &[("file", Some("ssc.csv"), GOOD)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["imported"], true);
    assert_eq!(app.event_count().await, before + 2, "an event per record");
    let list = app.get("/api/v1/risks?register=SSC&q=Supplier", "viewer").await;
    let risk = &list.body["items"][0];
    assert_eq!(risk["source_ref"], "015(CR)");
    let history = app
        .get(
            &format!("/api/v1/risks/{}/history", risk["ref"].as_str().expect("ref")),
            "viewer",
        )
        .await;
    let events = history.body["items"]
        .as_array()
        .or(history.body.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["reason"] == "import ssc.csv" && e["actor"] == "secretariat"),
        "{}",
        history.text
    );

    let again = upload(&app, "secretariat", "SSC", &[("file", Some("ssc.csv"), GOOD)]).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the references are taken"
    );
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file_naming_every_bad_row() {
    let app = spawn_app().await;
    let before = app.event_count().await;
    let bad = b"Ref,Risk,Impact,Likelihood,RAG\r\nA,Fine,3,3,GREEN\r\nB,Too big,6,3,GREEN\r\nC,,3,3,GREEN\r\n";
    let r = upload(&app, "admin", "PANEL", &[("file", Some("bad.csv"), bad)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.is_problem());
    let fields = r.problem_fields();
    assert_eq!(
        fields,
        [
            "CSV row 3 column C (Impact) \"6\": impact",
            "CSV row 4 column B (Risk): statement"
        ],
        "{}",
        r.text
    );
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn imports_need_an_editor_and_a_visible_register() {
    let app = spawn_app().await;
    for user in ["viewer", "member"] {
        let r = upload(&app, user, "PANEL", &[("file", Some("x.csv"), GOOD)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    let r = upload(&app, "secretariat", "CONF", &[("file", Some("x.csv"), GOOD)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a non-member cannot see CONF");
    let r = upload(&app, "secretariat", "PANEL", &[("sheet", None, b"x")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.problem_fields().contains(&"file".to_owned()));
}

#[tokio::test]
async fn a_register_exports_as_xlsx_csv_and_json_with_its_headers() {
    let app = spawn_app().await;
    let xlsx = app.get("/api/v1/registers/PANEL/export?format=xlsx", "viewer").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = xlsx.header("content-disposition").expect("disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"PANEL-") && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );

    let csv = app
        .get("/api/v1/registers/PANEL/export?format=csv&as_at=2018-07-31", "viewer")
        .await;
    assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition").as_deref(),
        Some("attachment; filename=\"PANEL-2018-07-31.csv\"")
    );
    assert!(csv.text.starts_with("Register,Number,Source ref,Statement,"));
    assert!(csv.text.lines().skip(1).all(|l| !l.starts_with(['=', '+', '@'])));

    let json = app.get("/api/v1/registers/PANEL/export?format=json", "viewer").await;
    assert_eq!(json.header("content-type").as_deref(), Some("application/json"));
    let codes: Vec<_> = json.body["registers"]
        .as_array()
        .expect("registers")
        .iter()
        .map(|r| r["code"].clone())
        .collect();
    assert_eq!(codes, ["PANEL"]);

    let hidden = app.get("/api/v1/registers/CONF/export?format=csv", "viewer").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let bad = app.get("/api/v1/registers/PANEL/export?format=pdf", "viewer").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_record_is_found_by_the_reference_it_was_imported_with() {
    let app = spawn_app().await;
    let csv = b"Ref,Risk,Impact,Likelihood,RAG\r\n015(CR),Supplier failure,4,3,RED\r\nRisk 001,Cloud compromise,5,2,AMBER\r\n";
    let r = upload(&app, "secretariat", "SSC", &[("file", Some("ssc.csv"), csv)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let found = app
        .get("/api/v1/registers/SSC/risks/by-source-ref/015(CR)", "viewer")
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(found.body["source_ref"], "015(CR)");
    assert_eq!(found.body["statement"], "Supplier failure");
    let reference = found.body["ref"].as_str().expect("ref").to_owned();
    assert_eq!(
        found.header("content-location"),
        Some(format!("/api/v1/risks/{reference}"))
    );
    assert_eq!(
        found.etag(),
        app.get(&format!("/api/v1/risks/{reference}"), "viewer").await.etag()
    );
    let spaced = app
        .get("/api/v1/registers/SSC/risks/by-source-ref/Risk%20001", "viewer")
        .await;
    assert_eq!(spaced.body["statement"], "Cloud compromise", "{}", spaced.text);

    let missing = app
        .get("/api/v1/registers/SSC/risks/by-source-ref/Risk%20999", "viewer")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.is_problem());
    assert!(
        missing.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("\"Risk 999\"")),
        "{}",
        missing.text
    );
    let elsewhere = app
        .get("/api/v1/registers/PANEL/risks/by-source-ref/015(CR)", "viewer")
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "a reference is the register's own"
    );

    // Issues likewise; and in a confidential register only for its members.
    let conf = riskreg_domain::RegisterCode::parse("CONF").expect("code");
    let mut issue =
        riskreg_domain::IssueFields::new("There is an issue that a list leaked", 3, riskreg_domain::Rag::Red);
    issue.source_ref = Some("ISS-7".into());
    app.store
        .create_issue(conf, None, issue, riskreg_store::WriteContext::new("harness", None))
        .await
        .expect("issue");
    let path = "/api/v1/registers/CONF/issues/by-source-ref/ISS-7";
    let member = app.get(path, "viewer-in").await;
    assert_eq!(member.status, StatusCode::OK, "{}", member.text);
    assert_eq!(member.body["statement"], "There is an issue that a list leaked");
    assert!(
        member
            .header("content-location")
            .is_some_and(|l| l.starts_with("/api/v1/issues/CONF-"))
    );
    for user in ["viewer", "admin"] {
        let hidden = app.get(path, user).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{user}: {}", hidden.text);
        assert_eq!(
            hidden.body["detail"], "register CONF",
            "the same answer as for no register"
        );
    }
}

/// An XLSX workbook of `rows` risks, each with notes of pseudo-random text, so that it
/// compresses little and its size grows with `rows`.
fn big_workbook(rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Ref", "Risk", "Impact", "Likelihood", "RAG", "Notes"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,"
        .chars()
        .collect();
    for r in 1..=rows {
        let notes: String = (0..9_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        sheet.write_string(r, 0, format!("BIG-{r:04}")).expect("ref");
        sheet
            .write_string(r, 1, format!("There is a risk that large file {r} fails"))
            .expect("statement");
        sheet.write_number(r, 2, 3).expect("impact");
        sheet.write_number(r, 3, 2).expect("likelihood");
        sheet.write_string(r, 4, "AMBER").expect("rag");
        sheet.write_string(r, 5, notes.trim()).expect("notes");
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn a_1_mib_workbook_imports_and_one_over_the_import_limit_is_413() {
    const MIB: usize = 1024 * 1024;
    let workbook = big_workbook(160);
    assert!((MIB..2 * MIB).contains(&workbook.len()), "{} bytes", workbook.len());
    let app = spawn_app().await;
    let r = upload(&app, "secretariat", "SSC", &[("file", Some("big.xlsx"), &workbook)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:.2000}", r.text);
    assert_eq!(r.body["created"]["risks"], 160);
    // The rest of the API keeps the small limit: a JSON body of 300 KiB is refused.
    let padded = serde_json::json!({"statement": "S", "impact": 2, "likelihood": 2, "rag": "GREEN", "notes": "x".repeat(300 * 1024)});
    let json = app.post("/api/v1/registers/SSC/risks", "secretariat", padded).await;
    assert_eq!(json.status, StatusCode::PAYLOAD_TOO_LARGE);

    let small = spawn_app_with(riskreg_web::WebConfig {
        import_body_limit: 512 * 1024,
        ..Default::default()
    })
    .await;
    let before = small.event_count().await;
    let r = upload(&small, "secretariat", "SSC", &[("file", Some("big.xlsx"), &workbook)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert!(r.is_problem(), "{:?}", r.headers);
    assert_eq!(r.body["type"], "urn:riskreg:problem:body-too-large");
    let detail = r.body["detail"].as_str().expect("detail");
    assert!(
        detail.contains("import limit of 512 KiB") && detail.contains("RISKREG_IMPORT_LIMIT"),
        "{detail}"
    );
    assert_eq!(small.event_count().await, before);
}

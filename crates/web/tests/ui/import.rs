//! The upload screen over plain HTTP: a real third-party workbook imported through the
//! upload, sheet choice, preview and confirm steps as a browser posts them; a bad row named
//! by row, column and rule with no confirm offered and nothing written; the mapping changed
//! per field; and the guards — editors only, the CSRF token and origin on multipart forms.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use riskreg_domain::RegisterCode;
use riskreg_store::RecordQuery;
use riskreg_store::event::RecordType;

use crate::helpers::{Browser, Page, TestServer, spawn_server};

const CDDO: &[u8] = include_bytes!("../../../sheets/tests/fixtures/cddo-risk-register-template.xlsx");
const BOUNDARY: &str = "riskreg-ui-test-boundary";

/// A part of a multipart form: a field, or a file with its name.
enum Part {
    Text(String, String),
    File(String, String, Vec<u8>),
}

fn text(name: &str, value: &str) -> Part {
    Part::Text(name.to_owned(), value.to_owned())
}

fn file(name: &str, file_name: &str, bytes: &[u8]) -> Part {
    Part::File(name.to_owned(), file_name.to_owned(), bytes.to_vec())
}

fn body(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
                out.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file_name, bytes) => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Posts a multipart form as a browser on our own page would (with its origin), plus any
/// extra headers.
async fn post(b: &Browser<'_>, path: &str, parts: &[Part], headers: &[(&str, &str)]) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = client
        .post(b.server.url(path))
        .header(CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body(parts));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("origin")) {
        req = req.header("origin", b.server.url(""));
    }
    if let Some(c) = &b.cookie {
        req = req.header(COOKIE, c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("POST");
    Page {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.text().await.expect("body"),
    }
}

/// The first upload: the token first, then the file.
async fn upload(b: &Browser<'_>, code: &str, file_name: &str, bytes: &[u8]) -> Page {
    let csrf = b.csrf().await;
    post(
        b,
        &format!("/registers/{code}/import"),
        &[text("csrf", &csrf), file("file", file_name, bytes)],
        &[],
    )
    .await
}

/// Submits the preview page's form as a browser does: its hidden fields and each select's
/// chosen option in page order, with `changes` made to named fields and the button pressed.
async fn submit(b: &Browser<'_>, code: &str, page: &Page, changes: &[(&str, &str)], action: &str) -> Page {
    let html = page.html();
    let sel = scraper::Selector::parse("form.import-preview input[type=hidden], form.import-preview select")
        .expect("selector");
    let option = scraper::Selector::parse("option").expect("selector");
    let mut parts = Vec::new();
    for e in html.select(&sel) {
        let name = e.value().attr("name").expect("a named field");
        let value = if e.value().name() == "select" {
            let options: Vec<_> = e.select(&option).collect();
            options
                .iter()
                .find(|o| o.value().attr("selected").is_some())
                .or(options.first())
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_owned()
        } else {
            e.value().attr("value").unwrap_or("").to_owned()
        };
        let value = changes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value, |(_, v)| (*v).to_owned());
        parts.push(text(name, &value));
    }
    parts.push(text("action", action));
    post(b, &format!("/registers/{code}/import"), &parts, &[]).await
}

async fn risk_count(server: &TestServer, code: &str) -> usize {
    let query = RecordQuery {
        register: Some(RegisterCode::parse(code).expect("code")),
        as_at: None,
        include_closed: true,
    };
    server.store.risks(&query).await.expect("risks").len()
}

#[tokio::test]
async fn the_cddo_workbook_imports_through_upload_sheet_choice_preview_and_confirm() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let register = b.get("/registers/PANEL").await;
    assert_eq!(
        register.attr("#import-link", "href"),
        ["/registers/PANEL/import"],
        "the register page offers the import to an editor"
    );
    let form = b.get("/registers/PANEL/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.attr("input[type=file]", "name"), ["file"]);
    let before = risk_count(&server, "PANEL").await;
    let events = server.store.event_count().await.expect("count");

    let first = upload(&b, "PANEL", "cddo-risk-register-template.xlsx", CDDO).await;
    let sheets = first.texts("#sheet option");
    assert!(
        sheets.iter().any(|s| s == "Security Risk Tracker"),
        "{sheets:?}\n{}",
        first.body
    );
    let preview = submit(&b, "PANEL", &first, &[("sheet", "Security Risk Tracker")], "preview").await;
    assert_eq!(
        preview.status,
        StatusCode::OK,
        "{}",
        preview.texts("#import-errors").join("\n")
    );
    let refs = preview.texts("#import-rows tbody td.source-ref");
    let expected: Vec<String> = (1..=14).map(|n| format!("Risk {n:03}")).collect();
    assert_eq!(refs, expected);
    assert!(preview.texts("#import-summary")[0].contains("14 risks would be created"));
    let selected = |field: &str| preview.attr(&format!("select[name='map.{field}'] option[selected]"), "value");
    assert_eq!(selected("inherent_impact").len(), 1, "the inherent score is mapped");
    assert_eq!(selected("mitigations").len(), 1);
    assert_eq!(
        server.store.event_count().await.expect("count"),
        events,
        "a preview writes nothing"
    );

    let done = submit(&b, "PANEL", &preview, &[], "confirm").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/registers/PANEL/import/done?risks=14&issues=0");
    assert_eq!(risk_count(&server, "PANEL").await, before + 14);
    let code = RegisterCode::parse("PANEL").expect("code");
    for r in &expected {
        let found = server
            .store
            .find_by_source_ref(RecordType::Risk, &code, r)
            .await
            .expect("lookup");
        assert!(found.is_some(), "{r} was imported");
    }
    let page = b.get(&done.location()).await;
    assert!(
        page.texts("#import-done")[0].contains("Imported 14 risks"),
        "{}",
        page.body
    );
    // Confirming the same upload again finds every reference taken, and writes nothing.
    let again = submit(&b, "PANEL", &preview, &[], "confirm").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .texts("#import-errors td")
            .iter()
            .any(|t| t.contains("source_ref: \"Risk 001\" is already risk PANEL-")),
        "{:?}",
        again.texts("#import-errors tr")
    );
    assert_eq!(risk_count(&server, "PANEL").await, before + 14);
}

const BAD: &[u8] = b"Ref,Risk,Impact,Likelihood,RAG\r\nA-1,Floods close the office,3,3,GREEN\r\nA-2,Supplier failure,6,3,RED\r\nA-3,,2,2,GREEN\r\n";

#[tokio::test]
async fn a_bad_row_is_named_by_row_column_and_rule_and_nothing_can_be_confirmed() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.event_count().await.expect("count");
    let page = upload(&b, "SSC", "bad.csv", BAD).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts("#import-errors tbody tr").len(), 2);
    let first = page.texts("#import-errors tbody tr:nth-child(1) td");
    assert_eq!(first[..4], ["CSV", "3", "C (Impact)", "6"], "{first:?}");
    assert!(first[4].starts_with("impact: must be a level from 1 to 5"), "{first:?}");
    let second = page.texts("#import-errors tbody tr:nth-child(2) td");
    assert_eq!(second[..3], ["CSV", "4", "B (Risk)"], "{second:?}");
    assert!(second[4].starts_with("statement:"), "{second:?}");
    assert!(page.texts("#confirm-import").is_empty(), "no confirm is offered");
    assert!(page.texts("#import-summary")[0].contains("Nothing has been written"));
    // A confirm sent anyway is checked again and refused.
    let forced = submit(&b, "SSC", &page, &[], "confirm").await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.store.event_count().await.expect("count"), before);
}

#[tokio::test]
async fn the_mapping_is_changed_per_field_and_a_column_fills_one_field() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let csv = b"Ref,Title,Gross,Net score,Status,Lead\r\nX1,Floods close the office,4,2,Amber,Estates\r\n";
    let auto = upload(&b, "SSC", "estates.csv", csv).await;
    assert_eq!(
        auto.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no impact or likelihood column yet"
    );
    let mapped = submit(
        &b,
        "SSC",
        &auto,
        // D was read as the score: it moves to the likelihood, and the score has none.
        &[
            ("map.impact", "C"),
            ("map.likelihood", "D"),
            ("map.score", ""),
            ("map.owner", "F"),
        ],
        "preview",
    )
    .await;
    assert_eq!(mapped.status, StatusCode::OK, "{:?}", mapped.texts("#import-errors tr"));
    assert_eq!(mapped.texts("#import-rows tbody td:nth-child(4)"), ["4 × 2 = 8"]);
    assert_eq!(mapped.texts("#import-rows tbody td:nth-child(7)"), ["Estates"]);
    let clash = submit(&b, "SSC", &mapped, &[("map.notes", "C")], "confirm").await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash
            .texts("#import-errors td")
            .iter()
            .any(|t| t.contains("column C is chosen for impact and notes")),
        "{:?}",
        clash.texts("#import-errors tr")
    );
    let left_out = submit(&b, "SSC", &mapped, &[("map.owner", "")], "confirm").await;
    assert_eq!(left_out.status, StatusCode::SEE_OTHER);
    let code = RegisterCode::parse("SSC").expect("code");
    let found = server
        .store
        .find_by_source_ref(RecordType::Risk, &code, "X1")
        .await
        .expect("lookup")
        .expect("imported");
    let risk = server.store.risk(&found, None).await.expect("risk");
    assert_eq!((risk.fields.impact, risk.fields.likelihood), (4, 2));
    assert_eq!(risk.fields.owner, None, "the owner was left out");
}

#[tokio::test]
async fn only_editors_import_and_every_post_needs_the_token_from_our_own_pages() {
    let server = spawn_server().await;
    let viewer = Browser::signed_in(&server, "viewer").await;
    assert!(
        viewer
            .get("/registers/PANEL")
            .await
            .attr("#import-link", "href")
            .is_empty()
    );
    assert_eq!(
        viewer.get("/registers/PANEL/import").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = upload(
        &viewer,
        "PANEL",
        "good.csv",
        b"Ref,Risk,Impact,Likelihood,RAG\r\nV1,Viewer's risk,2,2,GREEN\r\n",
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let outsider = Browser::signed_in(&server, "outsider").await;
    assert_eq!(
        outsider.get("/registers/CONF/import").await.status,
        StatusCode::NOT_FOUND
    );

    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.event_count().await.expect("count");
    let good = b"Ref,Risk,Impact,Likelihood,RAG\r\nG1,Floods close the office,2,2,GREEN\r\n";
    let csrf = b.csrf().await;
    let path = "/registers/SSC/import";
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Vec<Part>, Headers)> = vec![
        (vec![file("file", "good.csv", good), text("action", "confirm")], vec![]),
        (
            vec![
                text("csrf", "0000"),
                file("file", "good.csv", good),
                text("action", "confirm"),
            ],
            vec![],
        ),
        (
            vec![
                file("file", "good.csv", good),
                text("csrf", &csrf),
                text("action", "confirm"),
            ],
            vec![],
        ),
        (
            vec![
                text("csrf", &csrf),
                file("file", "good.csv", good),
                text("action", "confirm"),
            ],
            vec![("origin", "http://evil.example")],
        ),
        (
            vec![
                text("csrf", &csrf),
                file("file", "good.csv", good),
                text("action", "confirm"),
            ],
            vec![("sec-fetch-site", "cross-site")],
        ),
    ];
    for (i, (parts, headers)) in cases.iter().enumerate() {
        let page = post(&b, path, parts, headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "case {i}: {}", page.body);
    }
    assert_eq!(server.store.event_count().await.expect("count"), before);
    // The same post with the token first is accepted.
    let ok = post(&b, path, &[text("csrf", &csrf), file("file", "good.csv", good)], &[]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let none = post(&b, path, &[text("csrf", &csrf)], &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.texts("#import-errors li")[0].contains("Choose a spreadsheet"));
}

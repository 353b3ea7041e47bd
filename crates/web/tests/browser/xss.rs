//! Stored XSS, end to end: the corpus in `common/xss.rs` is written into every text field
//! riskreg stores (over the API, by a spreadsheet imported over the API and uploaded in the
//! browser), then every page that shows it is opened in headless Chromium with the pages'
//! Content-Security-Policy switched off, so that riskreg's escaping alone must keep every
//! payload inert; each response's CSP is checked separately over HTTP. A control run first
//! proves the checks catch each payload when it is written into a page unescaped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::header;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::corpus::{INSPECT_JS, Kind, control_page, corpus, csp_problem, escape_html, formulas, markdown_problem};
use crate::harness::{PASSWORD, TestServer, browser, screenshot, sign_in, spawn_server, upload_import, wait_for_text};
use crate::xss_seed::{self, API_FIELDS, Api, IMPORT_COLUMNS, IMPORTED, SETTINGS_FIELDS, UPLOADED, code};

/// Chromium's `Page.setBypassCSP` through chromedriver's CDP endpoint: the session then
/// ignores every page's CSP, so a payload that escaped riskreg's escaping would run.
#[derive(Debug)]
struct BypassCsp;

impl WebDriverCompatibleCommand for BypassCsp {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, <reqwest::Url as std::str::FromStr>::Err> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"cmd": "Page.setBypassCSP", "params": {"enabled": true}});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

async fn bypass_csp(c: &Client) {
    c.issue_cmd(BypassCsp).await.expect("Page.setBypassCSP");
}

/// What [`INSPECT_JS`] found in the page the browser shows.
#[derive(Debug)]
struct Inspection {
    xss: u64,
    findings: Vec<String>,
    shown: Vec<usize>,
}

async fn inspect(c: &Client, expect: &[&str]) -> Inspection {
    let v = c
        .execute_async(INSPECT_JS, vec![json!(expect)])
        .await
        .expect("inspect the page");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    Inspection {
        xss: v["xss"].as_u64().expect("a count"),
        findings: strings(&v["findings"]),
        shown: v["shown"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i.as_u64().map(|i| i as usize)).collect())
            .unwrap_or_default(),
    }
}

/// Serves each payload written into a page unescaped (`/raw/N`) and escaped
/// (`/escaped/N`), under the web UI's own CSP.
async fn control_server() -> SocketAddr {
    let texts: Arc<Vec<String>> = Arc::new(corpus().into_iter().map(|p| p.text).collect());
    let page = |body: String| {
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, riskreg_web::ui::UI_CSP),
            ],
            body,
        )
    };
    let (raw, escaped) = (Arc::clone(&texts), texts);
    let app = axum::Router::new()
        .route(
            "/raw/{i}",
            axum::routing::get(move |Path(i): Path<usize>| {
                let body = control_page(&raw[i], true);
                async move { page(body) }
            }),
        )
        .route(
            "/escaped/{i}",
            axum::routing::get(move |Path(i): Path<usize>| {
                let body = control_page(&escape_html(&escaped[i]), false);
                async move { page(body) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_catch_every_payload_written_unescaped() {
    let Some(c) = browser().await else { return };
    let addr = control_server().await;
    let corpus = corpus();
    // Under the UI's CSP the inline script is planted but blocked ...
    c.goto(&format!("http://{addr}/raw/0")).await.expect("open");
    let blocked = inspect(&c, &[]).await;
    assert_eq!(blocked.xss, 0, "the UI's CSP lets an inline script run");
    assert!(!blocked.findings.is_empty());
    // ... and with the CSP bypassed, every payload that runs does, and every other one is
    // found as planted markup.
    bypass_csp(&c).await;
    for (i, p) in corpus.iter().enumerate() {
        c.goto(&format!("http://{addr}/raw/{i}")).await.expect("open");
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut seen = inspect(&c, &[]).await;
        while p.kind == Kind::Runs && seen.xss == 0 && Instant::now() < deadline {
            seen = inspect(&c, &[]).await;
        }
        match p.kind {
            Kind::Runs => assert!(seen.xss > 0, "{:?} did not run unescaped: {seen:?}", p.text),
            Kind::Plants => assert!(
                seen.xss > 0 || !seen.findings.is_empty(),
                "{:?} planted nothing the checks find: {seen:?}",
                p.text
            ),
            Kind::Inert => {}
        }
        // Escaped, the same page is clean and shows the payload as typed.
        c.goto(&format!("http://{addr}/escaped/{i}")).await.expect("open");
        let clean = inspect(&c, &[p.text.as_str()]).await;
        assert_eq!(clean.xss, 0, "{:?}", p.text);
        assert!(clean.findings.is_empty(), "{:?}: {:?}", p.text, clean.findings);
        assert_eq!(clean.shown, [0], "{:?} is not shown as typed", p.text);
    }
    c.close().await.expect("close");
}

/// A page to check: where, the status it answers, and the texts it must show as typed.
struct Page {
    path: String,
    status: StatusCode,
    expect: Vec<String>,
}

fn page(path: impl Into<String>, expect: Vec<String>) -> Page {
    Page {
        path: path.into(),
        status: StatusCode::OK,
        expect,
    }
}

/// Every page that shows what was written, with the texts each must show as typed.
fn pages(texts: &[String], settings: usize) -> Vec<Page> {
    let date = xss_seed::meeting_date();
    let mut out = Vec::new();
    for (k, text) in texts.iter().enumerate() {
        let code = code(k);
        let paper = format!("/api/v1/meetings/{code}/{date}/paper");
        let who: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("author", text)
            .append_pair("team", text)
            .finish();
        for path in [
            format!("/registers/{code}"),
            format!("/risks/{code}-1"),
            format!("/risks/{code}-1?from=1&to=3"),
            format!("/risks/{code}-1/edit"),
            format!("/risks/{code}-1/propose"),
            format!("/risks/{code}-2"),
            format!("/issues/{code}-1"),
            format!("/meetings/{code}/{date}"),
            format!("{paper}?{who}"),
            format!("{paper}?draft=true"),
            format!("/settings/registers/{code}"),
            format!("/registers/{code}/risks/new"),
        ] {
            out.push(page(path, vec![text.clone()]));
        }
    }
    for path in [
        "/",
        "/registers",
        "/meetings",
        "/settings/registers",
        "/settings/tokens",
        "/settings/classification/edit",
        &format!("/registers/{IMPORTED}"),
        &format!("/registers/{UPLOADED}"),
    ] {
        out.push(page(path, texts.to_vec()));
    }
    out.push(page("/settings/scales", texts[..settings].to_vec()));
    for path in [
        "/settings",
        "/settings/scales/edit",
        "/settings/users",
        "/settings/users/admin",
        &format!("/registers/{IMPORTED}/import"),
    ] {
        out.push(page(path, vec![]));
    }
    // The import's reason, the file's name, is in each imported risk's history.
    let reason = format!("import {}", xss_seed::file_name(1));
    for (k, text) in texts.iter().enumerate() {
        out.push(page(
            format!("/risks/{IMPORTED}-{}", k + 1),
            vec![text.clone(), reason.clone()],
        ));
    }
    out.push(Page {
        path: format!("/risks/{}-99", code(0)),
        status: StatusCode::NOT_FOUND,
        expect: vec![],
    });
    out
}

/// A signed-in HTTP client for reading each page's status and headers.
struct Session<'a> {
    server: &'a TestServer,
    http: reqwest::Client,
    cookie: String,
}

impl<'a> Session<'a> {
    async fn signed_in(server: &'a TestServer) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let form =
            serde_urlencoded::to_string([("name", "admin"), ("password", PASSWORD), ("next", "/")]).expect("form");
        let r = http
            .post(server.url("/signin"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cookie = r
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Self { server, http, cookie }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.server.url(path))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("GET")
    }
}

/// What the run found, and how much it looked at.
#[derive(Default)]
struct Report {
    problems: Vec<String>,
    visits: usize,
    csp_checked: usize,
    executions: u64,
    planted: usize,
    shown: usize,
}

impl Report {
    /// Checks one HTML response's status, type and CSP.
    fn response(&mut self, what: &str, status: StatusCode, expected: StatusCode, headers: &reqwest::header::HeaderMap) {
        if status != expected {
            self.problems.push(format!("{what}: {status}, not {expected}"));
        }
        let kind = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !kind.starts_with("text/html") {
            self.problems.push(format!("{what}: served as {kind:?}"));
        }
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY.as_str())
            .and_then(|v| v.to_str().ok());
        if let Some(p) = csp_problem(csp) {
            self.problems.push(format!("{what}: {p}"));
        }
        self.csp_checked += 1;
    }

    /// Checks what the browser shows: no payload ran, none planted markup, and the texts
    /// expected are shown exactly as typed.
    async fn browser(&mut self, c: &Client, what: &str, expect: &[String]) {
        let wanted: Vec<&str> = expect.iter().map(String::as_str).collect();
        let seen = inspect(c, &wanted).await;
        self.visits += 1;
        self.executions += seen.xss;
        self.planted += seen.findings.len();
        self.shown += seen.shown.len();
        if seen.xss > 0 {
            self.problems
                .push(format!("{what}: injected script ran {} times", seen.xss));
        }
        if !seen.findings.is_empty() {
            self.problems
                .push(format!("{what}: planted markup {:?}", seen.findings));
        }
        for (i, text) in expect.iter().enumerate() {
            if !seen.shown.contains(&i) {
                self.problems.push(format!("{what}: {text:?} is not shown as typed"));
            }
        }
    }

    async fn page(&mut self, c: &Client, session: &Session<'_>, p: &Page) {
        let r = session.get(&p.path).await;
        self.response(&p.path, r.status(), p.status, r.headers());
        c.goto(&session.server.url(&p.path)).await.expect("open");
        self.browser(c, &p.path, &p.expect).await;
    }
}

/// The spreadsheet uploaded through the web UI's import screen, previewed and confirmed;
/// the preview's response is also posted over HTTP for its headers.
async fn upload(c: &Client, session: &Session<'_>, texts: &[String], report: &mut Report) {
    let corpus = corpus();
    let dir = tempfile::tempdir().expect("temp dir");
    let name = xss_seed::file_name(2);
    let path = dir.path().join(&name);
    std::fs::write(&path, xss_seed::spreadsheet(&corpus)).expect("write the spreadsheet");

    let screen = format!("/registers/{UPLOADED}/import");
    let form = session.get(&screen).await.text().await.expect("the upload screen");
    let html = scraper::Html::parse_document(&form);
    let csrf = html
        .select(&scraper::Selector::parse("form.import-upload input[name=csrf]").expect("selector"))
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("the form's CSRF token")
        .to_owned();
    let (kind, body) = xss_seed::multipart(&[("csrf", &csrf)], &name, &xss_seed::spreadsheet(&corpus));
    let preview = session
        .http
        .post(session.server.url(&screen))
        .header(COOKIE, &session.cookie)
        .header("origin", session.server.url(""))
        .header(CONTENT_TYPE, kind)
        .body(body)
        .send()
        .await
        .expect("upload");
    report.response("import preview", preview.status(), StatusCode::OK, preview.headers());

    c.goto(&session.server.url(&screen)).await.expect("open");
    upload_import(c, &path).await;
    wait_for_text(c, "#import-summary", "would be created").await;
    let mut expect = texts.to_vec();
    expect.push(name);
    report.browser(c, "import preview", &expect).await;
    screenshot(c, "xss-import-preview").await;
    c.find(Locator::Id("confirm-import"))
        .await
        .expect("confirm button")
        .click()
        .await
        .expect("confirm");
    wait_for_text(c, "#import-done", "Imported").await;
    report.browser(c, "import done", &[]).await;
    let done = c.current_url().await.expect("url");
    let r = session
        .get(&format!("{}?{}", done.path(), done.query().unwrap_or("")))
        .await;
    report.response("import done", r.status(), StatusCode::OK, r.headers());
}

/// Exports never turn a payload into a formula or markup: the register as XLSX holds the
/// formula-like payloads as text, and the Markdown paper escapes every payload. (CSV is
/// covered by the sheets crate's round-trip tests.)
async fn exports(api: &Api<'_>, texts: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let xlsx = api
        .bytes(&format!("/api/v1/registers/{IMPORTED}/export?format=xlsx"))
        .await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an XLSX is a zip");
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("a part");
        let name = part.name().to_owned();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut part, &mut xml).expect("utf-8");
        if name.starts_with("xl/worksheets/") && (xml.contains("<f>") || xml.contains("<f ")) {
            problems.push(format!("XLSX {name} holds a formula"));
        }
        text.push_str(&xml);
    }
    let text = text
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    for f in formulas() {
        if !text.contains(&f) {
            problems.push(format!("XLSX lacks {f:?} as text"));
        }
    }
    let date = xss_seed::meeting_date();
    for (k, p) in texts.iter().enumerate() {
        let md = api
            .bytes(&format!("/api/v1/meetings/{}/{date}/paper?format=md", code(k)))
            .await;
        let md = String::from_utf8(md).expect("utf-8");
        if let Some(why) = markdown_problem(&md) {
            problems.push(format!("Markdown paper of {p:?}: {why}"));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_payloads_in_every_text_field_never_run() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let corpus = corpus();
    let texts: Vec<String> = corpus.iter().map(|p| p.text.clone()).collect();
    let api = Api {
        server: &server,
        http: reqwest::Client::new(),
        token: xss_seed::admin(&server).await,
    };
    for (k, p) in texts.iter().enumerate() {
        xss_seed::through_the_api(&api, k, p).await;
    }
    let settings = xss_seed::settings(&api, &corpus).await;
    xss_seed::import_registers(&api).await;
    xss_seed::import(&api, &corpus, &xss_seed::file_name(1)).await;

    sign_in(&c, &server, "admin").await;
    bypass_csp(&c).await;
    let session = Session::signed_in(&server).await;
    let mut report = Report::default();
    upload(&c, &session, &texts, &mut report).await;
    for p in &pages(&texts, settings) {
        report.page(&c, &session, p).await;
    }
    c.goto(&server.url(&format!("/risks/{}-1", code(0))))
        .await
        .expect("open");
    screenshot(&c, "xss-risk").await;
    let mut problems = exports(&api, &texts).await;
    problems.extend(report.problems.iter().cloned());

    let count = |kind: Kind| corpus.iter().filter(|p| p.kind == kind).count();
    let fields = API_FIELDS.len() + SETTINGS_FIELDS.len() + IMPORT_COLUMNS.len() + 1;
    println!(
        "stored XSS: {} payloads ({} run, {} plant markup, {} inert) in {fields} fields ({} through the API, {} in \
         the settings, {} spreadsheet columns and the file's name, imported over the API and uploaded in the \
         browser); {} pages opened in headless Chromium with the CSP bypassed: {} executions, {} planted \
         elements, {} texts shown exactly as typed; CSP checked on {} HTML responses; the XLSX export holds \
         {} formula-like payloads as text and {} Markdown papers escape theirs",
        corpus.len(),
        count(Kind::Runs),
        count(Kind::Plants),
        count(Kind::Inert),
        API_FIELDS.len(),
        SETTINGS_FIELDS.len(),
        IMPORT_COLUMNS.len(),
        report.visits,
        report.executions,
        report.planted,
        report.shown,
        report.csp_checked,
        formulas().len(),
        texts.len(),
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    c.close().await.expect("close");
}

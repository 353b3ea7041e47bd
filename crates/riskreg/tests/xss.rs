//! Stored XSS through the command line: the corpus shared with the web UI's browser test
//! (`crates/web/tests/common/xss.rs`) written by the real `riskreg` binary into every text
//! field it takes (the actor and the reason of every change included), then served by
//! `riskreg serve`. Every page is fetched over HTTP (a strict CSP, no payload written out
//! unescaped) and, where Debian's chromium-driver is installed, opened in headless Chromium
//! with the CSP bypassed: no payload runs or plants markup. The paper the CLI writes to a
//! file, which a browser opens with no CSP at all, is checked the same way.

mod support;

#[path = "../../web/tests/common/xss.rs"]
mod corpus;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use corpus::{INSPECT_JS, corpus, csp_problem, markdown_problem};
use support::{Server, riskreg_as, succeed};

const PASSWORD: &str = "a long enough password";
const IMPORTED: &str = "CLI_IMPORT";

/// The register holding payload `k`.
fn code(k: usize) -> String {
    format!("C{k:02}")
}

/// Runs `riskreg` with `payload` as the actor and the reason, every option written
/// `--name=value` so that a payload starting with `-` stays a value. Returns standard output.
fn cli(db: &str, payload: &str, args: &[String]) -> String {
    let mut command = riskreg_as(db, payload);
    command.arg(format!("--reason={payload}")).args(args);
    succeed(command, &args)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// `--name=value` for each pair.
fn opts(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("--{k}={v}")).collect()
}

/// The proposal number `riskreg propose` printed.
fn proposal_id(out: &str) -> String {
    let rest = out.split("proposal ").nth(1).expect("a proposal number");
    rest.chars().take_while(char::is_ascii_digit).collect()
}

/// Every CLI field a payload goes into, as `command --option`.
const FIELDS: [&str; 33] = [
    "--actor (every change)",
    "--reason (every change)",
    "register add --name",
    "register add --description",
    "risk add --statement",
    "risk add --consequence",
    "risk add --owner",
    "risk add --raised-by",
    "risk add --category",
    "risk add --provenance",
    "risk add --footnote",
    "risk add --notes",
    "risk add --add-mitigation",
    "risk amend --statement",
    "issue add --statement",
    "issue add --impacts-intro",
    "issue add --impact-bullet",
    "issue add --owner",
    "issue add --raised-by",
    "issue add --category",
    "issue add --notes",
    "issue add --add-mitigation",
    "meeting add --title",
    "meeting add --author",
    "meeting add --team",
    "propose amend --rationale",
    "propose amend --recommendation",
    "propose amend --notes",
    "propose new-risk --rationale",
    "propose new-risk --statement",
    "decide --minute",
    "user token create --label",
    "import (the file's name and every column)",
];

/// Writes payload `k` through the CLI into register `Cnn`, and the paper to files.
fn write_through_the_cli(db: &str, dir: &Path, k: usize, p: &str, date: &str) {
    let code = code(k);
    let r1 = format!("{code}-1");
    let meeting = format!("{code}/{date}");
    let mut a = args(&["register", "add", &code]);
    a.extend(opts(&[("name", p), ("description", p)]));
    cli(db, p, &a);
    let mut a = args(&["risk", "add"]);
    a.extend(opts(&[
        ("register", &code),
        ("statement", p),
        ("consequence", p),
        ("impact", "3"),
        ("likelihood", "4"),
        ("rag", "AMBER"),
        ("owner", p),
        ("raised-by", p),
        ("category", p),
        ("provenance", p),
        ("footnote", p),
        ("notes", p),
        ("add-mitigation", p),
    ]));
    cli(db, p, &a);
    let mut a = args(&["risk", "amend", &r1]);
    a.extend(opts(&[("statement", &format!("Amended: {p}"))]));
    cli(db, p, &a);
    let mut a = args(&["issue", "add"]);
    a.extend(opts(&[
        ("register", &code),
        ("statement", p),
        ("impacts-intro", p),
        ("impact-bullet", p),
        ("impact", "3"),
        ("rag", "RED"),
        ("owner", p),
        ("raised-by", p),
        ("category", p),
        ("notes", p),
        ("add-mitigation", p),
        ("associated-risk", &r1),
    ]));
    cli(db, p, &a);
    let mut a = args(&["meeting", "add"]);
    a.extend(opts(&[
        ("body", &code),
        ("date", date),
        ("title", p),
        ("author", p),
        ("team", p),
    ]));
    cli(db, p, &a);
    let mut a = args(&["propose", "amend", &r1]);
    a.extend(opts(&[
        ("meeting", &meeting),
        ("rationale", p),
        ("recommendation", p),
        ("notes", &format!("Proposed: {p}")),
    ]));
    cli(db, p, &a);
    let mut a = args(&["propose", "new-risk"]);
    a.extend(opts(&[
        ("register", &code),
        ("meeting", &meeting),
        ("rationale", p),
        ("statement", p),
        ("impact", "2"),
        ("likelihood", "2"),
        ("rag", "GREEN"),
    ]));
    let id = proposal_id(&cli(db, p, &a));
    let mut a = args(&["decide", &id, "--agreed"]);
    a.extend(opts(&[("minute", p)]));
    cli(db, p, &a);
    let mut a = args(&["user", "token", "create", "admin"]);
    a.extend(opts(&[("label", p)]));
    cli(db, p, &a);
    for (format, ext) in [("html", "html"), ("md", "md")] {
        let mut a = args(&["paper"]);
        let out = dir.join(format!("{code}.{ext}"));
        a.extend(opts(&[
            ("meeting", &meeting),
            ("format", format),
            ("out", &out.display().to_string()),
        ]));
        cli(db, p, &a);
    }
}

/// A CSV of one risk per payload, the payload in every text column.
fn spreadsheet(texts: &[String]) -> String {
    let cell = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let mut out = String::from("Ref,Risk,Consequences,Impact,Likelihood,RAG,Owner,Category,Notes,Mitigations\r\n");
    for (k, t) in texts.iter().enumerate() {
        let c = cell(t);
        let reference = cell(&format!("{t} #{k}"));
        out.push_str(&format!("{reference},{c},{c},3,2,GREEN,{c},{c},{c},{c}\r\n"));
    }
    out
}

/// A WebDriver session in headless Chromium, spoken to over plain HTTP, with its own
/// chromedriver, ended when dropped.
struct Browser {
    http: reqwest::Client,
    base: String,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

impl Browser {
    /// `None` when chromedriver is missing and this is not CI.
    async fn start() -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{CHROMEDRIVER} is missing: apt-get install -y chromium chromium-driver"
            );
            eprintln!("skipped: {CHROMEDRIVER} is missing; pages checked over HTTP only");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--log-level=WARNING")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut b = Self {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
            driver,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1366,900"]}}}});
        let session = b.call(reqwest::Method::POST, "/session", Some(caps)).await;
        let id = session["sessionId"].as_str().expect("a session id");
        b.base = format!("{}/session/{id}", b.base);
        // Switch off every page's CSP: riskreg's escaping alone must keep the payloads inert.
        let bypass = json!({"cmd": "Page.setBypassCSP", "params": {"enabled": true}});
        b.call(reqwest::Method::POST, "/goog/cdp/execute", Some(bypass)).await;
        Some(b)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body.to_string());
        }
        let r = req.send().await.expect("WebDriver");
        let status = r.status();
        let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("JSON");
        assert!(status.is_success(), "WebDriver {path}: {status} {v}");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// Signs in by handing the browser the session cookie of an HTTP sign-in.
    async fn add_cookie(&self, origin: &str, cookie: &str) {
        self.goto(&format!("{origin}/signin")).await;
        let (name, value) = cookie.split_once('=').expect("name=value");
        let c = json!({"cookie": {"name": name, "value": value, "path": "/", "httpOnly": true}});
        self.call(reqwest::Method::POST, "/cookie", Some(c)).await;
    }

    async fn inspect(&self, expect: &[&str]) -> Value {
        let body = json!({"script": INSPECT_JS, "args": [expect]});
        self.call(reqwest::Method::POST, "/execute/async", Some(body)).await
    }

    async fn quit(&self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// HTML with its character references decoded in one pass, as a browser reads text: what
/// riskreg escaped reads as it was typed.
fn decode(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let code = match name {
                "lt" => Some(u32::from('<')),
                "gt" => Some(u32::from('>')),
                "amp" => Some(u32::from('&')),
                "quot" => Some(u32::from('"')),
                "apos" => Some(u32::from('\'')),
                _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
                },
            };
            code.and_then(char::from_u32).map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_written_by_the_cli_are_served_inert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let texts: Vec<String> = corpus().into_iter().map(|p| p.text).collect();
    let date = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let mut add = riskreg_as(&db, "setup")
        .args(["user", "add", "admin", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    assert!(add.wait().expect("wait").success());
    for (k, p) in texts.iter().enumerate() {
        write_through_the_cli(&db, dir.path(), k, p, &date);
    }
    let sheet_name = format!("{}.csv", texts[2]);
    let sheet = dir.path().join(&sheet_name);
    std::fs::write(&sheet, spreadsheet(&texts)).expect("write the spreadsheet");
    let mut a = args(&["register", "add", IMPORTED]);
    a.extend(opts(&[("name", "Imported by the CLI")]));
    cli(&db, &texts[0], &a);
    // No --reason: the import records the file's name as its reason.
    let out = riskreg_as(&db, &texts[3])
        .arg("import")
        .arg(&sheet)
        .arg(format!("--register={IMPORTED}"))
        .output()
        .expect("import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut server = Server::spawn(&db, "server");
    let origin = server.ready();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = format!("name=admin&password={}&next=%2F", PASSWORD.replace(' ', "+"));
    let signed = http
        .post(format!("{origin}/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed.status(), reqwest::StatusCode::SEE_OTHER);
    let cookie = signed
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();

    // (path, the payload it must show, if one)
    let mut pages: Vec<(String, Option<usize>)> = Vec::new();
    for k in 0..texts.len() {
        let code = code(k);
        for path in [
            format!("/registers/{code}"),
            format!("/risks/{code}-1"),
            format!("/risks/{code}-1/edit"),
            format!("/risks/{code}-2"),
            format!("/issues/{code}-1"),
            format!("/meetings/{code}/{date}"),
            format!("/api/v1/meetings/{code}/{date}/paper"),
            format!("/risks/{IMPORTED}-{}", k + 1),
        ] {
            pages.push((path, Some(k)));
        }
    }
    for path in ["/", "/meetings", "/settings/tokens", &format!("/registers/{IMPORTED}")] {
        pages.push((path.to_owned(), None));
    }

    let browser = Browser::start().await;
    if let Some(b) = &browser {
        b.add_cookie(&origin, &cookie).await;
    }
    let mut problems = Vec::new();
    let (mut csp_checked, mut visits, mut executions, mut planted) = (0, 0, 0, 0);
    for (path, shows) in &pages {
        let r = http
            .get(format!("{origin}{path}"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("GET");
        let status = r.status();
        let csp = r
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let html = r.text().await.expect("body");
        if status != reqwest::StatusCode::OK {
            problems.push(format!("{path}: {status}"));
        }
        if let Some(p) = csp_problem(csp.as_deref()) {
            problems.push(format!("{path}: {p}"));
        }
        csp_checked += 1;
        for (k, t) in texts.iter().enumerate() {
            if t.contains('<') && html.contains(t.as_str()) {
                problems.push(format!("{path}: payload {k} {t:?} written out unescaped"));
            }
        }
        if let Some(k) = shows
            && !decode(&html).contains(texts[*k].as_str())
        {
            problems.push(format!("{path}: payload {k} {:?} is not shown", texts[*k]));
        }
        if let Some(b) = &browser {
            b.goto(&format!("{origin}{path}")).await;
            let expect: Vec<&str> = shows.iter().map(|&k| texts[k].as_str()).collect();
            let seen = b.inspect(&expect).await;
            visits += 1;
            let ran = seen["xss"].as_u64().expect("a count");
            let found = seen["findings"].as_array().map(Vec::len).unwrap_or_default();
            executions += ran;
            planted += found;
            if ran > 0 || found > 0 {
                problems.push(format!("{path}: {ran} executions, planted {}", seen["findings"]));
            }
            if seen["shown"].as_array().map(Vec::len) != Some(expect.len()) {
                problems.push(format!("{path}: {expect:?} not shown as typed"));
            }
        }
    }

    // The paper files the CLI wrote: opened from disk, with no CSP to fall back on.
    let mut files = 0;
    for (k, t) in texts.iter().enumerate() {
        let md = std::fs::read_to_string(dir.path().join(format!("{}.md", code(k)))).expect("the Markdown paper");
        if let Some(why) = markdown_problem(&md) {
            problems.push(format!("Markdown paper of {t:?}: {why}"));
        }
        let html_path = dir.path().join(format!("{}.html", code(k)));
        let html = std::fs::read_to_string(&html_path).expect("the HTML paper");
        if t.contains('<') && html.contains(t.as_str()) {
            problems.push(format!("HTML paper file of payload {k}: written out unescaped"));
        }
        files += 2;
        if let Some(b) = &browser {
            b.goto(&format!("file://{}", html_path.display())).await;
            let seen = b.inspect(&[t.as_str()]).await;
            visits += 1;
            let ran = seen["xss"].as_u64().expect("a count");
            let found = seen["findings"].as_array().map(Vec::len).unwrap_or_default();
            executions += ran;
            planted += found;
            if ran > 0 || found > 0 || seen["shown"].as_array().map(Vec::len) != Some(1) {
                problems.push(format!("HTML paper file of payload {k}: {seen}"));
            }
        }
    }
    if let Some(b) = &browser {
        b.quit().await;
    }
    server.kill();
    println!(
        "stored XSS through the CLI: {} payloads in {} fields; {} pages fetched over HTTP, CSP checked on {}; {} \
         paper files; {} pages opened in headless Chromium with the CSP bypassed: {} executions, {} planted elements",
        texts.len(),
        FIELDS.len(),
        pages.len(),
        csp_checked,
        files,
        visits,
        executions,
        planted
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn decoding_reads_escaped_text_as_typed() {
    assert_eq!(
        decode("&#60;b&#62; &amp;lt; &#x27;&quot; & a&b;"),
        "<b> &lt; '\" & a&b;"
    );
}

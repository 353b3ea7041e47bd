//! `riskreg serve` and `riskreg user` end to end: the real binary creates the first admin
//! and a token, serves on a port the OS picks, and answers over HTTP; `serve --demo` loads
//! the demo and prints working credentials; the benchmark-only auth switch is refused
//! off loopback.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
    /// What the server printed before it was ready.
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn riskreg(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riskreg"));
    c.env_remove("RISKREG_DB")
        .env("RISKREG_ACTOR", "tester")
        .arg("--db")
        .arg(db);
    c
}

/// Starts `riskreg serve` on 127.0.0.1:0 and waits for the line that names its address.
fn serve(db: &str, extra: &[&str]) -> Server {
    let mut child = riskreg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("RISKREG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn riskreg serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut banner = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.strip_prefix("riskreg serving on ") {
            let base = rest.split_whitespace().next().expect("address").to_owned();
            return Server { child, base, banner };
        }
        banner.push(line);
    }
    let _ = child.kill();
    let status = child.wait();
    panic!("riskreg serve ended before it was ready ({status:?}): {banner:?}");
}

/// `riskreg user add NAME --role admin`, with the password on standard input.
fn add_admin(db: &str, name: &str) {
    let mut add = riskreg(db)
        .args(["user", "add", name, "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), b"a long enough password\n").expect("write");
    assert!(add.wait().expect("wait").success());
}

#[tokio::test]
async fn the_first_admin_and_a_token_from_the_cli_work_over_http() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    add_admin(&db, "Ada");
    let out = riskreg(&db)
        .args(["user", "token", "create", "ada", "--label", "test", "--role", "viewer"])
        .output()
        .expect("token create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf8");
    let token = text.lines().last().expect("secret").trim().to_owned();
    assert!(token.starts_with("rr_"), "{text}");

    let server = serve(&db, &[]);
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let me: Value = client
        .get(format!("{}/api/v1/auth/session", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"]["name"], "ada");
    let login = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"name": "ada", "password": "a long enough password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let create = client
        .post(format!("{}/api/v1/registers", server.base))
        .bearer_auth(&token)
        .json(&json!({"code": "NEW", "name": "New"}))
        .send()
        .await
        .expect("create");
    assert_eq!(create.status(), 403, "the token is scoped to viewer");
}

#[tokio::test]
async fn serve_demo_loads_the_demo_and_prints_working_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let server = serve(&db, &["--demo"]);
    let line = server
        .banner
        .iter()
        .find(|l| l.trim_start().starts_with("demo-secretariat"))
        .unwrap_or_else(|| panic!("{:?}", server.banner));
    let password = line.split_whitespace().nth(1).expect("password").to_owned();
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"name": "demo-secretariat", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let risks: Value = client
        .get(format!("{}/api/v1/risks?register=PANEL", server.base))
        .header("cookie", cookie)
        .send()
        .await
        .expect("risks")
        .json()
        .await
        .expect("json");
    assert_eq!(risks["total"], 17);
}

/// What the server holds in memory, in kB (`VmRSS`).
fn resident_kb(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .expect("VmRSS")
}

#[tokio::test]
async fn a_pdf_paper_is_typeset_in_a_child_and_the_server_keeps_none_of_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    assert!(riskreg(&db).arg("demo").output().expect("demo").status.success());
    add_admin(&db, "ada");
    let out = riskreg(&db)
        .args(["user", "token", "create", "ada", "--label", "test"])
        .output()
        .expect("token create");
    let token = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .last()
        .expect("secret")
        .trim()
        .to_owned();

    let server = serve(&db, &[]);
    let client = reqwest::Client::new();
    let paper = |format: &'static str| {
        client
            .get(format!(
                "{}/api/v1/meetings/PANEL/2018-08-10/paper?format={format}",
                server.base
            ))
            .bearer_auth(&token)
            .send()
    };
    // The HTML paper first, so that what any paper needs is already in place.
    assert_eq!(paper("html").await.expect("html").status(), 200);
    let before = resident_kb(&server);
    let pdf = paper("pdf").await.expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert_eq!(
        pdf.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = pdf.bytes().await.expect("body");
    assert!(
        bytes.starts_with(b"%PDF-") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
    // Typeset in the server itself, the demo's paper leaves it about 40 MB larger (typst's
    // fonts and layout); typeset in a child, only the PDF passes through.
    let grown = resident_kb(&server).saturating_sub(before);
    assert!(grown < 16 * 1024, "the server grew by {grown} kB typesetting a PDF");
}

#[test]
fn the_typesetter_refuses_what_is_not_a_paper() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let mut child = riskreg(&db)
        .arg("typeset-pdf")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("typeset-pdf");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), b"{\"title\": 1}").expect("write");
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a paper's model"), "{stderr}");
    assert!(
        !dir.path().join("riskreg.db").exists(),
        "the typesetter opens no database"
    );
}

#[test]
fn switching_auth_off_is_refused_off_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let out = riskreg(&db)
        .args(["serve", "--addr", "0.0.0.0:0", "--insecure-no-auth"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback only"));
}

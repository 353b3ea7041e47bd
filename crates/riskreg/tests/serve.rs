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

#[tokio::test]
async fn the_first_admin_and_a_token_from_the_cli_work_over_http() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let mut add = riskreg(&db)
        .args(["user", "add", "Ada", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), b"a long enough password\n").expect("write");
    assert!(add.wait().expect("wait").success());
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

//! The browser harness: one chromedriver per test binary (Debian's `chromium-driver`, on a
//! free port, watched so it ends with the tests), a headless Chromium session per scenario,
//! the app spawned in-process, and helpers to sign in, wait for what a person would see,
//! and save screenshots under `target/screenshots/`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub use crate::app::{PASSWORD, TestServer, spawn_server};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const HEADLESS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1366,900",
];

/// The chromedriver's port, started on first use; `None` when chromedriver is missing and
/// the tests are not running in CI.
fn driver_port() -> Option<u16> {
    static PORT: OnceLock<Option<u16>> = OnceLock::new();
    *PORT.get_or_init(|| {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{CHROMEDRIVER} is missing: the browser tests need Debian's chromium and chromium-driver \
                     (apt-get install -y chromium chromium-driver)"
                );
            }
            eprintln!("skipped: {CHROMEDRIVER} is missing (apt-get install -y chromium chromium-driver); browser tests not run");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // A small shell watches this test process and stops chromedriver when it ends, so
        // no driver outlives the tests whether they pass, fail or are interrupted. Nothing
        // waits for the shell: it outlives this process by a second at most.
        let script = format!(
            "{CHROMEDRIVER} --port={port} --log-level=WARNING & d=$!; \
             while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill $d",
            parent = std::process::id()
        );
        #[allow(clippy::zombie_processes)]
        let _watcher = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(port)
    })
}

/// A headless Chromium session, or `None` if the browser tests are skipped here.
pub async fn browser() -> Option<Client> {
    let port = driver_port()?;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": HEADLESS }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session from chromedriver");
    Some(client)
}

/// Signs in through the sign-in page and waits for the dashboard.
pub async fn sign_in(c: &Client, server: &TestServer, name: &str) {
    c.goto(&server.url("/signin")).await.expect("open sign-in");
    c.find(Locator::Id("name"))
        .await
        .expect("name")
        .send_keys(name)
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys(PASSWORD)
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    wait_for_text(c, "h1", "Dashboard").await;
}

/// Types `text` into the empty field with id `id`.
pub async fn fill(c: &Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.expect(id);
    e.clear().await.expect("clear");
    e.send_keys(text).await.expect("type");
}

/// Submits the page's form with its primary button.
pub async fn save(c: &Client) {
    c.find(Locator::Css("button.primary[type=submit]"))
        .await
        .expect("save button")
        .click()
        .await
        .expect("save");
}

/// On the import page, chooses the file at `path` and uploads it for a preview.
pub async fn upload_import(c: &Client, path: &std::path::Path) {
    c.find(Locator::Css("input[type=file]"))
        .await
        .expect("file input")
        .send_keys(&path.display().to_string())
        .await
        .expect("choose the file");
    c.find(Locator::Css("form.import-upload button[type=submit]"))
        .await
        .expect("upload button")
        .click()
        .await
        .expect("upload");
}

/// Waits until an element matching `css` holds `text`, and returns it.
pub async fn wait_for_text(c: &Client, css: &str, text: &str) -> Element {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(elements) = c.find_all(Locator::Css(css)).await {
            for e in elements {
                if e.text().await.is_ok_and(|t| t.contains(text)) {
                    return e;
                }
            }
        }
        if Instant::now() > deadline {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let body = c.find(Locator::Css("body")).await.ok();
            let shown = match body {
                Some(b) => b.text().await.unwrap_or_default(),
                None => String::new(),
            };
            panic!("no {css} containing {text:?} at {url}; the page reads:\n{shown}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The visible text of every element matching `css`.
pub async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.expect("find") {
        out.push(e.text().await.expect("text"));
    }
    out
}

/// Saves what the browser shows as `target/screenshots/{name}.png`, the whole page tall.
pub async fn screenshot(c: &Client, name: &str) {
    screenshot_at(c, name, 1366).await;
}

/// As [`screenshot`], with the window `width` pixels wide (768 for a tablet held upright).
pub async fn screenshot_at(c: &Client, name: &str, width: u32) {
    let _ = c.set_window_size(width, 900).await;
    let height = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 6000) as u32;
    let _ = c.set_window_size(width, height).await;
    let png = c.screenshot().await.expect("screenshot");
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    let _ = c.set_window_size(1366, 900).await;
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

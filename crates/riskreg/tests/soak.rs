//! Soak: the real `riskreg serve` under a steady mixed load — four reads for every write,
//! from several clients at once — for a set time, with the server's memory sampled every
//! second. It must answer every request (no 5xx, no failed connection, no unexpected 4xx),
//! its memory must stay flat once warm, and the history must verify afterwards.
//!
//! `RISKREG_SOAK_SECS` sets the length: 60 seconds when `CI` is set, 10 otherwise; the long
//! mode is 600.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Server, env_number, ok_as, riskreg_as};

mod support;

const ACTOR: &str = "soak-test";
const CLIENTS: usize = 8;

/// The server's resident memory in KiB, from /proc.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut xs: Vec<u64>) -> u64 {
    xs.sort_unstable();
    xs.get(xs.len() / 2).copied().unwrap_or(0)
}

#[derive(Default)]
struct Tally {
    reads: AtomicU64,
    writes: AtomicU64,
    errors: AtomicU64,
}

/// One client: 80 % reads (one risk, a page of 50, the registers), 20 % amendments of the
/// client's own risk, so that no write ever meets another's version.
async fn client(id: usize, base: String, token: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) -> Vec<String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut problems = Vec::new();
    let created = http
        .post(format!("{base}/api/v1/registers/PANEL/risks"))
        .bearer_auth(&token)
        .json(
            &json!({"statement": format!("There is a risk that soak client {id} finds a fault"),
            "impact": 3, "likelihood": 3, "rag": "AMBER"}),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201, "client {id} could not create its risk");
    let body: serde_json::Value = created.json().await.expect("json");
    let key = body["ref"].as_str().expect("ref").to_owned();
    let mut version = body["version"].as_u64().expect("version");
    let mut rng = fastrand::Rng::with_seed(id as u64);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let (what, sent) = match rng.u8(0..10) {
            0 | 1 => {
                let sent = http
                    .patch(format!("{base}/api/v1/risks/{key}"))
                    .bearer_auth(&token)
                    .header("if-match", format!("\"{key}.v{version}\""))
                    .json(&json!({"notes": format!("soak write {n}"), "likelihood": rng.u8(1..=5)}))
                    .send()
                    .await;
                ("amend", sent)
            }
            2..=5 => {
                let r = rng.u8(1..=17);
                (
                    "one risk",
                    http.get(format!("{base}/api/v1/risks/PANEL-{r}"))
                        .bearer_auth(&token)
                        .send()
                        .await,
                )
            }
            6..=8 => (
                "a page",
                http.get(format!("{base}/api/v1/risks?register=PANEL&limit=50"))
                    .bearer_auth(&token)
                    .send()
                    .await,
            ),
            _ => (
                "registers",
                http.get(format!("{base}/api/v1/registers"))
                    .bearer_auth(&token)
                    .send()
                    .await,
            ),
        };
        match sent {
            Ok(r) if r.status().is_success() => {
                if what == "amend" {
                    version += 1;
                    tally.writes.fetch_add(1, Ordering::Relaxed);
                } else {
                    tally.reads.fetch_add(1, Ordering::Relaxed);
                }
                // Read the body, as a real client does.
                let _ = r.bytes().await;
            }
            Ok(r) => {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                let status = r.status();
                problems.push(format!("{what}: {status} {}", r.text().await.unwrap_or_default()));
            }
            Err(e) => {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                problems.push(format!("{what}: {e}"));
            }
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mixed_load_gets_no_errors_and_memory_stays_flat() {
    let default = if std::env::var_os("CI").is_some() { 60 } else { 10 };
    let secs = env_number("RISKREG_SOAK_SECS").unwrap_or(default) as u64;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    ok_as(&db, ACTOR, &["demo"]);
    let mut add = riskreg_as(&db, ACTOR)
        .args(["user", "add", "soak", "--role", "secretariat", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), b"a long enough soak password\n").expect("write");
    assert!(add.wait().expect("user add").success());
    let out = ok_as(&db, ACTOR, &["user", "token", "create", "soak", "--label", "soak"]);
    let token = out.lines().last().expect("secret").trim().to_owned();

    let mut server = Server::spawn(&db, ACTOR);
    let base = server.ready();
    let pid = server.child.id();
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(id, base.clone(), token.clone(), stop.clone(), tally.clone())))
        .collect();

    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(rss_kib(pid).expect("the server is running"));
    }
    stop.store(true, Ordering::Relaxed);
    let mut problems = Vec::new();
    for c in clients {
        problems.extend(c.await.expect("client"));
    }
    let (reads, writes, errors) = (
        tally.reads.load(Ordering::Relaxed),
        tally.writes.load(Ordering::Relaxed),
        tally.errors.load(Ordering::Relaxed),
    );
    // Warm: the second quarter of the run; end: the last quarter.
    let q = samples.len().div_ceil(4).max(1);
    let warm = median(samples.iter().skip(q).take(q).copied().collect());
    let end = median(samples.iter().rev().take(q).copied().collect());
    let peak = samples.iter().copied().max().unwrap_or(0);
    println!(
        "soak: {secs} s, {reads} reads and {writes} writes from {CLIENTS} clients ({:.0} requests/s), \
         {errors} errors; server RSS warm {} MiB, end {} MiB, peak {} MiB",
        (reads + writes) as f64 / secs as f64,
        warm / 1024,
        end / 1024,
        peak / 1024
    );
    assert_eq!(errors, 0, "{problems:#?}");
    assert!(
        writes > 0 && reads > writes,
        "the load ran: {reads} reads, {writes} writes"
    );
    assert!(
        end <= warm + warm / 4 + 8 * 1024,
        "memory grew from {warm} KiB once warm to {end} KiB at the end: {samples:?}"
    );
    server.kill();
    let verified = ok_as(&db, ACTOR, &["audit", "verify"]);
    assert!(verified.starts_with("audit verify ok"), "{verified}");
}

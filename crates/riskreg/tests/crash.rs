//! Crash safety, measured: the real `riskreg serve` takes concurrent writes over the API
//! (risks added and amended by several clients) and is killed with SIGKILL at a random
//! moment, then started again, over and over. After every kill: every write that was
//! answered 2xx is in the database with its event, SQLite's `PRAGMA integrity_check` is ok,
//! `riskreg audit verify` passes, and every record equals the event that last wrote it.
//!
//! Kills: `RISKREG_CRASH_KILLS` (default 100 when `CI` is set, 10 otherwise; 1000 is the
//! long mode); on PostgreSQL, when `RISKREG_TEST_POSTGRES_URL` is set, 30 or
//! `RISKREG_CRASH_PG_KILLS` (the server is killed, never PostgreSQL). `RISKREG_CRASH_SEED`
//! replays a run's kill moments; the seed is printed.

use std::collections::HashMap;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use riskreg_store::{RecordType, Store};
use riskreg_store_postgres::PgStore;
use riskreg_store_sqlite::SqliteStore;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use support::{Server, env_number, ok_as, riskreg_as};

mod support;

/// Concurrent API clients writing during each life of the server.
const WRITERS: usize = 4;
const REGISTER: &str = "CRASH";

fn riskreg(db: &str) -> Command {
    riskreg_as(db, "crash-test")
}

fn ok(db: &str, args: &[&str]) -> String {
    ok_as(db, "crash-test", args)
}

fn seed() -> u64 {
    match std::env::var("RISKREG_CRASH_SEED") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("RISKREG_CRASH_SEED must be a whole number, not {v:?}")),
        Err(_) => fastrand::u64(..),
    }
}

/// An empty register, a secretariat user and an API token for the writers.
fn prepare(db: &str) -> String {
    ok(db, &["init"]);
    ok(db, &["register", "add", REGISTER, "--name", "Crash test register"]);
    let mut add = riskreg(db)
        .args(["user", "add", "writer", "--role", "secretariat", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    add.stdin
        .as_mut()
        .expect("stdin")
        .write_all(b"a long enough password for the crash test\n")
        .expect("password");
    assert!(add.wait().expect("user add").success());
    let out = ok(db, &["user", "token", "create", "writer", "--label", "crash test"]);
    let token = out.lines().last().expect("the secret").trim().to_owned();
    assert!(token.starts_with("rr_"), "{out}");
    token
}

/// A write answered 2xx: after it, `key` at `version` must carry `notes`.
#[derive(Debug, Clone)]
struct Ack {
    key: String,
    version: u32,
    notes: String,
}

/// A risk a writer made, and the version it last saw.
#[derive(Debug, Clone)]
struct Owned {
    key: String,
    version: u32,
}

/// What one writer did in one life of the server.
#[derive(Debug, Default)]
struct Work {
    owned: Vec<Owned>,
    acks: Vec<Ack>,
    /// Writes whose answer never came (the server died first).
    unanswered: usize,
}

fn version_from_etag(response: &reqwest::Response) -> u32 {
    let tag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag on every write");
    tag.trim_matches('"')
        .rsplit_once(".v")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_else(|| panic!("ETag {tag} names no version"))
}

/// Adds and amends risks until the server stops answering. Each writer amends only its own
/// risks, so a 412 means an earlier write of its own landed without its answer.
async fn writer(id: usize, life: usize, base: String, token: String, owned: Vec<Owned>, seed: u64) -> Work {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut work = Work {
        owned,
        ..Work::default()
    };
    for n in 0.. {
        let notes = format!("writer {id}, life {life}, write {n}");
        let amend = work.owned.len() >= 3 && rng.bool();
        let sent = if amend {
            let i = rng.usize(..work.owned.len());
            let target = work.owned[i].clone();
            client
                .patch(format!("{base}/api/v1/risks/{}", target.key))
                .bearer_auth(&token)
                .header("if-match", format!("\"{}.v{}\"", target.key, target.version))
                .json(&json!({"notes": notes, "likelihood": rng.u8(1..=5)}))
                .send()
                .await
                .map(|r| (r, Some(i)))
        } else {
            let rag = ["RED", "AMBER", "GREEN"][rng.usize(..3)];
            client
                .post(format!("{base}/api/v1/registers/{REGISTER}/risks"))
                .bearer_auth(&token)
                .json(&json!({
                    "statement": format!("There is a risk that write {n} of writer {id} is lost"),
                    "impact": rng.u8(1..=5),
                    "likelihood": rng.u8(1..=5),
                    "rag": rag,
                    "notes": notes,
                }))
                .send()
                .await
                .map(|r| (r, None))
        };
        let (response, target) = match sent {
            Ok(r) => r,
            Err(_) => {
                work.unanswered += 1;
                return work;
            }
        };
        let status = response.status();
        if status.is_success() {
            let version = version_from_etag(&response);
            let key = match target {
                Some(i) => {
                    work.owned[i].version = version;
                    work.owned[i].key.clone()
                }
                None => {
                    let location = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .expect("a Location on a created risk");
                    let key = location.rsplit('/').next().expect("ref").to_owned();
                    work.owned.push(Owned {
                        key: key.clone(),
                        version,
                    });
                    key
                }
            };
            work.acks.push(Ack { key, version, notes });
        } else if status == reqwest::StatusCode::PRECONDITION_FAILED
            && let Some(i) = target
        {
            // Our earlier write landed but its answer was lost in a kill: read the version.
            let key = work.owned[i].key.clone();
            match client
                .get(format!("{base}/api/v1/risks/{key}"))
                .bearer_auth(&token)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => work.owned[i].version = version_from_etag(&r),
                Ok(r) => panic!("reading {key} after a 412: {}", r.status()),
                Err(_) => return work,
            }
        } else {
            let body = response.text().await.unwrap_or_default();
            panic!("writer {id}: the server answered {status} to a valid write: {body}");
        }
    }
    work
}

enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the database as riskreg does (recovering SQLite's WAL after the kill).
async fn open(db: &str, backend: &Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Sqlite => {
            let store = SqliteStore::open(db).await.expect("open SQLite");
            let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(store.pool())
                .await
                .expect("integrity_check");
            assert_eq!(check, ["ok"], "PRAGMA integrity_check");
            Arc::new(store)
        }
        Backend::Postgres => Arc::new(PgStore::open(db).await.expect("open PostgreSQL")),
    }
}

/// Waits until PostgreSQL has noticed that the killed server is gone. Its sessions outlive
/// it briefly, and one that had already sent COMMIT still commits: a write that lands
/// without its answer, which is allowed, but which must land before the checks read.
async fn wait_for_sessions_to_end(db: &str) {
    let mut conn = PgConnection::connect(db).await.expect("connect");
    for _ in 0..6000 {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut conn)
        .await
        .expect("pg_stat_activity");
        if others == 0 {
            let _ = conn.close().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the killed server's PostgreSQL sessions did not end within a minute");
}

/// Everything the kill must not have broken. Returns the number of events.
async fn check(db: &str, backend: &Backend, acks: &[Ack], context: &str) -> u64 {
    if let Backend::Postgres = backend {
        wait_for_sessions_to_end(db).await;
    }
    let store = open(db, backend).await;
    let events = store.events(0, u32::MAX).await.expect("events");
    let mut written: HashMap<(&str, u32), &Value> = HashMap::new();
    let mut after_of: HashMap<(RecordType, &str, u32), &Value> = HashMap::new();
    for e in &events {
        if let Some(after) = &e.after {
            after_of.insert((e.record_type, &e.record_key, e.version), after);
            if e.record_type == RecordType::Risk {
                written.insert((&e.record_key, e.version), after);
            }
        }
    }
    // Every acknowledged write, with its event.
    let lost: Vec<&Ack> = acks
        .iter()
        .filter(|a| {
            written
                .get(&(a.key.as_str(), a.version))
                .and_then(|after| after.get("notes"))
                .and_then(Value::as_str)
                != Some(a.notes.as_str())
        })
        .collect();
    assert!(
        lost.is_empty(),
        "{context}: {} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    // No record changed without its event: each equals the event that last wrote it.
    for (record_type, key, version, body) in store.current_records().await.expect("records") {
        let history: Vec<String> = events
            .iter()
            .filter(|e| e.record_type == record_type && e.record_key == key)
            .map(|e| format!("event {} {} v{}: {:?}", e.seq, e.kind, e.version, e.after))
            .collect();
        assert_eq!(
            after_of.get(&(record_type, key.as_str(), version)).copied(),
            Some(&body),
            "{context}: {} {key} at version {version} has no event that wrote it; its events: {history:#?}",
            record_type.as_str()
        );
    }
    drop(store);
    let out = riskreg(db)
        .args(["audit", "verify", "--format", "json"])
        .output()
        .expect("audit verify");
    assert!(
        out.status.success(),
        "{context}: audit verify failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    events.len() as u64
}

/// Runs `kills` lives of the server on `db`, each ended by SIGKILL, checking after each.
async fn crash_loop(db: &str, backend: Backend, kills: usize, seed: u64) {
    let token = prepare(db);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut owned: Vec<Vec<Owned>> = vec![Vec::new(); WRITERS];
    let mut acks: Vec<Ack> = Vec::new();
    let (mut unanswered, mut startup_kills, mut events) = (0usize, 0usize, 0u64);
    for life in 0..kills {
        let context = format!("seed {seed}, kill {} of {kills}", life + 1);
        let mut server = Server::spawn(db, "crash-test");
        if rng.u8(..10) == 0 {
            // Some kills land while the server is still starting (opening, migrating).
            tokio::time::sleep(Duration::from_millis(rng.u64(0..40))).await;
            server.kill();
            startup_kills += 1;
        } else {
            let base = server.ready();
            let writers: Vec<_> = (0..WRITERS)
                .map(|id| {
                    tokio::spawn(writer(
                        id,
                        life,
                        base.clone(),
                        token.clone(),
                        std::mem::take(&mut owned[id]),
                        rng.u64(..),
                    ))
                })
                .collect();
            // The moment of the kill; the writers learn of it from their next request.
            tokio::time::sleep(Duration::from_millis(rng.u64(5..400))).await;
            server.kill();
            for (id, w) in writers.into_iter().enumerate() {
                let work = w.await.unwrap_or_else(|e| panic!("{context}: writer {id}: {e}"));
                owned[id] = work.owned;
                acks.extend(work.acks);
                unanswered += work.unanswered;
            }
        }
        events = check(db, &backend, &acks, &context).await;
    }
    // And it still serves after the last kill.
    let mut server = Server::spawn(db, "crash-test");
    let base = server.ready();
    let health = reqwest::get(format!("{base}/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);
    drop(server);
    let backend = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let _ = writeln!(
        std::io::stderr(),
        "crash ({backend}, seed {seed}): {kills} kills survived ({startup_kills} during start-up), \
         {} acknowledged writes, 0 lost, {unanswered} unanswered when killed, {events} events verified",
        acks.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_repeated_sigkills() {
    let kills = env_number("RISKREG_CRASH_KILLS").unwrap_or(if std::env::var_os("CI").is_some() { 100 } else { 10 });
    let seed = seed();
    let _ = writeln!(
        std::io::stderr(),
        "crash (SQLite): seed {seed}, {kills} kills (RISKREG_CRASH_SEED={seed} replays the kill moments)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    crash_loop(&db, Backend::Sqlite, kills, seed).await;
}

/// A fresh PostgreSQL database for one run, dropped afterwards, pass or fail.
struct PgDb {
    server: String,
    name: String,
    url: String,
}

async fn pg_sql(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    // The statements are the test's own, naming databases it made.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await?;
    conn.close().await
}

impl PgDb {
    async fn new(server: String) -> Self {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros();
        let name = format!("riskreg_crash_{}_{stamp}", std::process::id());
        pg_sql(&server, &format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        let mut url = url::Url::parse(&server).expect("RISKREG_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            server,
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (server, sql) = (
            self.server.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        // Drop runs inside the test's runtime: a thread of its own may block.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(pg_sql(&server, &sql))
        })
        .join()
        .expect("drop thread");
        if let Err(e) = dropped
            && !std::thread::panicking()
        {
            panic!("could not drop test database {}: {e}", self.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_repeated_sigkills() {
    let Ok(server) = std::env::var("RISKREG_TEST_POSTGRES_URL") else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: RISKREG_TEST_POSTGRES_URL is not set (PostgreSQL crash test not run)"
        );
        return;
    };
    let kills = env_number("RISKREG_CRASH_PG_KILLS").unwrap_or(30);
    let seed = seed();
    let _ = writeln!(
        std::io::stderr(),
        "crash (PostgreSQL): seed {seed}, {kills} kills (RISKREG_CRASH_SEED={seed} replays the kill moments)"
    );
    let db = PgDb::new(server).await;
    crash_loop(&db.url, Backend::Postgres, kills, seed).await;
}

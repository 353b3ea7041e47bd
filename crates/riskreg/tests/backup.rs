//! `riskreg backup` on SQLite, taken by the real binary while a writer keeps adding and
//! amending risks through the store: each copy verifies, holds exactly the source's history
//! up to its own head, and every record in it equals what that history says. A backup never
//! overwrites a file, and PostgreSQL is pointed at pg_dump.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use riskreg_domain::{RegisterCode, RiskChange};
use riskreg_store::{RecordQuery, RecordType, Store, WriteContext};
use riskreg_store_sqlite::SqliteStore;

const DEMO: &str = include_str!("../data/sec-panel-2018-08.json");

/// How many backups are taken during the load.
const BACKUPS: usize = 3;

/// Runs the binary off the runtime's threads, so the writer task keeps writing meanwhile.
async fn riskreg(args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_riskreg"))
            .env_remove("RISKREG_DB")
            .env("RISKREG_ACTOR", "tester")
            .args(&args)
            .output()
            .expect("run riskreg")
    })
    .await
    .expect("riskreg thread")
}

/// Adds a risk and amends an earlier one, over and over, reporting how many rounds are done.
async fn write_load(store: Arc<SqliteStore>, stop: Arc<AtomicBool>, done: tokio::sync::watch::Sender<usize>) {
    let store: &dyn Store = store.as_ref();
    let ctx = WriteContext::new("writer", Some("backup test load".into()));
    let panel = RegisterCode::parse("PANEL").expect("code");
    let template = store
        .risks(&RecordQuery {
            register: Some(panel.clone()),
            ..RecordQuery::default()
        })
        .await
        .expect("risks")
        .remove(0)
        .fields;
    let mut made = Vec::new();
    let mut round = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let mut fields = template.clone();
        fields.statement = format!("There is a risk that load round {round} is lost");
        let risk = store
            .create_risk(panel.clone(), None, fields, ctx.clone())
            .await
            .expect("create");
        made.push(risk.reference);
        let target = made[round / 2].clone();
        let change = RiskChange {
            notes: Some(Some(format!("amended in round {round}"))),
            ..RiskChange::default()
        };
        store
            .amend_risk(target, None, change, ctx.clone())
            .await
            .expect("amend");
        round += 1;
        done.send_replace(round);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_verifies_and_equals_the_source_at_its_head() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.expect("open"));
    {
        let s: &dyn Store = store.as_ref();
        let ctx = WriteContext::new("secretariat", None);
        s.init(ctx.clone()).await.expect("init");
        s.import_text(DEMO, &ctx).await.expect("demo");
    }
    let demo_events = store.event_count().await.expect("count");

    let stop = Arc::new(AtomicBool::new(false));
    let (done, mut progress) = tokio::sync::watch::channel(0usize);
    let writer = tokio::spawn(write_load(store.clone(), stop.clone(), done));

    let mut backups = Vec::new();
    for i in 0..BACKUPS {
        // Each backup starts with writes behind it and more to come after it.
        let seen = *progress.borrow_and_update();
        progress
            .wait_for(|n| *n >= seen + 5)
            .await
            .expect("the writer is running");
        let out = dir.path().join(format!("backup-{i}.db"));
        let run = riskreg(&["--db", &url, "backup", out.to_str().expect("path")]).await;
        assert!(
            run.status.success(),
            "backup {i}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(String::from_utf8_lossy(&run.stdout).contains("verified"));
        backups.push(out);
    }
    let seen = *progress.borrow_and_update();
    progress
        .wait_for(|n| *n >= seen + 5)
        .await
        .expect("the writer is running");
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("writer");

    let source_events = store.events(0, u32::MAX).await.expect("events");
    let mut previous = demo_events;
    for (i, path) in backups.iter().enumerate() {
        let copy_url = format!("sqlite:{}", path.display());
        let verify = riskreg(&["--db", &copy_url, "audit", "verify"]).await;
        assert!(
            verify.status.success(),
            "backup {i}: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        let copy = SqliteStore::open(&copy_url).await.expect("open backup");
        let events = copy.events(0, u32::MAX).await.expect("events");
        let n = events.len();
        // Taken mid-load: after the writes before it, before the writes after it.
        assert!(
            n as u64 > previous,
            "backup {i} holds {n} events, no more than {previous}"
        );
        assert!(
            n < source_events.len(),
            "backup {i} holds every event: it was not mid-load"
        );
        previous = n as u64;
        // Its history is the source's, event for event, up to its head.
        assert_eq!(events, source_events[..n], "backup {i}'s history");

        // Every record in it is what the source's history says it was at that head.
        let at_head: HashMap<(RecordType, &str, u32), &serde_json::Value> = source_events[..n]
            .iter()
            .filter_map(|e| {
                e.after
                    .as_ref()
                    .map(|a| ((e.record_type, e.record_key.as_str(), e.version), a))
            })
            .collect();
        let records = copy.current_records().await.expect("records");
        assert!(!records.is_empty());
        for (record_type, key, version, body) in &records {
            assert_eq!(
                at_head.get(&(*record_type, key.as_str(), *version)).copied(),
                Some(body),
                "backup {i}: {} {key} version {version}",
                record_type.as_str()
            );
        }
        // And every risk in it has its whole history there.
        let risks = copy
            .risks(&RecordQuery {
                include_closed: true,
                ..RecordQuery::default()
            })
            .await
            .expect("risks");
        assert!(risks.len() > 17, "backup {i} has the load's risks");
        for risk in &risks {
            let key = risk.reference.to_string();
            let history = copy.history(RecordType::Risk, &key).await.expect("history");
            let versions: Vec<u32> = history.iter().map(|e| e.version).collect();
            let expected: Vec<u32> = (1..=risk.revision.version).collect();
            assert_eq!(versions, expected, "backup {i}: {key}'s events");
        }
        copy.pool().close().await;
    }

    // A backup never overwrites a file.
    let before = std::fs::read(&backups[0]).expect("read");
    let again = riskreg(&["--db", &url, "backup", backups[0].to_str().expect("path")]).await;
    assert_eq!(
        again.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&backups[0]).expect("read"), before);
}

#[cfg(unix)]
#[tokio::test]
async fn a_backup_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let demo = riskreg(&["--db", &url, "demo"]).await;
    assert!(demo.status.success());
    let out = dir.path().join("copy.db");
    let run = riskreg(&["--db", &url, "backup", out.to_str().expect("path")]).await;
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let export = |db: String| async move {
        let out = riskreg(&["--db", &db, "export", "--format", "json"]).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    assert_eq!(
        export(url.clone()).await,
        export(format!("sqlite:{}", out.display())).await,
        "the copy exports exactly as the source"
    );
}

#[tokio::test]
async fn backup_refuses_a_missing_database_and_points_postgresql_to_pg_dump() {
    let dir = tempfile::tempdir().expect("temp dir");
    let absent = dir.path().join("absent.db");
    let out = dir.path().join("copy.db");
    let run = riskreg(&[
        "--db",
        &format!("sqlite:{}", absent.display()),
        "backup",
        out.to_str().expect("path"),
    ])
    .await;
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("does not exist"));
    assert!(!absent.exists() && !out.exists(), "nothing is created");

    // No server is needed to be told: riskreg does not connect.
    let run = riskreg(&[
        "--db",
        "postgres://riskreg@127.0.0.1:1/riskreg",
        "backup",
        out.to_str().expect("path"),
    ])
    .await;
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("pg_dump") && err.contains("README"), "{err}");
    assert!(!out.exists());
}

/// A database on the server named by `RISKREG_TEST_POSTGRES_URL`, dropped afterwards.
struct PgDb {
    server: String,
    name: String,
    url: String,
}

impl PgDb {
    fn new(server: &str, role: &str) -> Self {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros();
        let name = format!("riskreg_backup_{role}_{}_{stamp}", std::process::id());
        psql(server, &format!("CREATE DATABASE {name}"));
        let mut url = url::Url::parse(server).expect("RISKREG_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            server: server.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let out = std::process::Command::new("psql")
            .args([&self.server, "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .output();
        if !std::thread::panicking() {
            let out = out.expect("psql");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

fn psql(server: &str, sql: &str) {
    let out = std::process::Command::new("psql")
        .args([server, "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql");
    assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
}

/// README's PostgreSQL backup procedure, step by step: pg_dump while a writer is busy,
/// pg_restore into a scratch database, and `audit verify --against` a head signed before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_pg_dump_procedure_restores_a_verifying_copy() {
    let Ok(server) = std::env::var("RISKREG_TEST_POSTGRES_URL") else {
        eprintln!("skipped: RISKREG_TEST_POSTGRES_URL is not set (pg_dump backup test not run)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let source = PgDb::new(&server, "source");
    let ok = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = riskreg(&args).await;
        assert!(
            out.status.success(),
            "riskreg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let db = source.url.clone();
    let key = dir.path().join("audit.key").display().to_string();
    let head = dir.path().join("head.json").display().to_string();
    ok(vec!["--db".into(), db.clone(), "demo".into()]).await;
    ok(vec!["audit".into(), "keygen".into(), "--out".into(), key.clone()]).await;
    ok(vec![
        "--db".into(),
        db.clone(),
        "audit".into(),
        "head".into(),
        "--sign".into(),
        key.clone(),
        "--out".into(),
        head.clone(),
    ])
    .await;

    let run = riskreg(&["--db", &db, "backup", &dir.path().join("x").display().to_string()]).await;
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("pg_dump"));

    // The dump is taken while a writer adds risks.
    let store = Arc::new(riskreg_store_postgres::PgStore::open(&db).await.expect("open source"));
    let demo_events = store.event_count().await.expect("count");
    let stop = Arc::new(AtomicBool::new(false));
    let (done, mut progress) = tokio::sync::watch::channel(0usize);
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let store: &dyn Store = store.as_ref();
            let panel = RegisterCode::parse("PANEL").expect("code");
            let ctx = WriteContext::new("writer", None);
            let template = store
                .risks(&RecordQuery {
                    register: Some(panel.clone()),
                    ..RecordQuery::default()
                })
                .await
                .expect("risks")
                .remove(0)
                .fields;
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let mut fields = template.clone();
                fields.statement = format!("There is a risk that dump round {n} is lost");
                store
                    .create_risk(panel.clone(), None, fields, ctx.clone())
                    .await
                    .expect("create");
                n += 1;
                done.send_replace(n);
            }
        })
    };
    progress.wait_for(|n| *n >= 5).await.expect("writer");
    let dump = dir.path().join("riskreg.dump");
    let out = tokio::task::spawn_blocking({
        let (db, dump) = (db.clone(), dump.clone());
        move || {
            std::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg(format!("--file={}", dump.display()))
                .arg(&db)
                .output()
                .expect("pg_dump")
        }
    })
    .await
    .expect("pg_dump thread");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = *progress.borrow_and_update();
    progress.wait_for(|n| *n >= seen + 5).await.expect("writer");
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("writer");

    let restored = PgDb::new(&server, "restore_check");
    let out = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error"])
        .arg(format!("--dbname={}", restored.url))
        .arg(&dump)
        .output()
        .expect("pg_restore");
    assert!(
        out.status.success(),
        "pg_restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = ok(vec![
        "--db".into(),
        restored.url.clone(),
        "audit".into(),
        "verify".into(),
        "--against".into(),
        head,
        "--key".into(),
        format!("{key}.pub"),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let report: serde_json::Value = serde_json::from_str(&report).expect("json");
    let restored_events = report["events"].as_u64().expect("events");
    // Mid-load: the dump holds writes made before it and not those after.
    let source_events = store.event_count().await.expect("count");
    assert!(restored_events < source_events, "{restored_events} of {source_events}");
    assert!(
        restored_events >= demo_events + 5,
        "{restored_events} after {demo_events}"
    );
    let copy = riskreg_store_postgres::PgStore::open(&restored.url)
        .await
        .expect("open copy");
    let events = copy.events(0, u32::MAX).await.expect("events");
    let all = store.events(0, u32::MAX).await.expect("events");
    assert_eq!(
        events,
        all[..events.len()],
        "the restored history is the source's up to its head"
    );
    copy.close().await;
    store.close().await;
}

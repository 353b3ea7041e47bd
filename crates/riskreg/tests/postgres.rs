//! The CLI end to end on PostgreSQL: the foundation's acceptance checks with
//! `--db postgres://…`, tamper detection, writers in several processes at once, and
//! `riskreg migrate` SQLite → PostgreSQL → SQLite. Each test works in a fresh database on
//! the server named by `RISKREG_TEST_POSTGRES_URL`, dropped when it ends, pass or fail;
//! without that variable the tests say visibly that they were skipped.

use std::io::Write as _;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::Value;
use sqlx::{Connection, PgConnection};

const ENV: &str = "RISKREG_TEST_POSTGRES_URL";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `statements` on the database at `url`, as someone with access to it could.
fn try_sql(url: &str, statements: &[&str]) -> Result<(), sqlx::Error> {
    runtime().block_on(async {
        let mut conn = PgConnection::connect(url).await?;
        for s in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string()))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    })
}

/// A fresh PostgreSQL database, dropped when this goes out of scope.
struct PgDb {
    server: String,
    name: String,
    url: String,
}

impl PgDb {
    /// A new empty database, or `None` (after saying so where the test output shows it)
    /// when no server is configured.
    fn new(test: &str) -> Option<Self> {
        let Ok(server) = std::env::var(ENV) else {
            let _ = writeln!(
                std::io::stderr(),
                "skipped: {ENV} is not set (PostgreSQL CLI test {test} not run)"
            );
            return None;
        };
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros();
        // Tests run in parallel threads of one process: the counter keeps names apart.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("riskreg_conf_cli_{}_{stamp}_{n}", std::process::id());
        // The name is ours (letters, digits, underscores), never user input.
        try_sql(&server, &[&format!("CREATE DATABASE {name}")]).expect("create a test database");
        let mut url = url::Url::parse(&server).expect("RISKREG_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(Self {
            server,
            name,
            url: url.to_string(),
        })
    }

    fn sql(&self, statements: &[&str]) {
        try_sql(&self.url, statements).expect("sql");
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // WITH (FORCE) ends any connection a failed command left behind.
        let dropped = try_sql(
            &self.server,
            &[&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)],
        );
        if let Err(e) = dropped
            && !std::thread::panicking()
        {
            panic!("could not drop test database {}: {e}", self.name);
        }
    }
}

fn riskreg(db: &str) -> Command {
    let mut c = Command::cargo_bin("riskreg").expect("binary");
    c.env_remove("RISKREG_DB")
        .env("RISKREG_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(db);
    c
}

fn run(db: &str, args: &[&str]) -> Output {
    riskreg(db).args(args).output().expect("run riskreg")
}

/// Runs riskreg with `args`, expecting success, and returns standard output.
fn ok(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "riskreg {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs riskreg with `args`, expecting exit code `code`, and returns standard error.
fn fails(db: &str, args: &[&str], code: i32) -> String {
    let out = run(db, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "riskreg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("utf-8")
}

fn json(db: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("JSON output")
}

fn event_count(db: &str) -> u64 {
    json(db, &["audit", "verify", "--format", "json"])["events"]
        .as_u64()
        .expect("event count")
}

#[test]
fn foundation_checks_pass_on_postgres() {
    let Some(pg) = PgDb::new("foundation_checks_pass_on_postgres") else {
        return;
    };
    let db = pg.url.as_str();
    let loaded = ok(db, &["demo"]);
    assert!(loaded.contains("3 registers, 18 risks, 2 issues"), "{loaded}");

    let numbers: Vec<u64> = json(db, &["risk", "list", "--register", "PANEL", "--format", "json"])
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["number"].as_u64().expect("number"))
        .collect();
    assert_eq!(numbers, [1, 3, 4, 5, 13, 15, 18, 6, 14, 7, 8, 9, 10, 16, 17, 11, 12]);

    let july = ok(db, &["risk", "show", "PANEL-15", "--as-at", "2018-07-31"]);
    assert!(july.contains("has not yet completed"), "{july}");
    // The amendment is pending at the August meeting until the Panel agrees it.
    let pending = ok(db, &["risk", "show", "PANEL-15"]);
    assert!(pending.contains("has not yet completed"), "{pending}");
    ok(db, &["decide", "2", "--agreed", "--minute", "Minute 5"]);
    let now = ok(db, &["risk", "show", "PANEL-15"]);
    assert!(
        !now.contains("has not yet completed") && now.contains("insufficiently detailed"),
        "{now}"
    );

    let events = event_count(db);
    let export = ok(db, &["export", "--format", "json"]);
    let err = fails(db, &["risk", "amend", "PANEL-3", "--impact", "6"], 3);
    assert!(err.contains("impact") && err.contains("between 1 and 5"), "{err}");
    assert_eq!(event_count(db), events, "bad input appends no event");
    assert_eq!(
        ok(db, &["export", "--format", "json"]),
        export,
        "bad input changes nothing"
    );

    let verified = ok(db, &["audit", "verify"]);
    assert!(verified.contains("audit verify ok"), "{verified}");

    // The schema refuses edits to history outright...
    let refused = try_sql(db, &["UPDATE events SET actor = 'mallory' WHERE seq = 5"]);
    assert!(refused.is_err(), "the append-only trigger must refuse the update");
    assert!(try_sql(db, &["DELETE FROM events WHERE seq = 5"]).is_err());
    assert!(try_sql(db, &["TRUNCATE events"]).is_err());
    // ...so an attacker drops the trigger first. The chain still gives them away.
    pg.sql(&[
        "DROP TRIGGER events_are_append_only_update ON events",
        "UPDATE events SET after = jsonb_set(after::jsonb, '{statement}', '\"Nothing to see here\"')::json WHERE seq = 7",
    ]);
    let err = fails(db, &["audit", "verify"], 6);
    assert!(err.contains("first bad event: 7"), "{err}");
    assert!(err.contains("altered"), "{err}");
}

#[test]
fn audit_verify_detects_tampering_on_postgres() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "event deleted",
            &["DELETE FROM events WHERE seq = 10"],
            "first bad event: 11",
        ),
        (
            "timestamp moved",
            &["UPDATE events SET at = '2018-07-01T00:00:00Z' WHERE seq = 19"],
            "first bad event: 19",
        ),
        (
            "reason rewritten",
            &["UPDATE events SET reason = NULL WHERE seq = 3"],
            "first bad event: 3",
        ),
        (
            "current record edited",
            &["UPDATE risks SET body = jsonb_set(body, '{rag}', '\"GREEN\"') WHERE number = 1"],
            "does not match its last event",
        ),
    ];
    for (what, statements, expected) in cases {
        let Some(pg) = PgDb::new("audit_verify_detects_tampering_on_postgres") else {
            return;
        };
        let db = pg.url.as_str();
        ok(db, &["demo"]);
        let mut all = vec!["ALTER TABLE events DISABLE TRIGGER USER"];
        all.extend_from_slice(statements);
        pg.sql(&all);
        let err = fails(db, &["audit", "verify"], 6);
        assert!(err.contains(expected), "{what}: {err}");
    }
}

/// Several riskreg processes writing to one database at once, as several servers would:
/// every write lands and the chain stays one unbroken line.
#[test]
fn writers_in_several_processes_keep_one_chain() {
    let Some(pg) = PgDb::new("writers_in_several_processes_keep_one_chain") else {
        return;
    };
    let db = pg.url.as_str();
    ok(db, &["demo"]);
    let before = event_count(db);
    let children: Vec<_> = (0..6)
        .map(|i| {
            let statement = format!("Concurrent writer {i} may lead to a race");
            std::process::Command::new(env!("CARGO_BIN_EXE_riskreg"))
                .env_remove("RISKREG_DB")
                .env("RISKREG_ACTOR", format!("writer-{i}"))
                .args([
                    "--db",
                    db,
                    "risk",
                    "add",
                    "--register",
                    "SSC",
                    "--statement",
                    &statement,
                ])
                .args(["--impact", "2", "--likelihood", "2", "--rag", "GREEN"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn riskreg")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let report = json(db, &["audit", "verify", "--format", "json"]);
    assert_eq!(report["problem"], Value::Null, "{report}");
    assert_eq!(report["events"].as_u64(), Some(before + 6));
    let added: Vec<String> = json(db, &["risk", "list", "--register", "SSC", "--format", "json"])
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| {
            r["statement"]
                .as_str()
                .is_some_and(|s| s.starts_with("Concurrent writer"))
        })
        .map(|r| r["ref"].as_str().expect("ref").to_owned())
        .collect();
    assert_eq!(added.len(), 6, "{added:?}");
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite:{}", dir.join(name).display())
}

#[test]
fn migrate_sqlite_to_postgres_and_back_is_identical() {
    let Some(pg) = PgDb::new("migrate_sqlite_to_postgres_and_back_is_identical") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let source = sqlite_url(dir.path(), "source.db");
    let back = sqlite_url(dir.path(), "back.db");
    // migrate names its own databases; --db must not be opened, let alone created.
    let unused_path = dir.path().join("unused.db");
    let unused = format!("sqlite:{}", unused_path.display());
    ok(&source, &["demo"]);
    ok(
        &source,
        &[
            "risk",
            "amend",
            "PANEL-4",
            "--rag",
            "AMBER",
            "--reason",
            "before the move",
        ],
    );

    let moved = ok(&unused, &["migrate", "--from", &source, "--to", &pg.url]);
    assert!(moved.contains("audit verify ok on the target"), "{moved}");
    let returned = json(
        &unused,
        &["migrate", "--from", &pg.url, "--to", &back, "--format", "json"],
    );
    assert_eq!(returned["verified"]["problem"], Value::Null);
    assert!(!unused_path.exists(), "migrate must not open --db");

    let export = |db: &str| ok(db, &["export", "--format", "json"]);
    let original = export(&source);
    assert_eq!(export(&pg.url), original, "SQLite → PostgreSQL loses nothing");
    assert_eq!(export(&back), original, "PostgreSQL → SQLite loses nothing");
    let reads = |db: &str| {
        (
            ok(db, &["risk", "list", "--all", "--format", "json"]),
            ok(db, &["risk", "list", "--as-at", "2018-07-31", "--format", "json"]),
            ok(db, &["issue", "list", "--all", "--format", "json"]),
            ok(db, &["risk", "history", "PANEL-15", "--format", "json"]),
            ok(db, &["register", "list", "--format", "json"]),
        )
    };
    let expected = reads(&source);
    assert_eq!(reads(&pg.url), expected);
    assert_eq!(reads(&back), expected);
    let verify = |db: &str| json(db, &["audit", "verify", "--format", "json"]);
    let (a, b, c) = (verify(&source), verify(&pg.url), verify(&back));
    assert_eq!(a["problem"], Value::Null);
    assert_eq!(
        (&b["head"], &c["head"]),
        (&a["head"], &a["head"]),
        "the same chain on every side"
    );

    let err = fails(&unused, &["migrate", "--from", &source, "--to", &pg.url], 5);
    assert!(err.contains("already holds"), "{err}");
}

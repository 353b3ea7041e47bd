//! `riskreg audit keygen`, `audit head --sign` and `audit verify --against` end to end on
//! the real binary: a signed head taken from a demo database verifies; a history edited,
//! rewritten with every hash recomputed, or cut short is found and its position named; a
//! head file altered after signing, or checked with another key, is refused.

use std::process::{Command, Output};

use riskreg_store::chain::event_hash;
use riskreg_store::{Event, Store};
use riskreg_store_sqlite::SqliteStore;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

struct Case {
    dir: tempfile::TempDir,
    db: String,
}

impl Case {
    /// The demo in a fresh SQLite file and a key pair.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = format!("sqlite:{}", dir.path().join("riskreg.db").display());
        let case = Self { dir, db };
        case.ok(&["demo"]);
        case.ok(&["audit", "keygen", "--out", &case.path("audit.key")]);
        case
    }

    /// [`Case::new`] with a signed head of the demo in head.json.
    fn signed() -> Self {
        let case = Self::new();
        case.sign();
        case
    }

    fn sign(&self) {
        self.ok(&[
            "audit",
            "head",
            "--sign",
            &self.path("audit.key"),
            "--out",
            &self.path("head.json"),
        ]);
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_riskreg"))
            .env_remove("RISKREG_DB")
            .env_remove("RISKREG_AUDIT_SIGNING_KEY")
            .env("RISKREG_ACTOR", "tester")
            .current_dir(self.dir.path())
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .output()
            .expect("run riskreg")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "riskreg {args:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs riskreg expecting exit code `code`; returns standard error.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8(out.stderr).expect("utf-8");
        assert_eq!(out.status.code(), Some(code), "riskreg {args:?}: {stderr}");
        stderr
    }

    fn verify_against(&self, head: &str, key: &str) -> Output {
        self.run(&["audit", "verify", "--against", head, "--key", key])
    }

    fn head(&self) -> Value {
        let text = std::fs::read_to_string(self.path("head.json")).expect("head file");
        serde_json::from_str(&text).expect("head JSON")
    }

    fn head_seq(&self) -> i64 {
        self.head()["seq"].as_i64().expect("seq")
    }

    /// Runs SQL on the file as its administrator could, with the history's triggers gone.
    async fn sql(&self, statements: &[String]) {
        let mut conn = SqliteConnection::connect(&self.db).await.expect("connect");
        for s in [
            "DROP TRIGGER IF EXISTS events_are_append_only_update",
            "DROP TRIGGER IF EXISTS events_are_append_only_delete",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(statements.iter().cloned())
        {
            // The statements are the test's own.
            sqlx::raw_sql(AssertSqlSafe(s.clone()))
                .execute(&mut conn)
                .await
                .expect(&s);
        }
    }

    async fn events(&self) -> Vec<Event> {
        let store = SqliteStore::open(&self.db).await.expect("open");
        let events = store.events(0, u32::MAX).await.expect("events");
        store.pool().close().await;
        events
    }

    /// Edits event `k`'s reason and recomputes its hash and every later one, so that the
    /// chain links and hashes correctly again: what a forger who knows the scheme does.
    async fn rewrite_from(&self, k: i64) {
        let mut events = self.events().await;
        let mut prev = events[(k - 2) as usize].hash.clone();
        let mut statements = Vec::new();
        for e in events.iter_mut().skip((k - 1) as usize) {
            if e.seq == k {
                e.reason = Some("nothing happened here".into());
            }
            e.prev_hash = prev;
            e.hash = event_hash(e);
            prev = e.hash.clone();
            statements.push(format!(
                "UPDATE events SET reason = {}, prev_hash = '{}', hash = '{}' WHERE seq = {}",
                e.reason
                    .as_deref()
                    .map_or("NULL".to_owned(), |r| format!("'{}'", r.replace('\'', "''"))),
                e.prev_hash,
                e.hash,
                e.seq
            ));
        }
        self.sql(&statements).await;
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites() {
    let case = Case::signed();
    let key = case.path("audit.key");
    let private = std::fs::read_to_string(&key).expect("key");
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"), "{private}");
    let public = std::fs::read_to_string(case.path("audit.key.pub")).expect("public key");
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let err = case.fails(&["audit", "keygen", "--out", &key], 1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&key).expect("key"),
        private,
        "the key is untouched"
    );

    // A key is made away from any database, and keygen opens none.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let absent = elsewhere.path().join("absent.db");
    let out = Command::new(env!("CARGO_BIN_EXE_riskreg"))
        .arg("--db")
        .arg(format!("sqlite:{}", absent.display()))
        .args(["audit", "keygen", "--out"])
        .arg(elsewhere.path().join("k"))
        .output()
        .expect("keygen");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!absent.exists(), "keygen must not create a database");
    assert!(elsewhere.path().join("k.pub").exists());
}

#[test]
fn a_signed_head_verifies_and_keeps_verifying_after_later_writes() {
    let case = Case::signed();
    let head = case.head();
    assert_eq!(head["format"], "riskreg-chain-head/1");
    assert_eq!(head["seq"], head["events"]);
    assert_eq!(head["hash"].as_str().map(str::len), Some(64));
    assert_eq!(head["signature"].as_str().map(str::len), Some(128));
    let (file, key) = (case.path("head.json"), case.path("audit.key.pub"));
    let ok = case.ok(&["audit", "verify", "--against", &file, "--key", &key]);
    assert!(ok.contains("audit verify ok"), "{ok}");
    assert!(
        ok.contains(&format!("holds the signed head (event {}", case.head_seq())),
        "{ok}"
    );

    case.ok(&["risk", "amend", "PANEL-4", "--rag", "AMBER", "--reason", "later write"]);
    let report: Value =
        serde_json::from_str(&case.ok(&["audit", "verify", "--against", &file, "--key", &key, "--format", "json"]))
            .expect("json");
    assert_eq!(report["problem"], Value::Null);
    assert_eq!(report["signature"]["ok"], true);
    assert_eq!(report["events"].as_i64(), Some(case.head_seq() + 1));
    // The head is printed when no --out is given, and it names the new position.
    let printed: Value =
        serde_json::from_str(&case.ok(&["audit", "head", "--sign", &case.path("audit.key")])).expect("json");
    assert_eq!(printed["seq"].as_i64(), Some(case.head_seq() + 1));
}

#[tokio::test]
async fn an_event_edited_in_place_is_found_at_its_position() {
    let case = Case::signed();
    case.sql(&["UPDATE events SET actor = 'mallory' WHERE seq = 9".to_owned()])
        .await;
    let out = case.verify_against(&case.path("head.json"), &case.path("audit.key.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("first bad event: 9"), "{}", stderr(&out));
    assert!(stderr(&out).contains("altered"), "{}", stderr(&out));
}

#[tokio::test]
async fn a_history_rewritten_with_every_hash_recomputed_is_found_only_against_the_head() {
    let case = Case::signed();
    case.rewrite_from(7).await;
    // The chain alone is consistent again: this is what the signed head is for.
    assert!(case.ok(&["audit", "verify"]).contains("audit verify ok"));
    let out = case.verify_against(&case.path("head.json"), &case.path("audit.key.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("rewritten"), "{err}");
    // The head can tell only that the history up to it changed: it names its own event.
    assert!(err.contains(&format!("first bad event: {}", case.head_seq())), "{err}");
}

#[tokio::test]
async fn a_history_cut_short_is_found_with_the_first_missing_event() {
    let case = Case::new();
    let reference = case.ok(&[
        "risk",
        "add",
        "--register",
        "PANEL",
        "--statement",
        "There is a risk that the last decision is quietly undone",
        "--impact",
        "4",
        "--likelihood",
        "4",
        "--rag",
        "RED",
    ]);
    let number = reference
        .trim()
        .strip_prefix("PANEL-")
        .expect("a PANEL reference")
        .to_owned();
    case.sign();
    let seq = case.head_seq();
    // The last event and the row it wrote both go: the tables agree with the shortened
    // chain, so nothing but the head can tell.
    case.sql(&[
        format!("DELETE FROM events WHERE seq = {seq}"),
        format!("DELETE FROM risks WHERE register = 'PANEL' AND number = {number}"),
    ])
    .await;
    assert!(case.ok(&["audit", "verify"]).contains("audit verify ok"));
    let out = case.verify_against(&case.path("head.json"), &case.path("audit.key.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("first bad event: {seq}")), "{err}");
    assert!(
        err.contains(&format!("events {seq}..={seq} have been removed")),
        "{err}"
    );

    // A deeper cut, careless of the tables, is found at its first missing event.
    let events = case.events().await;
    let cut = events.len() as i64 - 4;
    case.sql(&[format!("DELETE FROM events WHERE seq >= {cut}")]).await;
    let out = case.verify_against(&case.path("head.json"), &case.path("audit.key.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("first bad event: {cut}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_head_file_altered_after_signing_is_refused() {
    let case = Case::signed();
    let key = case.path("audit.key.pub");
    let original = case.head();
    let edits: [(&str, Value); 4] = [
        ("seq", Value::from(original["seq"].as_i64().expect("seq") - 1)),
        ("hash", Value::from("0".repeat(64))),
        ("at", Value::from("2020-01-01T00:00:00Z")),
        ("signature", Value::from("ab".repeat(64))),
    ];
    for (i, (field, value)) in edits.into_iter().enumerate() {
        let mut doc = original.clone();
        doc[field] = value;
        if field == "seq" {
            doc["events"] = doc["seq"].clone();
        }
        let file = case.path(&format!("altered-{i}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
        let out = case.verify_against(&file, &key);
        assert_eq!(out.status.code(), Some(6), "{field}: {}", stderr(&out));
        assert!(stderr(&out).contains("has been altered"), "{field}: {}", stderr(&out));
    }
    let file = case.path("garbled.json");
    std::fs::write(&file, "{\"format\": \"riskreg-chain-head/1\"}").expect("write");
    let out = case.verify_against(&file, &key);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--against"), "{}", stderr(&out));
}

#[test]
fn a_head_checked_with_another_key_or_resigned_by_one_is_refused() {
    let case = Case::signed();
    let other = case.path("other.key");
    case.ok(&["audit", "keygen", "--out", &other]);
    let out = case.verify_against(&case.path("head.json"), &format!("{other}.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("not by the trusted key"), "{}", stderr(&out));

    // Someone who rewrote the database signs a fresh head with their own key; the verifier
    // still checks with the key it trusts.
    case.rewrite_from(5).await_blocking();
    let forged = case.path("forged.json");
    case.ok(&["audit", "head", "--sign", &other, "--out", &forged]);
    let out = case.verify_against(&forged, &case.path("audit.key.pub"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("not by the trusted key"), "{}", stderr(&out));
}

#[test]
fn signing_needs_a_private_key_and_an_unbroken_chain() {
    let case = Case::signed();
    let key = case.path("audit.key");
    let err = case.fails(&["audit", "verify", "--against", &case.path("head.json")], 2);
    assert!(err.contains("--key"), "{err}");
    let err = case.fails(&["audit", "head", "--sign", &case.path("audit.key.pub")], 1);
    assert!(err.contains("--sign"), "{err}");
    let err = case.fails(&["audit", "head", "--sign", &key, "--out", &case.path("head.json")], 1);
    assert!(err.contains("already exists"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let loose = case.path("loose.key");
        std::fs::copy(&key, &loose).expect("copy");
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = case.fails(&["audit", "head", "--sign", &loose], 1);
        assert!(err.contains("readable by its owner only"), "{err}");
    }
    case.sql(&["UPDATE events SET actor = 'mallory' WHERE seq = 3".to_owned()])
        .await_blocking();
    let err = case.fails(&["audit", "head", "--sign", &key], 6);
    assert!(err.contains("first bad event: 3"), "{err}");
    assert!(err.contains("no head signed"), "{err}");
}

/// Runs a future to completion from a plain test.
trait Blocking: std::future::Future + Sized {
    fn await_blocking(self) -> Self::Output {
        tokio::runtime::Runtime::new().expect("runtime").block_on(self)
    }
}

impl<F: std::future::Future> Blocking for F {}

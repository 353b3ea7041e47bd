//! `riskreg bench-data` end to end at a small size: it builds what its summary says, the
//! same seed builds the same registers, risks and history, its chain verifies, and bad
//! options or a database in use are refused without a write. (`.ci/run` runs the whole
//! suite, `bench/run.sh --smoke`, on top of the generator.)

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bench.db");
        Self { _dir: dir, path }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("riskreg").expect("binary");
        c.env_remove("RISKREG_DB")
            .env("RISKREG_ACTOR", "tester")
            .arg("--db")
            .arg(format!("sqlite:{}", self.path.display()));
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().expect("run riskreg")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "riskreg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }
}

const SMALL: &[&str] = &["bench-data", "--risks", "120", "--events", "700", "--seed", "7"];

#[test]
fn builds_what_its_summary_says_and_verifies() {
    let db = Db::new();
    let summary = db.json(SMALL);
    assert_eq!(summary["risks"], 120);
    assert_eq!(summary["events"], 700);
    assert_eq!(summary["top_register"], "BENCH");
    assert_eq!(summary["top_register_risks"], 60);
    assert_eq!(summary["sample_risk"], "BENCH-30");

    let registers = db.json(&["register", "list", "--format", "json"]);
    assert_eq!(
        registers.as_array().map(Vec::len),
        summary["registers"].as_u64().map(|n| n as usize)
    );
    let all = db.json(&["risk", "list", "--all", "--format", "json"]);
    let all = all.as_array().expect("a list");
    assert_eq!(all.len(), 120);
    // Three mitigations each, and a history: every risk was reviewed at least once.
    assert!(all.iter().all(|r| r["mitigations"].as_array().map(Vec::len) == Some(3)));
    assert!(all.iter().all(|r| r["version"].as_u64() >= Some(2)));
    // Every 25th risk is closed at its last review.
    let closed = all.iter().filter(|r| r["status"] == "closed").count();
    assert_eq!(closed, 4);

    let verify = db.json(&["audit", "verify", "--format", "json"]);
    assert_eq!(verify["events"], 700);
    assert!(verify["problem"].is_null(), "{verify}");

    // The history is dated: as at mid-2019 fewer risks existed than now.
    let then = db.json(&["risk", "list", "--all", "--as-at", "2019-01-31", "--format", "json"]);
    let then = then.as_array().expect("a list").len();
    assert!(then > 0 && then < 120, "{then} risks as at 2019-01-31");
}

#[test]
fn the_same_seed_builds_the_same_data_and_another_seed_does_not() {
    let (a, b, c) = (Db::new(), Db::new(), Db::new());
    a.ok(SMALL);
    b.ok(SMALL);
    c.ok(&["bench-data", "--risks", "120", "--events", "700", "--seed", "8"]);
    let list = |db: &Db| db.ok(&["risk", "list", "--all", "--format", "json"]);
    assert_eq!(list(&a), list(&b));
    assert_ne!(list(&a), list(&c));
    let history = |db: &Db| db.ok(&["risk", "history", "BENCH-30", "--format", "json"]);
    let strip = |text: String| -> Vec<(Value, Value, Value)> {
        let v: Value = serde_json::from_str(&text).expect("json");
        v.as_array()
            .expect("events")
            .iter()
            .map(|e| (e["at"].clone(), e["version"].clone(), e["after"].clone()))
            .collect()
    };
    assert_eq!(strip(history(&a)), strip(history(&b)));
}

#[test]
fn bad_options_and_a_database_in_use_are_refused_without_a_write() {
    let db = Db::new();
    let out = db.run(&["bench-data", "--risks", "0"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("risks: must be from 1 to"));

    let out = db.run(&["bench-data", "--risks", "100", "--events", "10"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("events: must be from"));

    let out = db.run(&["bench-data", "--risks", "10", "--registers", "11"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("registers: must be from 1 to 10"));
    // Nothing was written by the refusals.
    assert_eq!(db.json(&["audit", "verify", "--format", "json"])["events"], 0);

    db.ok(&["demo"]);
    let before = db.json(&["audit", "verify", "--format", "json"])["events"].clone();
    let out = db.run(&["bench-data", "--risks", "10"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fills an empty database"));
    assert_eq!(db.json(&["audit", "verify", "--format", "json"])["events"], before);
}

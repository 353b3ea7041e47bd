//! The CLI end to end: every acceptance check of the foundation, run against the real
//! binary on a fresh SQLite file per test.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("riskreg.db");
        Self { _dir: dir, path }
    }

    fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("riskreg").expect("binary");
        c.env_remove("RISKREG_DB")
            .env("RISKREG_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(self.url());
        c
    }

    /// Runs riskreg with `args`, expecting success, and returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "riskreg {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs riskreg with `args`, expecting exit code `code`, and returns standard error.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(code),
            "riskreg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8")
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    fn demo() -> Self {
        let db = Self::new();
        db.ok(&["demo"]);
        db
    }

    /// Everything observable about the database: its export and its event count.
    fn state(&self) -> (String, u64) {
        let export = self.ok(&["export", "--format", "json"]);
        let audit = self.json(&["audit", "verify", "--format", "json"]);
        (export, audit["events"].as_u64().expect("event count"))
    }

    /// Runs SQL directly on the database file, as someone with access to it could.
    fn try_sql(&self, statements: &[&str]) -> Result<(), sqlx::Error> {
        let url = self.url();
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        tokio::runtime::Runtime::new().expect("runtime").block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await?;
            for s in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s)).execute(&mut conn).await?;
            }
            Ok(())
        })
    }

    fn sql(&self, statements: &[&str]) {
        self.try_sql(statements).expect("sql");
    }
}

/// Appendix A of the August 2018 paper: number, impact, likelihood, RAG, mitigation count,
/// in the order riskreg lists them.
const APPENDIX_A: [(u64, u64, u64, &str, usize); 17] = [
    (1, 3, 4, "AMBER", 2),
    (3, 3, 3, "GREEN", 3),
    (4, 3, 3, "GREEN", 4),
    (5, 3, 3, "AMBER", 3),
    (13, 3, 3, "AMBER", 4),
    (15, 3, 3, "AMBER", 3),
    (18, 3, 3, "AMBER", 1),
    (6, 4, 2, "GREEN", 3),
    (14, 4, 2, "AMBER", 4),
    (7, 3, 2, "GREEN", 3),
    (8, 2, 3, "GREEN", 4),
    (9, 2, 3, "GREEN", 3),
    (10, 3, 2, "GREEN", 4),
    (16, 3, 2, "AMBER", 3),
    (17, 3, 2, "AMBER", 2),
    (11, 2, 2, "GREEN", 6),
    (12, 1, 2, "GREEN", 2),
];

#[test]
fn demo_lists_the_panel_risks_as_in_appendix_a() {
    let db = Db::demo();
    let risks = db.json(&["risk", "list", "--register", "PANEL", "--format", "json"]);
    let risks = risks.as_array().expect("a list");
    assert_eq!(risks.len(), 17);
    for (risk, (number, impact, likelihood, rag, mitigations)) in risks.iter().zip(APPENDIX_A) {
        assert_eq!(risk["number"], number);
        assert_eq!(risk["ref"], format!("PANEL-{number}"));
        assert_eq!(risk["register"], "PANEL");
        assert_eq!(risk["impact"], impact, "risk {number}");
        assert_eq!(risk["likelihood"], likelihood, "risk {number}");
        assert_eq!(risk["severity"], impact * likelihood, "risk {number}");
        assert_eq!(risk["rag"], rag, "risk {number}");
        assert_eq!(
            risk["mitigations"].as_array().expect("mitigations").len(),
            mitigations,
            "risk {number}"
        );
        for m in risk["mitigations"].as_array().expect("mitigations") {
            for field in ["text", "state", "owner", "due", "new"] {
                assert!(m.get(field).is_some(), "mitigation field {field}");
            }
        }
        for field in ["statement", "consequences", "status", "owner", "raised_on"] {
            assert!(risk.get(field).is_some(), "risk field {field}");
        }
    }
    let r1 = &risks[0];
    assert!(
        r1["statement"]
            .as_str()
            .expect("text")
            .starts_with("The DCC are unable to deliver all the changes")
    );
    assert_eq!(
        r1["mitigations"][1]["text"],
        "DCC to regularly update the Panel on progression of the release implementation."
    );
    let r15 = &risks[5];
    assert_eq!(r15["consequences"].as_array().expect("bullets").len(), 4);
    assert_eq!(
        r15["mitigations"][2]["sub_items"]
            .as_array()
            .expect("sub-bullets")
            .len(),
        2
    );
    assert_eq!(
        r15["footnotes"][0],
        "That has been subsequently escalated and added to the Panel Risk Register"
    );
    let r18 = &risks[6];
    assert_eq!(r18["status"], "proposed");
    assert_eq!(r18["raised_by"], "SSC");
    assert!(
        r18["provenance"]
            .as_str()
            .expect("provenance")
            .contains("Transitional Arrangements")
    );
    assert_eq!(
        r18["mitigations"][0]["new"], true,
        "Risk 18's mitigation is new since the July paper"
    );
    assert_eq!(r1["mitigations"][0]["new"], false);
}

#[test]
fn closed_risk_2_is_kept_but_not_listed() {
    let db = Db::demo();
    let all = db.json(&["risk", "list", "--register", "PANEL", "--all", "--format", "json"]);
    let r2 = all
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["number"] == 2)
        .expect("risk 2");
    assert_eq!(r2["status"], "closed");
    assert!(
        r2["statement"]
            .as_str()
            .expect("text")
            .starts_with("The progression of Modifications Proposals")
    );
    let shown = db.json(&["risk", "show", "PANEL-2", "--format", "json"]);
    assert_eq!(shown["status"], "closed");
}

#[test]
fn demo_issues_are_as_in_appendix_b() {
    let db = Db::demo();
    let issues = db.json(&["issue", "list", "--register", "PANEL", "--format", "json"]);
    let issues = issues.as_array().expect("list");
    assert_eq!(issues.len(), 2);
    let (i1, i2) = (&issues[0], &issues[1]);
    assert_eq!(i1["number"], 1);
    assert_eq!(i1["associated_risk"], "PANEL-2");
    assert_eq!(i1["raised_on"], "2017-07-14");
    assert_eq!(i1["category"], "Modification Process");
    assert_eq!(i1["impact"], 3);
    assert_eq!(i1["rag"], "RED");
    assert_eq!(i1["impacts"].as_array().expect("impacts").len(), 3);
    assert_eq!(i1["mitigations"].as_array().expect("actions").len(), 7);
    assert_eq!(i2["number"], 2);
    assert_eq!(i2["associated_risk"], "PANEL-10");
    assert_eq!(i2["raised_by"], "TABASC");
    assert_eq!(i2["raised_on"], "2018-06-15");
    assert_eq!(
        i2["statement"],
        "DCC System is circumvented as making changes to it is too complicated"
    );
    assert_eq!(i2["mitigations"].as_array().expect("actions").len(), 4);
    let shown = db.json(&["issue", "show", "PANEL-2", "--format", "json"]);
    assert_eq!(shown["category"], "Modification Process - DCC Systems");
}

#[test]
fn as_at_shows_the_register_as_it_stood() {
    let db = Db::demo();
    // The demo stops where the paper does: Risk 15's amendment is proposed, not yet agreed.
    let pending = db.json(&["risk", "show", "PANEL-15", "--format", "json"]);
    assert!(
        pending["statement"]
            .as_str()
            .expect("statement")
            .contains("has not yet completed")
    );
    db.ok(&["decide", "2", "--agreed", "--minute", "Minute 5"]);
    let old = db.json(&["risk", "show", "PANEL-15", "--as-at", "2018-07-31", "--format", "json"]);
    let old = old["statement"].as_str().expect("statement");
    assert!(old.contains("has not yet completed a sufficiently detailed or stable SMETS1 E&A design leading to:"));
    let new = db.json(&["risk", "show", "PANEL-15", "--format", "json"]);
    let new = new["statement"].as_str().expect("statement");
    assert!(new.contains("SMETS1 E&A design is insufficiently detailed and unstable, which may lead to:"));
    assert_eq!(db.json(&["risk", "show", "PANEL-15", "--format", "json"])["version"], 2);
    let july = db.json(&[
        "risk",
        "list",
        "--register",
        "PANEL",
        "--as-at",
        "2018-07-31",
        "--format",
        "json",
    ]);
    let numbers: Vec<_> = july
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["number"].as_u64().expect("n"))
        .collect();
    assert_eq!(
        numbers,
        [1, 3, 4, 5, 13, 15, 6, 14, 7, 8, 9, 10, 16, 17, 11, 12],
        "no Risk 18 in July"
    );
    let exact = db.json(&[
        "risk",
        "show",
        "PANEL-15",
        "--as-at",
        "2018-08-03T09:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(exact["version"], 1);
    let table = db.ok(&["risk", "show", "PANEL-15", "--as-at", "2018-07-31"]);
    assert!(table.contains("has not yet completed"), "{table}");
    db.fails(&["risk", "show", "PANEL-18", "--as-at", "2018-07-31"], 4);
    let err = db.fails(&["risk", "list", "--as-at", "31/07/2018"], 2);
    assert!(err.contains("--as-at"), "{err}");
}

#[test]
fn bad_input_fails_clearly_and_changes_nothing() {
    let db = Db::demo();
    let before = db.state();

    let err = db.fails(&["risk", "amend", "PANEL-3", "--impact", "6"], 3);
    assert!(err.contains("impact") && err.contains("between 1 and 5"), "{err}");
    let err = db.fails(&["risk", "amend", "PANEL-99", "--impact", "2"], 4);
    assert!(err.contains("PANEL-99"), "{err}");
    let err = db.fails(
        &[
            "risk",
            "add",
            "--register",
            "NOPE",
            "--statement",
            "x",
            "--impact",
            "1",
            "--likelihood",
            "1",
            "--rag",
            "RED",
        ],
        4,
    );
    assert!(err.contains("register NOPE"), "{err}");
    let err = db.fails(
        &["risk", "amend", "PANEL-3", "--impact", "2", "--expect-version", "7"],
        5,
    );
    assert!(err.contains("version 1") && err.contains("expected version 7"), "{err}");
    let err = db.fails(&["risk", "add", "--register", "PANEL", "--impact", "9"], 3);
    for field in ["statement", "likelihood", "rag"] {
        assert!(err.contains(field), "{field} missing from {err}");
    }
    let err = db.fails(&["risk", "amend", "PANEL-3", "--rag", "PURPLE"], 2);
    assert!(err.contains("RED, AMBER or GREEN"), "{err}");
    let err = db.fails(&["risk", "amend", "PANEL3", "--impact", "2"], 3);
    assert!(err.contains("ref") && err.contains("PANEL-15"), "{err}");
    db.fails(&["risk", "amend", "PANEL-3", "--set-mitigation", "9=complete"], 3);
    db.fails(&["risk", "close", "PANEL-2"], 3);
    db.fails(&["register", "add", "SSC", "--name", "Again"], 5);
    db.fails(&["register", "add", "X", "--name", "Too short a code"], 3);
    db.fails(&["issue", "amend", "PANEL-1", "--impact", "0"], 3);

    assert_eq!(db.state(), before, "nothing changed");
}

#[test]
fn risks_can_be_added_amended_and_closed() {
    let db = Db::demo();
    let reference = db.ok(&[
        "risk",
        "add",
        "--register",
        "PANEL",
        "--statement",
        "Key staff leave before the Release",
        "--impact",
        "4",
        "--likelihood",
        "2",
        "--rag",
        "AMBER",
        "--consequence",
        "Delay",
        "--add-mitigation",
        "Succession plan",
        "--owner",
        "SECAS",
        "--inherent",
        "4x4",
        "--reason",
        "raised at the meeting",
    ]);
    assert_eq!(reference.trim(), "PANEL-19", "numbers follow the highest ever used");
    let out = db.ok(&[
        "risk",
        "amend",
        "PANEL-19",
        "--expect-version",
        "1",
        "--likelihood",
        "3",
        "--add-mitigation",
        "Cross-training",
        "--set-mitigation",
        "1=ongoing",
        "--owner",
        "",
        "--reason",
        "reviewed",
    ]);
    assert!(out.contains("version 2"), "{out}");
    let r = db.json(&["risk", "show", "PANEL-19", "--format", "json"]);
    assert_eq!(r["severity"], 12);
    assert_eq!(r["owner"], Value::Null);
    assert_eq!(r["inherent"]["severity"], 16);
    assert_eq!(r["mitigations"][0]["state"], "ongoing");
    assert_eq!(r["mitigations"][1]["text"], "Cross-training");
    assert_eq!(r["mitigations"][1]["state"], "planned");
    assert_eq!(r["updated_by"], "tester");
    let list = db.json(&["risk", "list", "--register", "PANEL", "--format", "json"]);
    assert_eq!(
        (list[0]["number"].as_u64(), list[1]["number"].as_u64()),
        (Some(1), Some(19)),
        "12s in number order"
    );
    db.ok(&["risk", "close", "PANEL-19", "--reason", "mitigated"]);
    let history = db.json(&["risk", "history", "PANEL-19", "--format", "json"]);
    let kinds: Vec<_> = history
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["created", "amended", "closed"]);
    assert_eq!(history[1]["reason"], "reviewed");
    assert_eq!(history[0]["actor"], "tester");
    let open = db.json(&["risk", "list", "--register", "PANEL", "--format", "json"]);
    assert_eq!(open.as_array().expect("list").len(), 17);
    db.ok(&["audit", "verify"]);
}

#[test]
fn issues_can_be_added_amended_and_closed() {
    let db = Db::demo();
    let reference = db.ok(&[
        "issue",
        "add",
        "--register",
        "PANEL",
        "--statement",
        "Budget overrun",
        "--impact",
        "4",
        "--rag",
        "RED",
        "--associated-risk",
        "PANEL-10",
        "--impact-bullet",
        "Work stops",
    ]);
    assert_eq!(reference.trim(), "PANEL-3");
    db.ok(&[
        "issue",
        "amend",
        "PANEL-3",
        "--rag",
        "AMBER",
        "--add-mitigation",
        "Re-plan",
        "--expect-version",
        "1",
    ]);
    let i = db.json(&["issue", "show", "PANEL-3", "--format", "json"]);
    assert_eq!(i["rag"], "AMBER");
    assert_eq!(i["associated_risk"], "PANEL-10");
    db.ok(&["issue", "close", "PANEL-3"]);
    assert_eq!(
        db.json(&["issue", "list", "--format", "json"])
            .as_array()
            .expect("list")
            .len(),
        2
    );
    let history = db.json(&["issue", "history", "PANEL-3", "--format", "json"]);
    assert_eq!(history.as_array().expect("events").len(), 3);
}

#[test]
fn registers_form_a_tree() {
    let db = Db::demo();
    db.ok(&[
        "register",
        "add",
        "OPSG",
        "--name",
        "Operations Group",
        "--parent",
        "PANEL",
        "--confidential",
    ]);
    let err = db.fails(
        &["register", "add", "WG", "--name", "Working Group", "--parent", "NOPE"],
        3,
    );
    assert!(err.contains("parent"), "{err}");
    let registers = db.json(&["register", "list", "--format", "json"]);
    let codes: Vec<_> = registers
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["PANEL", "OPSG", "SSC", "TABASC"]);
    assert_eq!(registers[1]["confidential"], true);
    assert_eq!(registers[1]["parent"], "PANEL");
    let csv = db.ok(&["register", "list", "--format", "csv"]);
    assert!(csv.starts_with("code,name,parent,confidential,version\n"), "{csv}");
}

#[test]
fn audit_verify_detects_an_altered_event() {
    let db = Db::demo();
    let report = db.json(&["audit", "verify", "--format", "json"]);
    assert_eq!(report["problem"], Value::Null);
    let events = report["events"].as_u64().expect("events");
    assert!(events > 20);
    let ok = db.ok(&["audit", "verify"]);
    assert!(ok.contains("audit verify ok"), "{ok}");

    // The schema refuses edits to history outright...
    let refused = db.try_sql(&["UPDATE events SET actor = 'mallory' WHERE seq = 5"]);
    assert!(refused.is_err(), "the append-only trigger must refuse the update");
    assert!(db.try_sql(&["DELETE FROM events WHERE seq = 5"]).is_err());
    // ...so an attacker drops the trigger first. The chain still gives them away.
    db.sql(&[
        "DROP TRIGGER events_are_append_only_update",
        "UPDATE events SET after = json_set(after, '$.statement', 'Nothing to see here') WHERE seq = 7",
    ]);
    let err = db.fails(&["audit", "verify"], 6);
    assert!(err.contains("first bad event: 7"), "{err}");
    assert!(err.contains("altered"), "{err}");
}

#[test]
fn audit_verify_detects_every_kind_of_tampering() {
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "actor rewritten",
            &["UPDATE events SET actor = 'mallory' WHERE seq = 12"],
            "first bad event: 12",
        ),
        (
            "reason rewritten",
            &["UPDATE events SET reason = NULL WHERE seq = 3"],
            "first bad event: 3",
        ),
        (
            "event deleted",
            &["DELETE FROM events WHERE seq = 10"],
            "first bad event: 11",
        ),
        (
            "timestamp moved",
            &["UPDATE events SET at = '2018-07-01T00:00:00.000000Z' WHERE seq = 19"],
            "first bad event: 19",
        ),
        (
            "current record edited",
            &["UPDATE risks SET body = replace(body, '\"AMBER\"', '\"GREEN\"') WHERE number = 1"],
            "does not match its last event",
        ),
    ];
    for (what, statements, expected) in cases {
        let db = Db::demo();
        let mut all = vec![
            "DROP TRIGGER events_are_append_only_update",
            "DROP TRIGGER events_are_append_only_delete",
        ];
        all.extend_from_slice(statements);
        db.sql(&all);
        let err = db.fails(&["audit", "verify"], 6);
        assert!(err.contains(expected), "{what}: {err}");
    }
}

#[test]
fn export_then_import_loses_nothing() {
    let db = Db::demo();
    db.ok(&["risk", "amend", "PANEL-4", "--rag", "AMBER", "--reason", "testing"]);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("export.json");
    db.ok(&["export", "--format", "json", "--out", file.to_str().expect("path")]);
    let other = Db::new();
    let dry = other.ok(&["import", file.to_str().expect("path"), "--dry-run"]);
    assert!(dry.contains("Would import 3 registers, 18 risks, 2 issues"), "{dry}");
    assert_eq!(
        other.json(&["audit", "verify", "--format", "json"])["events"],
        0,
        "a dry run writes nothing"
    );
    other.ok(&["import", file.to_str().expect("path")]);
    assert_eq!(other.ok(&["export"]), std::fs::read_to_string(&file).expect("read"));
    let history = other.json(&["risk", "history", "PANEL-4", "--format", "json"]);
    assert_eq!(history[1]["reason"], "testing");
    other.ok(&["audit", "verify"]);
}

#[test]
fn an_import_with_bad_rows_lands_nothing_and_names_them_all() {
    let db = Db::new();
    db.ok(&["init"]);
    let before = db.state();
    let file = write_file(
        &db.path.with_extension("json"),
        r#"{"format":"riskreg/1","registers":[{"code":"PANEL","name":"Panel","risks":[
            {"number":1,"statement":"ok","impact":3,"likelihood":3,"rag":"RED","status":"open"},
            {"number":2,"statement":"bad","impact":6,"likelihood":3,"rag":"RED","status":"open"},
            {"number":3,"statement":"","impact":1,"likelihood":1,"rag":"MAUVE","status":"open"}]}]}"#,
    );
    let err = db.fails(&["import", &file], 3);
    assert!(
        err.contains("registers[0].risks[1].impact: must be between 1 and 5"),
        "{err}"
    );
    assert!(err.contains("registers[0].risks[2]"), "{err}");
    assert_eq!(db.state(), before);
    // Not a register file, so read as a spreadsheet (CSV), in which no header row is found.
    let err = db.fails(&["import", &write_file(&db.path.with_extension("txt"), "not json")], 3);
    assert!(err.contains("no header row found"), "{err}");
    assert_eq!(db.state(), before);
}

#[test]
fn list_formats_are_readable() {
    let db = Db::demo();
    let table = db.ok(&["risk", "list", "--register", "PANEL"]);
    assert!(
        table.contains("PANEL-15") && table.contains("AMBER") && table.contains("12 High"),
        "{table}"
    );
    assert!(table.contains("17 risks"), "{table}");
    assert!(
        !table.contains("\u{1b}["),
        "no colour codes when NO_COLOR is set or output is not a terminal"
    );
    let csv = db.ok(&["risk", "list", "--register", "PANEL", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "ref");
    let rows: Vec<_> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 17);
    assert_eq!(&rows[0][0], "PANEL-1");
    assert_eq!(&rows[0][7], "12");
    let issues = db.ok(&["issue", "list", "--format", "csv"]);
    assert_eq!(
        issues.lines().next(),
        Some(
            "ref,register,number,statement,impacts,impact,rag,status,category,raised_by,raised_on,associated_risk,mitigations,version,updated_at"
        )
    );
    let shown = db.ok(&["issue", "show", "PANEL-1"]);
    assert!(
        shown.contains("Associated risk") && shown.contains("PANEL-2"),
        "{shown}"
    );
}

#[test]
fn init_is_idempotent_and_demo_loads_once() {
    let db = Db::new();
    assert!(db.ok(&["init"]).contains("Initialised"));
    assert!(db.ok(&["init"]).contains("Already initialised"));
    db.ok(&["demo"]);
    let err = db.fails(&["demo"], 3);
    assert!(err.contains("already exists"), "{err}");
    let out = Command::cargo_bin("riskreg")
        .expect("binary")
        .args(["--db", "mysql://x", "init"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--db") && err.contains("sqlite:"), "{err}");
}

fn write_file(path: &Path, text: &str) -> String {
    std::fs::write(path, text).expect("write");
    path.to_str().expect("path").to_owned()
}

fn proposal_statuses(db: &Db, meeting: &str) -> Vec<(u64, String, String)> {
    let list = db.json(&["proposal", "list", "--meeting", meeting, "--format", "json"]);
    list.as_array()
        .expect("proposals")
        .iter()
        .map(|p| {
            (
                p["id"].as_u64().expect("id"),
                p["change"]["kind"].as_str().expect("kind").to_owned(),
                p["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_review_cycle_runs_from_proposals_to_the_next_paper() {
    let db = Db::demo();
    let august = "PANEL/2018-08-10";
    assert_eq!(
        proposal_statuses(&db, august),
        [
            (1, "issue_update".to_owned(), "pending".to_owned()),
            (2, "amend".to_owned(), "pending".to_owned()),
            (3, "new_risk".to_owned(), "pending".to_owned())
        ]
    );
    let r18 = db.json(&["risk", "show", "PANEL-18", "--format", "json"]);
    assert_eq!(r18["status"], "proposed");

    let md = db.ok(&["paper", "--meeting", august, "--format", "md"]);
    for expected in [
        "SEC Panel Risk and Issue Register Update",
        "<ins>SMETS1 E&amp;A design is insufficiently detailed and unstable, which may lead to:</ins>",
        "<del>has not yet completed a sufficiently detailed or stable SMETS1 E&amp;A design leading to:</del>",
        "**CONSIDER** the approach to further assessing the SEC Panel Issue 2",
        "**AGREE** the amendments to the SEC Panel Risk Register",
        "Kayla Reinhart",
        "**New:** *Mitigating actions from Panel and or SCC unclear*",
    ] {
        assert!(md.contains(expected), "the August paper lacks {expected:?}");
    }
    let dir = tempfile::tempdir().expect("dir");
    for (format, magic) in [("html", &b"<!DOCTYPE html"[..]), ("docx", b"PK"), ("pdf", b"%PDF")] {
        let out = dir.path().join(format!("paper.{format}"));
        db.ok(&[
            "paper",
            "--meeting",
            august,
            "--format",
            format,
            "--out",
            out.to_str().expect("path"),
        ]);
        let bytes = std::fs::read(&out).expect("paper written");
        assert!(
            bytes.starts_with(magic),
            "{format} paper starts with {:?}",
            &bytes[..8.min(bytes.len())]
        );
    }
    db.fails(&["paper", "--meeting", august, "--format", "pdf"], 3);

    db.ok(&["decide", "2", "--agreed", "--minute", "Minute 5.1"]);
    db.ok(&["decide", "3", "--agreed", "--minute", "Minute 5.2"]);
    let last = db.ok(&["decide", "1", "--agreed", "--minute", "Minute 5.3"]);
    assert!(last.contains("register as agreed is kept"), "{last}");
    db.fails(&["decide", "1", "--rejected"], 3);
    let r15 = db.json(&["risk", "show", "PANEL-15", "--format", "json"]);
    assert!(r15["statement"].as_str().expect("text").contains("which may lead to:"));
    assert_eq!(
        db.json(&["risk", "show", "PANEL-18", "--format", "json"])["status"],
        "open"
    );
    let history = db.json(&["risk", "history", "PANEL-15", "--format", "json"]);
    assert_eq!(history[1]["actor"], "tester");

    // September: the August additions are no longer new.
    db.ok(&[
        "meeting",
        "add",
        "--body",
        "PANEL",
        "--date",
        "2018-09-14",
        "--paper-on",
        "2018-09-07",
        "--author",
        "Kayla Reinhart",
        "--team",
        "SECAS Team",
    ]);
    let out = db.ok(&[
        "propose",
        "amend",
        "PANEL-4",
        "--meeting",
        "PANEL/2018-09-14",
        "--likelihood",
        "4",
        "--rationale",
        "Testing slipped in August.",
    ]);
    assert!(out.contains("proposal 4"), "{out}");
    let september = db.ok(&["paper", "--meeting", "PANEL/2018-09-14", "--format", "md"]);
    assert!(
        september.contains("Mitigating actions from Panel and or SCC unclear"),
        "Risk 18 is on the register"
    );
    assert!(
        !september.contains("**New:** *Mitigating actions"),
        "Risk 18 mitigation is no longer new"
    );
    assert!(september.contains("Testing slipped in August."), "{september}");

    // A proposal whose target changed since it was drafted is stale and must be redrafted.
    db.ok(&[
        "risk",
        "amend",
        "PANEL-4",
        "--rag",
        "AMBER",
        "--reason",
        "changed outside the cycle",
    ]);
    let err = db.fails(&["decide", "4", "--agreed"], 5);
    assert!(err.contains("stale") && err.contains("redraft"), "{err}");
    db.ok(&["audit", "verify"]);
}

#[test]
fn proposals_refuse_bad_input_and_change_nothing() {
    let db = Db::demo();
    let before = db.state();
    db.fails(
        &[
            "propose",
            "close",
            "PANEL-2",
            "--meeting",
            "PANEL/2018-08-10",
            "--rationale",
            "closed already",
        ],
        3,
    );
    db.fails(
        &[
            "propose",
            "close",
            "PANEL-1",
            "--meeting",
            "PANEL/2018-01-01",
            "--rationale",
            "x",
        ],
        4,
    );
    db.fails(
        &["propose", "close", "PANEL-1", "--meeting", "PANEL", "--rationale", "x"],
        3,
    );
    db.fails(
        &[
            "propose",
            "amend",
            "PANEL-1",
            "--meeting",
            "PANEL/2018-08-10",
            "--rationale",
            "x",
            "--impact",
            "6",
        ],
        3,
    );
    db.fails(
        &[
            "propose",
            "escalate",
            "PANEL-1",
            "--to",
            "SSC",
            "--meeting",
            "PANEL/2018-08-10",
            "--rationale",
            "x",
        ],
        3,
    );
    db.fails(&["decide", "99", "--agreed"], 4);
    db.fails(&["decide", "1", "--deferred"], 3);
    db.fails(&["decide", "1"], 2);
    assert_eq!(db.state(), before);
}

#[test]
fn lint_finds_what_the_panel_found() {
    let db = Db::demo();
    let findings = db.json(&["lint", "--register", "PANEL", "--months", "1200", "--format", "json"]);
    let found: Vec<(String, String)> = findings
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["ref"].as_str().expect("ref").to_owned(),
                f["rule"].as_str().expect("rule").to_owned(),
            )
        })
        .collect();
    assert!(
        found.contains(&("PANEL-15".into(), "worded_as_issue".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("PANEL-18".into(), "no_mitigation".into())),
        "{found:?}"
    );
    db.ok(&["decide", "2", "--agreed"]);
    let after = db.ok(&["lint", "--register", "PANEL", "--months", "1200"]);
    assert!(!after.contains("worded_as_issue"), "{after}");
}

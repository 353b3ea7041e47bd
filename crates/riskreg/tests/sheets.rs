//! `riskreg import` and `riskreg export` with spreadsheets, end to end through the binary:
//! the CDDO template, an all-or-nothing refusal, lookups by source reference, and export
//! then import into an empty database giving the same registers (XLSX, CSV and JSON), and
//! riskreg's own workbook bringing its settings into an empty database.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const CDDO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sheets/tests/fixtures/cddo-risk-register-template.xlsx"
);

struct Db {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("riskreg.db");
        Self { dir, path }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("riskreg").expect("binary");
        c.env_remove("RISKREG_DB")
            .env("RISKREG_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(format!("sqlite:{}", self.path.display()));
        c
    }

    fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self.cmd().args(args).output().expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, Some(0), "riskreg {args:?}: {err}");
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON")
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn the_cddo_template_imports_with_only_its_sheet_named() {
    let db = Db::new();
    db.ok(&["init"]);
    db.ok(&["register", "add", "SBD", "--name", "Secure by Design"]);
    let dry = db.ok(&[
        "import",
        CDDO,
        "--register",
        "SBD",
        "--sheet",
        "Security Risk Tracker",
        "--dry-run",
    ]);
    assert!(dry.contains("Would import 0 registers, 14 risks, 0 issues"), "{dry}");
    assert!(
        dry.contains("header row 2, group row 1, description row 3 skipped"),
        "{dry}"
    );
    assert!(
        db.json(&["risk", "list", "--register", "SBD", "--format", "json"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let out = db.ok(&["import", CDDO, "--register", "SBD", "--sheet", "Security Risk Tracker"]);
    assert!(out.contains("Imported 0 registers, 14 risks, 0 issues"), "{out}");
    let risks = db.json(&["risk", "list", "--register", "SBD", "--format", "json"]);
    assert_eq!(risks.as_array().map(Vec::len), Some(14));

    let one = db.json(&["risk", "show", "Risk 001", "--register", "SBD", "--format", "json"]);
    assert_eq!(one["source_ref"], "Risk 001");
    assert_eq!((one["impact"].as_u64(), one["likelihood"].as_u64()), (Some(4), Some(2)));
    assert_eq!(
        (
            one["inherent"]["impact"].as_u64(),
            one["inherent"]["likelihood"].as_u64()
        ),
        (Some(4), Some(3))
    );
    assert_eq!(one["owner"], "IAO");
    assert_eq!(one["raised_on"], "2023-01-31");
    assert_eq!(one["mitigations"].as_array().map(Vec::len), Some(3));
    let table = db.ok(&["risk", "show", "Risk 001", "--register", "SBD"]);
    assert!(table.contains("Source ref") && table.contains("Inherent"), "{table}");

    // Recorded as events, the reason naming the file.
    let history = db.json(&["risk", "history", one["ref"].as_str().expect("ref"), "--format", "json"]);
    assert_eq!(history[0]["reason"], "import cddo-risk-register-template.xlsx");
    assert_eq!(history[0]["actor"], "tester");
    // Importing the same sheet again is refused whole: its references are taken.
    let (code, _, err) = db.run(&["import", CDDO, "--register", "SBD", "--sheet", "Security Risk Tracker"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("\"Risk 001\" is already risk SBD-1"), "{err}");
    db.ok(&["audit", "verify"]);
}

#[test]
fn one_bad_row_means_nothing_lands_and_every_bad_row_is_named() {
    let db = Db::new();
    db.ok(&["init"]);
    db.ok(&["register", "add", "CORP", "--name", "Corporate"]);
    let file = db.file("corp.csv");
    std::fs::write(
        &file,
        "Ref,Risk,Impact,Likelihood,RAG\r\n015(CR),Supplier failure,4,3,RED\r\n016(CR),Staff loss,6,2,AMBER\r\n017(CR),,3,3,GREEN\r\n",
    )
    .expect("write");
    let (code, _, err) = db.run(&["import", path(&file), "--register", "CORP"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("CSV row 3 column C (Impact) \"6\": impact: must be a level from 1 to 5; got 6"),
        "{err}"
    );
    assert!(
        err.contains("CSV row 4 column B (Risk): statement: a statement is required"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        db.json(&["risk", "list", "--register", "CORP", "--format", "json"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let (code, out, _) = db.run(&[
        "import",
        path(&file),
        "--register",
        "CORP",
        "--dry-run",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3));
    let _ = out;

    std::fs::write(
        &file,
        "Ref,Risk,Impact,Likelihood,RAG\r\n015(CR),Supplier failure,4,3,RED\r\n",
    )
    .expect("write");
    db.ok(&["import", path(&file), "--register", "CORP"]);
    let one = db.json(&["risk", "show", "015(CR)", "--register", "CORP", "--format", "json"]);
    assert_eq!(one["ref"], "CORP-1");
    let (code, _, err) = db.run(&["risk", "show", "999(CR)", "--register", "CORP"]);
    assert_eq!(code, Some(4), "{err}");
}

#[test]
fn export_then_import_into_an_empty_database_gives_the_same_registers() {
    let db = Db::new();
    db.ok(&["demo"]);
    let xlsx = db.file("all.xlsx");
    let csv = db.file("panel.csv");
    let json = db.file("all.json");
    db.ok(&["export", "--format", "xlsx", "--out", path(&xlsx)]);
    db.ok(&["export", "--format", "csv", "--register", "PANEL", "--out", path(&csv)]);
    db.ok(&["export", "--format", "json", "--out", path(&json)]);
    let records = |d: &Db, kind: &str, register: &str| {
        let mut v = d.json(&[kind, "list", "--register", register, "--all", "--format", "json"]);
        for r in v.as_array_mut().into_iter().flatten() {
            let o = r.as_object_mut().expect("object");
            for volatile in ["version", "updated_at", "updated_by"] {
                o.remove(volatile);
            }
        }
        v
    };
    let registers = ["PANEL", "SSC", "TABASC"];

    let from_xlsx = Db::new();
    from_xlsx.ok(&["init"]);
    from_xlsx.ok(&["import", path(&xlsx)]);
    for r in registers {
        assert_eq!(records(&from_xlsx, "risk", r), records(&db, "risk", r), "risks of {r}");
        assert_eq!(
            records(&from_xlsx, "issue", r),
            records(&db, "issue", r),
            "issues of {r}"
        );
    }
    let strip = |mut v: Value| {
        for r in v.as_array_mut().into_iter().flatten() {
            if let Some(o) = r.as_object_mut() {
                o.remove("updated_at");
                // Who wrote the registers: the demo's secretariat there, the importer here.
                o.remove("updated_by");
            }
        }
        v
    };
    assert_eq!(
        strip(from_xlsx.json(&["register", "list", "--format", "json"])),
        strip(db.json(&["register", "list", "--format", "json"]))
    );

    let from_csv = Db::new();
    from_csv.ok(&["init"]);
    from_csv.ok(&["register", "add", "PANEL", "--name", "SEC Panel"]);
    from_csv.ok(&["import", path(&csv), "--register", "PANEL"]);
    // A CSV holds risks only, not the register's last paper date, from which each
    // mitigation's `new` is derived; everything else comes back as it was.
    let without_new = |mut v: Value| {
        for r in v.as_array_mut().into_iter().flatten() {
            for m in r["mitigations"].as_array_mut().into_iter().flatten() {
                m.as_object_mut().map(|o| o.remove("new"));
            }
        }
        v
    };
    assert_eq!(
        without_new(records(&from_csv, "risk", "PANEL")),
        without_new(records(&db, "risk", "PANEL"))
    );

    let from_json = Db::new();
    from_json.ok(&["import", path(&json)]);
    for r in registers {
        assert_eq!(records(&from_json, "risk", r), records(&db, "risk", r));
        assert_eq!(records(&from_json, "issue", r), records(&db, "issue", r));
    }
}

#[test]
fn an_xlsx_export_is_laid_out_for_a_committee() {
    let db = Db::new();
    db.ok(&["demo"]);
    let xlsx = db.file("panel.xlsx");
    db.ok(&[
        "export",
        "--format",
        "xlsx",
        "--register",
        "PANEL",
        "--as-at",
        "2018-07-31",
        "--out",
        path(&xlsx),
    ]);
    let bytes = std::fs::read(&xlsx).expect("read");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect("part"), &mut s).expect("read");
        s
    };
    let book = text("xl/workbook.xml");
    for sheet in ["Registers", "PANEL", "Issues", "Classification", "Scales"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet} in {book}");
    }
    let panel = text("xl/worksheets/sheet2.xml");
    assert!(panel.contains("<pane ySplit=\"1\""), "frozen header");
    assert!(panel.contains("<autoFilter ref=\"A1:"), "autofilter");
    assert!(panel.contains("<col "), "column widths");
    let styles = text("xl/styles.xml");
    assert!(styles.contains("FFE06666") && styles.contains("FF93C47D"), "RAG fills");
    assert!(styles.contains("wrapText=\"1\""), "wrapped text");
    assert!(panel.contains("<printOptions gridLines=\"1\""), "gridlines printed");
    // The register's sheet is written a row at a time, its text inline in the sheet.
    let words = |reference: &str| -> String {
        let risk = db.json(&["risk", "show", reference, "--format", "json"]);
        let words: String = risk["statement"]
            .as_str()
            .expect("statement")
            .chars()
            .take(30)
            .collect();
        assert!(!words.contains('&') && !words.contains('<'));
        words
    };
    assert!(panel.contains(&words("PANEL-1")), "Risk 1 was on the register");
    assert!(
        !panel.contains(&words("PANEL-18")),
        "as at July 2018 Risk 18 was not on the register"
    );
}

#[test]
fn a_workbook_brings_its_scales_and_classification_into_an_empty_database() {
    let db = Db::new();
    db.ok(&["demo"]);
    let json = db.file("demo.json");
    db.ok(&["export", "--format", "json", "--out", path(&json)]);
    // The same registers on settings of the organisation's own: other labels, colours and
    // descriptors, a level with no descriptor.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("JSON");
    let settings = &mut doc["settings"];
    settings["impact_scale"][4]["label"] = "Catastrophic".into();
    settings["likelihood_scale"][0]["label"] = "Hardly ever".into();
    settings["bands"][0]["colour"] = "#123456".into();
    settings["bands"][0]["name"] = "Tolerable".into();
    settings["classification"]["categories"][0]["cells"][1] = Value::Null;
    settings["classification"]["categories"][1]["name"] = "Our environment".into();
    let custom = db.file("custom.json");
    std::fs::write(&custom, serde_json::to_string_pretty(&doc).expect("JSON")).expect("write");
    let source = Db::new();
    source.ok(&["import", path(&custom)]);
    let xlsx = source.file("all.xlsx");
    source.ok(&["export", "--format", "xlsx", "--out", path(&xlsx)]);
    let settings_of = |d: &Db| {
        let out = d.file("settings.json");
        d.ok(&["export", "--format", "json", "--out", path(&out)]);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("JSON");
        doc["settings"].clone()
    };
    assert_eq!(settings_of(&source)["bands"][0]["colour"], "#123456");

    let empty = Db::new();
    empty.ok(&["init"]);
    let report = empty.ok(&["import", path(&xlsx)]);
    assert!(
        report.contains("and the workbook's scales and classification"),
        "{report}"
    );
    assert_eq!(settings_of(&empty), settings_of(&source));

    // Into a database that already has registers the workbook's settings are not taken:
    // they are the organisation's, and its records are scored on them.
    let busy = Db::new();
    busy.ok(&["init"]);
    busy.ok(&["register", "add", "OTHER", "--name", "Another register"]);
    let report = busy.ok(&["import", path(&xlsx), "--dry-run"]);
    assert!(!report.contains("scales and classification"), "{report}");
    let defaults = settings_of(&busy);
    assert_ne!(defaults, settings_of(&source));
}

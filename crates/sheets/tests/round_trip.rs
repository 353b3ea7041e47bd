//! Any register written out as XLSX or CSV reads back as the same records, and riskreg's
//! workbook its settings too; and no CSV cell ever starts with a formula trigger.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{read_default, today};
use proptest::prelude::*;
use riskreg_domain::register::Revision;
use riskreg_domain::{
    Issue, IssueFields, IssueStatus, Mitigation, MitigationState, Rag, RecordRef, Register, RegisterCode,
    RegisterFields, Response, Risk, RiskFields, RiskStatus, ScorePair, Settings,
};
use riskreg_sheets::write::{issues_csv, risks_csv, xlsx};
use riskreg_sheets::{Export, Options, preview};

/// One line of text as a register holds it: trimmed, possibly starting with a formula
/// trigger or a bullet-like character, never with the `'` riskreg's CSV escapes with.
fn line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9=+@(-][A-Za-z0-9 ,.()=+@'/-]{0,24}[A-Za-z0-9.)]"
}

fn label() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 .]{0,12}[A-Za-z0-9]"
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0u64..20_000).prop_map(|d| NaiveDate::from_ymd_opt(1990, 1, 1).expect("date") + chrono::Days::new(d))
}

fn level() -> impl Strategy<Value = u8> {
    1u8..=5
}

fn mitigation() -> impl Strategy<Value = Mitigation> {
    (
        line(),
        prop_oneof![
            Just(MitigationState::Planned),
            Just(MitigationState::Ongoing),
            Just(MitigationState::Complete)
        ],
        proptest::option::of(label()),
        proptest::option::of(date()),
        date(),
        proptest::collection::vec(line(), 0..2),
    )
        .prop_map(|(text, state, owner, due, added, sub_items)| {
            let mut m = Mitigation::new(text, state);
            m.owner = owner;
            m.due = due;
            m.added_on = Some(added);
            m.sub_items = sub_items;
            m
        })
}

fn rag() -> impl Strategy<Value = Rag> {
    prop_oneof![Just(Rag::Red), Just(Rag::Amber), Just(Rag::Green)]
}

fn risk_fields() -> impl Strategy<Value = RiskFields> {
    (
        (
            line(),
            proptest::option::of(label()),
            proptest::collection::vec(line(), 0..3),
            level(),
            level(),
            rag(),
        ),
        (
            prop_oneof![
                Just(RiskStatus::Open),
                Just(RiskStatus::Proposed),
                Just(RiskStatus::Closed)
            ],
            proptest::option::of(label()),
            proptest::option::of(date()),
            proptest::option::of((level(), level())),
            proptest::option::of(prop_oneof![
                Just(Response::Treat),
                Just(Response::Tolerate),
                Just(Response::Take)
            ]),
            proptest::option::of(line()),
            proptest::collection::vec(mitigation(), 0..3),
        ),
    )
        .prop_map(
            |((statement, source_ref, consequences, impact, likelihood, rag), rest)| {
                let (status, owner, raised_on, inherent, response, notes, mitigations) = rest;
                let mut f = RiskFields::new(statement, impact, likelihood, rag);
                f.source_ref = source_ref;
                f.consequences = consequences;
                f.status = status;
                f.owner = owner.clone();
                f.raised_by = owner;
                f.raised_on = raised_on;
                f.review_by = raised_on;
                f.inherent = inherent.map(|(impact, likelihood)| ScorePair { impact, likelihood });
                f.target = Some(ScorePair {
                    impact: 1,
                    likelihood: 1,
                });
                f.response = response;
                f.notes = notes;
                f.footnotes = vec!["A footnote".into()];
                f.mitigations = mitigations;
                f
            },
        )
}

fn issue_fields() -> impl Strategy<Value = IssueFields> {
    (
        line(),
        proptest::collection::vec(line(), 0..3),
        level(),
        rag(),
        proptest::option::of(line()),
        any::<bool>(),
    )
        .prop_map(|(statement, impacts, impact, rag, intro, closed)| {
            let mut f = IssueFields::new(statement, impact, rag);
            f.impacts = impacts;
            f.impacts_intro = intro;
            f.status = if closed { IssueStatus::Closed } else { IssueStatus::Open };
            f.associated_risk = RecordRef::parse("PANEL-2").ok();
            f
        })
}

fn export(risks: Vec<RiskFields>, issues: Vec<IssueFields>) -> Export {
    let settings = Settings::default();
    let code = RegisterCode::parse("PANEL").expect("code");
    let revision = Revision {
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("time"),
        updated_by: "test".into(),
    };
    let mut fields = RegisterFields::new("SEC Panel");
    fields.description = Some("The Panel's register".into());
    Export {
        registers: vec![Register {
            code: code.clone(),
            fields,
            revision: revision.clone(),
        }],
        risks: risks
            .into_iter()
            .enumerate()
            .map(|(i, f)| Risk {
                reference: RecordRef::new(code.clone(), i as u32 * 2 + 1),
                fields: f.normalised(&settings, today()).expect("valid"),
                revision: revision.clone(),
            })
            .collect(),
        issues: issues
            .into_iter()
            .enumerate()
            .map(|(i, f)| Issue {
                reference: RecordRef::new(code.clone(), i as u32 + 1),
                fields: f.normalised(&settings, today()).expect("valid"),
                revision: revision.clone(),
            })
            .collect(),
        settings,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn xlsx_reads_back_as_the_same_registers(
        risks in proptest::collection::vec(risk_fields(), 1..6),
        issues in proptest::collection::vec(issue_fields(), 0..3),
    ) {
        let e = export(risks, issues);
        let p = read_default(&xlsx(&e).expect("xlsx"));
        prop_assert!(p.problems.is_empty(), "{:#?}", p.problems);
        prop_assert_eq!(p.registers.len(), 1);
        prop_assert_eq!(&p.registers[0].fields, &e.registers[0].fields);
        let back: Vec<_> = p.risks.iter().map(|r| (r.register.clone(), r.number, r.fields.clone())).collect();
        let sent: Vec<_> = e.risks.iter().map(|r| (Some(r.reference.register.clone()), Some(r.reference.number), r.fields.clone())).collect();
        prop_assert_eq!(back, sent);
        let back: Vec<_> = p.issues.iter().map(|r| (r.number, r.fields.clone())).collect();
        let sent: Vec<_> = e.issues.iter().map(|r| (Some(r.reference.number), r.fields.clone())).collect();
        prop_assert_eq!(back, sent);
    }

    #[test]
    fn csv_reads_back_as_the_same_risks_and_issues(
        risks in proptest::collection::vec(risk_fields(), 1..6),
        issues in proptest::collection::vec(issue_fields(), 1..3),
    ) {
        let e = export(risks, issues);
        let p = read_default(&risks_csv(&e).expect("csv"));
        prop_assert!(p.problems.is_empty(), "{:#?}", p.problems);
        let back: Vec<_> = p.risks.iter().map(|r| (r.number, r.fields.clone())).collect();
        let sent: Vec<_> = e.risks.iter().map(|r| (Some(r.reference.number), r.fields.clone())).collect();
        prop_assert_eq!(back, sent);
        let csv = String::from_utf8(issues_csv(&e).expect("csv")).expect("utf8");
        prop_assert!(csv.lines().count() > e.issues.len());
    }

    #[test]
    fn no_csv_cell_starts_with_a_formula_trigger(
        texts in proptest::collection::vec("[=+@\t\r -]?[^\u{0}]{0,12}", 1..6),
    ) {
        let risks: Vec<RiskFields> = texts
            .iter()
            .map(|t| {
                let mut f = RiskFields::new(format!("{t}x"), 3, 3, Rag::Amber);
                f.owner = Some(format!("{t}o"));
                f.consequences = vec![format!("{t}c")];
                f.notes = Some(format!("{t}n"));
                f
            })
            .collect();
        let e = export(risks, vec![]);
        let bytes = risks_csv(&e).expect("csv");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
        for record in reader.records() {
            for cell in record.expect("rfc 4180").iter() {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "cell {:?}", cell);
            }
        }
    }
}

#[test]
fn csv_lines_end_in_crlf_and_quote_what_needs_it() {
    let mut f = RiskFields::new("A \"quoted\", multi-line\nstatement", 2, 3, Rag::Green);
    f.owner = Some("=HYPERLINK(\"http://x\")".into());
    let e = export(vec![f], vec![]);
    let text = String::from_utf8(risks_csv(&e).expect("csv")).expect("utf8");
    assert!(text.starts_with("Register,Number,Source ref,Statement,"));
    assert!(text.contains("\"A \"\"quoted\"\", multi-line\nstatement\""), "{text}");
    assert!(text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{text}");
    assert!(text.ends_with("\r\n"));
}

/// Settings unlike the defaults in every part: a 4×4 matrix with its own labels, three
/// bands with their colours, and a classification with a level left empty.
fn custom_settings() -> Settings {
    let level = |level: u8, label: &str| riskreg_domain::ScaleLevel {
        level,
        label: label.into(),
    };
    let band = |name: &str, min: u16, max: u16, colour: &str| riskreg_domain::Band {
        name: name.into(),
        min,
        max,
        colour: colour.into(),
    };
    let category = |name: &str, cells: [Option<&str>; 4]| riskreg_domain::ClassificationCategory {
        name: name.into(),
        cells: cells.iter().map(|c| c.map(str::to_owned)).collect(),
    };
    Settings {
        impact_scale: vec![
            level(1, "Slight"),
            level(2, "Real"),
            level(3, "Serious"),
            level(4, "Grave"),
        ],
        likelihood_scale: vec![
            level(1, "Rare"),
            level(2, "Possible"),
            level(3, "Likely"),
            level(4, "Certain"),
        ],
        bands: vec![
            band("Tolerable", 1, 4, "#2e7d32"),
            band("Watch", 5, 9, "#f9a825"),
            band("Act now", 10, 16, "#b71c1c"),
        ],
        classification: riskreg_domain::Classification {
            categories: vec![
                category(
                    "Money",
                    [Some("< £10k"), Some("< £100k"), Some("< £1m"), Some("£1m or more")],
                ),
                category("People", [Some("A bruise"), None, Some("Hospital"), Some("A death")]),
            ],
        },
    }
}

#[test]
fn the_workbooks_scales_and_classification_read_back_as_its_settings() {
    let settings = custom_settings();
    assert!(settings.validate().is_ok());
    let mut e = export(
        vec![RiskFields::new(
            "There is a risk that the matrix is lost",
            4,
            3,
            Rag::Red,
        )],
        vec![],
    );
    e.settings = settings.clone();
    let bytes = xlsx(&e).expect("xlsx");
    let options = Options {
        file_settings: true,
        ..Options::default()
    };
    let p = preview(&bytes, &options, &Settings::default(), today()).expect("readable");
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(p.settings.as_ref(), Some(&settings));
    assert_eq!(p.risks.len(), 1);
    // Without asking, the settings are not read, and the records meet the database's.
    assert_eq!(read_default(&bytes).settings, None);

    // A risk outside the file's 4×4 matrix is checked against the file's scales.
    let mut wide = export(
        vec![RiskFields::new("There is a risk that it is too big", 5, 1, Rag::Red)],
        vec![],
    );
    wide.settings = settings;
    let p = preview(&xlsx(&wide).expect("xlsx"), &options, &Settings::default(), today()).expect("readable");
    assert!(
        p.problems.iter().any(|p| p.field.as_deref() == Some("impact")),
        "{:#?}",
        p.problems
    );
}

/// A date Excel cannot hold (before 1900) is written as text and read back as the date.
#[test]
fn dates_before_excel_begins_read_back() {
    let old = NaiveDate::from_ymd_opt(514, 7, 15).expect("date");
    let mut f = RiskFields::new("A date mistyped", 2, 3, Rag::Amber);
    f.raised_on = Some(old);
    let mut m = Mitigation::new("Check the date", MitigationState::Planned);
    m.due = NaiveDate::from_ymd_opt(1899, 12, 31);
    f.mitigations = vec![m];
    let e = export(vec![f], vec![]);
    let p = read_default(&xlsx(&e).expect("xlsx"));
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(p.risks[0].fields.raised_on, Some(old));
    assert_eq!(
        p.risks[0].fields.mitigations[0].due,
        NaiveDate::from_ymd_opt(1899, 12, 31)
    );
}

/// A register coded like one of the workbook's own sheets gets a sheet of its own, and
/// reads back into that register.
#[test]
fn a_register_named_like_a_workbook_sheet_reads_back() {
    for code in ["ISSUES", "REGISTERS", "SCALES", "CLASSIFICATION"] {
        let mut e = export(
            vec![RiskFields::new("There is a risk that names collide", 3, 3, Rag::Amber)],
            vec![],
        );
        let code = RegisterCode::parse(code).expect("code");
        e.registers[0].code = code.clone();
        for r in &mut e.risks {
            r.reference = RecordRef::new(code.clone(), r.reference.number);
        }
        let p = read_default(&xlsx(&e).expect("an export, not an error"));
        assert!(p.problems.is_empty(), "{code}: {:#?}", p.problems);
        assert_eq!(p.registers.len(), 1, "{code}");
        assert_eq!(p.risks.len(), 1, "{code}");
        assert_eq!(p.risks[0].register.as_ref(), Some(&code), "{code}");
    }
}

/// Consequences that together overflow one cell are refused in words, not written cut short.
#[test]
fn a_cell_longer_than_a_spreadsheet_holds_is_refused_in_words() {
    let mut f = RiskFields::new("There is a risk that the consequences run long", 3, 3, Rag::Amber);
    f.consequences = (0..4).map(|i| format!("{i}{}", "x".repeat(9_000))).collect();
    let e = export(vec![f], vec![]);
    let err = xlsx(&e).expect_err("36,000 characters do not fit one cell");
    let rule = riskreg_sheets::write::refusal(&err).expect("a refusal, not a failure");
    assert!(rule.contains("32,767"), "{rule}");
}

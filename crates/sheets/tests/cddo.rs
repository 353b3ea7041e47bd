//! The CDDO "Secure by Design" risk register template, a real third-party workbook: its
//! Security Risk Tracker sheet imports with nothing but `--sheet`.

use chrono::NaiveDate;
use riskreg_domain::{MitigationState, Rag, Response, RiskStatus, ScorePair, Settings};
use riskreg_sheets::{Field, FileKind, Options, preview};

const FILE: &[u8] = include_bytes!("fixtures/cddo-risk-register-template.xlsx");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
}

fn tracker() -> riskreg_sheets::Preview {
    let options = Options {
        sheet: Some("Security Risk Tracker".into()),
        ..Options::default()
    };
    preview(FILE, &options, &Settings::default(), today()).expect("readable")
}

#[test]
fn the_tracker_gives_fourteen_risks_with_both_scores() {
    let p = tracker();
    assert_eq!(p.kind, FileKind::Xlsx);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(p.risks.len(), 14);
    let refs: Vec<_> = p
        .risks
        .iter()
        .map(|r| r.fields.source_ref.clone().unwrap_or_default())
        .collect();
    let expected: Vec<String> = (1..=14).map(|n| format!("Risk {n:03}")).collect();
    assert_eq!(refs, expected);

    let first = &p.risks[0];
    assert_eq!(first.row, 4, "data starts under the group, header and description rows");
    let f = &first.fields;
    assert!(f.statement.starts_with("There is a risk that an organised crime group"));
    // Inherent: "3 - Possible / Occasional" × "4 - Severe"; residual "2 - Unlikely / Remote" × "4 - Severe".
    assert_eq!(
        f.inherent,
        Some(ScorePair {
            impact: 4,
            likelihood: 3
        })
    );
    assert_eq!((f.impact, f.likelihood), (4, 2));
    assert_eq!(f.rag, Rag::Amber, "Residual Risk Rating Medium");
    assert_eq!(f.status, RiskStatus::Open);
    assert_eq!(f.owner.as_deref(), Some("IAO"));
    assert_eq!(f.response, Some(Response::Treat));
    assert_eq!(f.raised_on, NaiveDate::from_ymd_opt(2023, 1, 31), "typed as 31/01/2023");
    assert_eq!(f.mitigations.len(), 3);
    assert_eq!(
        f.mitigations[0].text,
        "Implement MFA to mitigate the risk of unauthorised access - Principle 10 of NCSC Cloud \
         Security Principles (Identity and authentication)"
    );
    assert!(f.mitigations.iter().all(|m| m.state == MitigationState::Ongoing));
    assert!(
        f.notes
            .as_deref()
            .is_some_and(|n| n.contains("Risk was raised with SRO"))
    );

    // Risk 003's date is an Excel date (serial 44928), not text.
    assert_eq!(p.risks[2].fields.raised_on, NaiveDate::from_ymd_opt(2023, 1, 2));
    assert_eq!(p.risks[5].fields.raised_on, NaiveDate::from_ymd_opt(2023, 5, 2));
    // Risk 005: residual 2 × 2, a low residual rating.
    assert_eq!((p.risks[4].fields.impact, p.risks[4].fields.likelihood), (2, 2));
    assert_eq!(p.risks[4].fields.rag, Rag::Green);
    assert!(p.risks.iter().all(|r| r.fields.inherent.is_some()));
}

#[test]
fn the_layout_is_reported() {
    let p = tracker();
    let l = &p.sheets[0];
    assert_eq!((l.group_row, l.header_row, l.description_row), (Some(1), 2, Some(3)));
    let field = |col: &str| l.columns.iter().find(|c| c.column == col).and_then(|c| c.field);
    assert_eq!(field("A"), Some(Field::SourceRef));
    assert_eq!(field("B"), Some(Field::Statement));
    assert_eq!(field("G"), Some(Field::Owner));
    assert_eq!(field("R"), Some(Field::InherentLikelihood));
    assert_eq!(field("T"), Some(Field::InherentImpact));
    assert_eq!(field("V"), Some(Field::InherentScore));
    assert_eq!(field("AB"), Some(Field::Likelihood));
    assert_eq!(field("AD"), Some(Field::Impact));
    assert_eq!(field("AF"), Some(Field::Score));
    assert_eq!(field("AA"), Some(Field::Mitigations));
    assert_eq!(field("F"), None, "Accountable has no field; the report lists it");
}

#[test]
fn scores_computed_by_formulas_agree() {
    // V = S × U and AF = AC × AE are formulas; their cached values are checked.
    let p = tracker();
    assert!(
        p.warnings.iter().all(|w| w.field.as_deref() != Some("score")),
        "{:#?}",
        p.warnings
    );
}

#[test]
fn without_a_sheet_the_first_with_a_register_header_is_chosen() {
    let p = preview(FILE, &Options::default(), &Settings::default(), today()).expect("readable");
    assert_eq!(p.sheets[0].sheet, "Security Risk Tracker");
    assert_eq!(p.risks.len(), 14);
}

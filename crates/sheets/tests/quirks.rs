//! The quirks of registers as people keep them, each in a workbook or CSV written here.

mod common;

use chrono::NaiveDate;
use common::{read, read_default};
use riskreg_domain::{Rag, RiskStatus, ScorePair};
use riskreg_sheets::{Field, Options, parse_map};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// A register with a title, a blank row, a group row, a two-row header, a description
/// row, labelled values, every kind of date and formula scores.
fn messy_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Corporate risks").expect("name");
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_string(0, 0, "Corporate Risk Register — March 2024")
        .expect("write");
    // Row 3: groups over the score columns (merged, so only the first cell holds text).
    sheet.write_string(2, 4, "Inherent").expect("write");
    sheet.write_string(2, 7, "Residual").expect("write");
    let headers = [
        "Risk ID",
        "Risk",
        "Risk Owner",
        "Date raised",
        "Likelihood",
        "Impact",
        "Score",
        "Probability",
        "Impact",
        "Score",
        "RAG / Status",
        "Mitigation(s)",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(3, c as u16, *h).expect("write");
    }
    let descriptions = [
        "Unique reference",
        "Describe the risk",
        "Who owns it",
        "When it was raised",
        "How likely, 1-5",
        "How bad, 1-5",
        "L × I",
        "After controls",
        "After controls",
        "L × I",
        "RAG",
        "What is being done",
    ];
    for (c, d) in descriptions.iter().enumerate() {
        sheet.write_string(4, c as u16, *d).expect("write");
    }
    let rows: [(&str, &str, &str); 4] = [
        (
            "015(CR)",
            "There is a risk that the supplier fails to deliver on time.",
            "CFO",
        ),
        (
            "R-AWS-001",
            "There is a risk that the cloud account is compromised.",
            "CISO",
        ),
        ("016(CR)", "There is a risk that key staff leave.", "HR Director"),
        ("017(CR)", "There is a risk that funding is withdrawn.", "CEO"),
    ];
    for (i, (r, statement, owner)) in rows.iter().enumerate() {
        let row = 5 + i as u32;
        sheet.write_string(row, 0, *r).expect("write");
        sheet.write_string(row, 1, *statement).expect("write");
        sheet.write_string(row, 2, *owner).expect("write");
    }
    // Dates: ISO text, UK text, a real date cell, an Excel serial typed as a number.
    sheet.write_string(5, 3, "2024-01-15").expect("write");
    sheet.write_string(6, 3, "31/01/2023").expect("write");
    let d = ExcelDateTime::from_ymd(2023, 5, 2).expect("date");
    sheet.write_datetime_with_format(7, 3, &d, &date_format).expect("write");
    sheet.write_number(8, 3, 44928.0).expect("write");
    // Inherent: labelled values, scale labels (riskreg's own: Major is impact 5) and plain
    // numbers; scores as formulas.
    let inherent = [
        ("4 - Likely", "5 - Critical"),
        ("3 - Possible / Occasional ", "Major"),
        ("2", "3"),
        ("High", "4 - Severe"),
    ];
    for (i, (l, im)) in inherent.iter().enumerate() {
        let row = 5 + i as u32;
        sheet.write_string(row, 4, *l).expect("write");
        sheet.write_string(row, 5, *im).expect("write");
    }
    sheet
        .write_formula(5, 6, Formula::new("=4*5").set_result("20"))
        .expect("write");
    sheet
        .write_formula(6, 6, Formula::new("=3*5").set_result("15"))
        .expect("write");
    sheet.write_number(7, 6, 6.0).expect("write");
    sheet.write_number(8, 6, 16.0).expect("write");
    let residual = [(3.0, 4.0, 12.0), (2.0, 4.0, 9.0), (1.0, 3.0, 3.0), (2.0, 2.0, 4.0)];
    for (i, (l, im, s)) in residual.iter().enumerate() {
        let row = 5 + i as u32;
        sheet.write_number(row, 7, *l).expect("write");
        sheet.write_number(row, 8, *im).expect("write");
        sheet.write_number(row, 9, *s).expect("write");
    }
    for (i, rag) in ["Red", "A", "GREEN", "Amber"].iter().enumerate() {
        sheet.write_string(5 + i as u32, 10, *rag).expect("write");
    }
    sheet
        .write_string(
            5,
            11,
            "1. Weekly supplier review\n2. Escrow of the source code -\n   held by the bank\n3. Second supplier",
        )
        .expect("write");
    sheet.write_string(6, 11, "• MFA\n• Alerting").expect("write");
    sheet.write_string(7, 11, "Exit interviews").expect("write");
    book.save_to_buffer().expect("workbook")
}

#[test]
fn titles_groups_and_descriptions_around_the_header_are_understood() {
    let p = read_default(&messy_workbook());
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    let l = &p.sheets[0];
    assert_eq!((l.group_row, l.header_row, l.description_row), (Some(3), 4, Some(5)));
    let field = |col: &str| l.columns.iter().find(|c| c.column == col).and_then(|c| c.field);
    assert_eq!(field("E"), Some(Field::InherentLikelihood));
    assert_eq!(field("F"), Some(Field::InherentImpact));
    assert_eq!(field("G"), Some(Field::InherentScore));
    assert_eq!(field("H"), Some(Field::Likelihood));
    assert_eq!(field("I"), Some(Field::Impact));
    assert_eq!(field("J"), Some(Field::Score));
    assert_eq!(field("K"), Some(Field::Rag));
    assert_eq!(field("L"), Some(Field::Mitigations));
    assert_eq!(p.risks.len(), 4);
}

#[test]
fn references_are_kept_verbatim() {
    let p = read_default(&messy_workbook());
    let refs: Vec<_> = p
        .risks
        .iter()
        .map(|r| r.fields.source_ref.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(refs, ["015(CR)", "R-AWS-001", "016(CR)", "017(CR)"]);
}

#[test]
fn labelled_values_labels_and_numbers_become_levels() {
    let p = read_default(&messy_workbook());
    let inherent: Vec<_> = p.risks.iter().map(|r| r.fields.inherent).collect();
    let pair = |likelihood, impact| Some(ScorePair { impact, likelihood });
    assert_eq!(inherent, [pair(4, 5), pair(3, 5), pair(2, 3), pair(4, 4)]);
    assert_eq!((p.risks[0].fields.impact, p.risks[0].fields.likelihood), (4, 3));
    let rags: Vec<_> = p.risks.iter().map(|r| r.fields.rag).collect();
    assert_eq!(rags, [Rag::Red, Rag::Amber, Rag::Green, Rag::Amber]);
    assert!(p.risks.iter().all(|r| r.fields.status == RiskStatus::Open));
}

#[test]
fn dates_come_as_iso_text_uk_text_date_cells_and_serials() {
    let p = read_default(&messy_workbook());
    let dates: Vec<_> = p.risks.iter().map(|r| r.fields.raised_on).collect();
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(dates, [d(2024, 1, 15), d(2023, 1, 31), d(2023, 5, 2), d(2023, 1, 2)]);
}

#[test]
fn numbered_and_bulleted_cells_become_separate_mitigations() {
    let p = read_default(&messy_workbook());
    let texts = |i: usize| {
        p.risks[i]
            .fields
            .mitigations
            .iter()
            .map(|m| m.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(0),
        [
            "Weekly supplier review",
            "Escrow of the source code - held by the bank",
            "Second supplier"
        ]
    );
    assert_eq!(texts(1), ["MFA", "Alerting"]);
    assert_eq!(texts(2), ["Exit interviews"]);
    assert!(texts(3).is_empty());
}

#[test]
fn every_score_that_is_not_impact_times_likelihood_is_reported() {
    let p = read_default(&messy_workbook());
    let mismatches: Vec<(u32, String, String)> = p
        .warnings
        .iter()
        .filter(|w| w.rule.contains("impact × likelihood"))
        .map(|w| {
            (
                w.row.unwrap_or(0),
                w.column.clone().unwrap_or_default(),
                w.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    // Row 7's residual score says 9 for 2 × 4; row 9's inherent score says 16 for 4 × 4 … which is right,
    // and row 8's inherent 6 = 2 × 3 is right too: only the wrong one is reported.
    assert_eq!(mismatches, [(7, "J".to_owned(), "9".to_owned())]);
}

/// A sheet with every kind of bad row, one per row.
fn bad_rows() -> Vec<u8> {
    let mut csv = String::from("Ref,Description,Impact,Likelihood,RAG,Date raised\r\n");
    csv.push_str("R1,A good risk,3,3,AMBER,2024-01-01\r\n");
    csv.push_str("R2,An impossible impact,6,3,AMBER,2024-01-01\r\n");
    csv.push_str("R3,,3,3,AMBER,2024-01-01\r\n");
    csv.push_str("R4,A bad date,3,3,AMBER,31/02/2024\r\n");
    csv.push_str("R5,A bad RAG,3,3,PURPLE,\r\n");
    csv.push_str("R1,A reused reference,2,2,GREEN,\r\n");
    csv.into_bytes()
}

/// A reported problem: row, column, value and rule.
type Named<'a> = (u32, Option<&'a str>, Option<&'a str>, Option<&'a str>);

#[test]
fn every_bad_row_is_named_with_its_column_value_and_rule() {
    let p = read_default(&bad_rows());
    let found: Vec<Named<'_>> = p
        .problems
        .iter()
        .map(|p| {
            (
                p.row.unwrap_or(0),
                p.column.as_deref(),
                p.value.as_deref(),
                p.field.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (3, Some("C"), Some("6"), Some("impact")),
            (4, Some("B"), None, Some("statement")),
            (5, Some("F"), Some("31/02/2024"), Some("raised_on")),
            (6, Some("E"), Some("PURPLE"), Some("rag")),
            (7, None, Some("R1"), Some("source_ref")),
        ]
    );
    assert!(p.problems[0].rule.contains("from 1 to 5; got 6"), "{}", p.problems[0]);
    assert_eq!(p.problems[0].sheet, "CSV");
    assert!(!p.is_clean());
    let shown = p.problems[0].to_string();
    assert!(
        shown.starts_with("CSV row 3 column C (Impact) \"6\": impact: must be a level from 1 to 5"),
        "{shown}"
    );
}

#[test]
fn map_overrides_the_automatic_mapping() {
    let csv = b"Ref,Title,Gross,Net score,Status,Lead\r\nX1,Floods,4,2,Amber,Estates\r\n";
    let auto = read_default(csv);
    assert!(!auto.is_clean(), "without --map there is no impact or likelihood");
    let options = Options {
        map: ["impact=Gross", "likelihood=D", "owner=lead"]
            .map(|m| parse_map(m).expect("map"))
            .into(),
        ..Options::default()
    };
    let p = read(csv, &options).expect("readable");
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    let f = &p.risks[0].fields;
    assert_eq!(
        (f.impact, f.likelihood, f.rag),
        (4, 2, Rag::Amber),
        "a RAG in the status column"
    );
    assert_eq!(f.owner.as_deref(), Some("Estates"));
    assert!(parse_map("colour=B").is_err());
    assert!(
        read(
            csv,
            &Options {
                map: vec![(Field::Owner, "Nowhere".into())],
                ..Options::default()
            }
        )
        .expect("readable")
        .problems[0]
            .rule
            .contains("no column \"Nowhere\"")
    );
}

#[test]
fn a_blank_map_leaves_a_field_without_a_column() {
    let csv = b"Ref,Risk,Impact,Likelihood,RAG,Owner\r\nX1,Floods,4,2,AMBER,Estates\r\n";
    assert_eq!(read_default(csv).risks[0].fields.owner.as_deref(), Some("Estates"));
    let options = Options {
        map: vec![parse_map("owner=").expect("a blank column is allowed")],
        ..Options::default()
    };
    let p = read(csv, &options).expect("readable");
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(p.risks[0].fields.owner, None);
    let f = p.sheets[0].columns.iter().find(|c| c.column == "F").expect("F");
    assert_eq!(f.field, None);
    assert!(
        f.note.as_deref().is_some_and(|n| n.contains("without a column")),
        "{f:?}"
    );
}

#[test]
fn an_impact_column_of_text_is_read_as_the_consequences() {
    let csv =
        "Ref,Risk,Impact,Likelihood,Score\r\nA,Server loss,\"Outage\nLost revenue\",4,\r\nB,Fire,\"Injury\",2,\r\n";
    let p = read_default(csv.as_bytes());
    let col = p.sheets[0].columns.iter().find(|c| c.column == "C").expect("C");
    assert_eq!(col.field, Some(Field::Consequences));
    assert!(!p.is_clean(), "and then no column gives an impact level");
    assert!(p.problems.iter().any(|p| p.field.as_deref() == Some("impact")));
}

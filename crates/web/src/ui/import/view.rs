//! What the preview page shows of an upload: the sheet choice, the mapping as one select
//! per field, the risks that would be created, and every error and warning by sheet, row,
//! column and value with its rule.

use std::collections::BTreeMap;

use riskreg_sheets::header::Layout as SheetLayout;
use riskreg_sheets::write::REGISTERS_SHEET;
use riskreg_sheets::{Field, FileKind, Problem};

use crate::api::exchange::Upload;
use crate::ui::view::{RagChip, excerpt};

/// Rows and problems shown at most; the page says how many more there are.
const MAX_ROWS: usize = 500;
const MAX_PROBLEMS: usize = 1_000;

/// The fields a sheet of risks can fill, in the order the mapping lists them. The issue
/// fields are read only from the Issues sheet of riskreg's own workbook, never mapped.
pub const MAPPABLE: [Field; 28] = [
    Field::SourceRef,
    Field::Statement,
    Field::Cause,
    Field::Consequences,
    Field::Impact,
    Field::Likelihood,
    Field::Score,
    Field::Rag,
    Field::Status,
    Field::Owner,
    Field::RaisedBy,
    Field::RaisedOn,
    Field::LastUpdated,
    Field::Category,
    Field::Provenance,
    Field::Footnotes,
    Field::Notes,
    Field::Mitigations,
    Field::InherentImpact,
    Field::InherentLikelihood,
    Field::InherentScore,
    Field::TargetImpact,
    Field::TargetLikelihood,
    Field::Response,
    Field::Proximity,
    Field::ReviewBy,
    Field::Register,
    Field::Number,
];

fn label(f: Field) -> &'static str {
    match f {
        Field::Register => "Register code",
        Field::Number => "Number in the register",
        Field::SourceRef => "Reference (kept as the source reference)",
        Field::Statement => "Statement (the risk)",
        Field::Cause => "Cause (added to the notes)",
        Field::Consequences => "Consequences",
        Field::Impact => "Impact",
        Field::Likelihood => "Likelihood",
        Field::Score => "Score (checked against impact × likelihood)",
        Field::Rag => "RAG",
        Field::Status => "Status",
        Field::Owner => "Owner",
        Field::RaisedBy => "Raised by",
        Field::RaisedOn => "Raised on",
        Field::LastUpdated => "Last updated (added to the notes)",
        Field::Category => "Category",
        Field::Provenance => "Provenance",
        Field::Footnotes => "Footnotes",
        Field::Notes => "Notes",
        Field::Mitigations => "Mitigations",
        Field::InherentImpact => "Inherent impact",
        Field::InherentLikelihood => "Inherent likelihood",
        Field::InherentScore => "Inherent score (checked)",
        Field::TargetImpact => "Target impact",
        Field::TargetLikelihood => "Target likelihood",
        Field::Response => "Response",
        Field::Proximity => "Proximity",
        Field::ReviewBy => "Review by",
        Field::ImpactsIntro => "Impacts introduction",
        Field::Impacts => "Impacts",
        Field::AssociatedRisk => "Associated risk",
    }
}

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A field, its select of the sheet's columns, and what the importer said of its column.
#[derive(Debug, Clone)]
pub struct FieldMapping {
    /// The field's name, as `--map` takes it.
    pub field: &'static str,
    pub label: &'static str,
    pub options: Vec<Choice>,
    pub mapped: bool,
    pub note: String,
}

/// How one sheet was laid out.
#[derive(Debug, Clone)]
pub struct SheetRead {
    pub sheet: String,
    pub header_row: u32,
    pub group_row: String,
    pub description_row: String,
}

/// A record that would be created.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub kind: &'static str,
    pub sheet: String,
    pub row: u32,
    pub source_ref: String,
    pub statement: String,
    pub score: String,
    pub inherent: String,
    pub rag: RagChip,
    pub owner: String,
    pub mitigations: usize,
}

/// One error or warning, located.
#[derive(Debug, Clone)]
pub struct ProblemRow {
    pub sheet: String,
    pub row: String,
    pub column: String,
    pub value: String,
    pub rule: String,
}

#[derive(Debug, Clone)]
pub struct PreviewModel {
    /// `XLSX workbook` or `CSV file`.
    pub kind: &'static str,
    pub sheets: Vec<Choice>,
    /// The sheet the mapping selects are drawn for (sent back as `mapping_for`).
    pub mapping_for: String,
    pub read: Vec<SheetRead>,
    /// The fields read from a column, then those read from none.
    pub mapped: Vec<FieldMapping>,
    pub unmapped: Vec<FieldMapping>,
    /// Header columns no field reads, with why.
    pub unused: Vec<String>,
    pub rows: Vec<RecordRow>,
    pub risks: usize,
    pub issues: usize,
    pub errors: Vec<ProblemRow>,
    pub more_errors: usize,
    pub warnings: Vec<ProblemRow>,
    pub more_warnings: usize,
    pub can_confirm: bool,
    /// One sentence: what would happen, or why nothing can.
    pub summary: String,
    /// `14 risks`, for the confirm button.
    pub count: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn problem_row(p: &Problem) -> ProblemRow {
    let column = match (&p.column, &p.header) {
        (Some(c), Some(h)) => format!("{c} ({h})"),
        (Some(c), None) => c.clone(),
        _ => String::new(),
    };
    let rule = match &p.field {
        Some(f) => format!("{f}: {}", p.rule),
        None => p.rule.clone(),
    };
    ProblemRow {
        sheet: p.sheet.clone(),
        row: p.row.map(|r| r.to_string()).unwrap_or_default(),
        column,
        value: p.value.as_deref().map(|v| excerpt(v, 80)).unwrap_or_default(),
        rule,
    }
}

/// Columns chosen for two or more fields: a column fills one field.
pub fn clashes(mapping: &[(Field, String)]) -> Vec<String> {
    let mut by_column: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for (f, c) in mapping {
        if !c.is_empty() {
            by_column.entry(c.to_ascii_uppercase()).or_default().push(f.name());
        }
    }
    by_column
        .into_iter()
        .filter(|(_, fields)| fields.len() > 1)
        .map(|(c, fields)| {
            format!(
                "column {c} is chosen for {}; a column fills one field, so choose another column for all but one",
                fields.join(" and ")
            )
        })
        .collect()
}

fn mapping_of(layout: &SheetLayout) -> (Vec<FieldMapping>, Vec<String>) {
    let column_label = |c: &riskreg_sheets::header::ColumnUse| match &c.group {
        Some(g) => format!("{} — {} › {}", c.column, g, c.header),
        None => format!("{} — {}", c.column, c.header),
    };
    let mapping = MAPPABLE
        .iter()
        .map(|&f| {
            let current = layout.column(f);
            let mut options = vec![Choice {
                value: String::new(),
                label: "(no column)".into(),
                selected: current.is_none(),
            }];
            options.extend(layout.columns.iter().map(|c| Choice {
                value: c.column.clone(),
                label: column_label(c),
                selected: c.field == Some(f),
            }));
            FieldMapping {
                field: f.name(),
                label: label(f),
                options,
                mapped: current.is_some(),
                note: current
                    .and_then(|c| c.note.clone())
                    .filter(|n| !n.contains("--map"))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let unused = layout
        .columns
        .iter()
        .filter(|c| c.field.is_none_or(|f| !MAPPABLE.contains(&f)))
        .map(|c| match &c.note {
            Some(n) if !n.contains("--map") => format!("{}: {n}", column_label(c)),
            _ => column_label(c),
        })
        .collect();
    (mapping, unused)
}

impl PreviewModel {
    pub fn new(
        upload: &Upload,
        sheets: &[String],
        chosen: Option<&str>,
        read_as: &str,
        kind: FileKind,
        clashes: Vec<String>,
    ) -> Self {
        let p = &upload.preview;
        let workbook = kind == FileKind::Xlsx && chosen.is_none() && sheets.iter().any(|s| s == REGISTERS_SHEET);
        // One sheet read as risks gets the selects; riskreg's own workbook is read whole.
        let single = (!workbook && p.sheets.len() == 1).then(|| &p.sheets[0]);
        let shown = chosen.or(single.map(|l| l.sheet.as_str())).unwrap_or("");
        let mut choices = Vec::new();
        if !sheets.is_empty() {
            choices.push(Choice {
                value: String::new(),
                label: if sheets.iter().any(|s| s == REGISTERS_SHEET) {
                    "The whole workbook (as riskreg exports it)".into()
                } else {
                    "The first sheet with a register's header".into()
                },
                selected: shown.is_empty(),
            });
            choices.extend(sheets.iter().map(|s| Choice {
                value: s.clone(),
                label: s.clone(),
                selected: s == shown,
            }));
        }
        let (mapping, unused) = single.map(mapping_of).unwrap_or_default();
        let (mapped, unmapped) = mapping.into_iter().partition(|m| m.mapped);
        let read = p
            .sheets
            .iter()
            .map(|l| SheetRead {
                sheet: l.sheet.clone(),
                header_row: l.header_row,
                group_row: l.group_row.map(|r| r.to_string()).unwrap_or_default(),
                description_row: l.description_row.map(|r| r.to_string()).unwrap_or_default(),
            })
            .collect();
        let rows = p
            .risks
            .iter()
            .map(|r| {
                let f = &r.fields;
                RecordRow {
                    kind: "risk",
                    sheet: r.sheet.clone(),
                    row: r.row,
                    source_ref: f.source_ref.clone().unwrap_or_default(),
                    statement: excerpt(&f.statement, 160),
                    score: format!("{} × {} = {}", f.impact, f.likelihood, f.severity()),
                    inherent: f
                        .inherent
                        .map(|s| format!("{} × {}", s.impact, s.likelihood))
                        .unwrap_or_default(),
                    rag: f.rag.into(),
                    owner: f.owner.clone().unwrap_or_default(),
                    mitigations: f.mitigations.len(),
                }
            })
            .chain(p.issues.iter().map(|r| {
                let f = &r.fields;
                RecordRow {
                    kind: "issue",
                    sheet: r.sheet.clone(),
                    row: r.row,
                    source_ref: f.source_ref.clone().unwrap_or_default(),
                    statement: excerpt(&f.statement, 160),
                    score: format!("impact {}", f.impact),
                    inherent: String::new(),
                    rag: f.rag.into(),
                    owner: f.owner.clone().unwrap_or_default(),
                    mitigations: f.mitigations.len(),
                }
            }))
            .take(MAX_ROWS)
            .collect();
        let sheet_name = if read_as.is_empty() { "workbook" } else { read_as };
        let all_errors: Vec<ProblemRow> = clashes
            .iter()
            .map(|c| problem_row(&Problem::sheet(sheet_name, c.clone())))
            .chain(upload.problems.iter().map(problem_row))
            .collect();
        let (risks, issues) = (p.risks.len(), p.issues.len());
        let records = match issues {
            0 => plural(risks, "risk", "risks"),
            _ => format!(
                "{} and {}",
                plural(risks, "risk", "risks"),
                plural(issues, "issue", "issues")
            ),
        };
        let can_confirm = all_errors.is_empty() && risks + issues > 0;
        let summary = if !all_errors.is_empty() {
            format!(
                "Nothing can be imported until {} fixed: correct the spreadsheet (or the mapping below) and try again. \
                 Nothing has been written.",
                if all_errors.len() == 1 {
                    "the error below is".to_owned()
                } else {
                    format!("the {} errors below are", all_errors.len())
                }
            )
        } else if risks + issues == 0 {
            "The file holds no risks to import.".to_owned()
        } else {
            format!("{records} would be created. Nothing is written until you confirm.")
        };
        Self {
            kind: if kind == FileKind::Xlsx {
                "XLSX workbook"
            } else {
                "CSV file"
            },
            sheets: choices,
            mapping_for: single.map(|l| l.sheet.clone()).unwrap_or_default(),
            read,
            mapped,
            unmapped,
            unused,
            rows,
            risks,
            issues,
            more_errors: all_errors.len().saturating_sub(MAX_PROBLEMS),
            errors: all_errors.into_iter().take(MAX_PROBLEMS).collect(),
            more_warnings: p.warnings.len().saturating_sub(MAX_PROBLEMS),
            warnings: p.warnings.iter().take(MAX_PROBLEMS).map(problem_row).collect(),
            can_confirm,
            summary,
            count: records,
        }
    }

    /// How many records the preview does not list.
    pub fn more_rows(&self) -> usize {
        (self.risks + self.issues).saturating_sub(self.rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_chosen_twice_is_a_clash() {
        let m = vec![
            (Field::Statement, "D".to_owned()),
            (Field::Notes, "d".to_owned()),
            (Field::Owner, String::new()),
            (Field::Cause, String::new()),
        ];
        let c = clashes(&m);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].starts_with("column D is chosen for statement and notes"), "{c:?}");
    }

    #[test]
    fn every_risk_field_is_mappable_once() {
        for f in riskreg_sheets::field::ALL {
            let issue_only = matches!(f, Field::ImpactsIntro | Field::Impacts | Field::AssociatedRisk);
            assert_eq!(MAPPABLE.contains(&f), !issue_only, "{f:?}");
        }
    }
}

//! What an import found wrong, each problem pinned to its sheet, row, column and value
//! with the rule it broke, so a secretariat can fix the spreadsheet and try again.

use std::fmt;

use serde::Serialize;

/// One thing wrong (or, among warnings, worth checking) in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub sheet: String,
    /// The row as the spreadsheet numbers it; `None` for the sheet as a whole.
    pub row: Option<u32>,
    /// The column's letters.
    pub column: Option<String>,
    pub header: Option<String>,
    pub value: Option<String>,
    /// The field the column fills.
    pub field: Option<String>,
    pub rule: String,
}

impl Problem {
    pub fn sheet(sheet: &str, rule: impl Into<String>) -> Self {
        Self {
            sheet: sheet.to_owned(),
            row: None,
            column: None,
            header: None,
            value: None,
            field: None,
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.sheet)?;
        if let Some(r) = self.row {
            write!(f, " row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, " column {c}")?;
            if let Some(h) = &self.header {
                write!(f, " ({h})")?;
            }
        }
        if let Some(v) = &self.value {
            let shown: String = v.chars().take(60).collect();
            let more = if v.chars().count() > 60 { "…" } else { "" };
            write!(f, " {:?}", format!("{shown}{more}"))?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.rule)
    }
}

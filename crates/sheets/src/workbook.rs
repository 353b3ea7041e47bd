//! The Registers sheet of riskreg's own workbook: each register's code, name, parent,
//! confidentiality, description and last paper, so that an exported workbook imported into
//! an empty database recreates its registers before their risks.

use riskreg_domain::{RegisterCode, RegisterFields};

use crate::grid::{Grid, Value};
use crate::preview::NewRegister;
use crate::report::Problem;
use crate::values;
use crate::write::REGISTER_COLUMNS;

pub fn registers(grid: &Grid, problems: &mut Vec<Problem>) -> Vec<NewRegister> {
    let Some((header, rows)) = grid.rows.split_first() else {
        return Vec::new();
    };
    let index = |name: &str| {
        header
            .cells
            .iter()
            .position(|v| v.display().trim().eq_ignore_ascii_case(name))
    };
    let columns: Vec<Option<usize>> = REGISTER_COLUMNS.iter().map(|(n, _)| index(n)).collect();
    let mut out = Vec::new();
    for row in rows {
        let cell = |i: usize| columns[i].map_or(&Value::Empty, |c| row.get(c));
        let opt = |i: usize| Some(cell(i).display().trim().to_owned()).filter(|s| !s.is_empty());
        let mut bad = |column: usize, value: &Value, rule: String| {
            problems.push(Problem {
                row: Some(row.number),
                column: columns[column].map(crate::grid::column_letter),
                header: Some(REGISTER_COLUMNS[column].0.to_owned()),
                value: Some(value.display()),
                ..Problem::sheet(&grid.sheet, rule)
            });
        };
        let code = match RegisterCode::parse(&cell(0).display()) {
            Ok(c) => c,
            Err(e) => {
                bad(0, cell(0), e.rule);
                continue;
            }
        };
        let mut fields = RegisterFields::new(cell(1).display().trim());
        fields.parent = match opt(2).map(|p| RegisterCode::parse(&p)) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                bad(2, cell(2), e.rule);
                None
            }
            None => None,
        };
        fields.confidential = match cell(3).display().trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "y" => true,
            "no" | "false" | "n" | "" => false,
            _ => {
                bad(3, cell(3), "must be yes or no".into());
                false
            }
        };
        fields.description = opt(4);
        if !cell(5).is_empty() {
            match values::date(cell(5)) {
                Ok(d) => fields.last_paper_on = Some(d),
                Err(rule) => bad(5, cell(5), rule),
            }
        }
        match fields.normalised() {
            Ok(fields) => out.push(NewRegister { code, fields }),
            Err(errors) => {
                for e in errors.0 {
                    bad(1, cell(1), format!("{}: {}", e.field, e.rule));
                }
            }
        }
    }
    out
}

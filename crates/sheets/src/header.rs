//! Finding the header in a sheet as people lay it out — title rows above it, a group row
//! over it ("Inherent" spanning "Likelihood" and "Impact"), a row describing each column
//! under it — and deciding which field each column fills, with `--map` overriding.

use serde::Serialize;

use crate::field::{Field, field_for};
use crate::grid::{Grid, Row, Value, column_index, column_letter};
use crate::report::Problem;
use crate::values;

/// Rows searched for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// What one column of the sheet was taken to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnUse {
    /// The column's letters, `A`, `AB`.
    pub column: String,
    pub header: String,
    /// The label of the group row above it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub field: Option<Field>,
    /// Why the column is used the way it is, when that is not plain from its header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub index: usize,
}

/// How a sheet's rows were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub sheet: String,
    pub header_row: u32,
    pub group_row: Option<u32>,
    pub description_row: Option<u32>,
    pub columns: Vec<ColumnUse>,
    /// Positions in the grid's rows of the rows holding records.
    #[serde(skip)]
    pub data: Vec<usize>,
}

impl Layout {
    pub fn column(&self, field: Field) -> Option<&ColumnUse> {
        self.columns.iter().find(|c| c.field == Some(field))
    }

    pub fn has(&self, field: Field) -> bool {
        self.column(field).is_some()
    }
}

fn header_score(row: &Row) -> usize {
    row.cells
        .iter()
        .filter(|v| matches!(v, Value::Text(t) if field_for(t, None).is_some()))
        .count()
}

/// Finds the header row of `grid` and maps its columns; `overrides` are `(field, column)`
/// with the column named by its header text or its letters, or blank for no column.
#[allow(
    clippy::result_large_err,
    reason = "a problem is returned at most once per sheet, never on a per-row path"
)]
pub fn layout(grid: &Grid, overrides: &[(Field, String)]) -> Result<Layout, Problem> {
    let (position, header) = grid
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .map(|(i, r)| (i, header_score(r)))
        .filter(|(_, s)| *s >= 2)
        .max_by_key(|(i, s)| (*s, std::cmp::Reverse(*i)))
        .map(|(i, _)| (i, &grid.rows[i]))
        .ok_or_else(|| {
            Problem::sheet(
                &grid.sheet,
                "no header row found in its first 30 rows: no row names two or more columns riskreg \
             knows (Ref, Description, Impact, Likelihood, Owner, …); name them with --map FIELD=COLUMN",
            )
        })?;
    let group_row = position
        .checked_sub(1)
        .map(|i| &grid.rows[i])
        .filter(|r| r.number + 1 == header.number && header_score(r) < header_score(header));
    let groups = carried_groups(group_row, header.cells.len());
    let mut columns: Vec<ColumnUse> = header
        .cells
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(i, v)| {
            let text = v.display().trim().to_owned();
            ColumnUse {
                column: column_letter(i),
                field: field_for(&text, groups[i].as_deref()),
                header: text,
                group: groups[i].clone(),
                note: None,
                index: i,
            }
        })
        .collect();
    let after: Vec<usize> = (position + 1..grid.rows.len()).collect();
    decide_impact_columns(grid, &after, &mut columns);
    apply_overrides(&grid.sheet, &mut columns, overrides)?;
    mark_duplicates(&mut columns);
    let mut layout = Layout {
        sheet: grid.sheet.clone(),
        header_row: header.number,
        group_row: group_row.map(|r| r.number),
        description_row: None,
        columns,
        data: Vec::new(),
    };
    let mut data = after.into_iter().peekable();
    if let Some(&first) = data.peek()
        && grid.rows[first].number == header.number + 1
        && is_description(&grid.rows[first], &layout)
    {
        layout.description_row = Some(grid.rows[first].number);
        data.next();
    }
    let mapped: Vec<usize> = layout
        .columns
        .iter()
        .filter(|c| c.field.is_some())
        .map(|c| c.index)
        .collect();
    layout.data = data
        .filter(|&i| mapped.iter().any(|&c| !grid.rows[i].get(c).is_empty()))
        .collect();
    Ok(layout)
}

/// Group labels carried rightwards over the blank cells a merged group leaves.
fn carried_groups(row: Option<&Row>, width: usize) -> Vec<Option<String>> {
    let mut out = vec![None; width];
    if let Some(row) = row {
        let mut current = None;
        for (i, slot) in out.iter_mut().enumerate() {
            let v = row.get(i);
            if !v.is_empty() {
                current = Some(v.display().trim().to_owned());
            }
            *slot = current.clone();
        }
    }
    out
}

/// "Impact" is a level in one register and a description of the consequences in another:
/// the column's values decide.
fn decide_impact_columns(grid: &Grid, rows: &[usize], columns: &mut [ColumnUse]) {
    for c in columns.iter_mut() {
        if !matches!(
            c.field,
            Some(Field::Impact | Field::InherentImpact | Field::TargetImpact)
        ) {
            continue;
        }
        let sample: Vec<&Value> = rows
            .iter()
            .skip(1)
            .take(20)
            .map(|&i| grid.rows[i].get(c.index))
            .filter(|v| !v.is_empty())
            .collect();
        let levels = sample.iter().filter(|v| values::level(v, 9, &[]).is_ok()).count();
        if !sample.is_empty() && levels * 2 < sample.len() {
            c.field = Some(Field::Consequences);
            c.note = Some("its values are text, not levels, so it is read as the consequences".into());
        }
    }
}

#[allow(
    clippy::result_large_err,
    reason = "a problem is returned at most once per sheet, never on a per-row path"
)]
fn apply_overrides(sheet: &str, columns: &mut [ColumnUse], overrides: &[(Field, String)]) -> Result<(), Problem> {
    for (field, name) in overrides {
        let wanted = name.trim();
        if wanted.is_empty() {
            // `FIELD=` with no column: the field is read from no column at all.
            for c in columns.iter_mut().filter(|c| c.field == Some(*field)) {
                c.field = None;
                c.note = Some(format!(
                    "--map {}= left {} without a column",
                    field.name(),
                    field.name()
                ));
            }
            continue;
        }
        let position = columns
            .iter()
            .position(|c| c.header.eq_ignore_ascii_case(wanted))
            .or_else(|| column_index(wanted).and_then(|i| columns.iter().position(|c| c.index == i)))
            .ok_or_else(|| {
                Problem::sheet(
                    sheet,
                    format!(
                        "--map {}={wanted}: the header row has no column {wanted:?}",
                        field.name()
                    ),
                )
            })?;
        for c in columns.iter_mut() {
            if c.field == Some(*field) {
                c.field = None;
                c.note = Some(format!("--map gave {} to another column", field.name()));
            }
        }
        columns[position].field = Some(*field);
        columns[position].note = Some("mapped by --map".into());
    }
    Ok(())
}

/// The first column for a field is used; later ones are listed as ignored.
fn mark_duplicates(columns: &mut [ColumnUse]) {
    let mut seen = Vec::new();
    for c in columns.iter_mut() {
        if let Some(f) = c.field {
            if seen.contains(&f) {
                c.field = None;
                c.note = Some(format!("also looks like {}; the first such column is used", f.name()));
            } else {
                seen.push(f);
            }
        }
    }
}

/// A row right under the header that explains the columns instead of holding a record:
/// its level and score columns hold no levels, and it has text in two or more columns.
fn is_description(row: &Row, layout: &Layout) -> bool {
    let numeric: Vec<&ColumnUse> = layout
        .columns
        .iter()
        .filter(|c| c.field.is_some_and(Field::is_numeric))
        .collect();
    if numeric.is_empty() {
        return false;
    }
    let any_level = numeric.iter().any(|c| {
        let v = row.get(c.index);
        values::level(v, 9, &[]).is_ok() || values::score(v).is_some()
    });
    let texts = row
        .cells
        .iter()
        .filter(|v| matches!(v, Value::Text(t) if !t.trim().is_empty()))
        .count();
    !any_level && texts >= 2
}

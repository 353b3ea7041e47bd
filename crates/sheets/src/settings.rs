//! The Scales and Classification sheets of riskreg's own workbook read back as settings, so
//! that a workbook imported into an empty database brings the scales, severity bands and
//! impact classification its records were scored on, and the round trip is whole.

use riskreg_domain::{Band, Classification, ClassificationCategory, ScaleLevel, Settings};

use crate::grid::{Grid, Value, column_letter};
use crate::report::Problem;
use crate::write::SCALES_COLUMNS;

/// The settings the sheets describe, or `None` with every problem recorded. `classification`
/// is the Classification sheet; without one the classification is `fallback`'s.
pub fn settings(
    scales: &Grid,
    classification: Option<&Grid>,
    fallback: &Settings,
    problems: &mut Vec<Problem>,
) -> Option<Settings> {
    let before = problems.len();
    let Some((header, rows)) = scales.rows.split_first() else {
        problems.push(Problem::sheet(
            &scales.sheet,
            "is empty; it must list the scales and bands",
        ));
        return None;
    };
    let index = |name: &str| {
        header
            .cells
            .iter()
            .position(|v| v.display().trim().eq_ignore_ascii_case(name))
    };
    let columns: Vec<Option<usize>> = SCALES_COLUMNS.iter().map(|(n, _)| index(n)).collect();
    for (i, c) in columns.iter().enumerate() {
        if c.is_none() {
            problems.push(Problem::sheet(
                &scales.sheet,
                format!("has no {} column in its first row", SCALES_COLUMNS[i].0),
            ));
        }
    }
    if problems.len() > before {
        return None;
    }
    let mut s = Settings {
        impact_scale: Vec::new(),
        likelihood_scale: Vec::new(),
        bands: Vec::new(),
        classification: fallback.classification.clone(),
    };
    for row in rows {
        let cell = |i: usize| columns[i].map_or(&Value::Empty, |c| row.get(c));
        let text = |i: usize| cell(i).display().trim().to_owned();
        let mut bad = |i: usize, rule: &str| {
            problems.push(Problem {
                row: Some(row.number),
                column: columns[i].map(column_letter),
                header: Some(SCALES_COLUMNS[i].0.to_owned()),
                value: Some(cell(i).display()),
                ..Problem::sheet(&scales.sheet, rule)
            });
        };
        match text(0).to_ascii_lowercase().as_str() {
            scale @ ("impact" | "likelihood") => {
                let level = match cell(1) {
                    Value::Number(n) if n.fract() == 0.0 && (1.0..=255.0).contains(n) => *n as u8,
                    Value::Text(t) if t.trim().parse::<u8>().is_ok_and(|l| l > 0) => t.trim().parse().unwrap_or(0),
                    _ => {
                        bad(1, "must be a level: a whole number from 1");
                        continue;
                    }
                };
                let level = ScaleLevel { level, label: text(2) };
                if scale == "impact" {
                    s.impact_scale.push(level);
                } else {
                    s.likelihood_scale.push(level);
                }
            }
            "band" => {
                let range = text(1);
                let bounds = range
                    .split_once(['–', '-'])
                    .and_then(|(a, b)| Some((a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?)));
                let Some((min, max)) = bounds else {
                    bad(1, "must be a band's severities, lowest–highest, e.g. 1–4");
                    continue;
                };
                s.bands.push(Band {
                    name: text(2),
                    min,
                    max,
                    colour: text(3),
                });
            }
            _ => bad(0, "must be impact, likelihood or band"),
        }
    }
    if let Some(grid) = classification {
        s.classification = read_classification(grid);
    }
    if problems.len() > before {
        return None;
    }
    match s.validate() {
        Ok(()) => Some(s),
        Err(errors) => {
            problems.extend(
                errors
                    .0
                    .into_iter()
                    .map(|e| Problem::sheet(&scales.sheet, format!("{}: {}", e.field, e.rule))),
            );
            None
        }
    }
}

/// Each category under the header row, with one cell per column of the header after the
/// first (an empty cell is a level with no descriptor).
fn read_classification(grid: &Grid) -> Classification {
    let Some((header, rows)) = grid.rows.split_first() else {
        return Classification::default();
    };
    let width = header.cells.len().saturating_sub(1);
    Classification {
        categories: rows
            .iter()
            .map(|row| ClassificationCategory {
                name: row.get(0).display().trim().to_owned(),
                cells: (1..=width)
                    .map(|c| Some(row.get(c).display().trim().to_owned()).filter(|t| !t.is_empty()))
                    .collect(),
            })
            .collect(),
    }
}

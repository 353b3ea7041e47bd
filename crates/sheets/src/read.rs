//! Reading a file into [`Grid`]s within [`Limits`]: XLSX through calamine's streaming cell
//! reader (so a sheet claiming a million rows or columns is refused at the first cell past
//! the limit, never allocated), after [`crate::guard`] has vetted the zip, its sheets side
//! by side on the machine's cores; CSV through the csv crate, a record at a time.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Days, NaiveDate};

use crate::grid::{Grid, Row, Value, column_letter};
use crate::limits::{Limits, ReadError};

/// What kind of file the bytes are, from its first bytes (a zip is an XLSX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Xlsx,
    Csv,
    /// riskreg's own register file (JSON).
    Json,
}

impl FileKind {
    pub fn sniff(bytes: &[u8]) -> Self {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
        if bytes.starts_with(b"PK\x03\x04") {
            Self::Xlsx
        } else if start.is_some_and(|i| bytes[i] == b'{') {
            Self::Json
        } else {
            Self::Csv
        }
    }
}

/// The names of an XLSX file's sheets, in order.
pub fn sheet_names(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, ReadError> {
    check_size(bytes, limits)?;
    crate::guard::check_xlsx(bytes, limits)?;
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Malformed(e.to_string()))?;
    Ok(book.sheet_names())
}

/// Reads the named sheets of an XLSX file (all of them when `sheets` is empty).
pub fn read_xlsx(bytes: &[u8], sheets: &[String], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    check_size(bytes, limits)?;
    crate::guard::check_xlsx(bytes, limits)?;
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Malformed(e.to_string()))?;
    let names = book.sheet_names();
    let wanted: Vec<String> = if sheets.is_empty() {
        names.clone()
    } else {
        for s in sheets {
            if !names.contains(s) {
                return Err(ReadError::NoSuchSheet(s.clone(), quoted_list(&names)));
            }
        }
        sheets.to_vec()
    };
    read_sheets(bytes, book, &wanted, limits)
}

/// Reads the sheets on up to as many threads as the machine has cores, each with its own
/// reader over the same bytes taking the next sheet not yet taken: parsing a sheet's XML is
/// most of an import's reading, and a workbook of many registers has a sheet for each. The
/// grids come back in the order asked for, and when sheets are wrong the error is the one
/// reading them in order would meet first: a sheet is taken only after every sheet before
/// it, and a reader stops taking sheets once any has failed.
fn read_sheets(
    bytes: &[u8],
    book: Xlsx<Cursor<&[u8]>>,
    wanted: &[String],
    limits: &Limits,
) -> Result<Vec<Grid>, ReadError> {
    let threads = crate::threads_for(wanted.len());
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let read_some = |mut book: Xlsx<Cursor<&[u8]>>| -> Result<Vec<(usize, Grid)>, (usize, ReadError)> {
        let mut read = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(name) = wanted.get(i) else { break };
            match read_sheet(&mut book, name, limits) {
                Ok(grid) => read.push((i, grid)),
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err((i, e));
                }
            }
        }
        Ok(read)
    };
    let results: Vec<_> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    let book = Xlsx::new(Cursor::new(bytes)).map_err(|e| (0, ReadError::Malformed(e.to_string())))?;
                    read_some(book)
                })
            })
            .collect();
        let mine = read_some(book);
        std::iter::once(mine)
            .chain(
                others
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
            )
            .collect()
    });
    let mut grids = Vec::with_capacity(wanted.len());
    let mut first_error: Option<(usize, ReadError)> = None;
    for result in results {
        match result {
            Ok(read) => grids.extend(read),
            Err((i, e)) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    grids.sort_by_key(|(i, _)| *i);
    Ok(grids.into_iter().map(|(_, grid)| grid).collect())
}

fn read_sheet(book: &mut Xlsx<Cursor<&[u8]>>, name: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let mut reader = book
        .worksheet_cells_reader(name)
        .map_err(|e| ReadError::Malformed(format!("sheet {name:?}: {e}")))?;
    let mut rows: Vec<Row> = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| ReadError::Malformed(format!("sheet {name:?}: {e}")))?
    {
        let (r, c) = cell.get_position();
        let value = convert(cell.get_value());
        if value.is_empty() {
            continue;
        }
        if r >= limits.max_rows {
            return Err(ReadError::TooManyRows {
                sheet: name.to_owned(),
                row: r + 1,
                max: limits.max_rows,
            });
        }
        if c >= limits.max_columns {
            return Err(ReadError::TooManyColumns {
                sheet: name.to_owned(),
                column: c + 1,
                max: limits.max_columns,
            });
        }
        if let Value::Text(t) = &value {
            check_cell(name, r, c as usize, t, limits)?;
        }
        let number = r + 1;
        if rows.last().is_none_or(|row| row.number != number) {
            rows.push(Row {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, Value::Empty);
            }
            row.cells[c] = value;
        }
    }
    // Cells arrive row by row in the file's order, which Excel keeps ascending.
    rows.sort_by_key(|r| r.number);
    Ok(Grid {
        sheet: name.to_owned(),
        rows,
    })
}

fn convert(data: &DataRef<'_>) -> Value {
    match data {
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_owned()),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => excel_serial_date(d.as_f64()).map_or(Value::Number(d.as_f64()), Value::Date),
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| Value::Text(s.clone()), Value::Date),
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
        DataRef::Empty => Value::Empty,
    }
}

/// The day an Excel serial number stands for (1900 date system, whose day 60 is the
/// non-existent 29 February 1900, hence the epoch of 30 December 1899).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial.floor() as u64))
}

/// Reads a CSV file (comma-, semicolon- or tab-separated, UTF-8 with or without a BOM) as
/// one sheet named `sheet`.
pub fn read_csv(bytes: &[u8], sheet: &str, limits: &Limits) -> Result<Grid, ReadError> {
    check_size(bytes, limits)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(bytes))
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut number = 0u32;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ReadError::Malformed(format!("CSV: {e}"))),
        }
        number += 1;
        if number > limits.max_rows {
            return Err(ReadError::TooManyRows {
                sheet: sheet.to_owned(),
                row: number,
                max: limits.max_rows,
            });
        }
        if record.len() > limits.max_columns as usize {
            return Err(ReadError::TooManyColumns {
                sheet: sheet.to_owned(),
                column: record.len() as u32,
                max: limits.max_columns,
            });
        }
        let mut cells = Vec::with_capacity(record.len());
        for (c, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                ReadError::Malformed(format!(
                    "CSV row {number} column {}: not UTF-8 text; save the file as CSV UTF-8",
                    column_letter(c)
                ))
            })?;
            check_cell(sheet, number - 1, c, text, limits)?;
            // riskreg's own CSV prefixes formula triggers with `'`; the value is the text after it.
            let text = crate::write::unneutralise(text);
            cells.push(if text.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(text.to_owned())
            });
        }
        let row = Row { number, cells };
        if !row.is_empty() {
            rows.push(row);
        }
    }
    Ok(Grid {
        sheet: sheet.to_owned(),
        rows,
    })
}

/// Excel in many locales writes CSV with semicolons; the first line tells which it is.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

fn check_size(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge {
            size: bytes.len() as u64,
            max: limits.max_file_bytes,
        });
    }
    Ok(())
}

fn check_cell(sheet: &str, row: u32, column: usize, text: &str, limits: &Limits) -> Result<(), ReadError> {
    // Bytes bound characters from above, so most cells skip the count.
    if text.len() > limits.max_cell_chars {
        let chars = text.chars().count();
        if chars > limits.max_cell_chars {
            return Err(ReadError::CellTooLarge {
                sheet: sheet.to_owned(),
                cell: format!("{}{}", column_letter(column), row + 1),
                chars,
                max: limits.max_cell_chars,
            });
        }
    }
    Ok(())
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_days_since_1899_12_30() {
        assert_eq!(excel_serial_date(44928.0), NaiveDate::from_ymd_opt(2023, 1, 2));
        assert_eq!(excel_serial_date(45048.5), NaiveDate::from_ymd_opt(2023, 5, 2));
        assert_eq!(excel_serial_date(0.0), None);
    }

    #[test]
    fn semicolon_csv_is_recognised() {
        let g = read_csv(b"Ref;Risk\nR1;\"A; b\"\n", "x", &Limits::default()).unwrap();
        assert_eq!(g.rows[1].cells, [Value::Text("R1".into()), Value::Text("A; b".into())]);
    }
}

//! Writing registers out as spreadsheets: an XLSX laid out the way a committee prints a
//! register (one sheet per register, then issues, the impact classification and the
//! scales; frozen headers, filters, RAG and severity colours, wrapped text, gridlines
//! printed) and CSV per RFC 4180 with formula triggers neutralised. The column headers are
//! ones the importer recognises, so an export imports back unchanged. The register and
//! issue sheets are written in rust_xlsxwriter's constant-memory mode, a row at a time to
//! a temporary file, so a register of 100,000 risks is not held twice in memory, and side
//! by side on the machine's cores.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use riskreg_domain::{Issue, Mitigation, Rag, Register, Risk, Settings};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::values::{list_cell, mitigation_line};

pub const REGISTERS_SHEET: &str = "Registers";
pub const ISSUES_SHEET: &str = "Issues";
pub const CLASSIFICATION_SHEET: &str = "Classification";
pub const SCALES_SHEET: &str = "Scales";

/// The name of a register's sheet: its code, unless that is the name of one of the
/// workbook's own sheets (sheet names ignore case), when " register" is added to it.
pub fn register_sheet_name(code: &str) -> String {
    let taken = [REGISTERS_SHEET, ISSUES_SHEET, CLASSIFICATION_SHEET, SCALES_SHEET];
    if taken.iter().any(|t| t.eq_ignore_ascii_case(code)) {
        format!("{code} register")
    } else {
        code.to_owned()
    }
}

/// What an export holds: registers with their risks and issues, as current or as at a date.
#[derive(Debug, Clone)]
pub struct Export {
    pub settings: Settings,
    pub registers: Vec<Register>,
    /// In register order within each register.
    pub risks: Vec<Risk>,
    pub issues: Vec<Issue>,
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Rag(Rag),
    /// A severity, coloured by its band.
    Severity(u16),
    /// A band's colour as `#rrggbb` text, on that colour (the band of the severity given).
    Swatch(u16, String),
}

fn text(v: Option<&str>) -> Cell {
    Cell::Text(v.unwrap_or_default().to_owned())
}

fn date(v: Option<NaiveDate>) -> Cell {
    v.map_or(Cell::Text(String::new()), Cell::Date)
}

fn level(v: Option<u8>) -> Cell {
    v.map_or(Cell::Text(String::new()), |n| Cell::Number(f64::from(n)))
}

fn mitigations(list: &[Mitigation]) -> Cell {
    Cell::Text(list.iter().map(mitigation_line).collect::<Vec<_>>().join("\n"))
}

/// The risk columns: header and width.
pub const RISK_COLUMNS: [(&str, f64); 26] = [
    ("Register", 10.0),
    ("Number", 8.0),
    ("Source ref", 12.0),
    ("Statement", 60.0),
    ("Consequences", 40.0),
    ("Impact", 8.0),
    ("Likelihood", 10.0),
    ("Severity", 9.0),
    ("Band", 10.0),
    ("RAG", 8.0),
    ("Status", 10.0),
    ("Owner", 16.0),
    ("Raised by", 16.0),
    ("Raised on", 12.0),
    ("Category", 16.0),
    ("Provenance", 30.0),
    ("Footnotes", 30.0),
    ("Notes", 40.0),
    ("Inherent impact", 9.0),
    ("Inherent likelihood", 11.0),
    ("Target impact", 9.0),
    ("Target likelihood", 11.0),
    ("Response", 10.0),
    ("Proximity", 12.0),
    ("Review by", 12.0),
    ("Mitigations", 70.0),
];

pub fn risk_row(r: &Risk, settings: &Settings) -> Vec<Cell> {
    let f = &r.fields;
    vec![
        Cell::Text(r.reference.register.to_string()),
        Cell::Number(f64::from(r.reference.number)),
        text(f.source_ref.as_deref()),
        Cell::Text(f.statement.clone()),
        Cell::Text(list_cell(&f.consequences)),
        Cell::Number(f64::from(f.impact)),
        Cell::Number(f64::from(f.likelihood)),
        Cell::Severity(f.severity()),
        text(settings.band(f.severity()).map(|b| b.name.as_str())),
        Cell::Rag(f.rag),
        Cell::Text(f.status.as_str().to_owned()),
        text(f.owner.as_deref()),
        text(f.raised_by.as_deref()),
        date(f.raised_on),
        text(f.category.as_deref()),
        text(f.provenance.as_deref()),
        Cell::Text(list_cell(&f.footnotes)),
        text(f.notes.as_deref()),
        level(f.inherent.map(|p| p.impact)),
        level(f.inherent.map(|p| p.likelihood)),
        level(f.target.map(|p| p.impact)),
        level(f.target.map(|p| p.likelihood)),
        text(f.response.map(response_name)),
        date(f.proximity),
        date(f.review_by),
        mitigations(&f.mitigations),
    ]
}

fn response_name(r: riskreg_domain::Response) -> &'static str {
    use riskreg_domain::Response::*;
    match r {
        Treat => "treat",
        Tolerate => "tolerate",
        Transfer => "transfer",
        Terminate => "terminate",
        Take => "take",
    }
}

pub const ISSUE_COLUMNS: [(&str, f64); 17] = [
    ("Register", 10.0),
    ("Number", 8.0),
    ("Source ref", 12.0),
    ("Statement", 60.0),
    ("Impacts intro", 30.0),
    ("Impacts", 40.0),
    ("Impact", 8.0),
    ("RAG", 8.0),
    ("Status", 10.0),
    ("Category", 16.0),
    ("Raised by", 16.0),
    ("Raised on", 12.0),
    ("Associated risk", 12.0),
    ("Owner", 16.0),
    ("Footnotes", 30.0),
    ("Notes", 40.0),
    ("Mitigations", 70.0),
];

pub fn issue_row(i: &Issue) -> Vec<Cell> {
    let f = &i.fields;
    vec![
        Cell::Text(i.reference.register.to_string()),
        Cell::Number(f64::from(i.reference.number)),
        text(f.source_ref.as_deref()),
        Cell::Text(f.statement.clone()),
        text(f.impacts_intro.as_deref()),
        Cell::Text(list_cell(&f.impacts)),
        Cell::Number(f64::from(f.impact)),
        Cell::Rag(f.rag),
        Cell::Text(f.status.as_str().to_owned()),
        text(f.category.as_deref()),
        text(f.raised_by.as_deref()),
        date(f.raised_on),
        Cell::Text(f.associated_risk.as_ref().map(ToString::to_string).unwrap_or_default()),
        text(f.owner.as_deref()),
        Cell::Text(list_cell(&f.footnotes)),
        text(f.notes.as_deref()),
        mitigations(&f.mitigations),
    ]
}

pub const REGISTER_COLUMNS: [(&str, f64); 6] = [
    ("Code", 10.0),
    ("Name", 30.0),
    ("Parent", 10.0),
    ("Confidential", 12.0),
    ("Description", 60.0),
    ("Last paper on", 14.0),
];

fn register_row(r: &Register) -> Vec<Cell> {
    let f = &r.fields;
    vec![
        Cell::Text(r.code.to_string()),
        Cell::Text(f.name.clone()),
        Cell::Text(f.parent.as_ref().map(ToString::to_string).unwrap_or_default()),
        Cell::Text(if f.confidential { "yes" } else { "no" }.into()),
        text(f.description.as_deref()),
        date(f.last_paper_on),
    ]
}

/// The colours riskreg prints RAG in.
fn rag_colour(r: Rag) -> Color {
    match r {
        Rag::Red => Color::RGB(0xE06666),
        Rag::Amber => Color::RGB(0xFFC000),
        Rag::Green => Color::RGB(0x93C47D),
    }
}

fn hex_colour(hex: &str) -> Option<Color> {
    let h = hex.trim().trim_start_matches('#');
    (h.len() == 6)
        .then(|| u32::from_str_radix(h, 16).ok())
        .flatten()
        .map(Color::RGB)
}

struct Formats {
    header: Format,
    wrap: Format,
    date: Format,
    number: Format,
    rag: [Format; 3],
    bands: Vec<(u16, u16, Format)>,
}

impl Formats {
    fn new(settings: &Settings) -> Self {
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let centred = wrap.clone().set_align(FormatAlign::Center);
        Self {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0x1F3864))
                .set_font_color(Color::White)
                .set_border(FormatBorder::Thin),
            date: wrap.clone().set_num_format("yyyy-mm-dd"),
            number: centred.clone(),
            rag: [Rag::Red, Rag::Amber, Rag::Green]
                .map(|r| centred.clone().set_bold().set_background_color(rag_colour(r))),
            bands: settings
                .bands
                .iter()
                .map(|b| {
                    let f = match hex_colour(&b.colour) {
                        Some(c) => centred.clone().set_background_color(c),
                        None => centred.clone(),
                    };
                    (b.min, b.max, f)
                })
                .collect(),
            wrap,
        }
    }

    /// Gives every format its number in the workbook's style table, in this fixed order,
    /// before the long sheets are written on several threads: the table numbers a format
    /// when it is first used, and the threads would otherwise race to use them first, so
    /// that the same export gave different (if equivalent) files. The scratch sheet that
    /// uses them is never added to the workbook.
    fn number_in_order(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let mut scratch = book.new_worksheet_with_constant_memory();
        let all = [&self.header, &self.wrap, &self.date, &self.number]
            .into_iter()
            .chain(&self.rag)
            .chain(self.bands.iter().map(|(_, _, f)| f));
        for (c, format) in all.enumerate() {
            scratch.write_blank(0, c as u16, format)?;
        }
        Ok(())
    }

    /// The format of a severity: centred on its band's colour.
    fn band(&self, severity: u16) -> &Format {
        self.bands
            .iter()
            .find(|(min, max, _)| (*min..=*max).contains(&severity))
            .map_or(&self.number, |(_, _, f)| f)
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// Writes a header row and the rows under it. Empty cells are not written, and the grid is
/// the sheet's gridlines (printed as well as shown) rather than a border on every cell: a
/// format on a cell costs the writer a lookup per cell, which was a quarter of the time of
/// a large export, and blank bordered cells were a third of the file.
fn write_table(
    sheet: &mut Worksheet,
    columns: &[(&str, f64)],
    rows: impl Iterator<Item = Vec<Cell>>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &formats.header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    let mut last = 0u32;
    for (i, row) in rows.enumerate() {
        let r = i as u32 + 1;
        last = r;
        for (c, cell) in row.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                // Not written at all: see the note on `write_table`.
                Cell::Text(t) if t.is_empty() => continue,
                Cell::Text(t) => sheet.write_string_with_format(r, c, t, &formats.wrap)?,
                Cell::Number(n) => sheet.write_number_with_format(r, c, n, &formats.number)?,
                Cell::Date(d) => match excel_date(d) {
                    Ok(date) => sheet.write_datetime_with_format(r, c, date, &formats.date)?,
                    // Excel's dates run from 1900 to 9999; one outside them (a year mistyped
                    // as 0514) is written as the text it reads back from, not refused.
                    Err(_) => sheet.write_string_with_format(r, c, d.format("%Y-%m-%d").to_string(), &formats.wrap)?,
                },
                Cell::Rag(g) => {
                    let f = &formats.rag[match g {
                        Rag::Red => 0,
                        Rag::Amber => 1,
                        Rag::Green => 2,
                    }];
                    sheet.write_string_with_format(r, c, g.as_str(), f)?
                }
                Cell::Severity(s) => sheet.write_number_with_format(r, c, f64::from(s), formats.band(s))?,
                Cell::Swatch(s, colour) => sheet.write_string_with_format(r, c, &colour, formats.band(s))?,
            };
        }
    }
    sheet.set_print_gridlines(true);
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last.max(1), columns.len() as u16 - 1)?;
    Ok(())
}

/// Why an export cannot be written as a workbook, in the user's words, when what stops it
/// is the export's content rather than a failure of the writer.
pub fn refusal(e: &XlsxError) -> Option<&'static str> {
    match e {
        // Several long consequences or mitigations of one record share one cell.
        XlsxError::MaxStringLengthExceeded => Some(
            "a cell of this export would be longer than the 32,767 characters a spreadsheet cell can hold; \
             export it as JSON or CSV instead",
        ),
        _ => None,
    }
}

/// The export as an XLSX workbook.
///
/// The register and issue sheets, which can run to hundreds of thousands of rows, are
/// written in constant-memory mode (row by row to a temporary file) and side by side on
/// the machine's cores: writing a sheet's cells (their XML, escaping, style look-ups) is
/// most of an export's time, and the sheets are independent of one another until the
/// workbook is assembled. The small sheets are kept in memory as usual.
pub fn xlsx(export: &Export) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new(&export.settings);
    let mut book = Workbook::new();
    {
        let sheet = book.add_worksheet().set_name(REGISTERS_SHEET)?;
        write_table(
            sheet,
            &REGISTER_COLUMNS,
            export.registers.iter().map(register_row),
            &formats,
        )?;
    }
    formats.number_in_order(&mut book)?;
    let mut by_register: HashMap<&str, Vec<&Risk>> = HashMap::new();
    for risk in &export.risks {
        by_register
            .entry(risk.reference.register.as_str())
            .or_default()
            .push(risk);
    }
    let mut parts = Vec::with_capacity(export.registers.len() + 1);
    for reg in &export.registers {
        let mut sheet = book.new_worksheet_with_constant_memory();
        sheet.set_name(register_sheet_name(reg.code.as_str()))?;
        let risks = by_register.remove(reg.code.as_str()).unwrap_or_default();
        parts.push((sheet, LongSheet::Register(risks)));
    }
    let mut issues = book.new_worksheet_with_constant_memory();
    issues.set_name(ISSUES_SHEET)?;
    parts.push((issues, LongSheet::Issues(&export.issues)));
    for sheet in write_side_by_side(parts, &formats, &export.settings)? {
        book.push_worksheet(sheet);
    }
    classification_sheet(
        book.add_worksheet().set_name(CLASSIFICATION_SHEET)?,
        &export.settings,
        &formats,
    )?;
    scales_sheet(book.add_worksheet().set_name(SCALES_SHEET)?, &export.settings, &formats)?;
    book.save_to_buffer()
}

/// What goes on one of the sheets that can run long.
enum LongSheet<'a> {
    Register(Vec<&'a Risk>),
    Issues(&'a [Issue]),
}

impl LongSheet<'_> {
    fn rows(&self) -> usize {
        match self {
            Self::Register(risks) => risks.len(),
            Self::Issues(issues) => issues.len(),
        }
    }

    fn write(&self, sheet: &mut Worksheet, formats: &Formats, settings: &Settings) -> Result<(), XlsxError> {
        sheet.set_landscape();
        match self {
            Self::Register(risks) => write_table(
                sheet,
                &RISK_COLUMNS,
                risks.iter().map(|r| risk_row(r, settings)),
                formats,
            ),
            Self::Issues(issues) => write_table(sheet, &ISSUE_COLUMNS, issues.iter().map(issue_row), formats),
        }
    }
}

/// Writes the long sheets on up to as many threads as the machine has cores, each thread
/// taking the sheets with the most rows first to the one with the fewest so far, and
/// returns them in the order given.
fn write_side_by_side(
    parts: Vec<(Worksheet, LongSheet<'_>)>,
    formats: &Formats,
    settings: &Settings,
) -> Result<Vec<Worksheet>, XlsxError> {
    let threads = crate::threads_for(parts.len());
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].1.rows()));
    /// One thread's sheets, each with its place in the workbook, and their rows in all.
    #[derive(Default)]
    struct Share<'a> {
        rows: usize,
        sheets: Vec<(usize, Worksheet, LongSheet<'a>)>,
    }
    let mut shares: Vec<Share<'_>> = (0..threads).map(|_| Share::default()).collect();
    let mut parts: Vec<Option<(Worksheet, LongSheet<'_>)>> = parts.into_iter().map(Some).collect();
    for i in order {
        let Some((sheet, content)) = parts[i].take() else {
            continue;
        };
        if let Some(share) = shares.iter_mut().min_by_key(|share| share.rows) {
            share.rows += content.rows();
            share.sheets.push((i, sheet, content));
        }
    }
    let written = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .sheets
                        .into_iter()
                        .map(|(i, mut sheet, content)| {
                            content.write(&mut sheet, formats, settings)?;
                            Ok((i, sheet))
                        })
                        .collect::<Result<Vec<_>, XlsxError>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Result<Vec<_>, XlsxError>>()
    })?;
    let mut written: Vec<(usize, Worksheet)> = written.into_iter().flatten().collect();
    written.sort_by_key(|(i, _)| *i);
    Ok(written.into_iter().map(|(_, sheet)| sheet).collect())
}

fn classification_sheet(sheet: &mut Worksheet, settings: &Settings, formats: &Formats) -> Result<(), XlsxError> {
    let mut columns: Vec<(String, f64)> = vec![("Category".into(), 20.0)];
    for l in &settings.impact_scale {
        columns.push((format!("{} ({})", l.label, l.level), 30.0));
    }
    let cols: Vec<(&str, f64)> = columns.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    let rows = settings.classification.categories.iter().map(|c| {
        let mut row = vec![Cell::Text(c.name.clone())];
        row.extend(c.cells.iter().map(|cell| text(cell.as_deref())));
        row
    });
    write_table(sheet, &cols, rows, formats)
}

/// The Scales sheet's columns: what a row is (impact, likelihood or band), its level (a
/// band's severities, `1–4`), its label and (bands) its colour.
pub const SCALES_COLUMNS: [(&str, f64); 4] = [("Scale", 12.0), ("Level", 10.0), ("Label", 24.0), ("Colour", 10.0)];

fn scales_sheet(sheet: &mut Worksheet, settings: &Settings, formats: &Formats) -> Result<(), XlsxError> {
    let mut rows = Vec::new();
    for l in &settings.impact_scale {
        rows.push(vec![
            Cell::Text("impact".into()),
            Cell::Number(f64::from(l.level)),
            Cell::Text(l.label.clone()),
        ]);
    }
    for l in &settings.likelihood_scale {
        rows.push(vec![
            Cell::Text("likelihood".into()),
            Cell::Number(f64::from(l.level)),
            Cell::Text(l.label.clone()),
        ]);
    }
    for b in &settings.bands {
        rows.push(vec![
            Cell::Text("band".into()),
            Cell::Text(format!("{}–{}", b.min, b.max)),
            Cell::Text(b.name.clone()),
            Cell::Swatch(b.min, b.colour.clone()),
        ]);
    }
    write_table(sheet, &SCALES_COLUMNS, rows.into_iter(), formats)
}

/// A cell made safe for spreadsheets that evaluate CSV cells: one that starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`], applied when riskreg reads a CSV.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn csv_text(cell: &Cell, settings: &Settings) -> String {
    let _ = settings;
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(n) => format!("{n}"),
        Cell::Date(d) => d.to_string(),
        Cell::Rag(r) => r.as_str().to_owned(),
        Cell::Severity(s) => s.to_string(),
        Cell::Swatch(_, colour) => colour.clone(),
    }
}

/// The export's risks as CSV (RFC 4180: CRLF line ends, quotes where needed), one row per
/// risk with the register it belongs to. Issues are not included: a CSV holds one table.
pub fn risks_csv(export: &Export) -> Result<Vec<u8>, csv::Error> {
    table_csv(
        &RISK_COLUMNS,
        export.risks.iter().map(|r| risk_row(r, &export.settings)),
        &export.settings,
    )
}

/// The export's issues as CSV, in the same form as [`risks_csv`].
pub fn issues_csv(export: &Export) -> Result<Vec<u8>, csv::Error> {
    table_csv(&ISSUE_COLUMNS, export.issues.iter().map(issue_row), &export.settings)
}

fn table_csv(
    columns: &[(&str, f64)],
    rows: impl Iterator<Item = Vec<Cell>>,
    settings: &Settings,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(columns.iter().map(|(n, _)| *n))?;
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| neutralise(&csv_text(c, settings)).into_owned())
            .collect();
        w.write_record(&cells)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

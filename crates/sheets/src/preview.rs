//! Parse + map + preview: a file in, the records it would create and every problem out,
//! nothing written. The CLI, the API and the upload screen all call [`preview`]; applying
//! the result is the store's job (`riskreg_store::sheet_import`).

use chrono::NaiveDate;
use riskreg_domain::{IssueFields, MitigationState, RegisterCode, RegisterFields, RiskFields, Settings};
use serde::Serialize;

use crate::field::Field;
use crate::grid::Grid;
use crate::header::{Layout, layout};
use crate::limits::{Limits, ReadError};
use crate::read::{self, FileKind};
use crate::records::{Imported, RowReader, duplicate_refs};
use crate::report::Problem;
use crate::values;
use crate::write::{CLASSIFICATION_SHEET, ISSUES_SHEET, REGISTERS_SHEET, SCALES_SHEET, register_sheet_name};

/// How to read a file.
#[derive(Debug, Clone)]
pub struct Options {
    /// The sheet holding the register (XLSX); by default the first with a recognisable header.
    pub sheet: Option<String>,
    /// `(field, column)` pairs that override the automatic mapping; a blank column leaves
    /// the field unmapped.
    pub map: Vec<(Field, String)>,
    /// The state given to mitigations that do not say theirs.
    pub default_state: MitigationState,
    pub limits: Limits,
    /// Read riskreg's own workbook's Scales and Classification sheets as the settings, and
    /// check its records against them rather than the database's: for an import into an
    /// empty database, which takes them as its own.
    pub file_settings: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            sheet: None,
            map: Vec::new(),
            default_state: MitigationState::Ongoing,
            limits: Limits::default(),
            file_settings: false,
        }
    }
}

/// A register a riskreg workbook lists on its Registers sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRegister {
    pub code: RegisterCode,
    pub fields: RegisterFields,
}

/// Everything an import would do, and everything wrong with the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub kind: FileKind,
    pub sheets: Vec<Layout>,
    pub registers: Vec<NewRegister>,
    /// The settings riskreg's own workbook carries, read when [`Options::file_settings`]
    /// asks for them.
    pub settings: Option<Settings>,
    pub risks: Vec<Imported<RiskFields>>,
    pub issues: Vec<Imported<IssueFields>>,
    /// Each one stops the import.
    pub problems: Vec<Problem>,
    /// Worth a look; the import goes ahead.
    pub warnings: Vec<Problem>,
}

impl Preview {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads an XLSX or CSV file and maps it to records, checking each against `settings`.
/// A file that cannot be read at all is an error; anything wrong in its rows is a problem
/// in the preview.
pub fn preview(bytes: &[u8], options: &Options, settings: &Settings, today: NaiveDate) -> Result<Preview, ReadError> {
    let kind = FileKind::sniff(bytes);
    let mut p = Preview {
        kind,
        sheets: Vec::new(),
        registers: Vec::new(),
        settings: None,
        risks: Vec::new(),
        issues: Vec::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    match kind {
        FileKind::Json => {
            return Err(ReadError::Refused(
                "this is a register file (JSON); it is imported whole, without sheets or mapping".into(),
            ));
        }
        FileKind::Csv => {
            let grid = read::read_csv(bytes, "CSV", &options.limits)?;
            read_records(&grid, options, settings, today, false, &mut p);
        }
        FileKind::Xlsx => {
            let names = read::sheet_names(bytes, &options.limits)?;
            if options.sheet.is_none() && names.iter().any(|n| n == REGISTERS_SHEET) {
                read_workbook(bytes, &names, options, settings, today, &mut p)?;
            } else {
                let sheets = match &options.sheet {
                    Some(s) => vec![s.clone()],
                    None => names,
                };
                let grids = read::read_xlsx(bytes, &sheets, &options.limits)?;
                let chosen = if options.sheet.is_some() {
                    grids.first()
                } else {
                    grids
                        .iter()
                        .find(|g| layout(g, &options.map).is_ok_and(|l| l.has(Field::Statement)))
                };
                match chosen {
                    Some(g) => read_records(g, options, settings, today, false, &mut p),
                    None => p.problems.push(Problem::sheet(
                        "workbook",
                        "no sheet has a header naming a risk's description; choose one with --sheet NAME",
                    )),
                }
            }
        }
    }
    duplicate_refs(&p.risks, |f| f.source_ref.as_deref(), &mut p.problems);
    duplicate_refs(&p.issues, |f| f.source_ref.as_deref(), &mut p.problems);
    Ok(p)
}

/// riskreg's own workbook: the Registers sheet, one sheet of risks per register, Issues.
fn read_workbook(
    bytes: &[u8],
    names: &[String],
    options: &Options,
    settings: &Settings,
    today: NaiveDate,
    p: &mut Preview,
) -> Result<(), ReadError> {
    let grids = read::read_xlsx(bytes, names, &options.limits)?;
    let Some(registers) = grids.iter().find(|g| g.sheet == REGISTERS_SHEET) else {
        return Ok(());
    };
    p.registers = crate::workbook::registers(registers, &mut p.problems);
    if options.file_settings
        && let Some(scales) = grids.iter().find(|g| g.sheet == SCALES_SHEET)
    {
        let classification = grids.iter().find(|g| g.sheet == CLASSIFICATION_SHEET);
        p.settings = crate::settings::settings(scales, classification, settings, &mut p.problems);
    }
    let file_settings = p.settings.clone();
    let settings = file_settings.as_ref().unwrap_or(settings);
    for reg in p.registers.clone() {
        let name = register_sheet_name(reg.code.as_str());
        match grids.iter().find(|g| g.sheet == name) {
            Some(g) => read_records(g, options, settings, today, false, p),
            None => p.problems.push(Problem::sheet(
                REGISTERS_SHEET,
                format!("lists register {} but the workbook has no sheet named {name}", reg.code),
            )),
        }
    }
    if let Some(g) = grids.iter().find(|g| g.sheet == ISSUES_SHEET) {
        read_records(g, options, settings, today, true, p);
    }
    Ok(())
}

fn read_records(grid: &Grid, options: &Options, settings: &Settings, today: NaiveDate, issues: bool, p: &mut Preview) {
    let l = match layout(grid, &options.map) {
        Ok(l) => l,
        Err(problem) => {
            p.problems.push(problem);
            return;
        }
    };
    if !l.has(Field::Statement) {
        p.problems.push(Problem::sheet(
            &grid.sheet,
            "no column is mapped to the statement (a risk's description); add one with --map statement=COLUMN",
        ));
        return;
    }
    if !issues && !l.has(Field::Rag) && !l.has(Field::Status) {
        p.warnings.push(Problem::sheet(
            &grid.sheet,
            "no RAG column: each risk's RAG is read from the name of its severity band",
        ));
    }
    for &i in &l.data {
        let mut reader = RowReader {
            layout: &l,
            settings,
            today,
            default_state: options.default_state,
            problems: &mut p.problems,
            warnings: &mut p.warnings,
            row: &grid.rows[i],
        };
        if issues {
            if let Some(r) = reader.issue() {
                p.issues.push(r);
            }
        } else if let Some(r) = reader.risk() {
            p.risks.push(r);
        }
    }
    p.sheets.push(l);
}

/// `"FIELD=COLUMN"` as `--map` takes it; `"FIELD="` unmaps a field the automatic mapping
/// gave a column.
pub fn parse_map(text: &str) -> Result<(Field, String), String> {
    let (field, column) = text
        .split_once('=')
        .ok_or_else(|| format!("--map {text:?}: must be FIELD=COLUMN, e.g. statement=\"Risk Description\""))?;
    let field = Field::parse(field).ok_or_else(|| {
        let names: Vec<&str> = crate::field::ALL.iter().map(|f| f.name()).collect();
        format!("--map {text:?}: unknown field {field:?}; one of {}", names.join(", "))
    })?;
    // `FIELD=` with nothing after it leaves the field without a column.
    Ok((field, column.trim().to_owned()))
}

/// The labels riskreg's scales use, for messages that list what a level may be.
pub fn scale_help(settings: &Settings) -> String {
    format!(
        "impact {}; likelihood {}",
        values::impact_labels(settings).join(", "),
        values::likelihood_labels(settings).join(", ")
    )
}

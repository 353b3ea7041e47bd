//! `riskreg import FILE` and `riskreg export`: spreadsheets (XLSX, CSV) and the register
//! file format (JSON), both ways. Imports are all-or-nothing: every problem in the file is
//! reported by sheet, row, column, value and rule, and nothing lands unless none is found.

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use riskreg_domain::{RegisterCode, ValidationError, ValidationErrors};
use riskreg_sheets::{FileKind, Options, Preview, parse_map};
use riskreg_store::StoreError;
use riskreg_store::sheet_import::{RecordToImport, RecordsImport, summary};
use serde::Serialize;

use super::risk::register_arg;
use super::{OUTPUT_BUFFER, Session, print, print_with};
use crate::cli::{ExportArgs, ExportFormat, ImportArgs, ShowFormat};

/// Files larger than this are refused before they are read.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

pub async fn import(s: &Session, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(StoreError::invalid("file", format!("must be at most {MAX_FILE_BYTES} bytes")).into());
    }
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let mut ctx = s.ctx();
    let name = args
        .file
        .file_name()
        .map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    ctx.reason.get_or_insert_with(|| format!("import {name}"));
    if FileKind::sniff(&bytes) == FileKind::Json {
        return import_register_file(s, &args, &bytes, &ctx).await;
    }
    let mut options = options(&args)?;
    // riskreg's own workbook brings its scales and classification into an empty database,
    // so that export then import gives back the same settings as well as the registers.
    options.file_settings = options.sheet.is_none() && s.store.registers(None).await?.is_empty();
    let settings = s.store.settings().await?;
    // The process ends with the import, so what it read and made is left for the system to
    // take back at exit, all at once, instead of being freed an allocation at a time: for
    // 100,000 risks that was 0.8 s, a seventh of the import.
    let preview = ManuallyDrop::new(
        riskreg_sheets::preview(&bytes, &options, &settings, Utc::now().date_naive())
            .map_err(|e| StoreError::invalid("file", e.to_string()))?,
    );
    let register = args.register.as_deref().map(register_arg).transpose()?;
    let plan = to_records(&preview, register.as_ref());
    let outcome = match plan {
        Ok(import) if preview.is_clean() => match s.store.plan_records_import(&import, &ctx).await {
            Ok(writes) if args.dry_run => {
                std::mem::forget(writes);
                Ok(import)
            }
            // The writes just planned and checked, not planned again by `import_records`.
            Ok(writes) => s.store.write(writes).await.map(|applied| {
                std::mem::forget(applied);
                import
            }),
            Err(e) => Err(e),
        },
        Ok(_) => Err(StoreError::Invalid(ValidationErrors::default())),
        Err(e) => Err(e),
    };
    report(&preview, outcome, args.dry_run, args.format)
}

/// The import as records for the store, each in its own register or the one given.
pub fn to_records(preview: &Preview, register: Option<&RegisterCode>) -> Result<RecordsImport, StoreError> {
    let mut import = RecordsImport {
        settings: preview.settings.clone(),
        registers: preview
            .registers
            .iter()
            .map(|r| (r.code.clone(), r.fields.clone()))
            .collect(),
        ..Default::default()
    };
    let pick = |r: Option<&RegisterCode>| {
        r.or(register).cloned().ok_or_else(|| {
            StoreError::invalid(
                "register",
                "a spreadsheet of risks needs --register CODE: the register they go into",
            )
        })
    };
    for r in &preview.risks {
        import.risks.push(RecordToImport {
            origin: format!("{} row {}", r.sheet, r.row),
            register: pick(r.register.as_ref())?,
            number: r.number,
            fields: r.fields.clone(),
        });
    }
    for r in &preview.issues {
        import.issues.push(RecordToImport {
            origin: format!("{} row {}", r.sheet, r.row),
            register: pick(r.register.as_ref())?,
            number: r.number,
            fields: r.fields.clone(),
        });
    }
    Ok(import)
}

fn options(args: &ImportArgs) -> Result<Options, StoreError> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(path) = &args.mapping {
        let text = std::fs::read_to_string(path)
            .map_err(|e| StoreError::invalid("mapping", format!("cannot read {}: {e}", path.display())))?;
        lines.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        );
    }
    // --map after --mapping, so that the command line wins.
    lines.extend(args.map.iter().cloned());
    let mut errors = ValidationErrors::default();
    let mut map = Vec::new();
    for line in &lines {
        match parse_map(line) {
            Ok(m) => map.push(m),
            Err(rule) => errors.push(ValidationError::new("map", rule)),
        }
    }
    errors
        .into_result(Options {
            sheet: args.sheet.clone(),
            map,
            ..Options::default()
        })
        .map_err(StoreError::Invalid)
}

#[derive(Serialize)]
struct Report<'a> {
    imported: bool,
    dry_run: bool,
    /// Whether the workbook's scales and classification are (or would be) taken.
    settings: bool,
    sheets: &'a [riskreg_sheets::header::Layout],
    risks: Vec<Created<'a>>,
    issues: Vec<Created<'a>>,
    problems: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Created<'a> {
    sheet: &'a str,
    row: u32,
    register: Option<String>,
    source_ref: Option<&'a str>,
    statement: &'a str,
}

fn report(
    preview: &Preview,
    outcome: Result<RecordsImport, StoreError>,
    dry_run: bool,
    format: ShowFormat,
) -> anyhow::Result<ExitCode> {
    let mut problems: Vec<String> = preview.problems.iter().map(ToString::to_string).collect();
    let import = match outcome {
        Ok(i) => Some(i),
        Err(StoreError::Invalid(errors)) => {
            problems.extend(errors.0.iter().map(|e| format!("{}: {}", e.field, e.rule)));
            None
        }
        Err(other) => return Err(other.into()),
    };
    let warnings: Vec<String> = preview.warnings.iter().map(ToString::to_string).collect();
    let register_of = |i: usize, own: Option<&RegisterCode>, issues: bool| {
        let planned = import.as_ref().and_then(|im| {
            if issues {
                im.issues.get(i).map(|r| r.register.to_string())
            } else {
                im.risks.get(i).map(|r| r.register.to_string())
            }
        });
        planned.or_else(|| own.map(ToString::to_string))
    };
    let r = Report {
        imported: import.is_some() && !dry_run,
        dry_run,
        settings: import.as_ref().is_some_and(|i| i.settings.is_some()),
        sheets: &preview.sheets,
        risks: preview
            .risks
            .iter()
            .enumerate()
            .map(|(i, r)| Created {
                sheet: &r.sheet,
                row: r.row,
                register: register_of(i, r.register.as_ref(), false),
                source_ref: r.fields.source_ref.as_deref(),
                statement: &r.fields.statement,
            })
            .collect(),
        issues: preview
            .issues
            .iter()
            .enumerate()
            .map(|(i, r)| Created {
                sheet: &r.sheet,
                row: r.row,
                register: register_of(i, r.register.as_ref(), true),
                source_ref: r.fields.source_ref.as_deref(),
                statement: &r.fields.statement,
            })
            .collect(),
        problems,
        warnings,
    };
    let text = match format {
        ShowFormat::Json => format!("{}\n", serde_json::to_string_pretty(&r)?),
        ShowFormat::Table => table(&r, import.as_ref()),
    };
    // Left for the system to take back at exit (see `import`).
    std::mem::forget(import);
    if r.problems.is_empty() {
        print(&text)
    } else {
        eprint!("{text}");
        Ok(ExitCode::from(crate::exit::INVALID))
    }
}

fn table(r: &Report<'_>, import: Option<&RecordsImport>) -> String {
    let mut out = String::new();
    for l in r.sheets {
        out.push_str(&format!(
            "Sheet {:?}: header row {}{}{}\n",
            l.sheet,
            l.header_row,
            l.group_row.map(|g| format!(", group row {g}")).unwrap_or_default(),
            l.description_row
                .map(|d| format!(", description row {d} skipped"))
                .unwrap_or_default(),
        ));
        for c in &l.columns {
            let field = c.field.map_or("(not imported)", |f| f.name());
            let note = c.note.as_deref().map(|n| format!("  ({n})")).unwrap_or_default();
            out.push_str(&format!("  {:>3} {:<40} → {field}{note}\n", c.column, c.header));
        }
    }
    if !r.problems.is_empty() {
        out.push_str(&format!("{} problems; nothing was imported:\n", r.problems.len()));
        for p in &r.problems {
            out.push_str(&format!("  {p}\n"));
        }
    }
    if !r.warnings.is_empty() {
        out.push_str(&format!("{} warnings:\n", r.warnings.len()));
        for w in &r.warnings {
            out.push_str(&format!("  {w}\n"));
        }
    }
    if let Some(import) = import {
        if r.dry_run {
            for c in r.risks.iter().chain(&r.issues) {
                out.push_str(&format!(
                    "  would create: {} row {} {} {}\n",
                    c.sheet,
                    c.row,
                    c.source_ref.unwrap_or("-"),
                    c.statement.chars().take(70).collect::<String>()
                ));
            }
        }
        let s = summary(import);
        out.push_str(&format!(
            "{} {} registers, {} risks, {} issues{}\n",
            if r.dry_run { "Would import" } else { "Imported" },
            s.registers,
            s.risks,
            s.issues,
            if import.settings.is_some() {
                ", and the workbook's scales and classification"
            } else {
                ""
            }
        ));
    }
    out
}

async fn import_register_file(
    s: &Session,
    args: &ImportArgs,
    bytes: &[u8],
    ctx: &riskreg_store::WriteContext,
) -> anyhow::Result<ExitCode> {
    if args.sheet.is_some() || !args.map.is_empty() || args.mapping.is_some() || args.register.is_some() {
        return Err(StoreError::invalid(
            "file",
            "is a register file (JSON), which names its own registers and fields: --register, --sheet, --map and --mapping apply to spreadsheets",
        )
        .into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| StoreError::invalid("file", "must be UTF-8 JSON"))?;
    let summary = if args.dry_run {
        s.store.prepare_import(text, ctx).await?.1
    } else {
        s.store.import_text(text, ctx).await?
    };
    if args.format == ShowFormat::Json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&summary)?));
    }
    print(&format!(
        "{} {} registers, {} risks, {} issues ({} versions){}\n",
        if args.dry_run { "Would import" } else { "Imported" },
        summary.registers,
        summary.risks,
        summary.issues,
        summary.versions,
        if summary.settings {
            ", and the file's settings"
        } else {
            ""
        }
    ))
}

pub async fn export(s: &Session, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let register = args.register.as_deref().map(register_arg).transpose()?;
    let bytes = match args.format {
        ExportFormat::Json => {
            if register.is_some() || args.as_at.is_some() {
                return Err(StoreError::invalid(
                    "format",
                    "json is the whole database with its history; --register and --as-at apply to xlsx and csv",
                )
                .into());
            }
            // Written as it is made; like an import's, what the export read is left for
            // the system to take back at exit rather than freed a version at a time.
            let doc = ManuallyDrop::new(s.store.export().await?);
            return match &args.out {
                Some(path) => write_file_with(path, |out| doc.write_json(out)),
                None => print_with(|out| doc.write_json(out)),
            };
        }
        ExportFormat::Xlsx => {
            let e = riskreg_web::api::exchange::sheet_export(s.store.as_ref(), register.as_ref(), args.as_at).await?;
            if args.out.is_none() {
                return Err(StoreError::invalid("out", "an XLSX export needs --out FILE").into());
            }
            riskreg_sheets::write::xlsx(&e).map_err(|e| match riskreg_sheets::write::refusal(&e) {
                Some(rule) => anyhow::anyhow!("--format xlsx: {rule}"),
                None => anyhow::Error::new(e).context("writing the workbook"),
            })?
        }
        ExportFormat::Csv => {
            let e = riskreg_web::api::exchange::sheet_export(s.store.as_ref(), register.as_ref(), args.as_at).await?;
            riskreg_sheets::write::risks_csv(&e).context("writing CSV")?
        }
    };
    match args.out {
        Some(path) => write_file(&path, &bytes),
        None => print(&String::from_utf8_lossy(&bytes)),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<ExitCode> {
    write_file_with(path, |out| out.write_all(bytes))
}

fn write_file_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<ExitCode> {
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, file);
        write(&mut out)?;
        out.flush()
    });
    written.with_context(|| format!("writing {}", path.display()))?;
    Ok(ExitCode::SUCCESS)
}

//! Spreadsheets in and out of one register over the API: `POST /registers/{code}/import`
//! (a multipart upload, previewed with `dry_run`) and `GET /registers/{code}/export` (XLSX,
//! CSV or the register file). [`read_upload`] (or [`preview_upload`]) and [`apply`] are the
//! library calls behind them, shared with the UI's upload screen. The import takes the
//! server's larger `import_body_limit`; an upload past it is 413, naming the limit.
//!
//! An import into one register never takes the Scales and Classification sheets of
//! riskreg's own workbook: the settings are the organisation's, an admin's to change, and
//! every register's scores are read on them, so a secretariat's upload into one register
//! must not re-mean the others. Only `riskreg import` of a whole workbook into an empty
//! database takes them.

use axum::body::Bytes;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use riskreg_domain::{RegisterCode, ValidationError, ValidationErrors};
use riskreg_sheets::{Field, FileKind, Options, Preview, Problem as SheetProblem, parse_map};
use riskreg_store::sheet_import::{RecordToImport, RecordsImport, RecordsSummary, summary};
use riskreg_store::{RecordQuery, Store, StoreError, WriteContext};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_as_at, parse_code, visible_register};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// The import carries its own body limit, the server's `import_body_limit`; the export
/// takes no body.
pub fn router(import_body_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(import_body_limit))
        .routes(routes!(export))
}

/// A spreadsheet read for one register: the records it would create, and everything that
/// stops it landing.
#[derive(Debug, Clone)]
pub struct Upload {
    pub preview: Preview,
    pub import: RecordsImport,
    /// Every reason the import cannot land, each pinned to its sheet, row, column and value
    /// where it has them: the file's own problems, records that name another register, and
    /// clashes with the database (a number or a source reference already taken).
    pub problems: Vec<SheetProblem>,
}

impl Upload {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems as validation errors, each field the problem's location
    /// (`CSV row 3 column C (Impact) "6": impact`) and each rule its rule.
    pub fn errors(&self) -> ValidationErrors {
        ValidationErrors(
            self.problems
                .iter()
                .map(|p| ValidationError::new(location(p), p.rule.clone()))
                .collect(),
        )
    }
}

/// Reads a spreadsheet and maps it to records for `register`, checking them against the
/// database's scales and the register's numbers and references; nothing is written. Records
/// that name another register (riskreg's own workbooks name theirs) are problems. Only a
/// file that cannot be read at all is an error; anything wrong inside it is in
/// [`Upload::problems`]. The API's import and the upload screen both call this.
pub async fn read_upload(
    store: &(dyn Store + 'static),
    register: &RegisterCode,
    bytes: &[u8],
    options: &Options,
    ctx: &WriteContext,
) -> Result<Upload, ValidationErrors> {
    let settings = store.settings().await.map_err(errors_of)?;
    let preview = riskreg_sheets::preview(bytes, options, &settings, Utc::now().date_naive())
        .map_err(|e| ValidationErrors(vec![ValidationError::new("file", e.to_string())]))?;
    let mut problems = preview.problems.clone();
    let mut import = RecordsImport::default();
    for r in &preview.risks {
        check_register(&preview, r.register.as_ref(), register, &r.sheet, r.row, &mut problems);
        import.risks.push(RecordToImport {
            origin: origin(&r.sheet, r.row),
            register: register.clone(),
            number: r.number,
            fields: r.fields.clone(),
        });
    }
    for r in &preview.issues {
        check_register(&preview, r.register.as_ref(), register, &r.sheet, r.row, &mut problems);
        import.issues.push(RecordToImport {
            origin: origin(&r.sheet, r.row),
            register: register.clone(),
            number: r.number,
            fields: r.fields.clone(),
        });
    }
    if problems.is_empty()
        && let Err(e) = store.plan_records_import(&import, ctx).await
    {
        let errors = errors_of(e);
        problems.extend(errors.0.iter().map(|e| database_problem(&preview, &import, e)));
    }
    Ok(Upload {
        preview,
        import,
        problems,
    })
}

/// [`read_upload`], with every problem as an error: the preview and the records to write
/// when the file is clean.
pub async fn preview_upload(
    store: &(dyn Store + 'static),
    register: &RegisterCode,
    bytes: &[u8],
    options: &Options,
    ctx: &WriteContext,
) -> Result<(Preview, RecordsImport), ValidationErrors> {
    let upload = read_upload(store, register, bytes, options, ctx).await?;
    if upload.is_clean() {
        Ok((upload.preview, upload.import))
    } else {
        Err(upload.errors())
    }
}

/// Writes what [`read_upload`] read, in one transaction with an event per record; the store
/// checks it all again first, so a record that became a clash since the preview stops it.
pub async fn apply(
    store: &(dyn Store + 'static),
    import: &RecordsImport,
    ctx: &WriteContext,
) -> Result<RecordsSummary, StoreError> {
    store.import_records(import, ctx).await
}

/// A multipart body that could not be read: one past the import limit is 413, naming the
/// limit and how to raise it.
pub fn unreadable_upload(e: &MultipartError, limit: usize) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::UploadTooLarge(too_large(limit))
    } else {
        Error::BadRequest(format!("unreadable multipart body: {}", e.body_text()))
    }
}

/// Why an upload over `limit` bytes was refused.
pub fn too_large(limit: usize) -> String {
    format!(
        "the upload is larger than this server's import limit of {} ({limit} bytes); \
         an administrator can raise it with --import-limit or RISKREG_IMPORT_LIMIT",
        size_text(limit)
    )
}

/// A size as people read it: `32 MiB`, `1.5 MiB`, `900 KiB`.
pub fn size_text(bytes: usize) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= MIB {
        format!("{} MiB", trim_decimal(b / MIB))
    } else {
        format!("{} KiB", trim_decimal(b / 1024.0))
    }
}

fn trim_decimal(n: f64) -> String {
    let s = format!("{n:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn origin(sheet: &str, row: u32) -> String {
    format!("{sheet} row {row}")
}

/// The sheet's column for `field` (its letters and header) and the row's value there.
fn cell_of(preview: &Preview, sheet: &str, field: Field) -> (Option<String>, Option<String>) {
    preview
        .sheets
        .iter()
        .find(|l| l.sheet == sheet)
        .and_then(|l| l.column(field))
        .map_or((None, None), |c| (Some(c.column.clone()), Some(c.header.clone())))
}

fn check_register(
    preview: &Preview,
    own: Option<&RegisterCode>,
    target: &RegisterCode,
    sheet: &str,
    row: u32,
    problems: &mut Vec<SheetProblem>,
) {
    if let Some(own) = own
        && own != target
    {
        let (column, header) = cell_of(preview, sheet, Field::Register);
        problems.push(SheetProblem {
            row: Some(row),
            column,
            header,
            value: Some(own.to_string()),
            field: Some("register".into()),
            ..SheetProblem::sheet(
                sheet,
                format!("belongs to register {own}, not {target}; upload it to that register's import"),
            )
        });
    }
}

/// A clash the database found (`Risks row 7.source_ref`), pinned back to its row and column.
fn database_problem(preview: &Preview, import: &RecordsImport, e: &ValidationError) -> SheetProblem {
    let records = import
        .risks
        .iter()
        .map(|r| (&r.origin, r.fields.source_ref.as_deref(), r.number))
        .chain(
            import
                .issues
                .iter()
                .map(|r| (&r.origin, r.fields.source_ref.as_deref(), r.number)),
        );
    for (origin, source_ref, number) in records {
        let Some(field) = e.field.strip_prefix(origin.as_str()).and_then(|f| f.strip_prefix('.')) else {
            continue;
        };
        let Some((sheet, row)) = origin
            .rsplit_once(" row ")
            .and_then(|(s, r)| Some((s, r.parse().ok()?)))
        else {
            continue;
        };
        let value = match field {
            "source_ref" => source_ref.map(str::to_owned),
            "number" => number.map(|n| n.to_string()),
            _ => None,
        };
        let (column, header) = Field::parse(field).map_or((None, None), |f| cell_of(preview, sheet, f));
        return SheetProblem {
            row: Some(row),
            column,
            header,
            value,
            field: Some(field.to_owned()),
            ..SheetProblem::sheet(sheet, e.rule.clone())
        };
    }
    SheetProblem::sheet(&e.field, e.rule.clone())
}

fn location(p: &SheetProblem) -> String {
    let mut s = p.to_string();
    // The rule is the error's own part; the location is everything before it.
    if let Some(cut) = s.len().checked_sub(p.rule.len() + 2) {
        s.truncate(cut);
    }
    s
}

fn errors_of(e: StoreError) -> ValidationErrors {
    match e {
        StoreError::Invalid(errors) => errors,
        other => ValidationErrors(vec![ValidationError::new("file", other.to_string())]),
    }
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Whether anything was written (false for a dry run).
    pub imported: bool,
    pub dry_run: bool,
    /// `xlsx` or `csv`.
    pub kind: String,
    /// Per sheet read: its header, group and description rows and each column's field.
    #[schema(value_type = Vec<Object>)]
    pub sheets: serde_json::Value,
    pub created: CreatedCounts,
    /// The records, with the sheet row each came from.
    pub records: Vec<ImportedRecord>,
    /// Worth a look (a score that is not impact × likelihood, a RAG read from a band).
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCounts {
    pub risks: usize,
    pub issues: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedRecord {
    /// `risk` or `issue`.
    pub kind: &'static str,
    pub sheet: String,
    pub row: u32,
    pub source_ref: Option<String>,
    pub statement: String,
}

fn report(preview: &Preview, import: &RecordsImport, dry_run: bool) -> ImportReport {
    let s = summary(import);
    let record = |kind, sheet: &str, row, source_ref: Option<&String>, statement: &str| ImportedRecord {
        kind,
        sheet: sheet.to_owned(),
        row,
        source_ref: source_ref.cloned(),
        statement: statement.to_owned(),
    };
    ImportReport {
        imported: !dry_run,
        dry_run,
        kind: if preview.kind == FileKind::Xlsx { "xlsx" } else { "csv" }.into(),
        sheets: serde_json::to_value(&preview.sheets).unwrap_or_default(),
        created: CreatedCounts {
            risks: s.risks,
            issues: s.issues,
        },
        records: preview
            .risks
            .iter()
            .map(|r| {
                record(
                    "risk",
                    &r.sheet,
                    r.row,
                    r.fields.source_ref.as_ref(),
                    &r.fields.statement,
                )
            })
            .chain(preview.issues.iter().map(|r| {
                record(
                    "issue",
                    &r.sheet,
                    r.row,
                    r.fields.source_ref.as_ref(),
                    &r.fields.statement,
                )
            }))
            .collect(),
        warnings: preview.warnings.iter().map(ToString::to_string).collect(),
    }
}

/// The multipart form of an import: these parts and no others.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The spreadsheet: XLSX or CSV.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `true` to report what would be created and change nothing.
    #[schema(nullable = false)]
    pub dry_run: Option<bool>,
    /// The sheet holding the register (XLSX).
    #[schema(nullable = false)]
    pub sheet: Option<String>,
    /// `FIELD=COLUMN`, repeated: overrides the automatic mapping.
    #[schema(nullable = false)]
    pub map: Option<Vec<String>>,
}

/// Imports a spreadsheet's risks (and, from riskreg's own workbook, issues) into the
/// register, all or nothing (secretariat or admin). Every bad row is reported in `errors`
/// by sheet, row, column and value with the rule it broke; the import is recorded as an
/// event per record, its reason the file's name.
#[utoipa::path(post, path = "/registers/{code}/import", tag = "exchange",
    params(("code" = String, Path, description = "The register to import into")),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportReport, description = "imported"),
        (status = 200, body = ImportReport, description = "dry run: what would be imported"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let register = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    caller.require_editor()?;
    // Checked after access, so that a register the caller cannot see is 404 whatever is sent.
    let mut form = form.map_err(|e| {
        Error::invalid(
            "file",
            format!("send the spreadsheet as multipart/form-data, a part named file: {e}"),
        )
    })?;
    let mut file: Option<(String, Bytes)> = None;
    let mut options = Options::default();
    let mut dry_run = false;
    let mut errors = ValidationErrors::default();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| unreadable_upload(&e, state.config.import_body_limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| unreadable_upload(&e, state.config.import_body_limit))?;
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "file" => file = Some((file_name.unwrap_or_else(|| "upload".into()), bytes.clone())),
            "dry_run" => match text().as_str() {
                "true" | "1" | "on" => dry_run = true,
                "false" | "0" | "" => dry_run = false,
                _ => errors.push(ValidationError::new("dry_run", "must be true or false")),
            },
            "sheet" => options.sheet = Some(text()).filter(|s| !s.is_empty()),
            "map" => match parse_map(&text()) {
                Ok(m) => options.map.push(m),
                Err(rule) => errors.push(ValidationError::new("map", rule)),
            },
            other => errors.push(ValidationError::new(
                other,
                "is not a field of an import: file, dry_run, sheet, map",
            )),
        }
    }
    let Some((file_name, bytes)) = file else {
        errors.push(ValidationError::new(
            "file",
            "is required: the spreadsheet, as a multipart part named file",
        ));
        return Err(Error::Invalid(errors));
    };
    if !errors.0.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if FileKind::sniff(&bytes) == FileKind::Json {
        return Err(Error::invalid(
            "file",
            "is a register file (JSON), which names its own registers: import it with riskreg import",
        ));
    }
    let ctx = WriteContext::new(caller.name.to_string(), Some(format!("import {file_name}")));
    let (preview, plan) = preview_upload(state.store.as_ref(), &register.code, &bytes, &options, &ctx)
        .await
        .map_err(Error::Invalid)?;
    if !dry_run {
        apply(state.store.as_ref(), &plan, &ctx).await?;
    }
    let status = if dry_run { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, axum::Json(report(&preview, &plan, dry_run))).into_response())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Json,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx`, `csv` (the register's risks) or `json` (the register file format).
    #[param(inline)]
    pub format: ExportFormat,
    /// The register as it stood then (xlsx and csv).
    #[param(schema_with = super::as_at_schema)]
    pub as_at: Option<String>,
}

/// The register as a spreadsheet (XLSX: its risks, issues, the classification and the
/// scales; CSV: its risks) or as a register file (JSON: the register with its history).
#[utoipa::path(get, path = "/registers/{code}/export", tag = "exchange",
    params(("code" = String, Path, description = "The register"), ExportQuery),
    responses((status = 200, description = "the file, with Content-Disposition: attachment",
            content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"), ("application/json"))),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let as_at = parse_as_at(q.as_at.as_deref())?;
    let register = visible_register(&state, &caller, &parse_code(&code)?, as_at).await?;
    let store = state.store.as_ref();
    let (bytes, content_type, extension) = match q.format {
        ExportFormat::Json => {
            if as_at.is_some() {
                return Err(Error::invalid(
                    "as_at",
                    "applies to xlsx and csv; json holds the whole history",
                ));
            }
            let doc = store.export_of(Some(&register.code)).await?;
            (doc.to_json().into_bytes(), "application/json", "json")
        }
        ExportFormat::Xlsx => {
            let e = sheet_export(store, Some(&register.code), as_at).await?;
            let bytes = riskreg_sheets::write::xlsx(&e).map_err(|e| match riskreg_sheets::write::refusal(&e) {
                Some(rule) => Error::invalid("format", rule),
                None => Error::internal(e),
            })?;
            (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
        ExportFormat::Csv => {
            let e = sheet_export(store, Some(&register.code), as_at).await?;
            (
                riskreg_sheets::write::risks_csv(&e).map_err(Error::internal)?,
                "text/csv; charset=utf-8",
                "csv",
            )
        }
    };
    let day = as_at.unwrap_or_else(Utc::now).date_naive();
    let disposition = format!("attachment; filename=\"{}-{day}.{extension}\"", register.code);
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Registers (one, or all) with their risks and issues, closed ones included, as they stand
/// or stood at `as_at`: what an XLSX or CSV export writes. A register exported alone loses
/// its parent, which would not exist where the file is imported.
pub async fn sheet_export(
    store: &dyn Store,
    register: Option<&RegisterCode>,
    as_at: Option<DateTime<Utc>>,
) -> Result<riskreg_sheets::Export, StoreError> {
    let mut registers = store.registers(as_at).await?;
    if let Some(code) = register {
        registers.retain(|r| &r.code == code);
        if registers.is_empty() {
            store.register(code, as_at).await?;
        }
        for r in &mut registers {
            r.fields.parent = None;
        }
    }
    let mut risks = Vec::new();
    let mut issues = Vec::new();
    for reg in &registers {
        let query = RecordQuery {
            register: Some(reg.code.clone()),
            as_at,
            include_closed: true,
        };
        risks.extend(store.risks(&query).await?);
        issues.extend(store.issues(&query).await?);
    }
    Ok(riskreg_sheets::Export {
        settings: store.settings().await?,
        registers,
        risks,
        issues,
    })
}

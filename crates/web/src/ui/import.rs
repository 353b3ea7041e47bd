//! The upload screen: a secretariat imports a spreadsheet (XLSX or CSV) into a register in
//! three steps. Choose a file; see how it was read — the sheet, the header found and a
//! select per field to change the mapping (what `riskreg import --map FIELD=COLUMN` does),
//! the risks that would be created and every error and warning — and change the sheet or
//! mapping until it reads right; then confirm, which writes it all or nothing through the
//! same calls as the API ([`crate::api::exchange::read_upload`] and `apply`).
//!
//! Between the steps the file travels with the form, not in the server: the preview page
//! carries the uploaded bytes (base64) in a hidden field, and each later post sends them
//! back. The application tier is stateless — several `riskreg serve` processes may share
//! one database behind a load balancer — so an upload kept in one process's memory could be
//! missing from the process that receives the confirm, and nothing needs bounding or
//! expiring server-side. Sending the bytes back trusts nothing from the client: every post
//! reads and checks the whole file again within the same limits as a first upload, and the
//! confirm writes only if that check is clean. The price is the file once more (a third
//! larger) in the page, which the route's body limit allows for.

mod view;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use riskreg_domain::Register;
use riskreg_sheets::{Field, FileKind, Options};
use riskreg_store::WriteContext;
use serde::Deserialize;

use super::error::{PageResult, render, see_other};
use super::layout::{Layout, Section};
use super::session::{CsrfMultipart, PageUser};
use crate::api::exchange::{apply, read_upload, too_large};
use crate::api::{parse_code, visible_register};
use crate::error::Error;
use crate::state::AppState;
use view::PreviewModel;

/// The upload and preview posts carry the file base64-encoded after the first step: room
/// for that and the form's other fields.
fn post_limit(import_body_limit: usize) -> usize {
    import_body_limit
        .saturating_add(import_body_limit / 3)
        .saturating_add(1024 * 1024)
}

pub fn router(import_body_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/registers/{code}/import",
            get(upload_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(post_limit(import_body_limit))),
        )
        .route("/registers/{code}/import/done", get(done))
}

#[derive(Template)]
#[template(path = "ui/import.html")]
struct UploadPage {
    layout: Layout,
    code: String,
    name: String,
    limit: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "ui/import_preview.html")]
struct PreviewPage {
    layout: Layout,
    code: String,
    name: String,
    file_name: String,
    /// The file, base64, sent back with every later post.
    data: String,
    p: PreviewModel,
}

#[derive(Template)]
#[template(path = "ui/import_done.html")]
struct DonePage {
    layout: Layout,
    code: String,
    name: String,
    risks: u32,
    issues: u32,
}

/// The register, if the user may see it and import into it: 404 for one they cannot see,
/// 403 for a user who does not edit.
async fn target(state: &AppState, user: &PageUser, code: &str) -> PageResult<Register> {
    let register = visible_register(state, &user.caller, &parse_code(code)?, None).await?;
    user.caller.require_editor()?;
    Ok(register)
}

fn upload_form(state: &AppState, user: &PageUser, register: &Register, errors: Vec<String>) -> UploadPage {
    UploadPage {
        layout: Layout::new(
            user,
            format!("Import into {}", register.fields.name),
            Section::Registers,
        ),
        code: register.code.to_string(),
        name: register.fields.name.clone(),
        limit: crate::api::exchange::size_text(state.config.import_body_limit),
        errors,
    }
}

async fn upload_page(State(state): State<AppState>, user: PageUser, Path(code): Path<String>) -> PageResult<Response> {
    let register = target(&state, &user, &code).await?;
    Ok(render(&upload_form(&state, &user, &register, Vec::new()))?.into_response())
}

/// What a post of the upload or preview form asks for.
struct Request {
    file_name: String,
    bytes: Vec<u8>,
    /// The sheet chosen; blank to let the importer find it.
    sheet: String,
    /// The sheet the mapping selects were drawn for: they apply only to that sheet.
    mapping_for: String,
    /// `(field, column letters or blank)`, one per select.
    mapping: Vec<(Field, String)>,
    confirm: bool,
}

/// The file and choices a post carries: a first upload's file part, or the bytes the
/// preview page sent back; `None` if it carries no file at all.
fn request_of(form: &CsrfMultipart, limit: usize) -> Result<Option<Request>, Error> {
    let too_big = || Error::UploadTooLarge(too_large(limit));
    let (file_name, bytes) = match form.part("file").filter(|p| !p.bytes.is_empty()) {
        Some(part) => (part.file_name.clone().unwrap_or_default(), part.bytes.to_vec()),
        None => {
            let data = form.text("data");
            if data.is_empty() {
                return Ok(None);
            }
            // Refused before decoding: base64 is four characters for every three bytes.
            if data.len() / 4 * 3 > limit.saturating_add(3) {
                return Err(too_big());
            }
            let bytes = STANDARD
                .decode(data.as_bytes())
                .map_err(|_| Error::BadRequest("the file did not come back intact: upload it again".into()))?;
            (form.text("file_name"), bytes)
        }
    };
    if bytes.len() > limit {
        return Err(too_big());
    }
    let mapping = view::MAPPABLE
        .iter()
        .filter_map(|&f| {
            let name = format!("map.{}", f.name());
            form.part(&name).map(|_| (f, form.text(&name)))
        })
        .collect();
    let file_name = file_name.trim();
    Ok(Some(Request {
        file_name: if file_name.is_empty() { "upload" } else { file_name }.to_owned(),
        bytes,
        sheet: form.text("sheet"),
        mapping_for: form.text("mapping_for"),
        mapping,
        confirm: form.text("action") == "confirm",
    }))
}

async fn upload(State(state): State<AppState>, Path(code): Path<String>, form: CsrfMultipart) -> PageResult<Response> {
    let user = form.user.clone();
    let register = target(&state, &user, &code).await?;
    let refused = |messages: Vec<String>| -> PageResult<Response> {
        let page = upload_form(&state, &user, &register, messages);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    let Some(req) = request_of(&form, state.config.import_body_limit)? else {
        return refused(vec!["Choose a spreadsheet to import: an XLSX or CSV file.".into()]);
    };
    drop(form);
    let kind = FileKind::sniff(&req.bytes);
    if kind == FileKind::Json {
        return refused(vec![format!(
            "{} is a register file (JSON), which names its own registers and holds their history: \
             import it with riskreg import on the server.",
            req.file_name
        )]);
    }
    let mut options = Options::default();
    let sheets = match kind {
        FileKind::Xlsx => match riskreg_sheets::read::sheet_names(&req.bytes, &options.limits) {
            Ok(names) => names,
            Err(e) => return refused(vec![format!("{}: {e}", req.file_name)]),
        },
        _ => Vec::new(),
    };
    options.sheet = Some(req.sheet.clone()).filter(|s| sheets.contains(s));
    let read_as = match (&options.sheet, kind) {
        (Some(s), _) => s.clone(),
        (None, FileKind::Csv) => "CSV".to_owned(),
        (None, _) => String::new(),
    };
    // The selects were drawn for one sheet; on another they mean nothing.
    let mut clashes = Vec::new();
    if !req.mapping_for.is_empty() && req.mapping_for == read_as {
        clashes = view::clashes(&req.mapping);
        options.map = req.mapping.clone();
    }
    let ctx = WriteContext::new(user.caller.actor(), Some(format!("import {}", req.file_name)));
    let upload = match read_upload(state.store.as_ref(), &register.code, &req.bytes, &options, &ctx).await {
        Ok(u) => u,
        Err(errors) => {
            return refused(
                errors
                    .0
                    .into_iter()
                    .map(|e| format!("{}: {}", req.file_name, e.rule))
                    .collect(),
            );
        }
    };
    let clean = upload.is_clean() && clashes.is_empty();
    if req.confirm && clean && !upload.import.risks.is_empty() {
        let summary = apply(state.store.as_ref(), &upload.import, &ctx).await?;
        return Ok(see_other(&format!(
            "/registers/{}/import/done?risks={}&issues={}",
            register.code, summary.risks, summary.issues
        )));
    }
    let page = PreviewPage {
        layout: Layout::new(
            &user,
            format!("Import into {}", register.fields.name),
            Section::Registers,
        ),
        code: register.code.to_string(),
        name: register.fields.name.clone(),
        data: STANDARD.encode(&req.bytes),
        p: PreviewModel::new(&upload, &sheets, options.sheet.as_deref(), &read_as, kind, clashes),
        file_name: req.file_name,
    };
    let status = if clean {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    risks: u32,
    issues: u32,
}

async fn done(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult<Response> {
    let register = target(&state, &user, &code).await?;
    let page = DonePage {
        layout: Layout::new(
            &user,
            format!("Imported into {}", register.fields.name),
            Section::Registers,
        ),
        code: register.code.to_string(),
        name: register.fields.name.clone(),
        risks: q.risks,
        issues: q.issues,
    };
    Ok(render(&page)?.into_response())
}

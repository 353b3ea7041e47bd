//! `/settings/registers/{code}`: changing a register's name, parent, confidentiality and
//! description through the API's own amend. The form carries the version it was opened
//! at; a register changed since is not overwritten.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskreg_domain::Register;
use serde::Deserialize;

use super::registers::{ParentChoice, parent_choices};
use super::{Tab, require_admin};
use crate::api::registers::{RegisterPatch, amend};
use crate::api::{parse_code, visible_register};
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::{FieldErrors, optional_text};
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/registers/{code}", get(edit).post(submit))
}

/// The form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Values {
    pub version: String,
    pub name: String,
    pub parent: String,
    pub confidential: String,
    pub description: String,
}

impl Values {
    fn of(r: &Register) -> Self {
        Self {
            version: r.revision.version.to_string(),
            name: r.fields.name.clone(),
            parent: r.fields.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
            confidential: if r.fields.confidential {
                "1".into()
            } else {
                String::new()
            },
            description: r.fields.description.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "ui/settings_register.html")]
struct EditPage {
    layout: Layout,
    tab: Tab,
    code: String,
    v: Values,
    parents: Vec<ParentChoice>,
    errors: FieldErrors,
    /// After a conflict: who changed the register, and how it now reads.
    conflict: Option<Values>,
    conflict_by: String,
}

async fn page(state: &AppState, user: &PageUser, current: &Register, v: Values) -> PageResult<EditPage> {
    let registers = state.store.registers(None).await?;
    let parents = parent_choices(
        registers
            .iter()
            .filter(|r| user.caller.can_see(r) && r.code != current.code),
    );
    Ok(EditPage {
        layout: Layout::new(user, format!("Register {} · Settings", current.code), Section::Settings),
        tab: Tab::Registers,
        code: current.code.to_string(),
        v,
        parents,
        errors: FieldErrors::default(),
        conflict: None,
        conflict_by: String::new(),
    })
}

async fn load(state: &AppState, user: &PageUser, code: &str) -> PageResult<Register> {
    Ok(visible_register(state, &user.caller, &parse_code(code)?, None).await?)
}

async fn edit(State(state): State<AppState>, user: PageUser, Path(code): Path<String>) -> PageResult<Response> {
    require_admin(&user)?;
    let current = load(&state, &user, &code).await?;
    let p = page(&state, &user, &current, Values::of(&current)).await?;
    Ok(render(&p)?.into_response())
}

async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: CsrfForm<Values>,
) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let current = load(&state, &user, &code).await?;
    let v = form.form;
    let opened: u32 = v
        .version
        .parse()
        .map_err(|_| Error::invalid("version", "must be the version the form was opened at"))?;
    let patch = RegisterPatch {
        name: Some(v.name.trim().to_owned()),
        parent: Some(optional_text(&v.parent)),
        confidential: Some(!v.confidential.is_empty()),
        description: Some(optional_text(&v.description)),
        last_paper_on: None,
    };
    let result = if opened == current.revision.version {
        amend(&state, &user.caller, &current, opened, patch).await
    } else {
        Err(Error::Stale(String::new()))
    };
    match result {
        Ok(r) => Ok(see_other(&format!("/settings/registers?saved={}", r.code))),
        Err(Error::Invalid(e)) => {
            let mut p = page(&state, &user, &current, v).await?;
            p.errors = FieldErrors::from_validation(&e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(Error::Stale(_)) => {
            let now = load(&state, &user, &code).await?;
            let mut v = v;
            v.version = now.revision.version.to_string();
            let mut p = page(&state, &user, &now, v).await?;
            p.conflict = Some(Values::of(&now));
            p.conflict_by = now.revision.updated_by.clone();
            Ok((StatusCode::CONFLICT, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

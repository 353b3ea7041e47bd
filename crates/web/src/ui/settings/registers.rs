//! `/settings/registers`: every register the admin can see, with its parent, whether it
//! is confidential and how many users are its members, and the form that creates one
//! (through the API's own create, so the creator of a confidential register becomes its
//! first member).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskreg_domain::Register;
use serde::Deserialize;

use super::{Tab, require_admin};
use crate::api::registers::{NewRegister, create};
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::{FieldErrors, optional_text};
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/registers", get(list).post(add))
}

#[derive(Debug)]
pub struct RegisterRow {
    pub code: String,
    pub name: String,
    pub parent: String,
    pub confidential: bool,
    pub members: usize,
}

/// A register offered as a parent: its code and name.
#[derive(Debug, Clone)]
pub struct ParentChoice {
    pub code: String,
    pub label: String,
}

/// The registers the caller can see, parents before children, as parent choices.
pub fn parent_choices<'a>(registers: impl IntoIterator<Item = &'a Register>) -> Vec<ParentChoice> {
    registers
        .into_iter()
        .map(|r| ParentChoice {
            code: r.code.to_string(),
            label: format!("{} — {}", r.code, r.fields.name),
        })
        .collect()
}

/// The create form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewValues {
    pub code: String,
    pub name: String,
    pub parent: String,
    pub confidential: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "ui/settings_registers.html")]
struct RegistersPage {
    layout: Layout,
    tab: Tab,
    rows: Vec<RegisterRow>,
    parents: Vec<ParentChoice>,
    v: NewValues,
    errors: FieldErrors,
    /// The register just created or saved, when the page follows that.
    done: String,
    done_code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    created: String,
    saved: String,
}

async fn page(state: &AppState, user: &PageUser, v: NewValues, errors: FieldErrors) -> PageResult<RegistersPage> {
    let visible: Vec<Register> = state
        .store
        .registers(None)
        .await?
        .into_iter()
        .filter(|r| user.caller.can_see(r))
        .collect();
    let users = state.store.users().await?;
    let rows = visible
        .iter()
        .map(|r| RegisterRow {
            code: r.code.to_string(),
            name: r.fields.name.clone(),
            parent: r.fields.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
            confidential: r.fields.confidential,
            members: users.iter().filter(|u| u.fields.is_member(&r.code)).count(),
        })
        .collect();
    Ok(RegistersPage {
        layout: Layout::new(user, "Registers · Settings", Section::Settings),
        tab: Tab::Registers,
        rows,
        parents: parent_choices(&visible),
        v,
        errors,
        done: String::new(),
        done_code: String::new(),
    })
}

async fn list(State(state): State<AppState>, user: PageUser, Query(q): Query<Done>) -> PageResult<Response> {
    require_admin(&user)?;
    let mut p = page(&state, &user, NewValues::default(), FieldErrors::default()).await?;
    // Only a register on the page is named, so the notice cannot be made to say anything else.
    let (done, code) = match (q.created.as_str(), q.saved.as_str()) {
        (c, _) if !c.is_empty() => ("created", c),
        (_, s) if !s.is_empty() => ("saved", s),
        _ => ("", ""),
    };
    if p.rows.iter().any(|r| r.code == code) {
        p.done = done.to_owned();
        p.done_code = code.to_owned();
    }
    Ok(render(&p)?.into_response())
}

async fn add(State(state): State<AppState>, form: CsrfForm<NewValues>) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let v = form.form;
    let body = NewRegister {
        code: v.code.trim().to_ascii_uppercase(),
        name: v.name.trim().to_owned(),
        parent: optional_text(&v.parent),
        confidential: !v.confidential.is_empty(),
        description: optional_text(&v.description),
        last_paper_on: None,
    };
    let (status, errors) = match create(&state, &user.caller, body).await {
        Ok(r) => return Ok(see_other(&format!("/settings/registers?created={}", r.code))),
        Err(Error::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(&e)),
        Err(Error::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("code", "is taken by another register");
            (StatusCode::CONFLICT, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let p = page(&state, &user, v, errors).await?;
    Ok((status, render(&p)?).into_response())
}

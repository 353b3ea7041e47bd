//! Editing the scales and severity bands (`/settings/scales/edit`). The form carries the
//! version of the settings it was opened at: if they changed since, nothing is written and
//! the page shows them as they now stand above the admin's entries. A broken rule (bands
//! out of order, an empty label) is shown beside its field, and nothing changes.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::indexed::{Posted, RowErrors};
use super::scales::ScalesView;
use super::scales_form::ScalesForm;
use super::{Tab, require_admin};
use crate::api::settings::{CurrentSettings, current, save};
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::optional_text;
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/scales/edit", get(edit).post(submit))
}

#[derive(Template)]
#[template(path = "ui/settings_scales_edit.html")]
struct EditPage {
    layout: Layout,
    tab: Tab,
    version: u32,
    form: ScalesForm,
    errors: RowErrors,
    reason: String,
    /// After a conflict: the settings as they now stand.
    conflict: Option<ScalesView>,
    message: String,
}

fn page(user: &PageUser, version: u32, form: ScalesForm, reason: String) -> EditPage {
    EditPage {
        layout: Layout::new(user, "Edit scales and bands · Settings", Section::Settings),
        tab: Tab::Scales,
        version,
        form,
        errors: RowErrors::default(),
        reason,
        conflict: None,
        message: String::new(),
    }
}

async fn edit(State(state): State<AppState>, user: PageUser) -> PageResult<Response> {
    require_admin(&user)?;
    let c = current(&state).await?;
    Ok(render(&page(&user, c.version, ScalesForm::of(&c.settings), String::new()))?.into_response())
}

async fn submit(State(state): State<AppState>, form: CsrfForm<Vec<(String, String)>>) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let posted = Posted::new(form.form);
    let opened: u32 = posted
        .get("version")
        .parse()
        .map_err(|_| Error::invalid("version", "must be the version the form was opened at"))?;
    let entered = ScalesForm::posted(&posted);
    let reason = posted.get("reason").to_owned();
    let c = current(&state).await?;
    if opened != c.version {
        return conflict(&user, &c, entered, reason);
    }
    let (settings, renumber) = match entered.settings(&c.settings) {
        Ok(ok) => ok,
        Err(errors) => return invalid(&user, opened, entered, reason, errors),
    };
    if settings == c.settings {
        let mut p = page(&user, opened, entered, reason);
        p.message = "Nothing was changed, so nothing was saved.".into();
        return Ok(render(&p)?.into_response());
    }
    match save(&state, &user.caller, opened, settings, optional_text(&reason)).await {
        Ok(saved) => Ok(see_other(&format!("/settings/scales?saved={}", saved.version))),
        Err(Error::Invalid(errors)) => {
            let errors = RowErrors::from_validation(&errors, &renumber);
            invalid(&user, opened, entered, reason, errors)
        }
        // Someone saved between our read and our write: the same as a stale form.
        Err(Error::Stale(_)) => conflict(&user, &current(&state).await?, entered, reason),
        Err(e) => Err(e.into()),
    }
}

fn invalid(user: &PageUser, version: u32, form: ScalesForm, reason: String, errors: RowErrors) -> PageResult<Response> {
    let mut p = page(user, version, form, reason);
    p.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

fn conflict(user: &PageUser, now: &CurrentSettings, form: ScalesForm, reason: String) -> PageResult<Response> {
    let mut p = page(user, now.version, form, reason);
    p.conflict = Some(ScalesView::of(now));
    Ok((StatusCode::CONFLICT, render(&p)?).into_response())
}

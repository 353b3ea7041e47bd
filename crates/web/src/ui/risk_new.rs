//! A new risk from a register's page (secretariat and admin): added to the register at
//! once, or proposed to one of the body's meetings — listed as proposed, set out in the
//! paper, and opened only when the committee agrees it. The form is the edit form, with
//! the scores and RAG to be chosen rather than preset.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use riskreg_domain::{RegisterCode, RiskStatus, ValidationError, ValidationErrors};
use riskreg_store::{ProposalDraft, StoreError, WriteContext};
use serde::Deserialize;

use super::error::{PageResult, render, see_other};
use super::forms::{FieldErrors, optional_text};
use super::meetings::meeting_href;
use super::propose::{meeting_choices, read_meeting};
use super::risk_edit::{Purpose, new_risk_page};
use super::risk_form::{Values, fields_from};
use super::session::{CsrfForm, PageUser};
use crate::api::{parse_code, visible_register};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/registers/{code}/risks/new", get(open).post(send))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    /// `true` to propose the risk to a meeting rather than add it.
    propose: bool,
}

/// The register, if the user may see it (404 otherwise) and may write to it.
async fn register_for(state: &AppState, user: &PageUser, code: &str) -> PageResult<RegisterCode> {
    let code = parse_code(code)?;
    let register = visible_register(state, &user.caller, &code, None)
        .await
        .map_err(|_| Error::NotFound(format!("register {code}")))?;
    user.caller.require_editor()?;
    Ok(register.code)
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    code: &RegisterCode,
    purpose: Purpose,
    v: Values,
    errors: FieldErrors,
) -> PageResult<Response> {
    let settings = state.store.settings().await?;
    let meetings = match purpose {
        Purpose::Edit => Vec::new(),
        Purpose::Propose => meeting_choices(state, code).await?,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = new_risk_page(user, code, &settings, purpose, meetings, v, errors);
    Ok((status, render(&page)?).into_response())
}

async fn open(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    let code = register_for(&state, &user, &code).await?;
    let purpose = if q.propose { Purpose::Propose } else { Purpose::Edit };
    form_page(&state, &user, &code, purpose, Values::default(), FieldErrors::default()).await
}

async fn send(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let user = form.user;
    let code = register_for(&state, &user, &code).await?;
    let v = Values::from_pairs(form.form);
    let purpose = if v.get("purpose") == "propose" {
        Purpose::Propose
    } else {
        Purpose::Edit
    };
    let refuse = |errors: &ValidationErrors| {
        let (state, user, code, v) = (&state, &user, &code, v.clone());
        let errors = FieldErrors::from_validation(errors);
        async move { form_page(state, user, code, purpose, v, errors).await }
    };
    let mut fields = match fields_from(&v, Utc::now().date_naive()) {
        Ok(f) => f,
        Err(errors) => return refuse(&errors).await,
    };
    let reason = optional_text(v.get("reason"));
    let ctx = WriteContext::new(user.caller.actor(), reason);
    let written = match purpose {
        Purpose::Edit => state
            .store
            .create_risk(code.clone(), None, fields, ctx)
            .await
            .map(|risk| format!("/risks/{}?saved={}", risk.reference, risk.revision.version)),
        Purpose::Propose => {
            let meeting = match read_meeting(v.get("meeting")) {
                Ok(m) => m,
                Err(e) => return refuse(&ValidationErrors(vec![e])).await,
            };
            fields.status = RiskStatus::Proposed;
            let draft = ProposalDraft::NewRisk {
                register: code.clone(),
                fields,
            };
            state
                .store
                .propose(
                    meeting,
                    draft,
                    v.get("rationale").to_owned(),
                    optional_text(v.get("recommendation")),
                    ctx,
                )
                .await
                .map(|p| format!("{}#proposal-{}", meeting_href(&p.meeting), p.id))
        }
    };
    match written {
        Ok(to) => Ok(see_other(&to)),
        Err(StoreError::Invalid(errors)) => refuse(&errors).await,
        Err(StoreError::NotFound(what)) if purpose == Purpose::Propose => {
            let e = ValidationError::new("meeting", format!("must be an open meeting: no {what}"));
            refuse(&ValidationErrors(vec![e])).await
        }
        Err(e) => Err(e.into()),
    }
}

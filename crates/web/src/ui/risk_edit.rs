//! Editing a risk (secretariat and admin), or drafting the same edits as an amendment for a
//! meeting to agree. The form carries the version it was opened at. If the risk changed
//! since, nothing is written: the page shows what changed, puts the user's edits over the
//! newer version, and asks them to check and save again — never a silent overwrite. Rules
//! broken are shown beside their fields, and change nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskreg_domain::{RecordRef, RegisterCode, Risk, RiskFields, Settings, ValidationErrors};
use riskreg_store::event::RecordType;
use riskreg_store::{ProposalDraft, StoreError, WriteContext};

use super::diff::{FieldChange, changes};
use super::error::{PageResult, render, see_other};
use super::forms::FieldErrors;
use super::layout::{Layout, Section};
use super::meetings::Choice;
use super::propose::{meeting_choices, read_meeting};
use super::risk_form::{Values, change_from, merge};
use super::risks::version_body;
use super::session::{CsrfForm, PageUser};
use crate::api::{parse_ref, visible_register};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/risks/{reference}/edit", get(edit).post(save))
}

/// What the form's changes are for: saved now, or put to a meeting as an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Edit,
    Propose,
}

#[derive(Debug)]
pub struct Level {
    pub value: String,
    pub label: String,
}

#[derive(Debug)]
pub struct ExistingMitigation {
    pub n: usize,
    pub text: String,
}

#[derive(Debug)]
pub struct ClassRow {
    pub name: String,
    pub cells: Vec<(String, String)>,
}

/// One impact level's meaning in every category, shown beside the impact field.
#[derive(Debug)]
pub struct Guide {
    pub value: String,
    pub label: String,
    pub items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "ui/risk_edit.html")]
pub(super) struct EditPage {
    layout: Layout,
    reference: String,
    number: u32,
    register: String,
    version: u32,
    v: Values,
    errors: FieldErrors,
    impact_levels: Vec<Level>,
    likelihood_levels: Vec<Level>,
    classification: Vec<ClassRow>,
    guide: Vec<Guide>,
    mitigations: Vec<ExistingMitigation>,
    /// Set after a conflict: what others changed since the form was opened.
    conflict: Vec<FieldChange>,
    conflict_from: u32,
    both_changed: Vec<String>,
    mitigations_reset: bool,
    message: String,
    /// Drafting an amendment: the form names a meeting and says why, instead of saving.
    proposing: bool,
    /// The open meetings of the risk's body an amendment may be put to.
    meetings: Vec<Choice>,
    /// A risk not yet on the register: no version, no existing mitigations.
    creating: bool,
}

impl EditPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        self.v.get(field) == value
    }

    /// The state chosen for existing mitigation `n`.
    fn mstate<N: std::borrow::Borrow<usize>>(&self, n: N) -> &str {
        self.v.get(&format!("m{}_state", n.borrow()))
    }

    fn mremoved<N: std::borrow::Borrow<usize>>(&self, n: N) -> bool {
        self.v.removes(*n.borrow())
    }
}

fn levels(scale: &[riskreg_domain::ScaleLevel]) -> Vec<Level> {
    scale
        .iter()
        .map(|l| Level {
            value: l.level.to_string(),
            label: format!("{} — {}", l.level, l.label),
        })
        .collect()
}

fn classification(settings: &Settings) -> Vec<ClassRow> {
    settings
        .classification
        .categories
        .iter()
        .map(|c| ClassRow {
            name: c.name.clone(),
            cells: c
                .cells
                .iter()
                .enumerate()
                .map(|(i, d)| ((i + 1).to_string(), d.clone().unwrap_or_default()))
                .collect(),
        })
        .collect()
}

fn guide(settings: &Settings) -> Vec<Guide> {
    settings
        .impact_scale
        .iter()
        .map(|l| Guide {
            value: l.level.to_string(),
            label: format!("{} ({})", l.level, l.label),
            items: settings
                .classification
                .categories
                .iter()
                .filter_map(|c| {
                    let text = c.cells.get(usize::from(l.level).saturating_sub(1))?.clone()?;
                    Some((c.name.clone(), text))
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

#[derive(Debug)]
pub struct Ctx {
    reference: RecordRef,
    risk: Risk,
    settings: Settings,
    purpose: Purpose,
    meetings: Vec<Choice>,
}

/// The risk, if the user may see it (404 otherwise, as if it did not exist) and may write,
/// and it is still live: only proposed and open risks are edited or put to a meeting.
pub async fn live_risk(state: &AppState, user: &PageUser, reference: &str) -> PageResult<(RecordRef, Risk)> {
    let r = parse_ref("risk", reference)?;
    visible_register(state, &user.caller, &r.register, None)
        .await
        .map_err(|_| Error::NotFound(format!("risk {reference}")))?;
    user.caller.require_editor()?;
    let risk = state.store.risk(&r, None).await?;
    if !risk.fields.status.is_live() {
        return Err(Error::Forbidden(format!(
            "risk {r} is {}; only proposed and open risks are edited or put to a meeting",
            risk.fields.status.as_str()
        ))
        .into());
    }
    Ok((r, risk))
}

pub async fn load(state: &AppState, user: &PageUser, reference: &str, purpose: Purpose) -> PageResult<Ctx> {
    let (r, risk) = live_risk(state, user, reference).await?;
    let settings = state.store.settings().await?;
    let meetings = match purpose {
        Purpose::Edit => Vec::new(),
        Purpose::Propose => meeting_choices(state, &r.register).await?,
    };
    Ok(Ctx {
        reference: r,
        risk,
        settings,
        purpose,
        meetings,
    })
}

fn page(user: &PageUser, c: &Ctx, v: Values, version: u32) -> EditPage {
    let title = match c.purpose {
        Purpose::Edit => format!("Edit risk {}", c.reference),
        Purpose::Propose => format!("Propose an amendment to risk {}", c.reference),
    };
    EditPage {
        layout: Layout::new(user, title, Section::Registers),
        reference: c.reference.to_string(),
        number: c.reference.number,
        register: c.reference.register.to_string(),
        version,
        v,
        errors: FieldErrors::default(),
        impact_levels: levels(&c.settings.impact_scale),
        likelihood_levels: levels(&c.settings.likelihood_scale),
        classification: classification(&c.settings),
        guide: guide(&c.settings),
        mitigations: c
            .risk
            .fields
            .mitigations
            .iter()
            .enumerate()
            .map(|(i, m)| ExistingMitigation {
                n: i + 1,
                text: m.text.clone(),
            })
            .collect(),
        conflict: Vec::new(),
        conflict_from: 0,
        both_changed: Vec::new(),
        mitigations_reset: false,
        message: String::new(),
        proposing: c.purpose == Purpose::Propose,
        meetings: c.meetings.clone(),
        creating: false,
    }
}

/// The form for a risk not yet on `register`: added now, or proposed to a meeting.
pub(super) fn new_risk_page(
    user: &PageUser,
    register: &RegisterCode,
    settings: &Settings,
    purpose: Purpose,
    meetings: Vec<Choice>,
    v: Values,
    errors: FieldErrors,
) -> EditPage {
    let title = match purpose {
        Purpose::Edit => format!("Add a risk to {register}"),
        Purpose::Propose => format!("Propose a new risk for {register}"),
    };
    EditPage {
        layout: Layout::new(user, title, Section::Registers),
        reference: String::new(),
        number: 0,
        register: register.to_string(),
        version: 0,
        v,
        errors,
        impact_levels: levels(&settings.impact_scale),
        likelihood_levels: levels(&settings.likelihood_scale),
        classification: classification(settings),
        guide: guide(settings),
        mitigations: Vec::new(),
        conflict: Vec::new(),
        conflict_from: 0,
        both_changed: Vec::new(),
        mitigations_reset: false,
        message: String::new(),
        proposing: purpose == Purpose::Propose,
        meetings,
        creating: true,
    }
}

async fn edit(State(state): State<AppState>, user: PageUser, Path(reference): Path<String>) -> PageResult<Response> {
    open_form(&state, &user, &reference, Purpose::Edit).await
}

/// The form, filled with the risk as it stands.
pub async fn open_form(state: &AppState, user: &PageUser, reference: &str, purpose: Purpose) -> PageResult<Response> {
    let c = load(state, user, reference, purpose).await?;
    let v = Values::of(&c.risk.fields);
    Ok(render(&page(user, &c, v, c.risk.revision.version))?.into_response())
}

async fn save(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    submit(&state, &reference, form.user, form.form, Purpose::Edit).await
}

/// Saves the form's changes, or drafts them as an amendment for the meeting it names.
pub async fn submit(
    state: &AppState,
    reference: &str,
    user: PageUser,
    pairs: Vec<(String, String)>,
    purpose: Purpose,
) -> PageResult<Response> {
    let c = load(state, &user, reference, purpose).await?;
    let submitted = Values::from_pairs(pairs);
    let opened: u32 = submitted
        .get("version")
        .parse()
        .map_err(|_| Error::invalid("version", "must be the version the form was opened at"))?;
    if opened != c.risk.revision.version {
        return conflict(state, &user, &c, opened, &submitted).await;
    }
    let change = match change_from(&submitted, &c.risk.fields) {
        Ok(change) => change,
        Err(errors) => return invalid(&user, &c, submitted, &errors),
    };
    if change.is_empty() {
        let mut p = page(&user, &c, submitted, opened);
        p.message = match purpose {
            Purpose::Edit => "Nothing was changed, so nothing was saved.",
            Purpose::Propose => "Nothing was changed, so there is no amendment to propose.",
        }
        .into();
        return Ok(render(&p)?.into_response());
    }
    let reason = super::forms::optional_text(submitted.get("reason"));
    let ctx = WriteContext::new(user.caller.actor(), reason);
    let written = match purpose {
        Purpose::Edit => state
            .store
            .amend_risk(c.reference.clone(), Some(opened), change, ctx)
            .await
            // The risk page then shows this save's changes (its default comparison).
            .map(|risk| format!("/risks/{}?saved={}", risk.reference, risk.revision.version)),
        Purpose::Propose => {
            let meeting = match read_meeting(submitted.get("meeting")) {
                Ok(m) => m,
                Err(e) => return invalid(&user, &c, submitted, &ValidationErrors(vec![e])),
            };
            let draft = ProposalDraft::Amend {
                risk: c.reference.clone(),
                expected_version: Some(opened),
                change,
            };
            let recommendation = super::forms::optional_text(submitted.get("recommendation"));
            let rationale = submitted.get("rationale").to_owned();
            state
                .store
                .propose(meeting, draft, rationale, recommendation, ctx)
                .await
                .map(|p| format!("{}#proposal-{}", super::meetings::meeting_href(&p.meeting), p.id))
        }
    };
    match written {
        Ok(to) => Ok(see_other(&to)),
        Err(StoreError::Invalid(errors)) => invalid(&user, &c, submitted, &errors),
        Err(StoreError::NotFound(what)) if purpose == Purpose::Propose => {
            let e = riskreg_domain::ValidationError::new("meeting", format!("must be an open meeting: no {what}"));
            invalid(&user, &c, submitted, &ValidationErrors(vec![e]))
        }
        // Someone saved between our read and our write: the same as a stale form.
        Err(StoreError::Conflict(_)) => {
            let c = load(state, &user, reference, purpose).await?;
            conflict(state, &user, &c, opened, &submitted).await
        }
        Err(e) => Err(e.into()),
    }
}

fn invalid(user: &PageUser, c: &Ctx, v: Values, errors: &ValidationErrors) -> PageResult<Response> {
    let version = c.risk.revision.version;
    let mut p = page(user, c, v, version);
    p.errors = FieldErrors::from_validation(errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

async fn conflict(state: &AppState, user: &PageUser, c: &Ctx, opened: u32, submitted: &Values) -> PageResult<Response> {
    let events = state.store.history(RecordType::Risk, &c.reference.to_string()).await?;
    let current_body = serde_json::to_value(&c.risk.fields).map_err(Error::internal)?;
    let opened_body = version_body(&events, opened)
        .cloned()
        .ok_or_else(|| Error::invalid("version", format!("risk {} has no version {opened}", c.reference)))?;
    let opened_fields: RiskFields = serde_json::from_value(opened_body.clone()).map_err(Error::internal)?;
    let (merged, both, reset) = merge(&opened_fields, &c.risk.fields, submitted);
    let mut p = page(user, c, merged, c.risk.revision.version);
    p.conflict = changes(&opened_body, &current_body);
    p.conflict_from = opened;
    p.both_changed = both.iter().map(|k| super::diff::label(k)).collect();
    p.mitigations_reset = reset;
    Ok((StatusCode::CONFLICT, render(&p)?).into_response())
}

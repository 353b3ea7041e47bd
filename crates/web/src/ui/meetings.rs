//! The review cycle in the browser: the meetings of the bodies a user may see, scheduling
//! one (secretariat), and a meeting's page — its proposals with what each would change and
//! whether it has gone stale, the paper to preview and download in every format, and the
//! form that records the committee's decision on each pending proposal.
//!
//! The paper links go to the API's paper route, which a page's session cookie may read:
//! one renderer serves the API, the CLI and these pages.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use riskreg_domain::review::{
    Decision, Meeting, MeetingFields, MeetingRef, Proposal, ProposalChange, ProposalStatus, default_recommendation,
    split_recommendation,
};
use riskreg_domain::{RegisterCode, ValidationError, ValidationErrors};
use riskreg_store::engine::proposal_from;
use riskreg_store::event::RecordType;
use riskreg_store::{StoreError, WriteContext};
use serde::Deserialize;

use super::diff::{FieldChange, changes};
use super::error::{PageResult, render, see_other};
use super::forms::{FieldErrors, optional_date, optional_text};
use super::layout::{Layout, Section};
use super::risks::version_body;
use super::session::{CsrfForm, PageUser};
use crate::api::review::{visible_meeting, visible_proposal};
use crate::api::visible_registers;
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(schedule))
        .route("/meetings/{body}/{date}", get(meeting))
        .route("/proposals/{id}/decision", post(decide))
}

/// A meeting's date as papers write it: "10 August 2018".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// The page of a meeting.
pub fn meeting_href(meeting: &MeetingRef) -> String {
    format!("/meetings/{meeting}")
}

/// A value and its label, for a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug)]
struct MeetingRow {
    href: String,
    body: String,
    body_name: String,
    date: String,
    title: String,
    pending: usize,
    decided: usize,
    closed: bool,
}

/// What the scheduling form sends; every field as text, so a bad value is shown back.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct ScheduleForm {
    body: String,
    date: String,
    title: String,
    paper_on: String,
    author: String,
    team: String,
}

#[derive(Template)]
#[template(path = "ui/meetings.html")]
struct MeetingsPage {
    layout: Layout,
    rows: Vec<MeetingRow>,
    can_schedule: bool,
    bodies: Vec<Choice>,
    form: ScheduleForm,
    errors: FieldErrors,
}

/// Every proposal, grouped by its meeting: one read for the whole list.
async fn proposals_by_meeting(state: &AppState) -> PageResult<HashMap<MeetingRef, Vec<Proposal>>> {
    let mut by: HashMap<MeetingRef, Vec<Proposal>> = HashMap::new();
    for record in state.store.json_records(RecordType::Proposal).await? {
        let p = proposal_from(&record)?;
        by.entry(p.meeting.clone()).or_default().push(p);
    }
    Ok(by)
}

async fn meetings_page(
    state: &AppState,
    user: &PageUser,
    form: ScheduleForm,
    errors: FieldErrors,
) -> PageResult<MeetingsPage> {
    let visible = visible_registers(state, &user.caller).await?;
    let mut meetings = state.store.meetings(None).await?;
    meetings.retain(|m| visible.contains_key(&m.reference.body));
    // Newest first: the next meeting and the last one are what people look for.
    meetings.sort_by(|a, b| {
        b.reference
            .date
            .cmp(&a.reference.date)
            .then(a.reference.body.cmp(&b.reference.body))
    });
    let proposals = proposals_by_meeting(state).await?;
    let rows = meetings
        .iter()
        .map(|m| {
            let ps = proposals.get(&m.reference).map(Vec::as_slice).unwrap_or_default();
            let pending = ps.iter().filter(|p| p.fields.status == ProposalStatus::Pending).count();
            MeetingRow {
                href: meeting_href(&m.reference),
                body: m.reference.body.to_string(),
                body_name: visible
                    .get(&m.reference.body)
                    .map(|r| r.fields.name.clone())
                    .unwrap_or_default(),
                date: long_date(m.reference.date),
                title: m.fields.title.clone().unwrap_or_default(),
                pending,
                decided: ps.len() - pending,
                closed: m.fields.closed,
            }
        })
        .collect();
    let mut bodies: Vec<Choice> = visible
        .values()
        .map(|r| Choice {
            value: r.code.to_string(),
            label: format!("{} ({})", r.fields.name, r.code),
        })
        .collect();
    bodies.sort_by(|a, b| a.value.cmp(&b.value));
    Ok(MeetingsPage {
        layout: Layout::new(user, "Meetings", Section::Meetings),
        rows,
        can_schedule: user.is_editor(),
        bodies,
        form,
        errors,
    })
}

async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Response> {
    let page = meetings_page(&state, &user, ScheduleForm::default(), FieldErrors::default()).await?;
    Ok(render(&page)?.into_response())
}

/// The meeting a scheduling form asks for, or every rule it breaks.
fn read_schedule(
    form: &ScheduleForm,
    visible: &HashMap<RegisterCode, riskreg_domain::Register>,
) -> Result<(MeetingRef, MeetingFields), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let body = RegisterCode::parse(&form.body).ok().filter(|c| visible.contains_key(c));
    if body.is_none() {
        errors.push(ValidationError::new("body", "must be a register you may see"));
    }
    let date = match optional_date("date", &form.date) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(ValidationError::new("date", "is required, YYYY-MM-DD"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let paper_on = optional_date("paper_on", &form.paper_on).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    match (body, date) {
        (Some(body), Some(date)) if errors.0.is_empty() => Ok((
            MeetingRef { body, date },
            MeetingFields {
                title: optional_text(&form.title),
                paper_on,
                author: optional_text(&form.author),
                team: optional_text(&form.team),
                closed: false,
            },
        )),
        _ => Err(errors),
    }
}

async fn schedule(State(state): State<AppState>, form: CsrfForm<ScheduleForm>) -> PageResult<Response> {
    let (user, form) = (form.user, form.form);
    user.caller.require_editor()?;
    let visible = visible_registers(&state, &user.caller).await?;
    let refused = |errors: FieldErrors| async {
        let page = meetings_page(&state, &user, form.clone(), errors).await?;
        Ok::<Response, super::error::PageError>((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    let (reference, fields) = match read_schedule(&form, &visible) {
        Ok(m) => m,
        Err(errors) => return refused(FieldErrors::from_validation(&errors)).await,
    };
    let ctx = WriteContext::new(user.caller.actor(), None);
    match state.store.add_meeting(reference.clone(), fields, ctx).await {
        Ok(m) => Ok(see_other(&meeting_href(&m.reference))),
        Err(StoreError::Invalid(errors)) => refused(FieldErrors::from_validation(&errors)).await,
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "date",
                &format!("already has a meeting of {}: {reference}", reference.body),
            );
            refused(errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A proposal as its meeting's page shows it.
#[derive(Debug)]
struct ProposalCard {
    id: u32,
    heading: String,
    target_href: String,
    target_label: String,
    /// What the record says now (or, for a new risk or issue, what it would say).
    statement: String,
    status: &'static str,
    pending: bool,
    stale: bool,
    rationale: Vec<String>,
    verb: String,
    recommendation: String,
    diff: Vec<FieldChange>,
    outcome: String,
    minute: String,
    deferred_href: String,
    deferred_label: String,
    version: u32,
    /// Why the last attempt to record a decision on it failed.
    problem: String,
}

#[derive(Template)]
#[template(path = "ui/meeting.html")]
struct MeetingPage {
    layout: Layout,
    reference: String,
    body_name: String,
    date: String,
    title: String,
    paper_on: String,
    author: String,
    team: String,
    closed: bool,
    proposals: Vec<ProposalCard>,
    pending: usize,
    can_decide: bool,
    later: Vec<Choice>,
    paper: String,
}

/// The record a proposal is about, as a link and its current statement.
async fn target(state: &AppState, change: &ProposalChange) -> PageResult<(String, String, String)> {
    Ok(match change {
        ProposalChange::NewIssue { issue, .. } => (String::new(), "a new issue".into(), issue.statement.clone()),
        ProposalChange::IssueUpdate { issue, .. } => {
            let statement = state.store.issue(issue, None).await?.fields.statement;
            (format!("/issues/{issue}"), format!("Issue {}", issue.number), statement)
        }
        ProposalChange::NewRisk { risk }
        | ProposalChange::Amend { risk, .. }
        | ProposalChange::Close { risk, .. }
        | ProposalChange::Escalate { risk, .. }
        | ProposalChange::Convert { risk, .. } => {
            let statement = state.store.risk(risk, None).await?.fields.statement;
            (format!("/risks/{risk}"), format!("Risk {}", risk.number), statement)
        }
    })
}

fn heading(change: &ProposalChange) -> String {
    match change {
        ProposalChange::NewRisk { risk } => format!("New risk: Risk {}", risk.number),
        ProposalChange::Amend { risk, .. } => format!("Amendment to Risk {}", risk.number),
        ProposalChange::Close { risk, .. } => format!("Closing Risk {}", risk.number),
        ProposalChange::Escalate { risk, to, .. } => format!("Escalating Risk {} to {to}", risk.number),
        ProposalChange::Convert { risk, .. } => format!("Converting Risk {} into an issue", risk.number),
        ProposalChange::NewIssue { register, .. } => format!("New issue on {register}"),
        ProposalChange::IssueUpdate {
            issue, fields: Some(_), ..
        } => format!("Update to Issue {}", issue.number),
        ProposalChange::IssueUpdate {
            issue, fields: None, ..
        } => format!("Issue {} for the committee to consider", issue.number),
    }
}

/// What an amendment changes, from the version it was drafted against: the tracked changes
/// the paper prints.
async fn proposed_changes(state: &AppState, change: &ProposalChange) -> PageResult<Vec<FieldChange>> {
    let (record_type, key, base, proposed) = match change {
        ProposalChange::Amend {
            risk,
            base_version,
            fields,
        } => (
            RecordType::Risk,
            risk.to_string(),
            *base_version,
            serde_json::to_value(fields).map_err(Error::internal)?,
        ),
        ProposalChange::IssueUpdate {
            issue,
            base_version,
            fields: Some(fields),
        } => (
            RecordType::Issue,
            issue.to_string(),
            *base_version,
            serde_json::to_value(fields).map_err(Error::internal)?,
        ),
        _ => return Ok(Vec::new()),
    };
    let events = state.store.history(record_type, &key).await?;
    Ok(version_body(&events, base)
        .map(|before| changes(before, &proposed))
        .unwrap_or_default())
}

async fn card(
    state: &AppState,
    p: Proposal,
    body_name: &str,
    problem: Option<&(u32, String)>,
) -> PageResult<ProposalCard> {
    let f = &p.fields;
    let (target_href, target_label, statement) = target(state, &f.change).await?;
    let (verb, recommendation) = match &f.recommendation {
        Some(text) => split_recommendation(text),
        None => {
            let (verb, rest) = default_recommendation(&f.change, body_name);
            (verb.to_owned(), rest)
        }
    };
    let outcome = match f.status {
        ProposalStatus::Pending => String::new(),
        status => {
            let by = f.decided_by.as_deref().unwrap_or("");
            let on = f
                .decided_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            format!("{} by {by} on {on}", capitalised(status.as_str()))
        }
    };
    Ok(ProposalCard {
        id: p.id,
        heading: heading(&f.change),
        target_href,
        target_label,
        statement,
        status: f.status.as_str(),
        pending: f.status == ProposalStatus::Pending,
        stale: state.store.proposal_is_stale(&p).await?,
        rationale: f
            .rationale
            .split("\n\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        verb,
        recommendation,
        diff: proposed_changes(state, &f.change).await?,
        outcome,
        minute: f.minute.clone().unwrap_or_default(),
        deferred_href: f.deferred_to.as_ref().map(meeting_href).unwrap_or_default(),
        deferred_label: f.deferred_to.as_ref().map(|m| long_date(m.date)).unwrap_or_default(),
        version: p.revision.version,
        problem: problem
            .filter(|(id, _)| *id == p.id)
            .map(|(_, m)| m.clone())
            .unwrap_or_default(),
    })
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

async fn meeting_page(
    state: &AppState,
    user: &PageUser,
    m: Meeting,
    problem: Option<(u32, String)>,
) -> PageResult<MeetingPage> {
    let visible = visible_registers(state, &user.caller).await?;
    let body_name = visible
        .get(&m.reference.body)
        .map(|r| r.fields.name.clone())
        .unwrap_or_else(|| m.reference.body.to_string());
    let mut proposals = Vec::new();
    for p in state.store.proposals(&m.reference).await? {
        proposals.push(card(state, p, &body_name, problem.as_ref()).await?);
    }
    let later = state
        .store
        .meetings(Some(&m.reference.body))
        .await?
        .into_iter()
        .filter(|x| x.reference.date > m.reference.date && !x.fields.closed)
        .map(|x| Choice {
            value: x.reference.to_string(),
            label: long_date(x.reference.date),
        })
        .collect();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(MeetingPage {
        layout: Layout::new(
            user,
            format!("{} meeting {}", m.reference.body, m.reference.date),
            Section::Meetings,
        ),
        reference: m.reference.to_string(),
        body_name,
        date: long_date(m.reference.date),
        title: opt(&m.fields.title),
        paper_on: m.fields.paper_on.map(long_date).unwrap_or_default(),
        author: opt(&m.fields.author),
        team: opt(&m.fields.team),
        closed: m.fields.closed,
        pending: proposals.iter().filter(|p| p.pending).count(),
        proposals,
        can_decide: user.is_editor(),
        later,
        paper: format!("/api/v1/meetings/{}/paper", m.reference),
    })
}

fn parse_meeting(body: &str, date: &str) -> Result<MeetingRef, Error> {
    MeetingRef::parse(&format!("{body}/{date}")).map_err(|_| Error::NotFound(format!("meeting {body}/{date}")))
}

async fn meeting(
    State(state): State<AppState>,
    user: PageUser,
    Path((body, date)): Path<(String, String)>,
) -> PageResult<Response> {
    let m = visible_meeting(&state, &user.caller, &parse_meeting(&body, &date)?).await?;
    Ok(render(&meeting_page(&state, &user, m, None).await?)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    minute: String,
    defer_to: String,
    version: String,
}

/// The decision a form asks to record, or the rule it breaks.
fn read_decision(form: &DecisionForm) -> Result<(Decision, Option<MeetingRef>), ValidationError> {
    let decision = match form.decision.as_str() {
        "agreed" => Decision::Agreed,
        "rejected" => Decision::Rejected,
        "deferred" => Decision::Deferred,
        _ => return Err(ValidationError::new("decision", "must be agreed, rejected or deferred")),
    };
    let defer_to = match optional_text(&form.defer_to) {
        None => None,
        Some(_) if decision != Decision::Deferred => {
            return Err(ValidationError::new("defer_to", "is only for a deferral"));
        }
        Some(text) => Some(MeetingRef::parse(&text).map_err(|e| ValidationError::new("defer_to", e.rule))?),
    };
    Ok((decision, defer_to))
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<u32>,
    form: CsrfForm<DecisionForm>,
) -> PageResult<Response> {
    let (user, form) = (form.user, form.form);
    let proposal = visible_proposal(&state, &user.caller, id).await?;
    user.caller.require_editor()?;
    let meeting = visible_meeting(&state, &user.caller, &proposal.meeting).await?;
    let refuse = |status: StatusCode, message: String| {
        let (state, user, meeting) = (&state, &user, meeting.clone());
        async move {
            let page = meeting_page(state, user, meeting, Some((id, message))).await?;
            Ok::<Response, super::error::PageError>((status, render(&page)?).into_response())
        }
    };
    if form.version != proposal.revision.version.to_string() {
        let message = format!(
            "Proposal {id} changed while this page was open (it is now at version {}, {}): check it and decide again.",
            proposal.revision.version,
            proposal.fields.status.as_str()
        );
        return refuse(StatusCode::CONFLICT, message).await;
    }
    let (decision, defer_to) = match read_decision(&form) {
        Ok(d) => d,
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, format!("{} {}", e.field, e.rule)).await,
    };
    let ctx = WriteContext::new(user.caller.actor(), None);
    match state
        .store
        .decide(id, decision, optional_text(&form.minute), defer_to, ctx)
        .await
    {
        Ok(p) => Ok(see_other(&format!("{}#proposal-{}", meeting_href(&p.meeting), p.id))),
        Err(StoreError::Invalid(errors)) => {
            let message = errors
                .0
                .iter()
                .map(|e| format!("{} {}", e.field, e.rule))
                .collect::<Vec<_>>()
                .join("; ");
            refuse(StatusCode::UNPROCESSABLE_ENTITY, message).await
        }
        Err(StoreError::Conflict(message)) => refuse(StatusCode::CONFLICT, message).await,
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(decision: &str, defer_to: &str) -> DecisionForm {
        DecisionForm {
            decision: decision.into(),
            defer_to: defer_to.into(),
            ..DecisionForm::default()
        }
    }

    #[test]
    fn a_decision_names_the_field_it_gets_wrong() {
        assert_eq!(read_decision(&form("maybe", "")).unwrap_err().field, "decision");
        assert_eq!(
            read_decision(&form("agreed", "PANEL/2018-09-14")).unwrap_err().field,
            "defer_to"
        );
        assert_eq!(read_decision(&form("deferred", "soon")).unwrap_err().field, "defer_to");
        let (d, to) = read_decision(&form("deferred", "PANEL/2018-09-14")).unwrap();
        assert_eq!(d, Decision::Deferred);
        assert_eq!(to.unwrap().to_string(), "PANEL/2018-09-14");
        assert_eq!(read_decision(&form("agreed", "")).unwrap(), (Decision::Agreed, None));
    }

    #[test]
    fn dates_read_as_papers_write_them() {
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2018, 8, 10).unwrap()),
            "10 August 2018"
        );
        assert_eq!(capitalised("agreed"), "Agreed");
    }
}

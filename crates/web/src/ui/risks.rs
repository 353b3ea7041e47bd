//! The risk page: every field, the scores, mitigations with their state, linked issues,
//! provenance, the history timeline (who, when, why), a word diff between any two versions
//! shown as tracked changes, and the proposals pending for the risk with what they would
//! change. `?as_at=` shows the risk as it stood.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use riskreg_domain::review::{ProposalChange, ProposalStatus};
use riskreg_domain::{Issue, RecordRef, RegisterCode, Risk, Settings};
use riskreg_store::RecordQuery;
use riskreg_store::engine::proposal_from;
use riskreg_store::event::{Event, RecordType};
use serde::Deserialize;
use serde_json::Value;

use super::diff::{FieldChange, changes};
use super::error::{PageResult, render};
use super::layout::{Layout, Section};
use super::session::PageUser;
use super::view::{BandChip, RagChip, last_changed};
use crate::api::{parse_as_at, parse_ref, visible_register};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/risks/{reference}", get(risk_page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RiskQuery {
    pub as_at: String,
    pub from: String,
    pub to: String,
    /// Set by the edit form after a save: the version it made.
    pub saved: String,
}

#[derive(Debug)]
pub struct Score {
    pub label: &'static str,
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
    pub band: BandChip,
}

#[derive(Debug)]
pub struct MitigationRow {
    pub text: String,
    pub state: &'static str,
    pub open: bool,
    pub new: bool,
    pub owner: String,
    pub due: String,
    pub sub_items: Vec<String>,
}

#[derive(Debug)]
pub struct TimelineEntry {
    pub version: u32,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub reason: String,
    pub compare_href: String,
}

#[derive(Debug)]
pub struct PendingProposal {
    pub id: u32,
    pub meeting: String,
    pub kind: String,
    pub rationale: String,
    pub diff: Vec<FieldChange>,
    pub stale: bool,
}

#[derive(Debug)]
pub struct Linked {
    pub href: String,
    pub label: String,
    pub statement: String,
}

#[derive(Template)]
#[template(path = "ui/risk.html")]
struct RiskPage {
    layout: Layout,
    reference: String,
    register: String,
    register_name: String,
    number: u32,
    statement: String,
    consequences: Vec<String>,
    rag: RagChip,
    status: &'static str,
    scores: Vec<Score>,
    impact_label: String,
    likelihood_label: String,
    fields: Vec<(&'static str, String)>,
    footnotes: Vec<String>,
    mitigations: Vec<MitigationRow>,
    issues: Vec<Linked>,
    timeline: Vec<TimelineEntry>,
    versions: Vec<u32>,
    from: u32,
    to: u32,
    diff: Vec<FieldChange>,
    proposals: Vec<PendingProposal>,
    version: u32,
    as_at: String,
    can_edit: bool,
    /// The register has one above it to escalate to.
    can_escalate: bool,
    saved: String,
}

pub fn score(label: &'static str, impact: u8, likelihood: u8, settings: &Settings) -> Score {
    let severity = u16::from(impact) * u16::from(likelihood);
    Score {
        label,
        impact,
        likelihood,
        severity,
        band: BandChip::of(settings, severity),
    }
}

/// The stored fields of `version` of a record, from its history.
pub fn version_body(events: &[Event], version: u32) -> Option<&Value> {
    events
        .iter()
        .find(|e| e.version == version)
        .and_then(|e| e.after.as_ref())
}

/// The history as a timeline, newest first, each entry linking to its own changes.
pub fn timeline(base: &str, events: &[Event]) -> Vec<TimelineEntry> {
    events
        .iter()
        .rev()
        .map(|e| TimelineEntry {
            version: e.version,
            at: e.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            reason: e.reason.clone().unwrap_or_default(),
            compare_href: if e.version > 1 {
                format!("{base}?from={}&to={}#changes", e.version - 1, e.version)
            } else {
                String::new()
            },
        })
        .collect()
}

/// The two versions to compare: as asked, or the latest change.
pub fn compare_range(q_from: &str, q_to: &str, latest: u32) -> Result<(u32, u32), Error> {
    let parse = |field: &str, v: &str, default: u32| -> Result<u32, Error> {
        if v.is_empty() {
            return Ok(default);
        }
        match v.parse::<u32>() {
            Ok(n) if (1..=latest).contains(&n) => Ok(n),
            _ => Err(Error::invalid(field, format!("must be a version from 1 to {latest}"))),
        }
    };
    let to = parse("to", q_to, latest)?;
    let from = parse("from", q_from, to.saturating_sub(1).max(1))?;
    Ok((from, to))
}

async fn risk_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    Query(q): Query<RiskQuery>,
) -> PageResult<Html<String>> {
    let store = state.store.as_ref();
    let r: RecordRef = parse_ref("risk", &reference)?;
    let as_at = parse_as_at(Some(&q.as_at))?;
    // Every register once: this one (404 if hidden, as if the risk did not exist), and the
    // others, for hiding linked issues in registers the user may not see.
    let hidden = || Error::NotFound(format!("risk {reference}"));
    let registers = store.registers(None).await?;
    let mut register = registers
        .iter()
        .find(|x| x.code == r.register && user.caller.can_see(x))
        .cloned()
        .ok_or_else(hidden)?;
    if as_at.is_some() {
        register = visible_register(&state, &user.caller, &r.register, as_at)
            .await
            .map_err(|_| hidden())?;
    }
    let visible: HashSet<RegisterCode> = registers
        .into_iter()
        .filter(|x| user.caller.can_see(x))
        .map(|x| x.code)
        .collect();
    let risk: Risk = store.risk(&r, as_at).await?;
    let settings = store.settings().await?;
    let key = r.to_string();
    let events = store.history(RecordType::Risk, &key).await?;
    let latest = events.last().map_or(risk.revision.version, |e| e.version);
    let (from, to) = compare_range(&q.from, &q.to, latest)?;
    let diff = match (version_body(&events, from), version_body(&events, to)) {
        (Some(a), Some(b)) if from < to => changes(a, b),
        _ => Vec::new(),
    };

    // Pending proposals naming this risk, with what each would change.
    let current_body = serde_json::to_value(&risk.fields).map_err(Error::internal)?;
    let mut proposals = Vec::new();
    for record in store.json_records(RecordType::Proposal).await? {
        let p = proposal_from(&record)?;
        if p.fields.status != ProposalStatus::Pending {
            continue;
        }
        let Some((kind, target, base)) = p.fields.change.target() else {
            continue;
        };
        if kind != "risk" || target != &r {
            continue;
        }
        let diff = match &p.fields.change {
            ProposalChange::Amend { fields, .. } => {
                changes(&current_body, &serde_json::to_value(fields).map_err(Error::internal)?)
            }
            _ => Vec::new(),
        };
        proposals.push(PendingProposal {
            id: p.id,
            meeting: p.meeting.to_string(),
            kind: p.fields.change.kind().replace('_', " "),
            rationale: p.fields.rationale.clone(),
            diff,
            stale: base.is_some_and(|b| b != risk.revision.version),
        });
    }

    let issues: Vec<Linked> = store
        .issues(&RecordQuery {
            register: None,
            as_at,
            include_closed: true,
        })
        .await?
        .iter()
        .filter(|i: &&Issue| i.fields.associated_risk.as_ref() == Some(&r))
        .filter(|i| visible.contains(&i.reference.register))
        .map(|i| Linked {
            href: format!("/issues/{}", i.reference),
            label: format!("Issue {} ({})", i.reference, i.fields.status.as_str()),
            statement: i.fields.statement.clone(),
        })
        .collect();

    let f = &risk.fields;
    let mut scores = vec![score("Current", f.impact, f.likelihood, &settings)];
    if let Some(p) = f.inherent {
        scores.push(score("Inherent", p.impact, p.likelihood, &settings));
    }
    if let Some(p) = f.target {
        scores.push(score("Target", p.impact, p.likelihood, &settings));
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: &Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
    let fields: Vec<(&'static str, String)> = vec![
        ("Owner", opt(&f.owner)),
        ("Raised by", opt(&f.raised_by)),
        ("Raised on", date(&f.raised_on)),
        ("Category", opt(&f.category)),
        (
            "Response",
            f.response
                .map(|x| {
                    serde_json::to_value(x)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        ),
        ("Proximity", date(&f.proximity)),
        ("Review by", date(&f.review_by)),
        ("Provenance", opt(&f.provenance)),
        ("Notes", opt(&f.notes)),
        ("Last changed", last_changed(&risk.revision)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let last_paper = register.fields.last_paper_on;
    let mitigations = f
        .mitigations
        .iter()
        .map(|m| MitigationRow {
            text: m.text.clone(),
            state: m.state.as_str(),
            open: m.state.is_open(),
            new: m.is_new_since(last_paper),
            owner: m.owner.clone().unwrap_or_default(),
            due: m.due.map(|d| d.to_string()).unwrap_or_default(),
            sub_items: m.sub_items.clone(),
        })
        .collect();
    let base = format!("/risks/{key}");
    render(&RiskPage {
        layout: Layout::new(&user, format!("Risk {key}"), Section::Registers),
        reference: key.clone(),
        register: r.register.to_string(),
        register_name: register.fields.name.clone(),
        number: r.number,
        statement: f.statement.clone(),
        consequences: f.consequences.clone(),
        rag: f.rag.into(),
        status: f.status.as_str(),
        scores,
        impact_label: settings.impact_label(f.impact).unwrap_or_default().to_owned(),
        likelihood_label: settings.likelihood_label(f.likelihood).unwrap_or_default().to_owned(),
        fields,
        footnotes: f.footnotes.clone(),
        mitigations,
        issues,
        timeline: timeline(&base, &events),
        versions: events.iter().map(|e| e.version).collect(),
        from,
        to,
        diff,
        proposals,
        version: risk.revision.version,
        as_at: if as_at.is_some() {
            q.as_at.clone()
        } else {
            String::new()
        },
        can_edit: user.is_editor() && as_at.is_none() && f.status.is_live(),
        can_escalate: register.fields.parent.is_some(),
        saved: q.saved.parse::<u32>().map(|v| v.to_string()).unwrap_or_default(),
    })
}

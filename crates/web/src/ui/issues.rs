//! The issue page: every field, its impacts and mitigations, the associated risk (which may
//! be closed, or in another register), the history timeline and a word diff between any
//! two versions.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use riskreg_domain::{Issue, RecordRef};
use riskreg_store::event::RecordType;

use super::diff::{FieldChange, changes};
use super::error::{PageResult, render};
use super::layout::{Layout, Section};
use super::risks::{MitigationRow, RiskQuery, TimelineEntry, compare_range, timeline, version_body};
use super::session::PageUser;
use super::view::{RagChip, last_changed};
use crate::api::{parse_as_at, parse_ref, visible_register};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/issues/{reference}", get(issue_page))
}

#[derive(Template)]
#[template(path = "ui/issue.html")]
struct IssuePage {
    layout: Layout,
    reference: String,
    register: String,
    register_name: String,
    number: u32,
    statement: String,
    impacts_intro: String,
    impacts: Vec<String>,
    impact: u8,
    impact_label: String,
    rag: RagChip,
    status: &'static str,
    fields: Vec<(&'static str, String)>,
    associated: String,
    associated_href: String,
    associated_statement: String,
    footnotes: Vec<String>,
    mitigations: Vec<MitigationRow>,
    timeline: Vec<TimelineEntry>,
    versions: Vec<u32>,
    from: u32,
    to: u32,
    diff: Vec<FieldChange>,
    version: u32,
    as_at: String,
}

async fn issue_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    Query(q): Query<RiskQuery>,
) -> PageResult<Html<String>> {
    let store = state.store.as_ref();
    let r: RecordRef = parse_ref("issue", &reference)?;
    let as_at = parse_as_at(Some(&q.as_at))?;
    let register = visible_register(&state, &user.caller, &r.register, as_at)
        .await
        .map_err(|_| Error::NotFound(format!("issue {reference}")))?;
    let issue: Issue = store.issue(&r, as_at).await?;
    let settings = store.settings().await?;
    let key = r.to_string();
    let events = store.history(RecordType::Issue, &key).await?;
    let latest = events.last().map_or(issue.revision.version, |e| e.version);
    let (from, to) = compare_range(&q.from, &q.to, latest)?;
    let diff = match (version_body(&events, from), version_body(&events, to)) {
        (Some(a), Some(b)) if from < to => changes(a, b),
        _ => Vec::new(),
    };
    let f = &issue.fields;
    // The associated risk is shown only if its register is visible to the user; a closed
    // risk is quoted, as the paper's footnote quotes closed Risk 2.
    let mut associated_statement = String::new();
    let mut associated_href = String::new();
    if let Some(a) = &f.associated_risk
        && visible_register(&state, &user.caller, &a.register, None).await.is_ok()
        && let Ok(risk) = store.risk(a, None).await
    {
        associated_href = format!("/risks/{a}");
        associated_statement = format!("{} ({})", risk.fields.statement, risk.fields.status.as_str());
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields: Vec<(&'static str, String)> = vec![
        ("Owner", opt(&f.owner)),
        ("Raised by", opt(&f.raised_by)),
        ("Raised on", f.raised_on.map(|d| d.to_string()).unwrap_or_default()),
        ("Category", opt(&f.category)),
        ("Notes", opt(&f.notes)),
        ("Last changed", last_changed(&issue.revision)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let last_paper = register.fields.last_paper_on;
    render(&IssuePage {
        layout: Layout::new(&user, format!("Issue {key}"), Section::Registers),
        reference: key.clone(),
        register: r.register.to_string(),
        register_name: register.fields.name.clone(),
        number: r.number,
        statement: f.statement.clone(),
        impacts_intro: opt(&f.impacts_intro),
        impacts: f.impacts.clone(),
        impact: f.impact,
        impact_label: settings.impact_label(f.impact).unwrap_or_default().to_owned(),
        rag: f.rag.into(),
        status: f.status.as_str(),
        fields,
        associated: f.associated_risk.as_ref().map(ToString::to_string).unwrap_or_default(),
        associated_href,
        associated_statement,
        footnotes: f.footnotes.clone(),
        mitigations: f
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
            .collect(),
        timeline: timeline(&format!("/issues/{key}"), &events),
        versions: events.iter().map(|e| e.version).collect(),
        from,
        to,
        diff,
        version: issue.revision.version,
        as_at: if as_at.is_some() {
            q.as_at.clone()
        } else {
            String::new()
        },
    })
}

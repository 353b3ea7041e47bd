//! The register page: the risk table in register order (or another sort), with RAG chips,
//! bands, movement since the last agreed register and mitigation counts; filters; the
//! register as it stood at any date; the issue register beside it; export links. A large
//! register is paged, and its first unfiltered page is read from the store's index.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use chrono::{DateTime, Utc};
use riskreg_domain::{Issue, Rag, Risk, RiskStatus, Settings};
use riskreg_store::RecordQuery;
use riskreg_store::review::Snapshot;
use serde::Deserialize;

use super::error::{PageResult, render};
use super::forms::FieldErrors;
use super::layout::{Layout, Section};
use super::session::PageUser;
use super::view::{BandChip, RagChip, excerpt};
use crate::api::{parse_as_at, parse_code, visible_register};
use crate::state::AppState;

/// Rows per page.
pub const PAGE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/registers/{code}", get(register))
}

/// The filters, as the query string carries them; blank means "any".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub as_at: String,
    pub rag: String,
    pub band: String,
    pub status: String,
    pub owner: String,
    pub q: String,
    pub sort: String,
    pub impact: String,
    pub likelihood: String,
    pub page: String,
}

#[derive(Debug)]
pub struct RiskRow {
    pub href: String,
    pub number: u32,
    pub statement: String,
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
    pub band: BandChip,
    pub rag: RagChip,
    pub status: &'static str,
    pub owner: String,
    pub mitigations: usize,
    pub open_mitigations: usize,
    /// ▲ up, ▼ down, "new", or blank; and its words for screen readers.
    pub movement: &'static str,
    pub movement_words: String,
    pub movement_class: &'static str,
}

#[derive(Debug)]
pub struct IssueRow {
    pub href: String,
    pub number: u32,
    pub statement: String,
    pub impact: u8,
    pub rag: RagChip,
    pub status: &'static str,
    pub associated: String,
    pub associated_href: String,
}

#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(current: &str, options: &[(&str, &str)]) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: current.eq_ignore_ascii_case(v),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ui/register.html")]
struct RegisterPage {
    layout: Layout,
    code: String,
    name: String,
    description: String,
    confidential: bool,
    as_at: String,
    f: Filters,
    rag_choices: Vec<Choice>,
    band_choices: Vec<Choice>,
    status_choices: Vec<Choice>,
    sort_choices: Vec<Choice>,
    errors: FieldErrors,
    rows: Vec<RiskRow>,
    total: usize,
    first: usize,
    last: usize,
    prev_href: String,
    next_href: String,
    issues: Vec<IssueRow>,
    compared_with: String,
    filtered: bool,
}

/// The status filter: live (proposed or open) unless asked otherwise.
fn status_matches(filter: &str, status: RiskStatus) -> bool {
    match filter {
        "" | "live" => status.is_live(),
        "all" => true,
        other => status.as_str() == other,
    }
}

fn sort_rows(risks: &mut [Risk], sort: &str) {
    match sort {
        "number" => risks.sort_by_key(|r| r.reference.number),
        "rag" => risks.sort_by(|a, b| {
            b.fields
                .rag
                .rank()
                .cmp(&a.fields.rag.rank())
                .then(riskreg_domain::ordering::register_order(a, b))
        }),
        "owner" => risks.sort_by(|a, b| {
            a.fields
                .owner
                .as_deref()
                .unwrap_or("\u{10FFFF}")
                .to_lowercase()
                .cmp(&b.fields.owner.as_deref().unwrap_or("\u{10FFFF}").to_lowercase())
                .then(riskreg_domain::ordering::register_order(a, b))
        }),
        "updated" => risks.sort_by_key(|r| std::cmp::Reverse(r.revision.updated_at)),
        _ => riskreg_domain::ordering::sort_risks(risks),
    }
}

fn row(risk: &Risk, settings: &Settings, previous: Option<&Snapshot>) -> RiskRow {
    let f = &risk.fields;
    let severity = f.severity();
    let (movement, movement_words, movement_class) = match previous {
        None => ("", String::new(), ""),
        Some(s) => match s.severity(&risk.reference) {
            None => ("new", "new since the last agreed register".to_owned(), "new"),
            Some(before) if before < severity => ("▲", format!("up from {before}"), "move-up"),
            Some(before) if before > severity => ("▼", format!("down from {before}"), "move-down"),
            Some(_) => ("", "no change".to_owned(), ""),
        },
    };
    RiskRow {
        href: format!("/risks/{}", risk.reference),
        number: risk.reference.number,
        statement: excerpt(&f.statement, 220),
        impact: f.impact,
        likelihood: f.likelihood,
        severity,
        band: BandChip::of(settings, severity),
        rag: f.rag.into(),
        status: f.status.as_str(),
        owner: f.owner.clone().unwrap_or_default(),
        mitigations: f.mitigations.len(),
        open_mitigations: f.mitigations.iter().filter(|m| m.state.is_open()).count(),
        movement,
        movement_words,
        movement_class,
    }
}

fn issue_row(issue: &Issue) -> IssueRow {
    let f = &issue.fields;
    IssueRow {
        href: format!("/issues/{}", issue.reference),
        number: issue.reference.number,
        statement: excerpt(&f.statement, 160),
        impact: f.impact,
        rag: f.rag.into(),
        status: f.status.as_str(),
        associated: f.associated_risk.as_ref().map(ToString::to_string).unwrap_or_default(),
        associated_href: f
            .associated_risk
            .as_ref()
            .map(|r| format!("/risks/{r}"))
            .unwrap_or_default(),
    }
}

/// The query string for the same filters on another page.
fn page_href(code: &str, f: &Filters, page: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("as_at", &f.as_at),
        ("rag", &f.rag),
        ("band", &f.band),
        ("status", &f.status),
        ("owner", &f.owner),
        ("q", &f.q),
        ("sort", &f.sort),
        ("impact", &f.impact),
        ("likelihood", &f.likelihood),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/registers/{code}?{}", s.finish())
}

async fn register(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(f): Query<Filters>,
) -> PageResult<Html<String>> {
    let store = state.store.as_ref();
    let code = parse_code(&code)?;
    let mut errors = FieldErrors::default();
    let as_at: Option<DateTime<Utc>> = match parse_as_at(Some(&f.as_at)) {
        Ok(t) => t,
        Err(_) => {
            errors.add("as_at", "must be a date, YYYY-MM-DD");
            None
        }
    };
    let register = visible_register(&state, &user.caller, &code, as_at).await?;
    let settings = store.settings().await?;
    let rag = match f.rag.as_str() {
        "" => None,
        v => match Rag::parse(v) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.add("rag", &e.rule);
                None
            }
        },
    };
    let mut level = |field: &str, v: &str| -> Option<u8> {
        if v.is_empty() {
            return None;
        }
        match v.parse::<u8>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, "must be a whole number on the scale");
                None
            }
        }
    };
    let impact = level("impact", &f.impact);
    let likelihood = level("likelihood", &f.likelihood);
    let page: usize = f.page.parse().unwrap_or(1).max(1);
    if !matches!(
        f.status.as_str(),
        "" | "live" | "all" | "proposed" | "open" | "closed" | "escalated" | "converted"
    ) {
        errors.add(
            "status",
            "must be live, all, proposed, open, closed, escalated or converted",
        );
    }
    let q = f.q.trim().to_lowercase();
    let owner = f.owner.trim().to_lowercase();
    let filtered = rag.is_some()
        || !f.band.is_empty()
        || !matches!(f.status.as_str(), "" | "live")
        || !owner.is_empty()
        || !q.is_empty()
        || impact.is_some()
        || likelihood.is_some();

    let query = RecordQuery {
        register: Some(code.clone()),
        as_at,
        include_closed: !matches!(f.status.as_str(), "" | "live"),
    };
    // The meeting whose agreed register movement is measured against: the body's latest
    // closed meeting (before the as-at date, for an as-at view).
    let cutoff = as_at.map(|t| t.date_naive());
    let meetings = store.meetings(Some(&code)).await?;
    let last_agreed = meetings
        .iter()
        .rev()
        .find(|m| m.fields.closed && cutoff.is_none_or(|c| m.reference.date <= c));
    let snapshot = match last_agreed {
        Some(m) => store.snapshot(&m.reference).await?,
        None => None,
    };

    let (rows, total) = if !filtered && f.sort.is_empty() && as_at.is_none() {
        let offset = (page - 1) * PAGE;
        let (risks, total) = store.risk_page(&query, PAGE as u32, offset as u32).await?;
        let rows = risks.iter().map(|r| row(r, &settings, snapshot.as_ref())).collect();
        (rows, total as usize)
    } else {
        let mut risks: Vec<Risk> = store
            .risks(&query)
            .await?
            .into_iter()
            .filter(|r| status_matches(&f.status, r.fields.status))
            .filter(|r| rag.is_none_or(|x| r.fields.rag == x))
            .filter(|r| impact.is_none_or(|x| r.fields.impact == x))
            .filter(|r| likelihood.is_none_or(|x| r.fields.likelihood == x))
            .filter(|r| {
                f.band.is_empty()
                    || settings
                        .band(r.severity())
                        .is_some_and(|b| b.name.eq_ignore_ascii_case(&f.band))
            })
            .filter(|r| {
                owner.is_empty()
                    || r.fields
                        .owner
                        .as_deref()
                        .is_some_and(|o| o.to_lowercase().contains(&owner))
            })
            .filter(|r| {
                q.is_empty()
                    || r.fields.statement.to_lowercase().contains(&q)
                    || r.fields.consequences.iter().any(|c| c.to_lowercase().contains(&q))
                    || r.fields.mitigations.iter().any(|m| m.text.to_lowercase().contains(&q))
            })
            .collect();
        sort_rows(&mut risks, &f.sort);
        let total = risks.len();
        let rows = risks
            .iter()
            .skip((page - 1) * PAGE)
            .take(PAGE)
            .map(|r| row(r, &settings, snapshot.as_ref()))
            .collect();
        (rows, total)
    };
    let issues: Vec<IssueRow> = store
        .issues(&RecordQuery {
            include_closed: false,
            ..query.clone()
        })
        .await?
        .iter()
        .map(issue_row)
        .collect();

    let first = if total == 0 { 0 } else { (page - 1) * PAGE + 1 };
    let last = ((page - 1) * PAGE + PAGE).min(total);
    let code_s = code.to_string();
    let band_options: Vec<(String, String)> = settings
        .bands
        .iter()
        .map(|b| (b.name.clone(), b.name.clone()))
        .collect();
    let band_refs: Vec<(&str, &str)> = std::iter::once(("", "Any band"))
        .chain(band_options.iter().map(|(a, b)| (a.as_str(), b.as_str())))
        .collect();
    render(&RegisterPage {
        layout: Layout::new(&user, register.fields.name.clone(), Section::Registers),
        name: register.fields.name.clone(),
        description: register.fields.description.clone().unwrap_or_default(),
        confidential: register.fields.confidential,
        as_at: if as_at.is_some() {
            f.as_at.clone()
        } else {
            String::new()
        },
        rag_choices: choices(
            &f.rag,
            &[("", "Any RAG"), ("RED", "RED"), ("AMBER", "AMBER"), ("GREEN", "GREEN")],
        ),
        band_choices: choices(&f.band, &band_refs),
        status_choices: choices(
            &f.status,
            &[
                ("", "Live (proposed and open)"),
                ("all", "All"),
                ("proposed", "Proposed"),
                ("open", "Open"),
                ("closed", "Closed"),
                ("escalated", "Escalated"),
                ("converted", "Converted"),
            ],
        ),
        sort_choices: choices(
            &f.sort,
            &[
                ("", "Severity (register order)"),
                ("number", "Number"),
                ("rag", "RAG"),
                ("owner", "Owner"),
                ("updated", "Last changed"),
            ],
        ),
        errors,
        rows,
        total,
        first,
        last,
        prev_href: if page > 1 {
            page_href(&code_s, &f, page - 1)
        } else {
            String::new()
        },
        next_href: if last < total {
            page_href(&code_s, &f, page + 1)
        } else {
            String::new()
        },
        issues,
        compared_with: last_agreed.map(|m| m.reference.to_string()).unwrap_or_default(),
        filtered,
        code: code_s,
        f,
    })
}

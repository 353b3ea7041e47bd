//! The dashboard: every register the user may see, with its counts by RAG and severity
//! band and its heat map; the latest changes; overdue actions; and the register lint's
//! findings. One read per table: registers, risks (closed ones too, for lint), issues,
//! settings and the latest events.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use chrono::Utc;
use riskreg_domain::lint::{LintOptions, lint};
use riskreg_domain::{Issue, Rag, Register, Risk};
use riskreg_store::RecordQuery;
use riskreg_store::event::RecordType;

use super::error::{PageResult, render};
use super::layout::{Layout, Section};
use super::session::PageUser;
use super::view::{BandChip, HeatMap, excerpt};
use crate::state::AppState;

/// A live risk unchanged for this many months is reported by lint, as `riskreg lint` does.
const REVIEW_MONTHS: u32 = 3;
/// How many recent changes the dashboard lists.
const RECENT: u32 = 12;
/// How many lint findings and overdue actions it lists; a large register's full list is
/// for `riskreg lint`, not for a page.
const SHOWN: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/registers", get(dashboard))
}

#[derive(Debug)]
pub struct BandCount {
    pub band: BandChip,
    pub count: usize,
}

#[derive(Debug)]
pub struct RegisterCard {
    pub code: String,
    pub name: String,
    pub confidential: bool,
    pub parent: String,
    pub risks: usize,
    pub issues: usize,
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    pub bands: Vec<BandCount>,
    pub heat: HeatMap,
}

#[derive(Debug)]
pub struct Change {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub key: String,
    pub href: String,
    pub reason: String,
}

#[derive(Debug)]
pub struct Overdue {
    pub href: String,
    pub key: String,
    pub text: String,
    pub due: String,
    pub owner: String,
    pub state: &'static str,
}

#[derive(Debug)]
pub struct LintRow {
    pub href: String,
    pub key: String,
    pub rule: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "ui/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    cards: Vec<RegisterCard>,
    changes: Vec<Change>,
    overdue: Vec<Overdue>,
    overdue_total: usize,
    findings: Vec<LintRow>,
    findings_total: usize,
}

fn record_href(kind: &str, key: &str) -> String {
    format!("/{kind}s/{key}")
}

async fn dashboard(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    let store = state.store.as_ref();
    let settings = store.settings().await?;
    let registers: Vec<Register> = store
        .registers(None)
        .await?
        .into_iter()
        .filter(|r| user.caller.can_see(r))
        .collect();
    let visible: HashSet<&str> = registers.iter().map(|r| r.code.as_str()).collect();
    let every = RecordQuery {
        register: None,
        as_at: None,
        include_closed: true,
    };
    let all_risks: Vec<Risk> = store
        .risks(&every)
        .await?
        .into_iter()
        .filter(|r| visible.contains(r.reference.register.as_str()))
        .collect();
    let issues: Vec<Issue> = store
        .issues(&RecordQuery {
            include_closed: false,
            ..every.clone()
        })
        .await?
        .into_iter()
        .filter(|i| visible.contains(i.reference.register.as_str()))
        .collect();
    let live: Vec<&Risk> = all_risks.iter().filter(|r| r.fields.status.is_live()).collect();

    let mut cards = Vec::new();
    for r in &registers {
        let code = r.code.as_str();
        let risks: Vec<&Risk> = live
            .iter()
            .copied()
            .filter(|x| x.reference.register.as_str() == code)
            .collect();
        let count = |rag: Rag| risks.iter().filter(|x| x.fields.rag == rag).count();
        let mut bands: BTreeMap<u16, BandCount> = BTreeMap::new();
        for b in &settings.bands {
            bands.insert(
                b.min,
                BandCount {
                    band: BandChip::of(&settings, b.min),
                    count: 0,
                },
            );
        }
        for x in &risks {
            if let Some(b) = settings.band(x.severity())
                && let Some(c) = bands.get_mut(&b.min)
            {
                c.count += 1;
            }
        }
        cards.push(RegisterCard {
            code: code.to_owned(),
            name: r.fields.name.clone(),
            confidential: r.fields.confidential,
            parent: r.fields.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
            risks: risks.len(),
            issues: issues.iter().filter(|i| i.reference.register.as_str() == code).count(),
            red: count(Rag::Red),
            amber: count(Rag::Amber),
            green: count(Rag::Green),
            bands: bands.into_values().rev().collect(),
            heat: HeatMap::new(code, &risks, &settings),
        });
    }

    let total = store.event_count().await?;
    // Read a window at the end of the chain; events outside the user's registers (and user
    // and token changes) are left out, so read more than are shown.
    let window = RECENT * 4;
    let events = store
        .events(total.saturating_sub(u64::from(window)) as i64, window)
        .await?;
    let mut recent: Vec<_> = events.iter().collect();
    // Newest first by when the change took effect (loaded history can be dated earlier).
    recent.sort_by_key(|e| std::cmp::Reverse((e.at, e.seq)));
    let changes = recent
        .into_iter()
        .filter(|e| matches!(e.record_type, RecordType::Risk | RecordType::Issue))
        .filter(|e| e.register.as_deref().is_some_and(|c| visible.contains(c)))
        .take(RECENT as usize)
        .map(|e| Change {
            at: e.at.format("%Y-%m-%d %H:%M").to_string(),
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            key: e.record_key.clone(),
            href: record_href(e.record_type.as_str(), &e.record_key),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();

    let today = Utc::now().date_naive();
    let mut overdue = Vec::new();
    for r in &live {
        for m in r.fields.mitigations.iter().filter(|m| m.state.is_open()) {
            if let Some(due) = m.due.filter(|d| *d < today) {
                overdue.push(Overdue {
                    href: record_href("risk", &r.reference.to_string()),
                    key: r.reference.to_string(),
                    text: excerpt(&m.text, 120),
                    due: due.to_string(),
                    owner: m.owner.clone().unwrap_or_default(),
                    state: m.state.as_str(),
                });
            }
        }
    }
    for i in &issues {
        for m in i.fields.mitigations.iter().filter(|m| m.state.is_open()) {
            if let Some(due) = m.due.filter(|d| *d < today) {
                overdue.push(Overdue {
                    href: record_href("issue", &i.reference.to_string()),
                    key: format!("Issue {}", i.reference),
                    text: excerpt(&m.text, 120),
                    due: due.to_string(),
                    owner: m.owner.clone().unwrap_or_default(),
                    state: m.state.as_str(),
                });
            }
        }
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due));

    let known: HashSet<_> = all_risks.iter().map(|r| r.reference.clone()).collect();
    let live_owned: Vec<Risk> = live.iter().map(|r| (*r).clone()).collect();
    let options = LintOptions {
        now: Utc::now(),
        review_months: REVIEW_MONTHS,
    };
    let all_findings = lint(&live_owned, &issues, &known, &settings, &options);
    let findings_total = all_findings.len();
    let overdue_total = overdue.len();
    overdue.truncate(SHOWN);
    let findings = all_findings
        .into_iter()
        .take(SHOWN)
        .map(|f| LintRow {
            href: record_href(
                if issues.iter().any(|i| i.reference.to_string() == f.reference)
                    && !live_owned.iter().any(|r| r.reference.to_string() == f.reference)
                {
                    "issue"
                } else {
                    "risk"
                },
                &f.reference,
            ),
            key: f.reference,
            rule: f.rule.as_str(),
            message: f.message,
        })
        .collect();

    render(&DashboardPage {
        layout: Layout::new(&user, "Dashboard", Section::Dashboard),
        cards,
        changes,
        overdue,
        overdue_total,
        findings,
        findings_total,
    })
}

//! The shape in which risks and issues are shown to users, on the CLI and over the API:
//! the stored fields plus what is derived from them (severity, its band, whether a
//! mitigation is new). Field names follow the product's published JSON contract.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::code::RecordRef;
use crate::issue::{Issue, IssueStatus};
use crate::mitigation::{Mitigation, MitigationState};
use crate::rag::Rag;
use crate::risk::{Response, Risk, RiskStatus, ScorePair};
use crate::settings::Settings;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MitigationView {
    pub text: String,
    pub state: MitigationState,
    pub owner: Option<String>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub due: Option<NaiveDate>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub added_on: Option<NaiveDate>,
    /// Added since the register's last paper.
    pub new: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_items: Vec<String>,
}

impl MitigationView {
    fn list(mitigations: Vec<Mitigation>, since: Option<NaiveDate>) -> Vec<Self> {
        mitigations
            .into_iter()
            .map(|m| Self {
                new: m.is_new_since(since),
                text: m.text,
                state: m.state,
                owner: m.owner,
                due: m.due,
                added_on: m.added_on,
                sub_items: m.sub_items,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreView {
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
}

impl From<ScorePair> for ScoreView {
    fn from(p: ScorePair) -> Self {
        Self {
            impact: p.impact,
            likelihood: p.likelihood,
            severity: p.severity(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiskView {
    #[serde(rename = "ref")]
    pub reference: String,
    pub register: String,
    pub number: u32,
    /// The reference the risk had where it was imported from.
    pub source_ref: Option<String>,
    pub statement: String,
    pub consequences: Vec<String>,
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
    pub band: Option<String>,
    pub rag: Rag,
    pub status: RiskStatus,
    pub owner: Option<String>,
    pub raised_by: Option<String>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub raised_on: Option<NaiveDate>,
    pub category: Option<String>,
    pub provenance: Option<String>,
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    pub inherent: Option<ScoreView>,
    pub target: Option<ScoreView>,
    pub response: Option<Response>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub proximity: Option<NaiveDate>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub review_by: Option<NaiveDate>,
    pub mitigations: Vec<MitigationView>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl RiskView {
    /// `last_paper_on` is the date of the register's last paper: mitigations added after it
    /// are shown as new.
    pub fn new(risk: &Risk, settings: &Settings, last_paper_on: Option<NaiveDate>) -> Self {
        Self::from_risk(risk.clone(), settings, last_paper_on)
    }

    /// [`RiskView::new`] for a risk the caller is done with: its text moves into the view
    /// rather than being copied (a list page's fifty risks are about 80 KB of it).
    pub fn from_risk(risk: Risk, settings: &Settings, last_paper_on: Option<NaiveDate>) -> Self {
        let severity = risk.fields.severity();
        let f = risk.fields;
        Self {
            reference: risk.reference.to_string(),
            register: risk.reference.register.to_string(),
            number: risk.reference.number,
            source_ref: f.source_ref,
            statement: f.statement,
            consequences: f.consequences,
            impact: f.impact,
            likelihood: f.likelihood,
            severity,
            band: settings.band(severity).map(|b| b.name.clone()),
            rag: f.rag,
            status: f.status,
            owner: f.owner,
            raised_by: f.raised_by,
            raised_on: f.raised_on,
            category: f.category,
            provenance: f.provenance,
            footnotes: f.footnotes,
            notes: f.notes,
            inherent: f.inherent.map(Into::into),
            target: f.target.map(Into::into),
            response: f.response,
            proximity: f.proximity,
            review_by: f.review_by,
            mitigations: MitigationView::list(f.mitigations, last_paper_on),
            version: risk.revision.version,
            updated_at: risk.revision.updated_at,
            updated_by: risk.revision.updated_by,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueView {
    #[serde(rename = "ref")]
    pub reference: String,
    pub register: String,
    pub number: u32,
    pub source_ref: Option<String>,
    pub statement: String,
    pub impacts_intro: Option<String>,
    pub impacts: Vec<String>,
    pub impact: u8,
    pub rag: Rag,
    pub status: IssueStatus,
    pub category: Option<String>,
    pub raised_by: Option<String>,
    #[serde(serialize_with = "crate::date_text::optional::serialize")]
    pub raised_on: Option<NaiveDate>,
    pub associated_risk: Option<RecordRef>,
    pub owner: Option<String>,
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    pub mitigations: Vec<MitigationView>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl IssueView {
    pub fn new(issue: &Issue, last_paper_on: Option<NaiveDate>) -> Self {
        let f = &issue.fields;
        Self {
            reference: issue.reference.to_string(),
            register: issue.reference.register.to_string(),
            number: issue.reference.number,
            source_ref: f.source_ref.clone(),
            statement: f.statement.clone(),
            impacts_intro: f.impacts_intro.clone(),
            impacts: f.impacts.clone(),
            impact: f.impact,
            rag: f.rag,
            status: f.status,
            category: f.category.clone(),
            raised_by: f.raised_by.clone(),
            raised_on: f.raised_on,
            associated_risk: f.associated_risk.clone(),
            owner: f.owner.clone(),
            footnotes: f.footnotes.clone(),
            notes: f.notes.clone(),
            mitigations: MitigationView::list(f.mitigations.clone(), last_paper_on),
            version: issue.revision.version,
            updated_at: issue.revision.updated_at,
            updated_by: issue.revision.updated_by.clone(),
        }
    }
}

//! Issues ("There is an issue that…"): what has already happened, with its impacts, the
//! actions to resolve it, and the risk it is associated with — which may be closed, or in
//! another register (the Panel's Issue 1 still points at its closed Risk 2).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::code::RecordRef;
use crate::mitigation::Mitigation;
use crate::rag::Rag;
use crate::register::Revision;
use crate::risk::{MitigationEdits, normalise_list, normalise_mitigations, normalise_optional, set};
use crate::settings::Settings;
use crate::validation::{MAX_LABEL, MAX_TEXT, ValidationError, ValidationErrors, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    Open,
    Closed,
}

impl IssueStatus {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            _ => Err(ValidationError::new("status", "must be open or closed")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueFields {
    pub statement: String,
    /// The issue's reference where it came from, verbatim (see `RiskFields::source_ref`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// The sentence that leads into the impact bullets.
    #[serde(default)]
    pub impacts_intro: Option<String>,
    #[serde(default)]
    pub impacts: Vec<String>,
    pub impact: u8,
    pub rag: Rag,
    pub status: IssueStatus,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub raised_by: Option<String>,
    #[serde(default, with = "crate::date_text::optional")]
    pub raised_on: Option<NaiveDate>,
    #[serde(default)]
    pub associated_risk: Option<RecordRef>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub footnotes: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
}

impl IssueFields {
    pub fn new(statement: impl Into<String>, impact: u8, rag: Rag) -> Self {
        Self {
            statement: statement.into(),
            source_ref: None,
            impacts_intro: None,
            impacts: Vec::new(),
            impact,
            rag,
            status: IssueStatus::Open,
            category: None,
            raised_by: None,
            raised_on: None,
            associated_risk: None,
            owner: None,
            footnotes: Vec::new(),
            notes: None,
            mitigations: Vec::new(),
        }
    }

    pub fn normalised(mut self, settings: &Settings, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match required_text("statement", &self.statement, MAX_TEXT) {
            Ok(t) => self.statement = t,
            Err(e) => errors.push(e),
        }
        if let Err(e) = settings.check_impact("impact", self.impact) {
            errors.push(e);
        }
        normalise_optional("impacts_intro", &mut self.impacts_intro, MAX_TEXT, &mut errors);
        normalise_list("impacts", &mut self.impacts, &mut errors);
        normalise_list("footnotes", &mut self.footnotes, &mut errors);
        for (field, value) in [
            ("source_ref", &mut self.source_ref),
            ("category", &mut self.category),
            ("raised_by", &mut self.raised_by),
            ("owner", &mut self.owner),
        ] {
            normalise_optional(field, value, MAX_LABEL, &mut errors);
        }
        normalise_optional("notes", &mut self.notes, MAX_TEXT, &mut errors);
        self.mitigations = normalise_mitigations(std::mem::take(&mut self.mitigations), today, &mut errors);
        errors.into_result(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    #[serde(rename = "ref")]
    pub reference: RecordRef,
    #[serde(flatten)]
    pub fields: IssueFields,
    #[serde(flatten)]
    pub revision: Revision,
}

/// An amendment to an issue: only the fields that are `Some` change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueChange {
    pub statement: Option<String>,
    pub impacts_intro: Option<Option<String>>,
    pub impacts: Option<Vec<String>>,
    pub impact: Option<u8>,
    pub rag: Option<Rag>,
    pub status: Option<IssueStatus>,
    pub category: Option<Option<String>>,
    pub raised_by: Option<Option<String>>,
    pub raised_on: Option<Option<NaiveDate>>,
    pub associated_risk: Option<Option<RecordRef>>,
    pub owner: Option<Option<String>>,
    pub footnotes: Option<Vec<String>>,
    pub notes: Option<Option<String>>,
    pub mitigations: MitigationEdits,
}

impl IssueChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn apply(&self, base: &IssueFields, today: NaiveDate) -> Result<IssueFields, ValidationErrors> {
        let mut f = base.clone();
        set(&mut f.statement, &self.statement);
        set(&mut f.impacts_intro, &self.impacts_intro);
        set(&mut f.impacts, &self.impacts);
        set(&mut f.impact, &self.impact);
        set(&mut f.rag, &self.rag);
        set(&mut f.status, &self.status);
        set(&mut f.category, &self.category);
        set(&mut f.raised_by, &self.raised_by);
        set(&mut f.raised_on, &self.raised_on);
        set(&mut f.associated_risk, &self.associated_risk);
        set(&mut f.owner, &self.owner);
        set(&mut f.footnotes, &self.footnotes);
        set(&mut f.notes, &self.notes);
        self.mitigations.apply(&mut f.mitigations, today)?;
        Ok(f)
    }
}

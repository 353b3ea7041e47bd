//! Risks ("There is a risk that…"): scored impact × likelihood, judged RED/AMBER/GREEN, with
//! mitigations, provenance and footnotes. Severity is always derived, never typed in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::code::RecordRef;
use crate::mitigation::Mitigation;
use crate::rag::Rag;
use crate::register::Revision;
use crate::settings::Settings;
use crate::validation::{MAX_LABEL, MAX_TEXT, ValidationError, ValidationErrors, optional_len, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskStatus {
    /// Put to the committee, not yet agreed.
    Proposed,
    Open,
    Closed,
    /// Moved to the parent register, which now holds it.
    Escalated,
    /// Turned into an issue: the risk materialised.
    Converted,
}

impl RiskStatus {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "proposed" => Ok(Self::Proposed),
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            "escalated" => Ok(Self::Escalated),
            "converted" => Ok(Self::Converted),
            _ => Err(ValidationError::new(
                "status",
                "must be proposed, open, closed, escalated or converted",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Escalated => "escalated",
            Self::Converted => "converted",
        }
    }

    /// Whether the risk is still on the register (proposed or open).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Proposed | Self::Open)
    }
}

/// The ISO 31000 / Orange Book responses to a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Response {
    Treat,
    Tolerate,
    Transfer,
    Terminate,
    /// Take the opportunity.
    Take,
}

impl Response {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "treat" => Ok(Self::Treat),
            "tolerate" => Ok(Self::Tolerate),
            "transfer" => Ok(Self::Transfer),
            "terminate" => Ok(Self::Terminate),
            "take" => Ok(Self::Take),
            _ => Err(ValidationError::new(
                "response",
                "must be treat, tolerate, transfer, terminate or take",
            )),
        }
    }
}

/// An impact and a likelihood, e.g. for the inherent or target score beside the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorePair {
    pub impact: u8,
    pub likelihood: u8,
}

impl ScorePair {
    pub fn severity(self) -> u16 {
        u16::from(self.impact) * u16::from(self.likelihood)
    }

    fn check(self, field: &str, settings: &Settings, errors: &mut ValidationErrors) {
        if let Err(e) = settings.check_impact(&format!("{field}.impact"), self.impact) {
            errors.push(e);
        }
        if let Err(e) = settings.check_likelihood(&format!("{field}.likelihood"), self.likelihood) {
            errors.push(e);
        }
    }
}

/// Everything about a risk that a version of it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFields {
    pub statement: String,
    /// The reference the risk had where it came from (`015(CR)`, `R-AWS-001`,
    /// `Risk 001`), kept verbatim so that it can still be looked up by it. Left out of the
    /// stored JSON when absent, so records written before it existed hash the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    #[serde(default)]
    pub consequences: Vec<String>,
    pub impact: u8,
    pub likelihood: u8,
    pub rag: Rag,
    pub status: RiskStatus,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub raised_by: Option<String>,
    #[serde(default, with = "crate::date_text::optional")]
    pub raised_on: Option<NaiveDate>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub provenance: Option<String>,
    #[serde(default)]
    pub footnotes: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub inherent: Option<ScorePair>,
    #[serde(default)]
    pub target: Option<ScorePair>,
    #[serde(default)]
    pub response: Option<Response>,
    #[serde(default, with = "crate::date_text::optional")]
    pub proximity: Option<NaiveDate>,
    #[serde(default, with = "crate::date_text::optional")]
    pub review_by: Option<NaiveDate>,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
}

impl RiskFields {
    /// A new open risk with just the essentials.
    pub fn new(statement: impl Into<String>, impact: u8, likelihood: u8, rag: Rag) -> Self {
        Self {
            statement: statement.into(),
            source_ref: None,
            consequences: Vec::new(),
            impact,
            likelihood,
            rag,
            status: RiskStatus::Open,
            owner: None,
            raised_by: None,
            raised_on: None,
            category: None,
            provenance: None,
            footnotes: Vec::new(),
            notes: None,
            inherent: None,
            target: None,
            response: None,
            proximity: None,
            review_by: None,
            mitigations: Vec::new(),
        }
    }

    /// impact × likelihood.
    pub fn severity(&self) -> u16 {
        u16::from(self.impact) * u16::from(self.likelihood)
    }

    /// Trims text, fills in mitigation dates, and checks every field against the settings.
    /// Returns every broken rule at once.
    pub fn normalised(mut self, settings: &Settings, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match required_text("statement", &self.statement, MAX_TEXT) {
            Ok(t) => self.statement = t,
            Err(e) => errors.push(e),
        }
        if let Err(e) = settings.check_impact("impact", self.impact) {
            errors.push(e);
        }
        if let Err(e) = settings.check_likelihood("likelihood", self.likelihood) {
            errors.push(e);
        }
        if let Some(p) = self.inherent {
            p.check("inherent", settings, &mut errors);
        }
        if let Some(p) = self.target {
            p.check("target", settings, &mut errors);
        }
        normalise_list("consequences", &mut self.consequences, &mut errors);
        normalise_list("footnotes", &mut self.footnotes, &mut errors);
        for (field, value) in [
            ("source_ref", &mut self.source_ref),
            ("owner", &mut self.owner),
            ("raised_by", &mut self.raised_by),
            ("category", &mut self.category),
        ] {
            normalise_optional(field, value, MAX_LABEL, &mut errors);
        }
        normalise_optional("provenance", &mut self.provenance, MAX_TEXT, &mut errors);
        normalise_optional("notes", &mut self.notes, MAX_TEXT, &mut errors);
        self.mitigations = normalise_mitigations(std::mem::take(&mut self.mitigations), today, &mut errors);
        errors.into_result(self)
    }
}

/// Trims every entry of a bullet list; empty bullets are an error.
pub(crate) fn normalise_list(field: &str, list: &mut [String], errors: &mut ValidationErrors) {
    for (i, item) in list.iter_mut().enumerate() {
        match required_text(&format!("{field}[{i}]"), item, MAX_TEXT) {
            Ok(t) => *item = t,
            Err(e) => errors.push(e),
        }
    }
}

/// Trims an optional text; blank becomes none.
pub(crate) fn normalise_optional(field: &str, value: &mut Option<String>, max: usize, errors: &mut ValidationErrors) {
    if let Some(v) = value.take() {
        let t = v.trim();
        if !t.is_empty() {
            if let Err(e) = optional_len(field, t, max) {
                errors.push(e);
            }
            *value = Some(t.to_owned());
        }
    }
}

pub(crate) fn normalise_mitigations(
    mitigations: Vec<Mitigation>,
    today: NaiveDate,
    errors: &mut ValidationErrors,
) -> Vec<Mitigation> {
    mitigations
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| match m.normalised() {
            Ok(mut m) => {
                m.added_on.get_or_insert(today);
                Some(m)
            }
            Err(e) => {
                errors.extend_under(&format!("mitigations[{i}]"), e);
                None
            }
        })
        .collect()
}

/// A risk as it stands: its reference, its fields and its revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    #[serde(rename = "ref")]
    pub reference: RecordRef,
    #[serde(flatten)]
    pub fields: RiskFields,
    #[serde(flatten)]
    pub revision: Revision,
}

impl Risk {
    pub fn severity(&self) -> u16 {
        self.fields.severity()
    }
}

/// Changes to the mitigation list of a risk or an issue, applied in the order: state
/// changes, removals, additions. Positions are 1-based, as users count bullets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MitigationEdits {
    pub add: Vec<Mitigation>,
    pub set_state: Vec<(usize, crate::mitigation::MitigationState)>,
    pub remove: Vec<usize>,
}

impl MitigationEdits {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.set_state.is_empty() && self.remove.is_empty()
    }

    pub fn apply(&self, list: &mut Vec<Mitigation>, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let len = list.len();
        let out_of_range = |field: &str, n: usize| {
            ValidationError::new(field, format!("must name a mitigation from 1 to {len}; got {n}"))
        };
        for &(n, state) in &self.set_state {
            match list.get_mut(n.wrapping_sub(1)) {
                Some(m) => m.state = state,
                None => errors.push(out_of_range("mitigation_state", n)),
            }
        }
        let mut remove = self.remove.clone();
        remove.sort_unstable();
        remove.dedup();
        for &n in remove.iter().rev() {
            if (1..=len).contains(&n) {
                list.remove(n - 1);
            } else {
                errors.push(out_of_range("remove_mitigation", n));
            }
        }
        for m in &self.add {
            let mut m = m.clone();
            m.added_on.get_or_insert(today);
            list.push(m);
        }
        errors.into_result(())
    }
}

/// An amendment to a risk: only the fields that are `Some` change. For optional fields,
/// `Some(None)` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskChange {
    pub statement: Option<String>,
    pub consequences: Option<Vec<String>>,
    pub impact: Option<u8>,
    pub likelihood: Option<u8>,
    pub rag: Option<Rag>,
    pub status: Option<RiskStatus>,
    pub owner: Option<Option<String>>,
    pub raised_by: Option<Option<String>>,
    pub raised_on: Option<Option<NaiveDate>>,
    pub category: Option<Option<String>>,
    pub provenance: Option<Option<String>>,
    pub footnotes: Option<Vec<String>>,
    pub notes: Option<Option<String>>,
    pub inherent: Option<Option<ScorePair>>,
    pub target: Option<Option<ScorePair>>,
    pub response: Option<Option<Response>>,
    pub proximity: Option<Option<NaiveDate>>,
    pub review_by: Option<Option<NaiveDate>>,
    pub mitigations: MitigationEdits,
}

impl RiskChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The risk's fields with this change applied (not yet validated).
    pub fn apply(&self, base: &RiskFields, today: NaiveDate) -> Result<RiskFields, ValidationErrors> {
        let mut f = base.clone();
        set(&mut f.statement, &self.statement);
        set(&mut f.consequences, &self.consequences);
        set(&mut f.impact, &self.impact);
        set(&mut f.likelihood, &self.likelihood);
        set(&mut f.rag, &self.rag);
        set(&mut f.status, &self.status);
        set(&mut f.owner, &self.owner);
        set(&mut f.raised_by, &self.raised_by);
        set(&mut f.raised_on, &self.raised_on);
        set(&mut f.category, &self.category);
        set(&mut f.provenance, &self.provenance);
        set(&mut f.footnotes, &self.footnotes);
        set(&mut f.notes, &self.notes);
        set(&mut f.inherent, &self.inherent);
        set(&mut f.target, &self.target);
        set(&mut f.response, &self.response);
        set(&mut f.proximity, &self.proximity);
        set(&mut f.review_by, &self.review_by);
        self.mitigations.apply(&mut f.mitigations, today)?;
        Ok(f)
    }
}

pub(crate) fn set<T: Clone>(target: &mut T, value: &Option<T>) {
    if let Some(v) = value {
        *target = v.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mitigation::MitigationState;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 8, 3).unwrap()
    }

    #[test]
    fn severity_is_impact_times_likelihood() {
        assert_eq!(RiskFields::new("x", 3, 4, Rag::Amber).severity(), 12);
    }

    #[test]
    fn normalising_reports_every_broken_rule() {
        let mut f = RiskFields::new("  ", 6, 0, Rag::Green);
        f.mitigations.push(Mitigation::new("", MitigationState::Planned));
        let e = f.normalised(&Settings::default(), today()).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["statement", "impact", "likelihood", "mitigations[0].text"]);
    }

    #[test]
    fn normalising_trims_and_dates_new_mitigations() {
        let mut f = RiskFields::new(" A risk ", 3, 3, Rag::Green);
        f.owner = Some("  ".into());
        f.mitigations.push(Mitigation::new(" Do it ", MitigationState::Planned));
        let f = f.normalised(&Settings::default(), today()).unwrap();
        assert_eq!(f.statement, "A risk");
        assert_eq!(f.owner, None);
        assert_eq!(f.mitigations[0].text, "Do it");
        assert_eq!(f.mitigations[0].added_on, Some(today()));
    }

    #[test]
    fn change_applies_only_what_it_names() {
        let base = RiskFields::new("A risk", 3, 3, Rag::Green);
        let change = RiskChange {
            impact: Some(4),
            owner: Some(Some("SECAS".into())),
            mitigations: MitigationEdits {
                add: vec![Mitigation::new("New", MitigationState::Planned)],
                ..Default::default()
            },
            ..Default::default()
        };
        let f = change.apply(&base, today()).unwrap();
        assert_eq!(f.impact, 4);
        assert_eq!(f.likelihood, 3);
        assert_eq!(f.owner.as_deref(), Some("SECAS"));
        assert_eq!(f.mitigations[0].added_on, Some(today()));
    }

    #[test]
    fn mitigation_positions_are_checked() {
        let base = RiskFields::new("A risk", 3, 3, Rag::Green);
        let change = RiskChange {
            mitigations: MitigationEdits {
                remove: vec![2],
                ..Default::default()
            },
            ..Default::default()
        };
        let e = change.apply(&base, today()).unwrap_err();
        assert_eq!(e.0[0].field, "remove_mitigation");
    }
}

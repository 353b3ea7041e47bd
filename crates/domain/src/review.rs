//! The review cycle: meetings of a body, the proposals put to them, and the decisions taken.
//! A proposal is a draft — it changes nothing until the committee agrees it — and it
//! remembers the version of the record it was drafted against, so that a proposal whose
//! target has changed since is reported as stale and redrafted, never applied blindly.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::code::{RecordRef, RegisterCode};
use crate::issue::IssueFields;
use crate::register::Revision;
use crate::risk::RiskFields;
use crate::validation::{MAX_LABEL, MAX_TEXT, ValidationError, ValidationErrors, optional_len};

/// A meeting is named by its body and date: `PANEL/2018-08-09`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MeetingRef {
    pub body: RegisterCode,
    pub date: NaiveDate,
}

impl MeetingRef {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let rule = "must be a body's register code and a date, e.g. PANEL/2018-08-09";
        let (body, date) = value
            .trim()
            .split_once('/')
            .ok_or_else(|| ValidationError::new("meeting", rule))?;
        let body = RegisterCode::parse(body).map_err(|_| ValidationError::new("meeting", rule))?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| ValidationError::new("meeting", rule))?;
        Ok(Self { body, date })
    }
}

impl fmt::Display for MeetingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.body, self.date.format("%Y-%m-%d"))
    }
}

impl FromStr for MeetingRef {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for MeetingRef {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MeetingRef> for String {
    fn from(m: MeetingRef) -> Self {
        m.to_string()
    }
}

/// What is recorded about a meeting besides its body and date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingFields {
    #[serde(default)]
    pub title: Option<String>,
    /// The date the paper for the meeting was issued.
    #[serde(default)]
    pub paper_on: Option<NaiveDate>,
    /// The paper's author and team, e.g. "Kayla Reinhart", "SECAS Team".
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    /// Set once every proposal has been decided: the register as agreed is then kept.
    #[serde(default)]
    pub closed: bool,
}

impl MeetingFields {
    pub fn normalised(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, value) in [
            ("title", &mut self.title),
            ("author", &mut self.author),
            ("team", &mut self.team),
        ] {
            crate::risk::normalise_optional(field, value, MAX_LABEL, &mut errors);
        }
        errors.into_result(self)
    }
}

/// What a proposal asks the committee to agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProposalChange {
    /// Add a risk. The risk is on the register from drafting, with status `proposed`, as
    /// committee papers list it; agreeing opens it, rejecting closes it.
    NewRisk {
        risk: RecordRef,
    },
    /// Amend a risk to read as `fields`.
    Amend {
        risk: RecordRef,
        base_version: u32,
        fields: RiskFields,
    },
    Close {
        risk: RecordRef,
        base_version: u32,
    },
    /// Move a sub-committee's risk to another register (its parent), keeping its provenance.
    Escalate {
        risk: RecordRef,
        base_version: u32,
        to: RegisterCode,
    },
    /// The risk has materialised: open `issue` linked back to it, and mark it converted.
    Convert {
        risk: RecordRef,
        base_version: u32,
        issue: IssueFields,
    },
    NewIssue {
        register: RegisterCode,
        issue: IssueFields,
    },
    /// Update an issue, or (with no fields) ask the committee to consider it.
    IssueUpdate {
        issue: RecordRef,
        base_version: u32,
        #[serde(default)]
        fields: Option<IssueFields>,
    },
}

impl ProposalChange {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NewRisk { .. } => "new_risk",
            Self::Amend { .. } => "amend",
            Self::Close { .. } => "close",
            Self::Escalate { .. } => "escalate",
            Self::Convert { .. } => "convert",
            Self::NewIssue { .. } => "new_issue",
            Self::IssueUpdate { .. } => "issue_update",
        }
    }

    /// The record the proposal is about, when it already exists.
    pub fn target(&self) -> Option<(&'static str, &RecordRef, Option<u32>)> {
        match self {
            Self::NewRisk { risk } => Some(("risk", risk, None)),
            Self::Amend { risk, base_version, .. }
            | Self::Close { risk, base_version }
            | Self::Escalate { risk, base_version, .. }
            | Self::Convert { risk, base_version, .. } => Some(("risk", risk, Some(*base_version))),
            Self::IssueUpdate {
                issue, base_version, ..
            } => Some(("issue", issue, Some(*base_version))),
            Self::NewIssue { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalStatus {
    Pending,
    Agreed,
    Rejected,
    /// Moved to a later meeting; a new pending proposal there carries it on.
    Deferred,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Agreed => "agreed",
            Self::Rejected => "rejected",
            Self::Deferred => "deferred",
        }
    }
}

/// The committee's decision on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Agreed,
    Rejected,
    Deferred,
}

/// Everything a proposal records; `id` and the meeting are its identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalFields {
    pub change: ProposalChange,
    /// Why: the narrative the paper prints under the proposal (paragraphs separated by a
    /// blank line).
    pub rationale: String,
    /// The recommendation to the committee, if not the one riskreg words from the change.
    #[serde(default)]
    pub recommendation: Option<String>,
    pub status: ProposalStatus,
    /// The minute reference of the decision.
    #[serde(default)]
    pub minute: Option<String>,
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub decided_by: Option<String>,
    /// Where a deferred proposal went.
    #[serde(default)]
    pub deferred_to: Option<MeetingRef>,
}

impl ProposalFields {
    pub fn new(change: ProposalChange, rationale: impl Into<String>) -> Self {
        Self {
            change,
            rationale: rationale.into(),
            recommendation: None,
            status: ProposalStatus::Pending,
            minute: None,
            decided_at: None,
            decided_by: None,
            deferred_to: None,
        }
    }

    pub fn normalised(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.rationale = self.rationale.trim().to_owned();
        if self.rationale.is_empty() {
            errors.push(ValidationError::new("rationale", "must say why the change is proposed"));
        }
        if let Err(e) = optional_len("rationale", &self.rationale, MAX_TEXT) {
            errors.push(e);
        }
        crate::risk::normalise_optional("recommendation", &mut self.recommendation, MAX_TEXT, &mut errors);
        crate::risk::normalise_optional("minute", &mut self.minute, MAX_LABEL, &mut errors);
        errors.into_result(self)
    }
}

/// A meeting as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    #[serde(rename = "ref")]
    pub reference: MeetingRef,
    #[serde(flatten)]
    pub fields: MeetingFields,
    #[serde(flatten)]
    pub revision: Revision,
}

/// A proposal as it stands: its number (unique across the database) and meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub id: u32,
    pub meeting: MeetingRef,
    #[serde(flatten)]
    pub fields: ProposalFields,
    #[serde(flatten)]
    pub revision: Revision,
}

/// What is stored for a proposal besides its id: the meeting it is for and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredProposal {
    pub meeting: MeetingRef,
    pub proposal: ProposalFields,
}

/// The body's name as papers use it ("SEC Panel") and the register's words for each kind,
/// used to word recommendations.
pub fn default_recommendation(change: &ProposalChange, body_name: &str) -> (&'static str, String) {
    match change {
        ProposalChange::NewRisk { risk } => (
            "AGREE",
            format!("to add Risk {} to the {body_name} Risk Register", risk.number),
        ),
        ProposalChange::Amend { .. } => ("AGREE", format!("the amendments to the {body_name} Risk Register")),
        ProposalChange::Close { risk, .. } => ("AGREE", format!("to close {body_name} Risk {}", risk.number)),
        ProposalChange::Escalate { risk, to, .. } => (
            "AGREE",
            format!("to escalate Risk {} ({}) to the {to} register", risk.number, risk),
        ),
        ProposalChange::Convert { risk, .. } => (
            "AGREE",
            format!("to convert {body_name} Risk {} into an issue", risk.number),
        ),
        ProposalChange::NewIssue { .. } => (
            "AGREE",
            format!("to add the new issue to the {body_name} Issue Register"),
        ),
        ProposalChange::IssueUpdate {
            issue, fields: Some(_), ..
        } => ("AGREE", format!("the update to {body_name} Issue {}", issue.number)),
        ProposalChange::IssueUpdate {
            issue, fields: None, ..
        } => (
            "CONSIDER",
            format!(
                "the approach to further assessing the {body_name} Issue {}",
                issue.number
            ),
        ),
    }
}

/// Splits a recommendation written in full ("CONSIDER the approach…") into its verb and
/// the rest, as papers set the verb in capitals.
pub fn split_recommendation(text: &str) -> (String, String) {
    let text = text.trim();
    match text.split_once(' ') {
        Some((verb, rest)) if verb.len() > 1 && verb.chars().all(|c| c.is_ascii_uppercase()) => {
            (verb.to_owned(), rest.trim().to_owned())
        }
        _ => ("AGREE".to_owned(), text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_refs_round_trip() {
        let m = MeetingRef::parse("panel/2018-08-09").unwrap();
        assert_eq!(m.to_string(), "PANEL/2018-08-09");
        assert_eq!(MeetingRef::parse("PANEL-2018-08-09").unwrap_err().field, "meeting");
        assert!(MeetingRef::parse("PANEL/09/08/2018").is_err());
    }

    #[test]
    fn recommendations_are_worded_like_the_papers() {
        let issue = RecordRef::parse("PANEL-2").unwrap();
        let consider = ProposalChange::IssueUpdate {
            issue,
            base_version: 1,
            fields: None,
        };
        assert_eq!(
            default_recommendation(&consider, "SEC Panel"),
            (
                "CONSIDER",
                "the approach to further assessing the SEC Panel Issue 2".to_owned()
            )
        );
        let amend = ProposalChange::Amend {
            risk: RecordRef::parse("PANEL-15").unwrap(),
            base_version: 1,
            fields: RiskFields::new("x", 1, 1, crate::Rag::Amber),
        };
        assert_eq!(
            default_recommendation(&amend, "SEC Panel").1,
            "the amendments to the SEC Panel Risk Register"
        );
        assert_eq!(
            split_recommendation("CONSIDER the approach"),
            ("CONSIDER".to_owned(), "the approach".to_owned())
        );
        assert_eq!(split_recommendation("note the update").0, "AGREE");
    }

    #[test]
    fn a_proposal_needs_a_rationale() {
        let change = ProposalChange::NewRisk {
            risk: RecordRef::parse("PANEL-18").unwrap(),
        };
        let e = ProposalFields::new(change, "  ").normalised().unwrap_err();
        assert_eq!(e.0[0].field, "rationale");
    }

    #[test]
    fn changes_serialise_with_their_kind() {
        let change = ProposalChange::Close {
            risk: RecordRef::parse("PANEL-3").unwrap(),
            base_version: 2,
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["kind"], "close");
        assert_eq!(json["risk"], "PANEL-3");
        let back: ProposalChange = serde_json::from_value(json).unwrap();
        assert_eq!(back, change);
    }
}

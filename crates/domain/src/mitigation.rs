//! Mitigations and actions. How a paper formats one is derived from its state and its date,
//! never hand-coloured: planned or ongoing → italic; added since the last paper → "new".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::{MAX_LABEL, MAX_TEXT, ValidationErrors, optional_len, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MitigationState {
    Planned,
    Ongoing,
    Complete,
}

impl MitigationState {
    pub fn parse(field: &str, value: &str) -> Result<Self, crate::ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "planned" => Ok(Self::Planned),
            "ongoing" => Ok(Self::Ongoing),
            "complete" | "completed" | "done" => Ok(Self::Complete),
            _ => Err(crate::ValidationError::new(
                field,
                "must be planned, ongoing or complete",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Ongoing => "ongoing",
            Self::Complete => "complete",
        }
    }

    /// Planned and ongoing actions still need doing; the paper sets them in italics.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Complete)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    pub text: String,
    pub state: MitigationState,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default, with = "crate::date_text::optional")]
    pub due: Option<NaiveDate>,
    /// The day the mitigation first appeared on the record.
    #[serde(default, with = "crate::date_text::optional")]
    pub added_on: Option<NaiveDate>,
    /// Sub-bullets under the mitigation's text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_items: Vec<String>,
}

impl Mitigation {
    pub fn new(text: impl Into<String>, state: MitigationState) -> Self {
        Self {
            text: text.into(),
            state,
            owner: None,
            due: None,
            added_on: None,
            sub_items: Vec::new(),
        }
    }

    /// Trims the text and checks every part of the mitigation.
    pub fn normalised(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match required_text("text", &self.text, MAX_TEXT) {
            Ok(t) => self.text = t,
            Err(e) => errors.push(e),
        }
        if let Some(owner) = &self.owner
            && let Err(e) = optional_len("owner", owner, MAX_LABEL)
        {
            errors.push(e);
        }
        for (i, item) in self.sub_items.iter_mut().enumerate() {
            match required_text(&format!("sub_items[{i}]"), item, MAX_TEXT) {
                Ok(t) => *item = t,
                Err(e) => errors.push(e),
            }
        }
        errors.into_result(self)
    }

    /// Whether the mitigation is new since a paper issued on `since`.
    pub fn is_new_since(&self, since: Option<NaiveDate>) -> bool {
        match (self.added_on, since) {
            (Some(added), Some(since)) => added > since,
            _ => false,
        }
    }
}

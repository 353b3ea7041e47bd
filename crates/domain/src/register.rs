//! Registers: the named lists of risks and issues a body keeps. Registers form a tree; a
//! sub-committee's register escalates to its parent's.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::code::RegisterCode;
use crate::risk::normalise_optional;
use crate::validation::{MAX_LABEL, MAX_TEXT, ValidationErrors, required_text};

/// Which version of a record this is, and who made it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// 1 for the first version, one more for every change.
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterFields {
    pub name: String,
    #[serde(default)]
    pub parent: Option<RegisterCode>,
    /// Only the register's members may read a confidential register.
    #[serde(default)]
    pub confidential: bool,
    #[serde(default)]
    pub description: Option<String>,
    /// The date of the last paper on this register; mitigations added after it are new.
    #[serde(default)]
    pub last_paper_on: Option<NaiveDate>,
}

impl RegisterFields {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            parent: None,
            confidential: false,
            description: None,
            last_paper_on: None,
        }
    }

    pub fn normalised(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match required_text("name", &self.name, MAX_LABEL) {
            Ok(t) => self.name = t,
            Err(e) => errors.push(e),
        }
        normalise_optional("description", &mut self.description, MAX_TEXT, &mut errors);
        errors.into_result(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    pub code: RegisterCode,
    #[serde(flatten)]
    pub fields: RegisterFields,
    #[serde(flatten)]
    pub revision: Revision,
}

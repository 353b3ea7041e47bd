//! Validation errors that name the field and the rule it broke, so that every surface (CLI,
//! API, importer) can tell the user exactly what to fix.

use std::fmt;

/// One broken rule: which field, and what the rule is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{field}: {rule}")]
pub struct ValidationError {
    /// The field's name as the user wrote it (`impact`, `mitigations[2].state`, ...).
    pub field: String,
    /// The rule, in words (`must be between 1 and 5 (the impact scale)`).
    pub rule: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// The same error with its field placed under a parent path (`risks[3]` + `impact`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// Every broken rule found in one piece of input; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    pub fn push(&mut self, e: ValidationError) {
        self.0.push(e);
    }

    pub fn extend_under(&mut self, parent: &str, other: ValidationErrors) {
        self.0.extend(other.0.into_iter().map(|e| e.under(parent)));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was found, the collected errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(e: ValidationError) -> Self {
        Self(vec![e])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims `value` and rejects it when empty or longer than `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    optional_len(field, trimmed, max)?;
    Ok(trimmed.to_owned())
}

/// Rejects text longer than `max` characters.
pub fn optional_len(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// The longest statement, bullet or note riskreg accepts; a register is no place for essays.
pub const MAX_TEXT: usize = 10_000;
/// The longest short label (owner, category, raised-by).
pub const MAX_LABEL: usize = 200;

//! The one error type every backend returns, so that callers can tell "not there" and
//! "someone else changed it" from bad input and from failures of the database itself.

use riskreg_domain::{ValidationError, ValidationErrors};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// The record changed since the caller read it, or it already exists.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid input:\n{0}")]
    Invalid(ValidationErrors),
    #[error("storage failure: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<ValidationErrors> for StoreError {
    fn from(e: ValidationErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<ValidationError> for StoreError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e.into())
    }
}

impl StoreError {
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        Self::Invalid(ValidationError::new(field, rule).into())
    }

    pub fn other(e: impl std::fmt::Display) -> Self {
        Self::Other(e.to_string())
    }
}

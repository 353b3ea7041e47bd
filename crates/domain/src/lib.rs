//! riskreg's domain: the registers, risks, issues and mitigations a governance body keeps,
//! the scales they are scored on, and the rules that hold between them. Pure types and
//! functions: no storage, no network, no clock other than what callers pass in.

pub mod code;
pub mod date_text;
pub mod diff;
pub mod document;
pub mod issue;
pub mod lint;
pub mod mitigation;
pub mod ordering;
pub mod rag;
pub mod register;
pub mod review;
pub mod risk;
pub mod settings;
pub mod validation;
pub mod view;

pub use code::{RecordRef, RegisterCode};
pub use issue::{Issue, IssueChange, IssueFields, IssueStatus};
pub use mitigation::{Mitigation, MitigationState};
pub use rag::Rag;
pub use register::{Register, RegisterFields};
pub use risk::{Response, Risk, RiskChange, RiskFields, RiskStatus, ScorePair};
pub use settings::{Band, Classification, ClassificationCategory, ScaleLevel, Settings};
pub use validation::{ValidationError, ValidationErrors};

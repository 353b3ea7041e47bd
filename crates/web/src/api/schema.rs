//! OpenAPI schemas of the output types the domain defines (`RiskView`, `IssueView`, the
//! store's `Event` and `ChainReport`). The domain stays free of web crates, so these twins
//! describe its JSON here; the API tests check every documented schema's properties
//! against real responses, so a field added to the domain without its twin fails a test.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, ObjectBuilder, Type};

/// RED, AMBER or GREEN: the committee's judgement, independent of severity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Rag)]
pub enum RagSchema {
    #[serde(rename = "RED")]
    Red,
    #[serde(rename = "AMBER")]
    Amber,
    #[serde(rename = "GREEN")]
    Green,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RiskStatus)]
#[serde(rename_all = "lowercase")]
pub enum RiskStatusSchema {
    Proposed,
    Open,
    Closed,
    Escalated,
    Converted,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IssueStatus)]
#[serde(rename_all = "lowercase")]
pub enum IssueStatusSchema {
    Open,
    Closed,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MitigationState)]
#[serde(rename_all = "lowercase")]
pub enum MitigationStateSchema {
    Planned,
    Ongoing,
    Complete,
}

/// The committee's decision on a proposal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Decision)]
#[serde(rename_all = "lowercase")]
pub enum DecisionSchema {
    Agreed,
    Rejected,
    Deferred,
}

/// The ISO 31000 responses to a risk.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Response)]
#[serde(rename_all = "lowercase")]
pub enum ResponseSchema {
    Treat,
    Tolerate,
    Transfer,
    Terminate,
    Take,
}

/// A mitigation or action as shown: `new` is derived (added since the register's last paper).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Mitigation)]
pub struct MitigationSchema {
    pub text: String,
    pub state: MitigationStateSchema,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub added_on: Option<NaiveDate>,
    pub new: bool,
    /// Omitted when empty.
    pub sub_items: Option<Vec<String>>,
}

/// An impact, a likelihood and their product.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Score)]
pub struct ScoreSchema {
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
}

/// An impact and a likelihood, as written in a request.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScorePair)]
#[serde(deny_unknown_fields)]
pub struct ScorePairSchema {
    #[schema(minimum = 1, maximum = 10)]
    pub impact: u8,
    #[schema(minimum = 1, maximum = 10)]
    pub likelihood: u8,
}

/// A risk: its fields, what is derived from them (severity, band), and its revision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Risk)]
pub struct RiskSchema {
    /// `PANEL-15`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub register: String,
    pub number: u32,
    /// The reference the risk had in the spreadsheet or system it was imported from,
    /// verbatim (`015(CR)`, `Risk 001`); `GET /risks/{ref}?register=` finds it by this.
    pub source_ref: Option<String>,
    pub statement: String,
    pub consequences: Vec<String>,
    pub impact: u8,
    pub likelihood: u8,
    /// impact × likelihood, derived.
    pub severity: u16,
    pub band: Option<String>,
    pub rag: RagSchema,
    pub status: RiskStatusSchema,
    pub owner: Option<String>,
    pub raised_by: Option<String>,
    pub raised_on: Option<NaiveDate>,
    pub category: Option<String>,
    pub provenance: Option<String>,
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    pub inherent: Option<ScoreSchema>,
    pub target: Option<ScoreSchema>,
    pub response: Option<ResponseSchema>,
    pub proximity: Option<NaiveDate>,
    pub review_by: Option<NaiveDate>,
    pub mitigations: Vec<MitigationSchema>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// An issue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Issue)]
pub struct IssueSchema {
    #[serde(rename = "ref")]
    pub reference: String,
    pub register: String,
    pub number: u32,
    /// The issue's reference where it was imported from, verbatim.
    pub source_ref: Option<String>,
    pub statement: String,
    pub impacts_intro: Option<String>,
    pub impacts: Vec<String>,
    pub impact: u8,
    pub rag: RagSchema,
    pub status: IssueStatusSchema,
    pub category: Option<String>,
    pub raised_by: Option<String>,
    pub raised_on: Option<NaiveDate>,
    /// A reference such as `PANEL-2`, possibly to a closed risk or another register.
    pub associated_risk: Option<String>,
    pub owner: Option<String>,
    pub footnotes: Vec<String>,
    pub notes: Option<String>,
    pub mitigations: Vec<MitigationSchema>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// One change in a record's hash-chained history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventSchema {
    pub seq: i64,
    /// When the change took effect.
    pub at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
    /// `created`, `amended`, `closed`, ...
    pub kind: String,
    pub record_type: String,
    pub record_key: String,
    pub register: Option<String>,
    pub version: u32,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// The first problem `audit verify` found.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ChainProblem)]
pub struct ChainProblemSchema {
    pub seq: Option<i64>,
    pub record: Option<String>,
    pub message: String,
}

/// The result of walking the whole hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ChainReport)]
pub struct ChainReportSchema {
    pub events: u64,
    pub head: Option<String>,
    pub records: u64,
    pub problem: Option<ChainProblemSchema>,
}

/// A text that must not be blank, of at most `max` characters (as `required_text` reads it).
fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"\S"))
        .max_length(Some(max))
}

/// A list of texts (consequences, impacts, footnotes, sub-items), none of them blank.
pub fn texts() -> Array {
    Array::new(text(riskreg_domain::validation::MAX_TEXT))
}

/// [`texts`], or `null`, in a change.
pub fn texts_or_null() -> Array {
    Array::new_nullable(text(riskreg_domain::validation::MAX_TEXT))
}

/// A list of register codes.
pub fn register_codes() -> Array {
    Array::new(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[A-Za-z][A-Za-z0-9_]{1,15}$")),
    )
}

//! The register file format (`docs/register-format.md`): registers, risks, issues and their
//! dated history as one human-editable JSON document. Parsing collects every problem with
//! its JSON path; writing produces the same shape, so a round trip loses nothing.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::code::RegisterCode;
use crate::issue::IssueFields;
use crate::register::RegisterFields;
use crate::review::{MeetingFields, MeetingRef, ProposalChange, ProposalFields, ProposalStatus};
use crate::risk::RiskFields;
use crate::settings::Settings;
use crate::validation::{ValidationError, ValidationErrors};

/// The format tag every register file starts with.
pub const FORMAT: &str = "riskreg/1";

/// When, by whom and why a version of a record was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    pub at: DateTime<Utc>,
    pub actor: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One version of a record: its fields and how it came to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<T> {
    /// `None` when the file does not say: the importer then records it as its own write.
    pub recorded: Option<Recorded>,
    pub fields: T,
}

/// A numbered record and its versions, oldest first; the last is the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<T> {
    pub number: u32,
    pub versions: Vec<Version<T>>,
}

impl<T> Record<T> {
    pub fn current(&self) -> &Version<T> {
        // Parsing guarantees at least one version.
        &self.versions[self.versions.len() - 1]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub code: RegisterCode,
    pub fields: RegisterFields,
    pub recorded: Option<Recorded>,
    pub risks: Vec<Record<RiskFields>>,
    pub issues: Vec<Record<IssueFields>>,
}

/// A parsed register file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub settings: Option<Settings>,
    pub registers: Vec<RegisterEntry>,
    /// Meetings and the proposals put to them, after the registers they refer to.
    pub meetings: Vec<MeetingEntry>,
}

/// A meeting, its proposals, and (once every proposal is decided) the register as agreed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingEntry {
    pub meeting: MeetingRef,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub paper_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub closed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Recorded>,
    #[serde(default)]
    pub proposals: Vec<ProposalEntry>,
    /// The register as agreed at the meeting, exactly as riskreg kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Value>,
}

impl MeetingEntry {
    pub fn fields(&self) -> MeetingFields {
        MeetingFields {
            title: self.title.clone(),
            paper_on: self.paper_on,
            author: self.author.clone(),
            team: self.team.clone(),
            closed: self.closed,
        }
    }
}

/// A proposal in a register file: its number and everything it records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalEntry {
    pub id: u32,
    pub change: ProposalChange,
    pub rationale: String,
    #[serde(default)]
    pub recommendation: Option<String>,
    pub status: ProposalStatus,
    #[serde(default)]
    pub minute: Option<String>,
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub deferred_to: Option<MeetingRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Recorded>,
}

impl ProposalEntry {
    pub fn fields(&self) -> ProposalFields {
        ProposalFields {
            change: self.change.clone(),
            rationale: self.rationale.clone(),
            recommendation: self.recommendation.clone(),
            status: self.status,
            minute: self.minute.clone(),
            decided_at: self.decided_at,
            decided_by: self.decided_by.clone(),
            deferred_to: self.deferred_to.clone(),
        }
    }

    pub fn from_fields(id: u32, f: ProposalFields, recorded: Option<Recorded>) -> Self {
        Self {
            id,
            change: f.change,
            rationale: f.rationale,
            recommendation: f.recommendation,
            status: f.status,
            minute: f.minute,
            decided_at: f.decided_at,
            decided_by: f.decided_by,
            deferred_to: f.deferred_to,
            recorded,
        }
    }
}

impl Document {
    /// Parses a register file, reporting every problem found with its JSON path.
    pub fn parse(text: &str) -> Result<Self, ValidationErrors> {
        let (doc, errors) = Self::parse_partial(text);
        errors.into_result(doc)
    }

    /// Parses as much of a register file as is well-formed: the records that parse, and
    /// every problem with the rest. Lets an importer check the good records against the
    /// database too, so that one run reports every problem in the file.
    pub fn parse_partial(text: &str) -> (Self, ValidationErrors) {
        let mut errors = ValidationErrors::default();
        let empty = || Self {
            settings: None,
            registers: Vec::new(),
            meetings: Vec::new(),
        };
        let root: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                errors.push(ValidationError::new("", format!("is not valid JSON: {e}")));
                return (empty(), errors);
            }
        };
        let Value::Object(mut root) = root else {
            errors.push(ValidationError::new("", "must be a JSON object"));
            return (empty(), errors);
        };
        match root.remove("format") {
            Some(Value::String(f)) if f == FORMAT => {}
            _ => errors.push(ValidationError::new("format", format!("must be \"{FORMAT}\""))),
        }
        let settings = match root.remove("settings") {
            None | Some(Value::Null) => None,
            Some(v) => typed::<Settings>("settings", v, &mut errors),
        };
        let registers = match root.remove("registers") {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| parse_register(&format!("registers[{i}]"), v, &mut errors))
                .collect(),
            _ => {
                errors.push(ValidationError::new("registers", "must be a list"));
                Vec::new()
            }
        };
        let meetings = match root.remove("meetings") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| typed::<MeetingEntry>(&format!("meetings[{i}]"), v, &mut errors))
                .collect(),
            Some(_) => {
                errors.push(ValidationError::new("meetings", "must be a list"));
                Vec::new()
            }
        };
        unknown_keys("", &root, &mut errors);
        (
            Self {
                settings,
                registers,
                meetings,
            },
            errors,
        )
    }

    /// Writes the document as pretty JSON in the documented shape.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        // Writing plain data structures into memory cannot fail.
        self.write_json(&mut out).unwrap_or_default();
        // serde_json writes only UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`Document::to_json`] written to `out` as it is made, so that a large export is not
    /// held whole in memory a second time.
    pub fn write_json(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        let registers: Vec<_> = self.registers.iter().map(RegisterOut::from).collect();
        let doc = DocumentOut {
            format: FORMAT,
            settings: self.settings.as_ref(),
            registers,
            meetings: &self.meetings,
        };
        serde_json::to_writer_pretty(&mut out, &doc)?;
        out.write_all(b"\n")
    }
}

fn parse_register(path: &str, value: Value, errors: &mut ValidationErrors) -> Option<RegisterEntry> {
    let Value::Object(mut map) = value else {
        errors.push(ValidationError::new(path, "must be an object"));
        return None;
    };
    let code = match map.remove("code") {
        Some(Value::String(s)) => match RegisterCode::parse(&s) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(ValidationError::new(format!("{path}.code"), e.rule));
                None
            }
        },
        _ => {
            errors.push(ValidationError::new(format!("{path}.code"), "is required"));
            None
        }
    };
    let recorded = take_recorded(path, &mut map, errors);
    let risks = take_records::<RiskFields>(path, "risks", &mut map, errors);
    let issues = take_records::<IssueFields>(path, "issues", &mut map, errors);
    let fields = typed::<RegisterFields>(path, Value::Object(map), errors);
    Some(RegisterEntry {
        code: code?,
        fields: fields?,
        recorded,
        risks,
        issues,
    })
}

fn take_recorded(path: &str, map: &mut Map<String, Value>, errors: &mut ValidationErrors) -> Option<Recorded> {
    match map.remove("recorded") {
        None | Some(Value::Null) => None,
        Some(v) => typed::<Recorded>(&format!("{path}.recorded"), v, errors),
    }
}

fn take_records<T: DeserializeOwned>(
    path: &str,
    key: &str,
    map: &mut Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Vec<Record<T>> {
    let items = match map.remove(key) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(ValidationError::new(format!("{path}.{key}"), "must be a list"));
            return Vec::new();
        }
    };
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| parse_record(&format!("{path}.{key}[{i}]"), v, errors))
        .collect()
}

fn parse_record<T: DeserializeOwned>(path: &str, value: Value, errors: &mut ValidationErrors) -> Option<Record<T>> {
    let Value::Object(mut map) = value else {
        errors.push(ValidationError::new(path, "must be an object"));
        return None;
    };
    let number = match map.remove("number").as_ref().and_then(Value::as_u64) {
        Some(n) if (1..=u64::from(u32::MAX)).contains(&n) => Some(n as u32),
        _ => {
            errors.push(ValidationError::new(
                format!("{path}.number"),
                "must be a whole number from 1 up",
            ));
            None
        }
    };
    let history = match map.remove("history") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(ValidationError::new(format!("{path}.history"), "must be a list"));
            Vec::new()
        }
    };
    let mut versions = Vec::with_capacity(history.len() + 1);
    for (i, v) in history.into_iter().enumerate() {
        let vpath = format!("{path}.history[{i}]");
        let Value::Object(mut vmap) = v else {
            errors.push(ValidationError::new(vpath, "must be an object"));
            continue;
        };
        let recorded = take_recorded(&vpath, &mut vmap, errors);
        if recorded.is_none() {
            errors.push(ValidationError::new(
                format!("{vpath}.recorded"),
                "is required for an earlier version",
            ));
        }
        if let Some(fields) = typed::<T>(&vpath, Value::Object(vmap), errors) {
            versions.push(Version { recorded, fields });
        }
    }
    let recorded = take_recorded(path, &mut map, errors);
    let fields = typed::<T>(path, Value::Object(map), errors);
    versions.push(Version {
        recorded,
        fields: fields?,
    });
    check_time_order(path, &versions, errors);
    Some(Record {
        number: number?,
        versions,
    })
}

fn check_time_order<T>(path: &str, versions: &[Version<T>], errors: &mut ValidationErrors) {
    let times: Vec<_> = versions
        .iter()
        .filter_map(|v| v.recorded.as_ref().map(|r| r.at))
        .collect();
    if times.windows(2).any(|w| w[0] > w[1]) {
        errors.push(ValidationError::new(
            format!("{path}.history"),
            "versions must be in time order, oldest first, the record itself last",
        ));
    }
}

/// Deserialises `value` as `T`, recording a path-qualified error on failure.
fn typed<T: DeserializeOwned>(path: &str, value: Value, errors: &mut ValidationErrors) -> Option<T> {
    match serde_json::from_value::<T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(ValidationError::new(path, e.to_string()));
            None
        }
    }
}

fn unknown_keys(path: &str, map: &Map<String, Value>, errors: &mut ValidationErrors) {
    for key in map.keys() {
        let field = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        errors.push(ValidationError::new(
            field,
            "is not a field of the register file format",
        ));
    }
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<&'a Settings>,
    registers: Vec<RegisterOut<'a>>,
    #[serde(skip_serializing_if = "<[MeetingEntry]>::is_empty")]
    meetings: &'a [MeetingEntry],
}

#[derive(Serialize)]
struct RegisterOut<'a> {
    code: &'a RegisterCode,
    #[serde(flatten)]
    fields: &'a RegisterFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a Recorded>,
    risks: Vec<RecordOut<'a, RiskFields>>,
    issues: Vec<RecordOut<'a, IssueFields>>,
}

impl<'a> From<&'a RegisterEntry> for RegisterOut<'a> {
    fn from(r: &'a RegisterEntry) -> Self {
        Self {
            code: &r.code,
            fields: &r.fields,
            recorded: r.recorded.as_ref(),
            risks: r.risks.iter().map(RecordOut::from).collect(),
            issues: r.issues.iter().map(RecordOut::from).collect(),
        }
    }
}

#[derive(Serialize)]
struct RecordOut<'a, T> {
    number: u32,
    #[serde(flatten)]
    fields: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a Recorded>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<VersionOut<'a, T>>,
}

#[derive(Serialize)]
struct VersionOut<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a Recorded>,
    #[serde(flatten)]
    fields: &'a T,
}

impl<'a, T> From<&'a Record<T>> for RecordOut<'a, T> {
    fn from(r: &'a Record<T>) -> Self {
        let (current, earlier) = r.versions.split_last().expect("a record has at least one version");
        Self {
            number: r.number,
            fields: &current.fields,
            recorded: current.recorded.as_ref(),
            history: earlier
                .iter()
                .map(|v| VersionOut {
                    recorded: v.recorded.as_ref(),
                    fields: &v.fields,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../riskreg/data/sec-panel-2018-08.json");

    #[test]
    fn the_demo_file_parses() {
        let doc = Document::parse(DEMO).unwrap();
        let panel = &doc.registers[0];
        assert_eq!(panel.code.as_str(), "PANEL");
        assert_eq!(panel.risks.len(), 18);
        let r15 = panel.risks.iter().find(|r| r.number == 15).unwrap();
        assert_eq!(r15.versions.len(), 1);
        assert!(r15.versions[0].fields.statement.contains("has not yet completed"));
        assert_eq!(doc.meetings.len(), 1);
        assert_eq!(doc.meetings[0].proposals.len(), 3);
    }

    #[test]
    fn writing_then_parsing_gives_the_same_document() {
        let doc = Document::parse(DEMO).unwrap();
        let again = Document::parse(&doc.to_json()).unwrap();
        assert_eq!(doc, again);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let text = r#"{"format":"riskreg/1","registers":[{"code":"P","name":"x","colour":1,
            "risks":[{"number":0,"statement":"s","impact":"high","likelihood":1,"rag":"RED","status":"open"}]}]}"#;
        let e = Document::parse(text).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"registers[0].code"), "{e}");
        assert!(fields.contains(&"registers[0].risks[0].number"), "{e}");
        assert!(fields.contains(&"registers[0].risks[0]"), "{e}");
        assert!(fields.contains(&"registers[0]"), "{e}");
    }
}

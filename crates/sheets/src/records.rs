//! Building risks and issues from a sheet's rows once its [`Layout`] is known: every cell
//! parsed, every record validated against the register's scales, and every problem
//! recorded against its row and column rather than stopping at the first.

use std::collections::HashMap;

use chrono::NaiveDate;
use riskreg_domain::{
    IssueFields, IssueStatus, MitigationState, Rag, RecordRef, RegisterCode, RiskFields, RiskStatus, ScorePair,
    Settings, ValidationErrors,
};
use serde::Serialize;

use crate::field::Field;
use crate::grid::{Row, Value};
use crate::header::Layout;
use crate::report::Problem;
use crate::values;

/// A record read from a row: where it came from and what it will be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported<T> {
    pub sheet: String,
    pub row: u32,
    /// From a register column (riskreg's own exports); otherwise the register imported into.
    pub register: Option<RegisterCode>,
    /// From a number column (riskreg's own exports); otherwise the next free number.
    pub number: Option<u32>,
    pub fields: T,
}

/// Reads rows, collecting problems and warnings.
#[derive(Debug)]
pub struct RowReader<'a> {
    pub layout: &'a Layout,
    pub settings: &'a Settings,
    pub today: NaiveDate,
    pub default_state: MitigationState,
    pub problems: &'a mut Vec<Problem>,
    pub warnings: &'a mut Vec<Problem>,
    pub row: &'a Row,
}

impl RowReader<'_> {
    fn value(&self, field: Field) -> Option<&Value> {
        let c = self.layout.column(field)?;
        let v = self.row.get(c.index);
        (!v.is_empty()).then_some(v)
    }

    fn problem(&self, field: Field, value: Option<&Value>, rule: impl Into<String>) -> Problem {
        let c = self.layout.column(field);
        Problem {
            sheet: self.layout.sheet.clone(),
            row: Some(self.row.number),
            column: c.map(|c| c.column.clone()),
            header: c.map(|c| c.header.clone()),
            value: value.map(Value::display),
            field: Some(field.name().to_owned()),
            rule: rule.into(),
        }
    }

    fn fail(&mut self, field: Field, value: Option<&Value>, rule: impl Into<String>) {
        let p = self.problem(field, value, rule);
        self.problems.push(p);
    }

    /// Parses the field's cell if it has one; a bad value is a problem and gives `None`.
    fn parse<T>(&mut self, field: Field, parse: impl Fn(&Value) -> Result<T, String>) -> Option<T> {
        let v = self.value(field)?.clone();
        match parse(&v) {
            Ok(t) => Some(t),
            Err(rule) => {
                self.fail(field, Some(&v), rule);
                None
            }
        }
    }

    fn text(&self, field: Field) -> Option<String> {
        self.value(field).map(|v| v.display().trim().to_owned())
    }

    fn list(&self, field: Field) -> Vec<String> {
        self.value(field).map(values::list).unwrap_or_default()
    }

    fn impact(&mut self, field: Field) -> Option<u8> {
        let labels = values::impact_labels(self.settings);
        let n = self.settings.impact_levels();
        self.parse(field, |v| values::level(v, n, &labels))
    }

    fn likelihood(&mut self, field: Field) -> Option<u8> {
        let labels = values::likelihood_labels(self.settings);
        let n = self.settings.likelihood_levels();
        self.parse(field, |v| values::level(v, n, &labels))
    }

    fn required<T>(&mut self, field: Field, got: Option<T>, what: &str) -> Option<T> {
        if got.is_none() && self.value(field).is_none() {
            let rule = if self.layout.has(field) {
                format!("{what} is required")
            } else {
                format!(
                    "{what} is required and no column is mapped to it: add one with --map {}=COLUMN",
                    field.name()
                )
            };
            self.fail(field, None, rule);
        }
        got
    }

    fn pair(&mut self, impact: Field, likelihood: Field, score: Field) -> Option<ScorePair> {
        let i = self.impact(impact);
        let l = self.likelihood(likelihood);
        match (i, l) {
            (Some(impact), Some(likelihood)) => {
                self.check_score(score, u16::from(impact) * u16::from(likelihood), impact, likelihood);
                Some(ScorePair { impact, likelihood })
            }
            (Some(_), None) if self.value(likelihood).is_none() => {
                self.fail(likelihood, None, "is required when an impact is given");
                None
            }
            (None, Some(_)) if self.value(impact).is_none() => {
                self.fail(impact, None, "is required when a likelihood is given");
                None
            }
            _ => None,
        }
    }

    fn check_score(&mut self, field: Field, severity: u16, impact: u8, likelihood: u8) {
        if let Some(v) = self.value(field).cloned()
            && let Some(typed) = values::score(&v)
            && typed != i64::from(severity)
        {
            let w = self.problem(
                field,
                Some(&v),
                format!(
                    "does not equal impact × likelihood ({impact} × {likelihood} = {severity}); riskreg uses {severity}"
                ),
            );
            self.warnings.push(w);
        }
    }

    fn register_and_number(&mut self) -> (Option<RegisterCode>, Option<u32>) {
        let register = self.parse(Field::Register, |v| {
            RegisterCode::parse(&v.display()).map_err(|e| e.rule)
        });
        let number = self.parse(Field::Number, values::number);
        (register, number)
    }

    /// Notes with what the sheet says that riskreg keeps no field for (cause, last update).
    fn notes(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(cause) = self.text(Field::Cause) {
            parts.push(format!("Cause: {cause}"));
        }
        if let Some(n) = self.text(Field::Notes) {
            parts.push(n);
        }
        if let Some(v) = self.value(Field::LastUpdated) {
            let shown = values::date(v).map_or_else(|_| v.display(), |d| d.to_string());
            parts.push(format!("Last updated: {shown}"));
        }
        (!parts.is_empty()).then(|| parts.join("\n"))
    }

    fn validation(&mut self, errors: ValidationErrors) {
        for e in errors.0 {
            let name = e.field.split(['.', '[']).next().unwrap_or_default();
            let field = match (name, e.field.as_str()) {
                ("inherent", f) if f.ends_with("impact") => Some(Field::InherentImpact),
                ("inherent", _) => Some(Field::InherentLikelihood),
                ("target", f) if f.ends_with("impact") => Some(Field::TargetImpact),
                ("target", _) => Some(Field::TargetLikelihood),
                (n, _) => Field::parse(n),
            };
            let value = field.and_then(|f| self.value(f)).cloned();
            let mut p = match field {
                Some(f) => self.problem(f, value.as_ref(), e.rule),
                None => Problem {
                    row: Some(self.row.number),
                    ..Problem::sheet(&self.layout.sheet, e.rule)
                },
            };
            p.field = Some(e.field);
            self.problems.push(p);
        }
    }

    pub fn risk(&mut self) -> Option<Imported<RiskFields>> {
        let before = self.problems.len();
        let (register, number) = self.register_and_number();
        let statement = self.text(Field::Statement);
        let statement = self.required(Field::Statement, statement, "a statement");
        let current = self.pair(Field::Impact, Field::Likelihood, Field::Score);
        let inherent = self.pair(Field::InherentImpact, Field::InherentLikelihood, Field::InherentScore);
        let target = self.pair(Field::TargetImpact, Field::TargetLikelihood, Field::Score);
        if current.is_none() && self.problems.len() == before {
            let f = if self.value(Field::Impact).is_none() {
                Field::Impact
            } else {
                Field::Likelihood
            };
            self.fail(f, None, format!("{} is required", f.name()));
        }
        let status_value = self.value(Field::Status).cloned();
        let mut status = RiskStatus::Open;
        let mut rag = None;
        if let Some(v) = &status_value {
            match (values::risk_status(v), values::rag(v)) {
                (Ok(s), _) => status = s,
                (Err(_), Ok(r)) if !self.layout.has(Field::Rag) => rag = Some(r),
                (Err(rule), _) => self.fail(Field::Status, Some(v), rule),
            }
        }
        if let Some(r) = self.parse(Field::Rag, values::rag) {
            rag = Some(r);
        }
        let rag = match (rag, current) {
            (Some(r), _) => r,
            (None, Some(p)) if self.value(Field::Rag).is_none() => {
                band_rag(self.settings, p.severity()).unwrap_or(Rag::Amber)
            }
            _ => Rag::Amber,
        };
        let mut f = RiskFields::new(statement.unwrap_or_default(), 0, 0, rag);
        if let Some(p) = current {
            f.impact = p.impact;
            f.likelihood = p.likelihood;
        }
        f.status = status;
        f.source_ref = self.text(Field::SourceRef);
        f.consequences = self.list(Field::Consequences);
        f.owner = self.text(Field::Owner);
        f.raised_by = self.text(Field::RaisedBy);
        f.raised_on = self.parse(Field::RaisedOn, values::date);
        f.category = self.text(Field::Category);
        f.provenance = self.text(Field::Provenance);
        f.footnotes = self.list(Field::Footnotes);
        f.notes = self.notes();
        f.inherent = inherent;
        f.target = target;
        f.response = self.parse(Field::Response, values::response);
        f.proximity = self.parse(Field::Proximity, values::date);
        f.review_by = self.parse(Field::ReviewBy, values::date);
        let state = self.default_state;
        f.mitigations = self
            .parse(Field::Mitigations, |v| values::mitigations(v, state))
            .unwrap_or_default();
        if self.problems.len() != before {
            return None;
        }
        match f.normalised(self.settings, self.today) {
            Ok(fields) => Some(Imported {
                sheet: self.layout.sheet.clone(),
                row: self.row.number,
                register,
                number,
                fields,
            }),
            Err(e) => {
                self.validation(e);
                None
            }
        }
    }

    pub fn issue(&mut self) -> Option<Imported<IssueFields>> {
        let before = self.problems.len();
        let (register, number) = self.register_and_number();
        let statement = self.text(Field::Statement);
        let statement = self.required(Field::Statement, statement, "a statement");
        let impact = self.impact(Field::Impact);
        let impact = self.required(Field::Impact, impact, "an impact");
        let rag = self.parse(Field::Rag, values::rag);
        let rag = self.required(Field::Rag, rag, "a RAG");
        let status = self
            .parse(Field::Status, |v| IssueStatus::parse(&v.display()).map_err(|e| e.rule))
            .unwrap_or(IssueStatus::Open);
        let mut f = IssueFields::new(
            statement.unwrap_or_default(),
            impact.unwrap_or(0),
            rag.unwrap_or(Rag::Amber),
        );
        f.status = status;
        f.source_ref = self.text(Field::SourceRef);
        f.impacts_intro = self.text(Field::ImpactsIntro);
        f.impacts = self.list(Field::Impacts);
        f.category = self.text(Field::Category);
        f.raised_by = self.text(Field::RaisedBy);
        f.raised_on = self.parse(Field::RaisedOn, values::date);
        f.associated_risk = self.parse(Field::AssociatedRisk, |v| {
            RecordRef::parse(&v.display()).map_err(|e| e.rule)
        });
        f.owner = self.text(Field::Owner);
        f.footnotes = self.list(Field::Footnotes);
        f.notes = self.notes();
        let state = self.default_state;
        f.mitigations = self
            .parse(Field::Mitigations, |v| values::mitigations(v, state))
            .unwrap_or_default();
        if self.problems.len() != before {
            return None;
        }
        match f.normalised(self.settings, self.today) {
            Ok(fields) => Some(Imported {
                sheet: self.layout.sheet.clone(),
                row: self.row.number,
                register,
                number,
                fields,
            }),
            Err(e) => {
                self.validation(e);
                None
            }
        }
    }
}

/// The RAG a severity band's name reads as (`High` → RED), for registers with no RAG column.
fn band_rag(settings: &Settings, severity: u16) -> Option<Rag> {
    let band = settings.band(severity)?;
    values::rag(&Value::Text(band.name.clone())).ok()
}

/// Refuses a source reference used by two rows of one file: it could no longer find one record.
pub fn duplicate_refs<T>(
    records: &[Imported<T>],
    source_ref: impl Fn(&T) -> Option<&str>,
    problems: &mut Vec<Problem>,
) {
    let mut seen: HashMap<(Option<&RegisterCode>, &str), u32> = HashMap::new();
    for r in records {
        if let Some(s) = source_ref(&r.fields)
            && let Some(first) = seen.insert((r.register.as_ref(), s), r.row)
        {
            problems.push(Problem {
                row: Some(r.row),
                value: Some(s.to_owned()),
                field: Some("source_ref".into()),
                ..Problem::sheet(
                    &r.sheet,
                    format!("is also the reference of row {first}; references must be unique"),
                )
            });
        }
    }
}

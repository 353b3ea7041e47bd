//! The field options shared by `add` and `amend`, and their translation into the domain's
//! change types. An empty value (`--owner ""`) clears an optional field.

use chrono::NaiveDate;
use clap::Args;
use riskreg_domain::risk::MitigationEdits;
use riskreg_domain::{
    IssueChange, IssueFields, IssueStatus, Mitigation, MitigationState, Rag, RecordRef, Response, RiskChange,
    RiskFields, RiskStatus, ScorePair, ValidationError, ValidationErrors,
};

#[derive(Debug, Args, Default)]
pub struct CommonFieldArgs {
    /// The statement ("There is a risk that…" / "There is an issue that…").
    #[arg(long)]
    pub statement: Option<String>,
    /// Impact, 1..N on the impact scale.
    #[arg(long)]
    pub impact: Option<u8>,
    /// RED, AMBER or GREEN.
    #[arg(long)]
    pub rag: Option<Rag>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub raised_by: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub raised_on: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// A footnote (repeat for several; replaces the list).
    #[arg(long = "footnote")]
    pub footnotes: Vec<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// Add a mitigation (repeatable); its state is planned unless --add-mitigation-state says.
    #[arg(long = "add-mitigation")]
    pub add_mitigation: Vec<String>,
    /// The state of the mitigations added: planned, ongoing or complete.
    #[arg(long, default_value = "planned")]
    pub add_mitigation_state: String,
    /// Set the state of mitigation N (1-based): N=STATE, e.g. 2=complete (repeatable).
    #[arg(long = "set-mitigation")]
    pub set_mitigation: Vec<String>,
    /// Remove mitigation N (1-based; repeatable).
    #[arg(long = "remove-mitigation")]
    pub remove_mitigation: Vec<usize>,
}

#[derive(Debug, Args, Default)]
pub struct RiskFieldArgs {
    #[command(flatten)]
    pub common: CommonFieldArgs,
    /// A consequence bullet (repeat for several; replaces the list).
    #[arg(long = "consequence")]
    pub consequences: Vec<String>,
    /// Likelihood, 1..M on the likelihood scale.
    #[arg(long)]
    pub likelihood: Option<u8>,
    /// proposed, open, closed, escalated or converted.
    #[arg(long)]
    pub status: Option<String>,
    /// Where the risk came from (e.g. "Escalated from the SSC register").
    #[arg(long)]
    pub provenance: Option<String>,
    /// The score before mitigation, IMPACTxLIKELIHOOD, e.g. 4x4.
    #[arg(long)]
    pub inherent: Option<String>,
    /// The score aimed for, IMPACTxLIKELIHOOD.
    #[arg(long)]
    pub target: Option<String>,
    /// treat, tolerate, transfer, terminate or take.
    #[arg(long)]
    pub response: Option<String>,
    /// When the risk could materialise, YYYY-MM-DD.
    #[arg(long)]
    pub proximity: Option<String>,
    /// When the risk is next to be reviewed, YYYY-MM-DD.
    #[arg(long)]
    pub review_by: Option<String>,
}

#[derive(Debug, Args, Default)]
pub struct IssueFieldArgs {
    #[command(flatten)]
    pub common: CommonFieldArgs,
    /// The sentence leading into the impact bullets.
    #[arg(long)]
    pub impacts_intro: Option<String>,
    /// An impact bullet (repeat for several; replaces the list).
    #[arg(long = "impact-bullet")]
    pub impacts: Vec<String>,
    /// open or closed.
    #[arg(long)]
    pub status: Option<String>,
    /// The risk this issue is associated with, CODE-N.
    #[arg(long)]
    pub associated_risk: Option<String>,
}

/// Collects the errors of parsing each option, so the user hears of all of them at once.
struct Parsing(ValidationErrors);

impl Parsing {
    fn take<T>(&mut self, r: Result<T, ValidationError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    fn optional<T>(
        &mut self,
        value: &Option<String>,
        parse: impl Fn(&str) -> Result<T, ValidationError>,
    ) -> Option<Option<T>> {
        let v = value.as_deref()?;
        if v.trim().is_empty() {
            return Some(None);
        }
        self.take(parse(v)).map(Some)
    }
}

fn clearable(value: &Option<String>) -> Option<Option<String>> {
    value
        .as_ref()
        .map(|v| if v.trim().is_empty() { None } else { Some(v.clone()) })
}

fn list(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

fn date(field: &'static str) -> impl Fn(&str) -> Result<NaiveDate, ValidationError> {
    move |v| {
        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| ValidationError::new(field, format!("must be a date written YYYY-MM-DD; got {v:?}")))
    }
}

fn score_pair(field: &'static str) -> impl Fn(&str) -> Result<ScorePair, ValidationError> {
    move |v| {
        let rule = || ValidationError::new(field, format!("must be IMPACTxLIKELIHOOD, e.g. 4x3; got {v:?}"));
        let (i, l) = v.trim().split_once(['x', 'X', '*', '×']).ok_or_else(rule)?;
        Ok(ScorePair {
            impact: i.trim().parse().map_err(|_| rule())?,
            likelihood: l.trim().parse().map_err(|_| rule())?,
        })
    }
}

impl CommonFieldArgs {
    fn mitigation_edits(&self, p: &mut Parsing) -> MitigationEdits {
        let state = p.take(MitigationState::parse(
            "add_mitigation_state",
            &self.add_mitigation_state,
        ));
        let add = self
            .add_mitigation
            .iter()
            .map(|t| Mitigation::new(t.clone(), state.unwrap_or(MitigationState::Planned)))
            .collect();
        let set_state = self
            .set_mitigation
            .iter()
            .filter_map(|s| {
                let rule =
                    || ValidationError::new("set_mitigation", format!("must be N=STATE, e.g. 2=complete; got {s:?}"));
                let parsed = s.split_once('=').ok_or_else(rule).and_then(|(n, st)| {
                    let n: usize = n.trim().parse().map_err(|_| rule())?;
                    Ok((n, MitigationState::parse("set_mitigation", st)?))
                });
                p.take(parsed)
            })
            .collect();
        MitigationEdits {
            add,
            set_state,
            remove: self.remove_mitigation.clone(),
        }
    }
}

impl RiskFieldArgs {
    pub fn to_change(&self) -> Result<RiskChange, ValidationErrors> {
        let mut p = Parsing(ValidationErrors::default());
        let c = &self.common;
        let change = RiskChange {
            statement: c.statement.clone(),
            consequences: list(&self.consequences),
            impact: c.impact,
            likelihood: self.likelihood,
            rag: c.rag,
            status: self.status.as_deref().and_then(|s| p.take(RiskStatus::parse(s))),
            owner: clearable(&c.owner),
            raised_by: clearable(&c.raised_by),
            raised_on: p.optional(&c.raised_on, date("raised_on")),
            category: clearable(&c.category),
            provenance: clearable(&self.provenance),
            footnotes: list(&c.footnotes),
            notes: clearable(&c.notes),
            inherent: p.optional(&self.inherent, score_pair("inherent")),
            target: p.optional(&self.target, score_pair("target")),
            response: p.optional(&self.response, Response::parse),
            proximity: p.optional(&self.proximity, date("proximity")),
            review_by: p.optional(&self.review_by, date("review_by")),
            mitigations: c.mitigation_edits(&mut p),
        };
        p.0.into_result(change)
    }

    /// The fields of a new risk: statement, impact, likelihood and RAG are required.
    pub fn to_new(&self, today: NaiveDate) -> Result<RiskFields, ValidationErrors> {
        let mut missing = ValidationErrors::default();
        for (field, absent) in [
            ("statement", self.common.statement.is_none()),
            ("impact", self.common.impact.is_none()),
            ("likelihood", self.likelihood.is_none()),
            ("rag", self.common.rag.is_none()),
        ] {
            if absent {
                missing.push(ValidationError::new(field, "is required for a new risk"));
            }
        }
        let change = self.to_change();
        if let Err(e) = &change {
            missing.0.extend(e.0.iter().cloned());
        }
        let change = missing.into_result(change)??;
        change.apply(&RiskFields::new("", 0, 0, Rag::Green), today)
    }
}

impl IssueFieldArgs {
    pub fn to_change(&self) -> Result<IssueChange, ValidationErrors> {
        let mut p = Parsing(ValidationErrors::default());
        let c = &self.common;
        let change = IssueChange {
            statement: c.statement.clone(),
            impacts_intro: clearable(&self.impacts_intro),
            impacts: list(&self.impacts),
            impact: c.impact,
            rag: c.rag,
            status: self.status.as_deref().and_then(|s| p.take(IssueStatus::parse(s))),
            category: clearable(&c.category),
            raised_by: clearable(&c.raised_by),
            raised_on: p.optional(&c.raised_on, date("raised_on")),
            associated_risk: p.optional(&self.associated_risk, |v| {
                RecordRef::parse(v).map_err(|e| ValidationError::new("associated_risk", e.rule))
            }),
            owner: clearable(&c.owner),
            footnotes: list(&c.footnotes),
            notes: clearable(&c.notes),
            mitigations: c.mitigation_edits(&mut p),
        };
        p.0.into_result(change)
    }

    pub fn to_new(&self, today: NaiveDate) -> Result<IssueFields, ValidationErrors> {
        let mut missing = ValidationErrors::default();
        for (field, absent) in [
            ("statement", self.common.statement.is_none()),
            ("impact", self.common.impact.is_none()),
            ("rag", self.common.rag.is_none()),
        ] {
            if absent {
                missing.push(ValidationError::new(field, "is required for a new issue"));
            }
        }
        let change = self.to_change();
        if let Err(e) = &change {
            missing.0.extend(e.0.iter().cloned());
        }
        let change = missing.into_result(change)??;
        change.apply(&IssueFields::new("", 0, Rag::Green), today)
    }
}

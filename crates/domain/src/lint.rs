//! Register lint: the checks a careful secretariat makes before a paper goes out. A risk
//! with no real mitigation, an issue pointing at a risk that does not exist, a risk not
//! reviewed for months, a RAG far from what its severity suggests, and a risk worded as an
//! issue ("has not yet completed…") rather than as an uncertain event — the very point the
//! SEC Panel raised about its Risk 15.

use std::collections::HashSet;

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use crate::code::RecordRef;
use crate::issue::Issue;
use crate::rag::Rag;
use crate::risk::Risk;
use crate::settings::Settings;

/// Phrases that say something has already happened: an issue, not a risk.
const ISSUE_PHRASES: [&str; 7] = [
    "has not yet",
    "have not yet",
    "has failed to",
    "have failed to",
    "has not been",
    "is not being",
    "are not being",
];

/// Words that mark a mitigation as no mitigation at all.
const UNCLEAR_WORDS: [&str; 4] = ["unclear", "to be confirmed", "tbc", "unknown"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    NoMitigation,
    UnknownAssociatedRisk,
    NotReviewed,
    ReviewOverdue,
    RagFarFromBand,
    WordedAsIssue,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NoMitigation => "no_mitigation",
            Rule::UnknownAssociatedRisk => "unknown_associated_risk",
            Rule::NotReviewed => "not_reviewed",
            Rule::ReviewOverdue => "review_overdue",
            Rule::RagFarFromBand => "rag_far_from_band",
            Rule::WordedAsIssue => "worded_as_issue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    #[serde(rename = "ref")]
    pub reference: String,
    pub message: String,
}

/// What lint needs to know beyond the records themselves.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub now: DateTime<Utc>,
    /// A live risk not changed for this many months is reported.
    pub review_months: u32,
}

/// Lints the live risks and open issues given. `known_risks` is every risk reference that
/// exists in any register, closed ones included, for checking issues' associated risks.
pub fn lint(
    risks: &[Risk],
    issues: &[Issue],
    known_risks: &HashSet<RecordRef>,
    settings: &Settings,
    options: &LintOptions,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let stale_before = options
        .now
        .checked_sub_months(Months::new(options.review_months))
        .unwrap_or(options.now);
    for risk in risks.iter().filter(|r| r.fields.status.is_live()) {
        let reference = risk.reference.to_string();
        let mut add = |rule, message: String| {
            findings.push(Finding {
                rule,
                reference: reference.clone(),
                message,
            })
        };
        let real = risk.fields.mitigations.iter().filter(|m| !is_unclear(&m.text)).count();
        if real == 0 {
            let message = if risk.fields.mitigations.is_empty() {
                "has no mitigation".to_owned()
            } else {
                "has only unclear mitigations".to_owned()
            };
            add(Rule::NoMitigation, message);
        }
        if risk.revision.updated_at < stale_before {
            add(
                Rule::NotReviewed,
                format!(
                    "has not changed since {} (more than {} months)",
                    risk.revision.updated_at.date_naive(),
                    options.review_months
                ),
            );
        }
        if let Some(due) = risk.fields.review_by
            && due < options.now.date_naive()
        {
            add(Rule::ReviewOverdue, format!("was due for review by {due}"));
        }
        if let Some(expected) = expected_rag(risk.severity(), settings)
            && expected.rank().abs_diff(risk.fields.rag.rank()) >= 2
        {
            add(
                Rule::RagFarFromBand,
                format!(
                    "is {} but its severity {} is in the {} band, which suggests {}",
                    risk.fields.rag,
                    risk.severity(),
                    settings.band(risk.severity()).map(|b| b.name.as_str()).unwrap_or("?"),
                    expected
                ),
            );
        }
        if let Some(phrase) = issue_phrase(&risk.fields.statement) {
            add(
                Rule::WordedAsIssue,
                format!(
                    "is worded as an issue (\"{phrase}\"): a risk is an uncertain event — say what may happen, \
                     e.g. \"…may lead to…\""
                ),
            );
        }
    }
    for issue in issues {
        if let Some(r) = &issue.fields.associated_risk
            && !known_risks.contains(r)
        {
            findings.push(Finding {
                rule: Rule::UnknownAssociatedRisk,
                reference: issue.reference.to_string(),
                message: format!("is associated with {r}, which does not exist"),
            });
        }
    }
    findings
}

/// The RAG a severity's band suggests: the lowest band GREEN, the highest RED, those
/// between AMBER (by position, rounded).
fn expected_rag(severity: u16, settings: &Settings) -> Option<Rag> {
    let mut bands: Vec<_> = settings.bands.iter().collect();
    bands.sort_by_key(|b| b.min);
    let index = bands.iter().position(|b| (b.min..=b.max).contains(&severity))?;
    let last = bands.len().saturating_sub(1).max(1);
    Some(match (index * 2 + last / 2) / last {
        0 => Rag::Green,
        1 => Rag::Amber,
        _ => Rag::Red,
    })
}

fn issue_phrase(statement: &str) -> Option<&'static str> {
    let lower = statement.to_lowercase();
    ISSUE_PHRASES.iter().copied().find(|p| lower.contains(p))
}

fn is_unclear(text: &str) -> bool {
    let lower = text.to_lowercase();
    UNCLEAR_WORDS.iter().any(|w| {
        lower
            .split(|c: char| !c.is_alphanumeric() && c != ' ')
            .any(|part| part.contains(w))
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::code::RegisterCode;
    use crate::mitigation::{Mitigation, MitigationState};
    use crate::register::Revision;
    use crate::risk::RiskFields;

    fn risk(n: u32, statement: &str, impact: u8, likelihood: u8, rag: Rag, mitigations: &[&str]) -> Risk {
        let mut fields = RiskFields::new(statement, impact, likelihood, rag);
        fields.mitigations = mitigations
            .iter()
            .map(|t| Mitigation::new(*t, MitigationState::Ongoing))
            .collect();
        Risk {
            reference: RecordRef::new(RegisterCode::parse("PANEL").unwrap(), n),
            fields,
            revision: Revision {
                version: 1,
                updated_at: Utc.with_ymd_and_hms(2018, 8, 3, 9, 0, 0).unwrap(),
                updated_by: "t".into(),
            },
        }
    }

    fn options() -> LintOptions {
        LintOptions {
            now: Utc.with_ymd_and_hms(2018, 8, 9, 9, 0, 0).unwrap(),
            review_months: 3,
        }
    }

    fn rules(findings: &[Finding]) -> Vec<(&str, Rule)> {
        findings.iter().map(|f| (f.reference.as_str(), f.rule)).collect()
    }

    #[test]
    fn risk_15s_former_wording_reads_as_an_issue() {
        let old = risk(
            15,
            "The SSC has identified a risk, that the DCC has not yet completed a sufficiently detailed design leading to:",
            3,
            3,
            Rag::Amber,
            &["Workshops have taken place"],
        );
        let new = risk(
            15,
            "The SSC has identified a risk, that the DCC design is insufficiently detailed, which may lead to:",
            3,
            3,
            Rag::Amber,
            &["Workshops have taken place"],
        );
        let s = Settings::default();
        assert_eq!(
            rules(&lint(&[old], &[], &HashSet::new(), &s, &options())),
            [("PANEL-15", Rule::WordedAsIssue)]
        );
        assert!(lint(&[new], &[], &HashSet::new(), &s, &options()).is_empty());
    }

    #[test]
    fn unclear_or_missing_mitigations_are_reported() {
        let s = Settings::default();
        let r18 = risk(
            18,
            "Customers may resist",
            3,
            3,
            Rag::Amber,
            &["Mitigating actions from Panel and or SCC unclear"],
        );
        let bare = risk(19, "Something may happen", 2, 2, Rag::Green, &[]);
        let found = lint(&[r18, bare], &[], &HashSet::new(), &s, &options());
        assert_eq!(
            rules(&found),
            [("PANEL-18", Rule::NoMitigation), ("PANEL-19", Rule::NoMitigation)]
        );
        assert!(found[0].message.contains("unclear"));
    }

    #[test]
    fn rag_far_from_band_and_staleness() {
        let s = Settings::default();
        let mut r = risk(1, "A thing may happen", 5, 5, Rag::Green, &["x"]);
        r.revision.updated_at = Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap();
        r.fields.review_by = chrono::NaiveDate::from_ymd_opt(2018, 6, 30);
        let found = lint(&[r], &[], &HashSet::new(), &s, &options());
        assert_eq!(
            rules(&found),
            [
                ("PANEL-1", Rule::NotReviewed),
                ("PANEL-1", Rule::ReviewOverdue),
                ("PANEL-1", Rule::RagFarFromBand)
            ]
        );
        // The Panel's own judgements (9 GREEN, 12 AMBER, 2 GREEN) are not "far".
        for (i, l, rag) in [
            (3, 3, Rag::Green),
            (3, 4, Rag::Amber),
            (1, 2, Rag::Green),
            (3, 3, Rag::Red),
        ] {
            assert!(
                lint(
                    &[risk(2, "may", i, l, rag, &["x"])],
                    &[],
                    &HashSet::new(),
                    &s,
                    &options()
                )
                .is_empty()
            );
        }
    }

    #[test]
    fn issues_must_point_at_known_risks() {
        let s = Settings::default();
        let mut fields = crate::issue::IssueFields::new("It happened", 3, Rag::Red);
        fields.associated_risk = Some(RecordRef::parse("PANEL-2").unwrap());
        let issue = Issue {
            reference: RecordRef::parse("PANEL-1").unwrap(),
            fields,
            revision: Revision {
                version: 1,
                updated_at: Utc::now(),
                updated_by: "t".into(),
            },
        };
        let found = lint(&[], std::slice::from_ref(&issue), &HashSet::new(), &s, &options());
        assert_eq!(rules(&found), [("PANEL-1", Rule::UnknownAssociatedRisk)]);
        let known: HashSet<_> = [RecordRef::parse("PANEL-2").unwrap()].into();
        assert!(lint(&[], &[issue], &known, &s, &options()).is_empty());
    }
}

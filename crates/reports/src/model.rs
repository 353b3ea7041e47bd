//! The committee paper as data: everything the "Risk and Issue Register Update" says, in
//! the order it says it. The store side fills a [`Paper`] from a meeting's proposals and
//! the register as it stands; every renderer is a pure function of it.

use chrono::NaiveDate;
use riskreg_domain::diff::{Segment, word_diff};
use riskreg_domain::view::{IssueView, RiskView};
use riskreg_domain::{Rag, RegisterCode, RiskFields, Settings};
use serde::{Deserialize, Serialize};

/// One committee paper: the monthly update on a body's risk and issue registers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Paper {
    /// "SEC Panel Risk and Issue Register Update".
    pub title: String,
    /// The body the paper goes to, "SEC Panel".
    pub body: String,
    /// The register the paper is about. Risks in it are referred to by bare number ("2");
    /// risks in other registers by their full reference ("TABASC-10").
    pub register: RegisterCode,
    /// The date the paper is issued.
    pub date: NaiveDate,
    pub author: String,
    pub team: String,
    /// Section 1, one string per paragraph.
    pub purpose: Vec<String>,
    /// Section 2.1: amendments to existing risks, shown as tracked changes in Table 1.
    pub amendments: Vec<Amendment>,
    /// Section 2.2: risks proposed for the register.
    pub new_risks: Vec<NewRisk>,
    /// Section 4: the narrative on each issue updated this month.
    pub issue_updates: Vec<IssueUpdate>,
    /// Section 5: what the body is asked to do.
    pub recommendations: Vec<Recommendation>,
    /// Appendix A and Figure 1: every live risk (open or proposed). Renderers list them in
    /// register order (severity, highest first, then number) whatever order they come in.
    pub risks: Vec<RiskEntry>,
    /// Appendix B: every open issue.
    pub issues: Vec<IssueEntry>,
    /// Scales and bands for Figure 1; the impact classification for Appendix C.
    pub settings: Settings,
    /// For a draft: what the secretariat should resolve before issuing the paper (the
    /// register lint's findings), shown in a box at the top. Empty in an issued paper.
    pub draft_notes: Vec<String>,
}

impl Paper {
    /// A paper with the standard title and purpose and nothing else yet.
    pub fn new(
        body: impl Into<String>,
        register: RegisterCode,
        date: NaiveDate,
        author: impl Into<String>,
        team: impl Into<String>,
        settings: Settings,
    ) -> Self {
        let body = body.into();
        Self {
            title: format!("{body} Risk and Issue Register Update"),
            purpose: standard_purpose(&body),
            body,
            register,
            date,
            author: author.into(),
            team: team.into(),
            amendments: Vec::new(),
            new_risks: Vec::new(),
            issue_updates: Vec::new(),
            recommendations: Vec::new(),
            risks: Vec::new(),
            issues: Vec::new(),
            settings,
            draft_notes: Vec::new(),
        }
    }
}

impl Paper {
    /// Marks the paper as a draft carrying the register lint's findings, so the
    /// secretariat sees what to resolve before issuing it.
    pub fn with_draft_notes(mut self, findings: &[riskreg_domain::lint::Finding]) -> Self {
        self.draft_notes = findings
            .iter()
            .map(|f| format!("{}: {}", f.reference, f.message))
            .collect();
        self
    }
}

/// The purpose every monthly update states, in the secretariat's usual words.
pub fn standard_purpose(body: &str) -> Vec<String> {
    vec![
        format!(
            "This paper provides the monthly update on the {body} Risk Register. It explains \
             any proposed new risks, changes to existing risks and associated ratings. It also \
             sets out any updates to the {body} Issue Register and outlines further details on \
             the actions being taken to resolve or mitigate the issues."
        ),
        format!("The {body} Risk and Issue Registers are provided as Appendix A and B respectively."),
    ]
}

/// A change to an existing risk, put to the body for agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// The risk's number in the paper's register.
    pub risk: u32,
    /// Why the risk is being amended, one string per paragraph.
    pub narrative: Vec<String>,
    /// The statement as tracked changes, old against new.
    pub statement: Vec<Segment>,
    /// The consequence bullets as tracked changes: a removed bullet is all deletion, an
    /// added one all insertion.
    pub consequences: Vec<Vec<Segment>>,
    /// The scores that changed, old → new.
    pub scores: Vec<ScoreChange>,
}

impl Amendment {
    /// The amendment that turns `old` into `new`: the statement and the consequences
    /// word-diffed (bullets paired by position), and every score that moved.
    pub fn between(risk: u32, narrative: Vec<String>, old: &RiskFields, new: &RiskFields) -> Self {
        let n = old.consequences.len().max(new.consequences.len());
        let consequences = (0..n)
            .map(|i| {
                let before = old.consequences.get(i).map_or("", String::as_str);
                let after = new.consequences.get(i).map_or("", String::as_str);
                word_diff(before, after)
            })
            .collect();
        let mut scores = Vec::new();
        if old.impact != new.impact {
            scores.push(ScoreChange::Impact {
                old: old.impact,
                new: new.impact,
            });
        }
        if old.likelihood != new.likelihood {
            scores.push(ScoreChange::Likelihood {
                old: old.likelihood,
                new: new.likelihood,
            });
        }
        if old.severity() != new.severity() {
            scores.push(ScoreChange::Severity {
                old: old.severity(),
                new: new.severity(),
            });
        }
        if old.rag != new.rag {
            scores.push(ScoreChange::Rag {
                old: old.rag,
                new: new.rag,
            });
        }
        Self {
            risk,
            narrative,
            statement: word_diff(&old.statement, &new.statement),
            consequences,
            scores,
        }
    }
}

/// A score that an amendment moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "score", rename_all = "lowercase")]
pub enum ScoreChange {
    Impact { old: u8, new: u8 },
    Likelihood { old: u8, new: u8 },
    Severity { old: u16, new: u16 },
    Rag { old: Rag, new: Rag },
}

impl ScoreChange {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Impact { .. } => "Impact",
            Self::Likelihood { .. } => "Likelihood",
            Self::Severity { .. } => "Severity",
            Self::Rag { .. } => "RAG status",
        }
    }

    pub fn old_text(&self) -> String {
        match self {
            Self::Impact { old, .. } | Self::Likelihood { old, .. } => old.to_string(),
            Self::Severity { old, .. } => old.to_string(),
            Self::Rag { old, .. } => old.to_string(),
        }
    }

    pub fn new_text(&self) -> String {
        match self {
            Self::Impact { new, .. } | Self::Likelihood { new, .. } => new.to_string(),
            Self::Severity { new, .. } => new.to_string(),
            Self::Rag { new, .. } => new.to_string(),
        }
    }
}

/// A risk proposed for the register, with the story of where it came from. Its scores and
/// mitigations are in Appendix A, where it is listed like any other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRisk {
    pub risk: u32,
    pub narrative: Vec<String>,
}

/// The narrative on one issue in section 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueUpdate {
    pub issue: u32,
    /// Whether the issue is newly raised this month (headed "New Issue") rather than an
    /// existing one being updated.
    pub new: bool,
    pub narrative: Vec<String>,
}

/// One thing the body is asked to do: "AGREE" + "the amendments to the SEC Panel Risk
/// Register".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The verb, printed in capitals: AGREE, CONSIDER, NOTE.
    pub verb: String,
    pub text: String,
}

impl Recommendation {
    pub fn new(verb: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            verb: verb.into().to_uppercase(),
            text: text.into(),
        }
    }
}

/// How a risk's severity moved since the body's last paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Movement {
    /// Not on the last paper.
    New,
    Up,
    Down,
    Unchanged,
}

impl Movement {
    /// The arrow (or word) the paper prints beside the severity; empty when unchanged.
    pub fn marker(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Up => "↑",
            Self::Down => "↓",
            Self::Unchanged => "",
        }
    }

    /// Words for readers who cannot see the arrow (screen readers, plain text).
    pub fn describe(self) -> &'static str {
        match self {
            Self::New => "new since the last paper",
            Self::Up => "up since the last paper",
            Self::Down => "down since the last paper",
            Self::Unchanged => "unchanged since the last paper",
        }
    }

    /// The movement from a severity on the last paper (none if the risk was not on it).
    pub fn since(previous: Option<u16>, now: u16) -> Self {
        match previous {
            None => Self::New,
            Some(p) if now > p => Self::Up,
            Some(p) if now < p => Self::Down,
            Some(_) => Self::Unchanged,
        }
    }
}

/// A row of Appendix A. The view's mitigations carry `new` (added since the last paper)
/// and their state (not complete → italic).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiskEntry {
    pub risk: RiskView,
    /// None on a body's first paper, when there is nothing to compare with.
    pub movement: Option<Movement>,
}

/// A row of Appendix B.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueEntry {
    pub issue: IssueView,
    /// The associated risk's statement, when the paper should quote it in a footnote
    /// because the reader cannot look it up in Appendix A (it is closed, or in another
    /// register) — as the Panel's paper quotes closed Risk 2 for Issue 1.
    pub associated_risk_statement: Option<String>,
}

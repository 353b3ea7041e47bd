//! What every format derives from a [`Paper`] the same way: the order of the appendices,
//! footnote and table numbers, and the paper's fixed wording. Keeping it in one place is
//! what makes the HTML, Markdown, DOCX and PDF of one paper say the same thing.

use chrono::{Datelike, NaiveDate};

use crate::model::{IssueEntry, Paper, RiskEntry};

/// A footnote: its number in the paper and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Footnote<'a> {
    pub number: usize,
    pub text: &'a str,
}

#[derive(Debug)]
pub(crate) struct RiskRow<'a> {
    pub entry: &'a RiskEntry,
    /// Footnotes on the risk's statement.
    pub notes: Vec<Footnote<'a>>,
}

#[derive(Debug)]
pub(crate) struct IssueRow<'a> {
    pub entry: &'a IssueEntry,
    /// How the associated risk is referred to: its bare number in the paper's register,
    /// its full reference elsewhere.
    pub risk_label: Option<String>,
    /// The footnote quoting the associated risk, if the paper quotes it.
    pub risk_note: Option<Footnote<'a>>,
    pub notes: Vec<Footnote<'a>>,
}

/// The derived structure of one paper.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    pub paper: &'a Paper,
    /// Appendix A in register order.
    pub risks: Vec<RiskRow<'a>>,
    /// Appendix B in register order.
    pub issues: Vec<IssueRow<'a>>,
    /// Table numbers: the amendments table is Table 1 when there is one.
    pub amendments_table: Option<usize>,
    pub risks_table: usize,
    pub issues_table: usize,
}

impl<'a> Layout<'a> {
    pub fn new(paper: &'a Paper) -> Self {
        let mut risks: Vec<&RiskEntry> = paper.risks.iter().collect();
        risks.sort_by(|a, b| {
            b.risk
                .severity
                .cmp(&a.risk.severity)
                .then(a.risk.number.cmp(&b.risk.number))
                .then_with(|| a.risk.register.cmp(&b.risk.register))
        });
        let mut issues: Vec<&IssueEntry> = paper.issues.iter().collect();
        issues.sort_by(|a, b| {
            b.issue
                .impact
                .cmp(&a.issue.impact)
                .then(a.issue.number.cmp(&b.issue.number))
                .then_with(|| a.issue.register.cmp(&b.issue.register))
        });

        // Footnotes are numbered in reading order: Appendix A, then Appendix B.
        let mut next = 0;
        let mut note = |text: &'a str| {
            next += 1;
            Footnote { number: next, text }
        };
        let risks = risks
            .into_iter()
            .map(|entry| RiskRow {
                entry,
                notes: entry.risk.footnotes.iter().map(|t| note(t)).collect(),
            })
            .collect();
        let issues = issues
            .into_iter()
            .map(|entry| {
                let risk_label = entry.issue.associated_risk.as_ref().map(|r| {
                    if r.register == paper.register {
                        r.number.to_string()
                    } else {
                        r.to_string()
                    }
                });
                let risk_note = match (&risk_label, &entry.associated_risk_statement) {
                    (Some(_), Some(statement)) => Some(note(statement)),
                    _ => None,
                };
                IssueRow {
                    entry,
                    risk_label,
                    risk_note,
                    notes: entry.issue.footnotes.iter().map(|t| note(t)).collect(),
                }
            })
            .collect();

        let amendments_table = (!paper.amendments.is_empty()).then_some(1);
        let risks_table = amendments_table.map_or(1, |t| t + 1);
        Self {
            paper,
            risks,
            issues,
            amendments_table,
            risks_table,
            issues_table: risks_table + 1,
        }
    }

    /// "The amendment made to Risk 15 is summarised in Table 1 below."
    pub fn amendments_sentence(&self) -> Option<String> {
        let table = self.amendments_table?;
        let numbers: Vec<String> = self.paper.amendments.iter().map(|a| a.risk.to_string()).collect();
        Some(match numbers.as_slice() {
            [one] => format!("The amendment made to Risk {one} is summarised in Table {table} below."),
            many => format!(
                "The amendments made to Risks {} are summarised in Table {table} below.",
                join_and(many)
            ),
        })
    }

    pub fn draft_heading(&self) -> &'static str {
        "Draft: to resolve before this paper is issued"
    }

    pub fn no_amendments_sentence(&self) -> &'static str {
        "There are no updates to existing risks this month."
    }

    pub fn no_new_risks_sentence(&self) -> &'static str {
        "No new risks are proposed this month."
    }

    pub fn no_issue_updates_sentence(&self) -> &'static str {
        "There are no updates to the issues this month."
    }

    /// The closing line of each proposed risk's subsection.
    pub fn new_risk_sentence(&self, number: u32) -> String {
        format!(
            "The proposed risk, including the Impact, Severity, Mitigation and Red/Amber/Green \
             (RAG) Status is set out in Appendix A as Risk {number}."
        )
    }

    pub fn matrix_sentence(&self) -> String {
        format!(
            "The matrix below (Figure 1) shows the latest status of {} risks.",
            self.paper.body
        )
    }

    pub fn figure_caption(&self) -> String {
        format!("Figure 1: {} Risks Matrix", self.paper.body)
    }

    pub fn recommendations_intro(&self) -> String {
        format!("The {} is requested to:", self.paper.body)
    }

    pub fn risks_heading(&self) -> String {
        format!("Appendix A - {} Risks", self.paper.body)
    }

    pub fn risks_intro(&self) -> String {
        format!(
            "The following table lists the {} risks, reflecting any updates made as part of \
             the monthly review. The risks have been ordered from highest to lowest Severity. \
             Any mitigations or actions in italics are those that are ongoing or require \
             completion. Any mitigations or actions in red are those that are new.",
            self.paper.body
        )
    }

    pub fn risks_caption(&self) -> String {
        format!("Table {}: {} Risks", self.risks_table, self.paper.body)
    }

    pub fn issues_heading(&self) -> String {
        format!("Appendix B - {} Issue Register", self.paper.body)
    }

    pub fn issues_intro(&self) -> String {
        format!(
            "The following table lists the {} issues, reflecting any new or updated issues \
             made as part of the monthly review. Any mitigations or actions in italics are \
             those that are ongoing, or require completion. Any mitigations or actions in red \
             are those that are new.",
            self.paper.body
        )
    }

    pub fn issues_caption(&self) -> String {
        format!("Table {}: {} Issue Register", self.issues_table, self.paper.body)
    }

    pub fn classification_heading(&self) -> String {
        format!("Appendix C - {} Risk and Issue Impact Classification", self.paper.body)
    }

    pub fn amendments_caption(&self) -> Option<String> {
        self.amendments_table
            .map(|t| format!("Table {t}: Amendments to existing risks"))
    }
}

/// The punctuation after recommendation `i` of `n`: "; and" before the last, nothing after
/// it, ";" elsewhere — as a committee paper lists what it asks for.
pub(crate) fn recommendation_tail(i: usize, n: usize) -> &'static str {
    if i + 1 == n {
        ""
    } else if i + 2 == n {
        "; and"
    } else {
        ";"
    }
}

/// "15", "15 and 16", "14, 15 and 16".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "3rd August 2018", as the paper dates itself.
pub(crate) fn long_date(date: NaiveDate) -> String {
    let day = date.day();
    let suffix = match (day % 10, day % 100) {
        (1, d) if d != 11 => "st",
        (2, d) if d != 12 => "nd",
        (3, d) if d != 13 => "rd",
        _ => "th",
    };
    format!("{day}{suffix} {}", date.format("%B %Y"))
}

/// The severity column's text: "9", "12 ↑", "9 new".
pub(crate) fn severity_text(entry: &RiskEntry) -> String {
    match entry.movement.map(|m| m.marker()) {
        Some(marker) if !marker.is_empty() => format!("{} {marker}", entry.risk.severity),
        _ => entry.risk.severity.to_string(),
    }
}

/// The text colour that reads on a `#rrggbb` background: black on light, white on dark.
pub(crate) fn text_on(background: &str) -> &'static str {
    let channel = |i: usize| {
        background
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0)
    };
    let luma = 0.299 * channel(1) + 0.587 * channel(3) + 0.114 * channel(5);
    if luma > 0.55 { "#000000" } else { "#ffffff" }
}

/// The colour of a RAG judgement in the paper's cells.
pub(crate) fn rag_colour(rag: riskreg_domain::Rag) -> &'static str {
    match rag {
        riskreg_domain::Rag::Red => "#c00000",
        riskreg_domain::Rag::Amber => "#ffc000",
        riskreg_domain::Rag::Green => "#00b050",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_paper_writes_them() {
        let d = |m, d| NaiveDate::from_ymd_opt(2018, m, d).unwrap();
        assert_eq!(long_date(d(8, 3)), "3rd August 2018");
        assert_eq!(long_date(d(8, 1)), "1st August 2018");
        assert_eq!(long_date(d(8, 11)), "11th August 2018");
        assert_eq!(long_date(d(8, 22)), "22nd August 2018");
        assert_eq!(long_date(d(7, 13)), "13th July 2018");
    }

    #[test]
    fn recommendations_are_joined_as_a_list() {
        let tails: Vec<_> = (0..3).map(|i| recommendation_tail(i, 3)).collect();
        assert_eq!(tails, [";", "; and", ""]);
        assert_eq!(join_and(&["14".into(), "15".into(), "16".into()]), "14, 15 and 16");
    }

    #[test]
    fn text_colour_contrasts_with_its_band() {
        assert_eq!(text_on("#f9a825"), "#000000");
        assert_eq!(text_on("#c62828"), "#ffffff");
        assert_eq!(text_on("#2e7d32"), "#ffffff");
    }
}

//! The paper flattened for the typst template: every sentence already worded, every colour
//! already chosen, footnotes in place. The template only lays it out, and reads it as JSON
//! data, so nothing a user typed is ever parsed as typst markup.

use riskreg_domain::diff::Segment;
use riskreg_domain::view::MitigationView;
use serde::Serialize;

use crate::heatmap::HeatMap;
use crate::layout::{self, Footnote, Layout, rag_colour, text_on};
use crate::model::Paper;

#[derive(Serialize)]
pub(crate) struct PaperData<'a> {
    title: &'a str,
    body: &'a str,
    draft_heading: &'static str,
    draft_notes: &'a [String],
    date: String,
    author: &'a str,
    team: &'a str,
    purpose: &'a [String],
    amendments: Vec<AmendmentData<'a>>,
    amendments_sentence: Option<String>,
    amendments_caption: Option<String>,
    no_amendments: &'static str,
    new_risks_heading: String,
    new_risks: Vec<NewRiskData<'a>>,
    no_new_risks: &'static str,
    matrix_sentence: String,
    figure_caption: String,
    matrix: MatrixData,
    issue_updates: Vec<IssueUpdateData<'a>>,
    no_issue_updates: &'static str,
    recommendations_intro: String,
    recommendations: Vec<RecommendationData<'a>>,
    risks_heading: String,
    risks_intro: String,
    risks_caption: String,
    impact_head: String,
    likelihood_head: String,
    risks: Vec<RiskData<'a>>,
    issues_heading: String,
    issues_intro: String,
    issues_caption: String,
    issues: Vec<IssueData<'a>>,
    classification_heading: String,
    levels: Vec<String>,
    classification: Vec<CategoryData<'a>>,
}

#[derive(Serialize)]
struct AmendmentData<'a> {
    risk: u32,
    heading: String,
    narrative: &'a [String],
    statement: &'a [Segment],
    consequences: &'a [Vec<Segment>],
    scores: Vec<ScoreData>,
}

#[derive(Serialize)]
struct ScoreData {
    label: &'static str,
    old: String,
    new: String,
}

#[derive(Serialize)]
struct NewRiskData<'a> {
    heading: String,
    narrative: &'a [String],
    closing: String,
}

#[derive(Serialize)]
struct MatrixData {
    impact_labels: Vec<String>,
    likelihood_labels: Vec<String>,
    /// Rows from the highest likelihood down, as the figure is read.
    rows: Vec<Vec<CellData>>,
    legend: Vec<LegendData>,
}

#[derive(Serialize)]
struct CellData {
    fill: String,
    ink: &'static str,
    risks: String,
}

#[derive(Serialize)]
struct LegendData {
    label: String,
    fill: String,
}

#[derive(Serialize)]
struct IssueUpdateData<'a> {
    heading: String,
    narrative: &'a [String],
}

#[derive(Serialize)]
struct RecommendationData<'a> {
    verb: &'a str,
    text: String,
}

#[derive(Serialize)]
struct MitigationData<'a> {
    text: &'a str,
    italic: bool,
    new: bool,
    subs: &'a [String],
}

#[derive(Serialize)]
struct RagData {
    word: &'static str,
    fill: &'static str,
    ink: &'static str,
}

#[derive(Serialize)]
struct RiskData<'a> {
    number: u32,
    statement: &'a str,
    notes: Vec<&'a str>,
    consequences: &'a [String],
    impact: u8,
    likelihood: u8,
    severity: String,
    mitigations: Vec<MitigationData<'a>>,
    rag: RagData,
}

#[derive(Serialize)]
struct IssueData<'a> {
    number: u32,
    raised_on: String,
    category: Option<&'a str>,
    raised_by: Option<&'a str>,
    risk: String,
    risk_note: Option<&'a str>,
    statement: &'a str,
    notes: Vec<&'a str>,
    impacts_intro: Option<&'a str>,
    impacts: &'a [String],
    impact: u8,
    mitigations: Vec<MitigationData<'a>>,
    rag: RagData,
}

#[derive(Serialize)]
struct CategoryData<'a> {
    name: &'a str,
    cells: Vec<&'a str>,
}

fn texts<'a>(notes: &[Footnote<'a>]) -> Vec<&'a str> {
    notes.iter().map(|n| n.text).collect()
}

fn mitigations(list: &[MitigationView]) -> Vec<MitigationData<'_>> {
    list.iter()
        .map(|m| MitigationData {
            text: &m.text,
            italic: m.state.is_open(),
            new: m.new,
            subs: &m.sub_items,
        })
        .collect()
}

fn rag(r: riskreg_domain::Rag) -> RagData {
    let fill = rag_colour(r);
    RagData {
        word: r.as_str(),
        fill,
        ink: text_on(fill),
    }
}

fn matrix(paper: &Paper) -> MatrixData {
    let map = HeatMap::new(paper);
    let s = &paper.settings;
    let rows = (1..=map.likelihood_levels)
        .rev()
        .map(|l| {
            (1..=map.impact_levels)
                .map(|i| {
                    let cell = map.cell(i, l);
                    let fill = cell.map_or("#bdbdbd", |c| c.colour.as_str()).to_owned();
                    CellData {
                        ink: text_on(&fill),
                        fill,
                        // Two lines of numbers fill a cell; a crowded one grows.
                        risks: cell.map(|c| c.label(8)).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .collect();
    MatrixData {
        impact_labels: s
            .impact_scale
            .iter()
            .map(|l| format!("{}\n{}", l.level, l.label))
            .collect(),
        likelihood_labels: s
            .likelihood_scale
            .iter()
            .rev()
            .map(|l| format!("{}\n{}", l.level, l.label))
            .collect(),
        rows,
        legend: s
            .bands
            .iter()
            .map(|b| LegendData {
                label: format!("{} ({}–{})", b.name, b.min, b.max),
                fill: b.colour.clone(),
            })
            .collect(),
    }
}

impl<'a> PaperData<'a> {
    pub(crate) fn new(paper: &'a Paper) -> Self {
        let l = Layout::new(paper);
        let s = &paper.settings;
        let n = paper.recommendations.len();
        Self {
            title: &paper.title,
            body: &paper.body,
            draft_heading: l.draft_heading(),
            draft_notes: &paper.draft_notes,
            date: layout::long_date(paper.date),
            author: &paper.author,
            team: &paper.team,
            purpose: &paper.purpose,
            amendments: paper
                .amendments
                .iter()
                .map(|a| AmendmentData {
                    risk: a.risk,
                    heading: format!("{} Risk {}", paper.body, a.risk),
                    narrative: &a.narrative,
                    statement: &a.statement,
                    consequences: &a.consequences,
                    scores: a
                        .scores
                        .iter()
                        .map(|s| ScoreData {
                            label: s.label(),
                            old: s.old_text(),
                            new: s.new_text(),
                        })
                        .collect(),
                })
                .collect(),
            amendments_sentence: l.amendments_sentence(),
            amendments_caption: l.amendments_caption(),
            no_amendments: l.no_amendments_sentence(),
            new_risks_heading: format!(
                "2.2 Proposed New risk{}",
                if paper.new_risks.len() == 1 { "" } else { "s" }
            ),
            new_risks: paper
                .new_risks
                .iter()
                .map(|r| NewRiskData {
                    heading: format!("{} Risk {}", paper.body, r.risk),
                    narrative: &r.narrative,
                    closing: l.new_risk_sentence(r.risk),
                })
                .collect(),
            no_new_risks: l.no_new_risks_sentence(),
            matrix_sentence: l.matrix_sentence(),
            figure_caption: l.figure_caption(),
            matrix: matrix(paper),
            issue_updates: paper
                .issue_updates
                .iter()
                .enumerate()
                .map(|(i, u)| IssueUpdateData {
                    heading: format!(
                        "4.{} {} Issue {}",
                        i + 1,
                        if u.new { "New" } else { "Existing" },
                        u.issue
                    ),
                    narrative: &u.narrative,
                })
                .collect(),
            no_issue_updates: l.no_issue_updates_sentence(),
            recommendations_intro: l.recommendations_intro(),
            recommendations: paper
                .recommendations
                .iter()
                .enumerate()
                .map(|(i, r)| RecommendationData {
                    verb: &r.verb,
                    text: format!("{}{}", r.text, layout::recommendation_tail(i, n)),
                })
                .collect(),
            risks_heading: l.risks_heading(),
            risks_intro: l.risks_intro(),
            risks_caption: l.risks_caption(),
            impact_head: format!("Impact\n(1-{})", s.impact_levels()),
            likelihood_head: format!("Likelihood\n(1-{})", s.likelihood_levels()),
            risks: l
                .risks
                .iter()
                .map(|row| {
                    let r = &row.entry.risk;
                    RiskData {
                        number: r.number,
                        statement: &r.statement,
                        notes: texts(&row.notes),
                        consequences: &r.consequences,
                        impact: r.impact,
                        likelihood: r.likelihood,
                        severity: layout::severity_text(row.entry),
                        mitigations: mitigations(&r.mitigations),
                        rag: rag(r.rag),
                    }
                })
                .collect(),
            issues_heading: l.issues_heading(),
            issues_intro: l.issues_intro(),
            issues_caption: l.issues_caption(),
            issues: l
                .issues
                .iter()
                .map(|row| {
                    let i = &row.entry.issue;
                    IssueData {
                        number: i.number,
                        raised_on: i.raised_on.map(layout::long_date).unwrap_or_default(),
                        category: i.category.as_deref(),
                        raised_by: i.raised_by.as_deref(),
                        risk: row.risk_label.clone().unwrap_or_default(),
                        risk_note: row.risk_note.as_ref().map(|n| n.text),
                        statement: &i.statement,
                        notes: texts(&row.notes),
                        impacts_intro: i.impacts_intro.as_deref(),
                        impacts: &i.impacts,
                        impact: i.impact,
                        mitigations: mitigations(&i.mitigations),
                        rag: rag(i.rag),
                    }
                })
                .collect(),
            classification_heading: l.classification_heading(),
            levels: s
                .impact_scale
                .iter()
                .map(|l| format!("{} ({})", l.label, l.level))
                .collect(),
            classification: s
                .classification
                .categories
                .iter()
                .map(|c| CategoryData {
                    name: &c.name,
                    cells: c.cells.iter().map(|c| c.as_deref().unwrap_or("")).collect(),
                })
                .collect(),
        }
    }
}

//! The paper as Markdown, for wikis and email: GitHub-flavoured tables for the appendices,
//! amendments as inline `<del>`/`<ins>` (which CommonMark passes through as HTML), italics
//! for mitigations still to be done and a bold "New:" where colour is not available.

use std::fmt::Write as _;

use riskreg_domain::diff::Segment;
use riskreg_domain::view::MitigationView;

use crate::escape::markdown as md;
use crate::layout::{self, Footnote, Layout};
use crate::model::Paper;

/// Renders the paper as Markdown.
pub fn render_markdown(paper: &Paper) -> String {
    let l = Layout::new(paper);
    let mut out = String::with_capacity(32 * 1024);
    let o = &mut out;
    let _ = writeln!(o, "# {}\n", md(&paper.title));
    if !paper.draft_notes.is_empty() {
        let _ = writeln!(o, "> **{}**\n>", l.draft_heading());
        for note in &paper.draft_notes {
            let _ = writeln!(o, "> - {}", md(note));
        }
        o.push('\n');
    }

    let _ = writeln!(o, "## 1. Purpose\n");
    paragraphs(o, &paper.purpose);

    let _ = writeln!(o, "## 2. {} Risk Update\n", md(&paper.body));
    let _ = writeln!(o, "### 2.1 Updates to existing risks\n");
    if paper.amendments.is_empty() {
        let _ = writeln!(o, "{}\n", l.no_amendments_sentence());
    }
    for a in &paper.amendments {
        let _ = writeln!(o, "#### {} Risk {}\n", md(&paper.body), a.risk);
        paragraphs(o, &a.narrative);
    }
    if let Some(sentence) = l.amendments_sentence() {
        let _ = writeln!(o, "{sentence}\n");
        let _ = writeln!(o, "| Risk # | Risk Description |\n|:---:|---|");
        for a in &paper.amendments {
            let mut cell = tracked(&a.statement);
            for c in &a.consequences {
                let _ = write!(cell, "<br>• {}", tracked(c));
            }
            if !a.scores.is_empty() {
                let scores: Vec<String> = a
                    .scores
                    .iter()
                    .map(|s| format!("{}: <del>{}</del> <ins>{}</ins>", s.label(), s.old_text(), s.new_text()))
                    .collect();
                let _ = write!(cell, "<br>{}", scores.join("; "));
            }
            let _ = writeln!(o, "| {} | {cell} |", a.risk);
        }
        let _ = writeln!(o, "\n*{}*\n", l.amendments_caption().unwrap_or_default());
    }

    let plural = if paper.new_risks.len() == 1 { "" } else { "s" };
    let _ = writeln!(o, "### 2.2 Proposed New risk{plural}\n");
    if paper.new_risks.is_empty() {
        let _ = writeln!(o, "{}\n", l.no_new_risks_sentence());
    }
    for n in &paper.new_risks {
        let _ = writeln!(o, "#### {} Risk {}\n", md(&paper.body), n.risk);
        paragraphs(o, &n.narrative);
        let _ = writeln!(o, "{}\n", l.new_risk_sentence(n.risk));
    }

    let _ = writeln!(o, "## 3. {} Risk Matrix\n", md(&paper.body));
    let _ = writeln!(o, "{}\n", md(&l.matrix_sentence()));
    matrix(o, paper);
    let _ = writeln!(o, "*{}*\n", md(&l.figure_caption()));

    let _ = writeln!(o, "## 4. {} Issue Update\n", md(&paper.body));
    if paper.issue_updates.is_empty() {
        let _ = writeln!(o, "{}\n", l.no_issue_updates_sentence());
    }
    for (i, u) in paper.issue_updates.iter().enumerate() {
        let kind = if u.new { "New" } else { "Existing" };
        let _ = writeln!(o, "### 4.{} {kind} Issue {}\n", i + 1, u.issue);
        paragraphs(o, &u.narrative);
    }

    let _ = writeln!(o, "## 5. Recommendations\n");
    let _ = writeln!(o, "{}\n", md(&l.recommendations_intro()));
    let n = paper.recommendations.len();
    for (i, r) in paper.recommendations.iter().enumerate() {
        let tail = layout::recommendation_tail(i, n);
        let _ = writeln!(o, "- **{}** {}{tail}", md(&r.verb), md(&r.text));
    }
    let _ = writeln!(
        o,
        "\n{}  \n{}  \n{}\n",
        md(&paper.author),
        md(&paper.team),
        layout::long_date(paper.date)
    );

    appendix_a(o, &l);
    appendix_b(o, &l);
    appendix_c(o, paper, &l);
    out
}

fn paragraphs(o: &mut String, paras: &[String]) {
    for p in paras {
        let _ = writeln!(o, "{}\n", md(p));
    }
}

fn tracked(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Equal(t) => md(t),
            Segment::Delete(t) => format!("<del>{}</del>", md(t)),
            Segment::Insert(t) => format!("<ins>{}</ins>", md(t)),
        })
        .collect()
}

/// Figure 1 as a table: likelihood rows from the top, impact columns, numbers in cells.
fn matrix(o: &mut String, paper: &Paper) {
    let map = crate::heatmap::HeatMap::new(paper);
    let s = &paper.settings;
    let _ = write!(o, "| Likelihood \\ Impact |");
    for i in 1..=map.impact_levels {
        let _ = write!(o, " {i} {} |", md(s.impact_label(i).unwrap_or("")));
    }
    let _ = write!(o, "\n|---|");
    for _ in 1..=map.impact_levels {
        let _ = write!(o, ":---:|");
    }
    o.push('\n');
    for l in (1..=map.likelihood_levels).rev() {
        let _ = write!(o, "| **{l} {}** |", md(s.likelihood_label(l).unwrap_or("")));
        for i in 1..=map.impact_levels {
            let numbers = map.cell(i, l).map(|c| c.label(40)).unwrap_or_default();
            let _ = write!(o, " {numbers} |");
        }
        o.push('\n');
    }
    o.push('\n');
}

fn notes(markers: &[Footnote<'_>]) -> String {
    markers.iter().map(|n| format!("[^{}]", n.number)).collect()
}

fn mitigations(list: &[MitigationView]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|m| {
            let mut text = md(&m.text);
            for s in &m.sub_items {
                let _ = write!(text, "<br>&nbsp;&nbsp;◦ {}", md(s));
            }
            if m.state.is_open() {
                text = format!("*{text}*");
            }
            if m.new {
                text = format!("**New:** {text}");
            }
            format!("• {text}")
        })
        .collect();
    items.join("<br>")
}

fn appendix_a(o: &mut String, l: &Layout<'_>) {
    let levels = &l.paper.settings;
    let _ = writeln!(o, "## {}\n", md(&l.risks_heading()));
    let _ = writeln!(o, "{}\n", md(&l.risks_intro()));
    let _ = writeln!(
        o,
        "| # | There is a risk that… | Impact (1-{}) | Likelihood (1-{}) | Severity | Mitigation *(planned and/or ongoing actions in italics)* | RAG Status |",
        levels.impact_levels(),
        levels.likelihood_levels()
    );
    let _ = writeln!(o, "|:---:|---|:---:|:---:|:---:|---|:---:|");
    for row in &l.risks {
        let r = &row.entry.risk;
        let mut statement = format!("{}{}", md(&r.statement), notes(&row.notes));
        for c in &r.consequences {
            let _ = write!(statement, "<br>• {}", md(c));
        }
        let _ = writeln!(
            o,
            "| {} | {statement} | {} | {} | {} | {} | {} |",
            r.number,
            r.impact,
            r.likelihood,
            layout::severity_text(row.entry),
            mitigations(&r.mitigations),
            r.rag
        );
    }
    let _ = writeln!(o, "\n*{}*\n", md(&l.risks_caption()));
    for n in l.risks.iter().flat_map(|r| &r.notes) {
        let _ = writeln!(o, "[^{}]: {}\n", n.number, md(n.text));
    }
}

fn appendix_b(o: &mut String, l: &Layout<'_>) {
    let _ = writeln!(o, "## {}\n", md(&l.issues_heading()));
    let _ = writeln!(o, "{}\n", md(&l.issues_intro()));
    let _ = writeln!(
        o,
        "| Issue No. | Date Raised | Issue Category | Associated Risk No. | There is an Issue that… | The Impacts of the Issues are… | Impact (1-{}) | Mitigation and Actions Required *(planned actions in italics)* | RAG Status |",
        l.paper.settings.impact_levels()
    );
    let _ = writeln!(o, "|:---:|---|---|:---:|---|---|:---:|---|:---:|");
    for row in &l.issues {
        let i = &row.entry.issue;
        let mut category = i.category.as_deref().map(md).unwrap_or_default();
        if let Some(by) = &i.raised_by {
            let _ = write!(category, "<br>{}", md(by));
        }
        let risk = format!(
            "{}{}",
            row.risk_label.as_deref().map(md).unwrap_or_default(),
            notes(row.risk_note.as_slice())
        );
        let mut impacts = i.impacts_intro.as_deref().map(md).unwrap_or_default();
        for c in &i.impacts {
            if !impacts.is_empty() {
                impacts.push_str("<br>");
            }
            let _ = write!(impacts, "• {}", md(c));
        }
        let _ = writeln!(
            o,
            "| {} | {} | {category} | {risk} | {}{} | {impacts} | {} | {} | {} |",
            i.number,
            i.raised_on.map(layout::long_date).unwrap_or_default(),
            md(&i.statement),
            notes(&row.notes),
            i.impact,
            mitigations(&i.mitigations),
            i.rag
        );
    }
    let _ = writeln!(o, "\n*{}*\n", md(&l.issues_caption()));
    for row in &l.issues {
        for n in row.risk_note.iter().chain(&row.notes) {
            let _ = writeln!(o, "[^{}]: {}\n", n.number, md(n.text));
        }
    }
}

fn appendix_c(o: &mut String, paper: &Paper, l: &Layout<'_>) {
    let s = &paper.settings;
    let _ = writeln!(o, "## {}\n", md(&l.classification_heading()));
    let _ = write!(o, "| Category |");
    for level in &s.impact_scale {
        let _ = write!(o, " {} ({}) |", md(&level.label), level.level);
    }
    let _ = write!(o, "\n|---|");
    for _ in &s.impact_scale {
        let _ = write!(o, "---|");
    }
    o.push('\n');
    for c in &s.classification.categories {
        let _ = write!(o, "| **{}** |", md(&c.name));
        for cell in &c.cells {
            let _ = write!(o, " {} |", cell.as_deref().map(md).unwrap_or_default());
        }
        o.push('\n');
    }
}

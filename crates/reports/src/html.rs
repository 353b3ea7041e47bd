//! The paper as one self-contained, print-ready HTML file: inline CSS (A4, appendices on
//! A4 landscape pages), Figure 1 as inline SVG, amendments as `<del>`/`<ins>`. The askama
//! template escapes every piece of register text; only the figure, which `heatmap`
//! escapes itself, goes in unescaped.

use askama::Template;
use chrono::NaiveDate;
use riskreg_domain::Rag;
use riskreg_domain::diff::Segment;

use crate::Error;
use crate::heatmap;
use crate::layout::{self, Footnote, Layout, rag_colour, text_on};
use crate::model::Paper;

#[derive(Template)]
#[template(path = "paper.html")]
struct Page<'a> {
    p: &'a Paper,
    l: &'a Layout<'a>,
    date: String,
    /// The page header's text as a CSS string literal.
    title_css: String,
    figure: String,
    amendments_caption: String,
    impact_range: String,
    likelihood_range: String,
    risk_notes: Vec<&'a Footnote<'a>>,
    issue_notes: Vec<&'a Footnote<'a>>,
}

impl Page<'_> {
    fn tail(&self, i: usize) -> &'static str {
        layout::recommendation_tail(i, self.p.recommendations.len())
    }

    fn date(&self, date: &Option<NaiveDate>) -> String {
        date.map(layout::long_date).unwrap_or_default()
    }

    fn rag_style(&self, rag: &Rag) -> String {
        let bg = rag_colour(*rag);
        format!("background:{bg};color:{}", text_on(bg))
    }
}

/// Renders the paper as one HTML file.
pub fn render_html(paper: &Paper) -> Result<String, Error> {
    let l = Layout::new(paper);
    let risk_notes = l.risks.iter().flat_map(|r| &r.notes).collect();
    let issue_notes = l
        .issues
        .iter()
        .flat_map(|r| r.risk_note.iter().chain(&r.notes))
        .collect();
    let page = Page {
        p: paper,
        l: &l,
        date: layout::long_date(paper.date),
        title_css: css_string(&paper.title),
        figure: heatmap::svg(paper),
        amendments_caption: l.amendments_caption().unwrap_or_default(),
        impact_range: format!("(1-{})", paper.settings.impact_levels()),
        likelihood_range: format!("(1-{})", paper.settings.likelihood_levels()),
        risk_notes,
        issue_notes,
    };
    Ok(page.render()?)
}

/// A CSS string literal holding `text`: quotes and backslashes escaped, and anything that
/// could close the `<style>` element or the string written as a hex escape.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | ',' | '&' | '(' | ')') {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", u32::from(c)));
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_strings_cannot_close_the_style_element() {
        assert_eq!(css_string("A \"B\""), r#""A \22 B\22 ""#);
        assert!(!css_string("</style>").contains('<'));
    }
}

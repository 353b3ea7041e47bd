//! The DOCX paper's appendices: the risk register, the issue register and the impact
//! classification, as fixed-width landscape tables whose header rows repeat on every page.
//! Mitigations are italic while they still need doing and red while they are new.

use docx_rs::{
    AlignmentType, BreakType, Footnote, Paragraph, Run, Shading, Table, TableCell, TableLayoutType, TableRow, WidthType,
};
use riskreg_domain::Rag;
use riskreg_domain::view::MitigationView;

use crate::docx::{ACCENT, Block, LANDSCAPE_WIDTH, TRACK, bullet, caption, cell_para, heading, para, small};
use crate::layout::{self, Footnote as Note, Layout, rag_colour, text_on};

pub(crate) fn appendices(l: &Layout<'_>) -> Vec<Block> {
    vec![
        // The landscape section starts on a new page already.
        Block::p(heading(&l.risks_heading(), 1)),
        Block::p(para(&l.risks_intro())),
        Block::t(risks_table(l)),
        Block::p(caption(&l.risks_caption())),
        Block::p(heading(&l.issues_heading(), 1).page_break_before(true)),
        Block::p(para(&l.issues_intro())),
        Block::t(issues_table(l)),
        Block::p(caption(&l.issues_caption())),
        Block::p(heading(&l.classification_heading(), 1).page_break_before(true)),
        Block::t(classification_table(l)),
    ]
}

/// A header cell: white bold on the paper's accent colour.
pub(crate) fn header_cell(text: &str, width: usize) -> TableCell {
    let mut p = Paragraph::new();
    for (i, line) in text.split('\n').enumerate() {
        let mut run = Run::new().bold().color("FFFFFF").size(17);
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        p = p.add_run(run.add_text(line));
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(Shading::new().fill(ACCENT))
        .add_paragraph(p)
}

fn header_row(titles: &[String], widths: &[usize]) -> TableRow {
    TableRow::new(titles.iter().zip(widths).map(|(t, w)| header_cell(t, *w)).collect()).cant_split()
}

fn text_cell(text: &str, width: usize, centred: bool) -> TableCell {
    let mut p = cell_para(vec![small(text)]);
    if centred {
        p = p.align(AlignmentType::Center);
    }
    TableCell::new().width(width, WidthType::Dxa).add_paragraph(p)
}

fn rag_cell(rag: Rag, width: usize) -> TableCell {
    let bg = rag_colour(rag);
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(Shading::new().fill(bg.trim_start_matches('#')))
        .add_paragraph(
            cell_para(vec![
                small(rag.as_str()).bold().color(text_on(bg).trim_start_matches('#')),
            ])
            .align(AlignmentType::Center),
        )
}

/// Footnote references for `notes`, as runs to follow the text they annotate.
fn note_runs(notes: &[Note<'_>]) -> Vec<Run> {
    notes
        .iter()
        .map(|n| {
            let content = Paragraph::new().add_run(Run::new().add_text(n.text).size(16));
            Run::new().add_footnote_reference(Footnote::new().add_content(content))
        })
        .collect()
}

fn mitigation_paragraphs(list: &[MitigationView]) -> Vec<Paragraph> {
    let mut out = Vec::new();
    for m in list {
        let styled = |text: &str| {
            let mut run = small(text);
            if m.state.is_open() {
                run = run.italic();
            }
            if m.new {
                run = run.color(TRACK);
            }
            run
        };
        out.push(bullet(vec![styled(&m.text)], 0));
        for s in &m.sub_items {
            out.push(bullet(vec![styled(s)], 1));
        }
    }
    out
}

fn cell_of(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    let cell = TableCell::new().width(width, WidthType::Dxa);
    if paragraphs.is_empty() {
        // A cell must hold at least one paragraph.
        return cell.add_paragraph(Paragraph::new());
    }
    paragraphs.into_iter().fold(cell, TableCell::add_paragraph)
}

fn table(rows: Vec<TableRow>, widths: &[usize]) -> Table {
    Table::new(rows)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(LANDSCAPE_WIDTH, WidthType::Dxa)
}

fn risks_table(l: &Layout<'_>) -> Table {
    let s = &l.paper.settings;
    let widths = [500, 4000, 850, 1150, 1000, 5870, 1200];
    let titles = [
        "#".to_owned(),
        "There is a risk that…".to_owned(),
        format!("Impact\n(1-{})", s.impact_levels()),
        format!("Likelihood\n(1-{})", s.likelihood_levels()),
        "Severity".to_owned(),
        "Mitigation\n(Planned and/or ongoing actions in italics)".to_owned(),
        "RAG\nStatus".to_owned(),
    ];
    let mut rows = vec![header_row(&titles, &widths)];
    for row in &l.risks {
        let r = &row.entry.risk;
        let mut statement = vec![small(&r.statement)];
        statement.extend(note_runs(&row.notes));
        let mut paragraphs = vec![cell_para(statement)];
        paragraphs.extend(r.consequences.iter().map(|c| bullet(vec![small(c)], 0)));
        rows.push(TableRow::new(vec![
            text_cell(&r.number.to_string(), widths[0], true),
            cell_of(paragraphs, widths[1]),
            text_cell(&r.impact.to_string(), widths[2], true),
            text_cell(&r.likelihood.to_string(), widths[3], true),
            text_cell(&layout::severity_text(row.entry), widths[4], true),
            cell_of(mitigation_paragraphs(&r.mitigations), widths[5]),
            rag_cell(r.rag, widths[6]),
        ]));
    }
    table(rows, &widths)
}

fn issues_table(l: &Layout<'_>) -> Table {
    let widths = [700, 1100, 1300, 1100, 2500, 2600, 800, 3370, 1100];
    let titles = [
        "Issue\nNo.".to_owned(),
        "Date\nRaised".to_owned(),
        "Issue\nCategory".to_owned(),
        "Associated\nRisk No.".to_owned(),
        "There is an Issue that…".to_owned(),
        "The Impacts of the Issues are…".to_owned(),
        format!("Impact\n(1-{})", l.paper.settings.impact_levels()),
        "Mitigation and Actions Required\n(Planned actions in italics)".to_owned(),
        "RAG\nStatus".to_owned(),
    ];
    let mut rows = vec![header_row(&titles, &widths)];
    for row in &l.issues {
        let i = &row.entry.issue;
        let mut category = Vec::new();
        if let Some(c) = &i.category {
            category.push(cell_para(vec![small(c)]));
        }
        if let Some(by) = &i.raised_by {
            category.push(cell_para(vec![small(by)]));
        }
        let mut risk = vec![small(row.risk_label.as_deref().unwrap_or(""))];
        risk.extend(note_runs(row.risk_note.as_slice()));
        let mut statement = vec![small(&i.statement)];
        statement.extend(note_runs(&row.notes));
        let mut impacts = Vec::new();
        if let Some(intro) = &i.impacts_intro {
            impacts.push(cell_para(vec![small(intro)]));
        }
        impacts.extend(i.impacts.iter().map(|c| bullet(vec![small(c)], 0)));
        rows.push(TableRow::new(vec![
            text_cell(&i.number.to_string(), widths[0], true),
            text_cell(
                &i.raised_on.map(layout::long_date).unwrap_or_default(),
                widths[1],
                false,
            ),
            cell_of(category, widths[2]),
            cell_of(vec![cell_para(risk).align(AlignmentType::Center)], widths[3]),
            cell_of(vec![cell_para(statement)], widths[4]),
            cell_of(impacts, widths[5]),
            text_cell(&i.impact.to_string(), widths[6], true),
            cell_of(mitigation_paragraphs(&i.mitigations), widths[7]),
            rag_cell(i.rag, widths[8]),
        ]));
    }
    table(rows, &widths)
}

fn classification_table(l: &Layout<'_>) -> Table {
    let s = &l.paper.settings;
    let levels = s.impact_scale.len().max(1);
    let first = 2070;
    let each = (LANDSCAPE_WIDTH - first) / levels;
    let mut widths = vec![first];
    widths.extend(std::iter::repeat_n(each, levels));
    let mut titles = vec!["Category".to_owned()];
    titles.extend(
        s.impact_scale
            .iter()
            .map(|level| format!("{} ({})", level.label, level.level)),
    );
    let mut rows = vec![header_row(&titles, &widths)];
    for c in &s.classification.categories {
        let mut cells = vec![cell_of(vec![cell_para(vec![small(&c.name).bold()])], widths[0])];
        for (n, cell) in c.cells.iter().enumerate() {
            let width = widths.get(n + 1).copied().unwrap_or(each);
            cells.push(text_cell(cell.as_deref().unwrap_or(""), width, false));
        }
        rows.push(TableRow::new(cells));
    }
    table(rows, &widths)
}

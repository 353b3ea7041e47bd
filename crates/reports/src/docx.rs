//! The paper as a Word document. Amendments are real Word revisions (`w:ins`/`w:del` with
//! the paper's author and date) so the committee can accept or reject them; the body is an
//! A4 portrait section and the appendices an A4 landscape one; tables repeat their header
//! rows on every page; Figure 1 is embedded as a PNG, since Word documents cannot rely on
//! SVG. The appendix tables are built in `docx_tables`.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Delete, Docx, Footer, Header, IndentLevel, Insert, Level, LevelJc,
    LevelText, LineSpacing, NumPages, NumberFormat, Numbering, NumberingId, PageMargin, PageNum, PageOrientationType,
    Paragraph, Pic, Run, RunFonts, RunProperty, Section, SpecialIndentType, Start, Style, StyleType, Table, TableCell,
    TableLayoutType, TableRow, VertAlignType, WidthType,
};
use riskreg_domain::diff::Segment;

use crate::Error;
use crate::docx_tables::{self, header_cell};
use crate::heatmap;
use crate::layout::{self, Layout};
use crate::model::Paper;

/// A4 in twentieths of a point.
const A4_SHORT: u32 = 11906;
const A4_LONG: u32 = 16838;
/// 2 cm margins all round.
const MARGIN: i32 = 1134;
pub(crate) const PORTRAIT_WIDTH: usize = (A4_SHORT as usize) - 2 * (MARGIN as usize);
pub(crate) const LANDSCAPE_WIDTH: usize = (A4_LONG as usize) - 2 * (MARGIN as usize);
pub(crate) const ACCENT: &str = "1F3864";
pub(crate) const TRACK: &str = "C00000";
/// The numbering definition used for every bullet list (docx-rs reserves 1 for its own
/// decimal list).
pub(crate) const BULLETS: usize = 2;
const FONT: &str = "Arial";

/// Renders the paper as a DOCX file.
pub fn render_docx(paper: &Paper) -> Result<Vec<u8>, Error> {
    let l = Layout::new(paper);
    let figure = heatmap::png(paper, 2.0)?;

    let mut body = Section::new()
        .page_size(docx_rs::PageSize::new().width(A4_SHORT).height(A4_LONG))
        .page_margin(margins())
        .header(header(paper))
        .footer(footer());
    for p in title(paper) {
        body = body.add_paragraph(p);
    }
    if !paper.draft_notes.is_empty() {
        body = body.add_paragraph(
            Paragraph::new()
                .keep_next(true)
                .add_run(Run::new().add_text(l.draft_heading()).bold().color(TRACK)),
        );
        for note in &paper.draft_notes {
            body = body.add_paragraph(bullet(vec![Run::new().add_text(note).color(TRACK)], 0));
        }
    }
    for block in main_sections(&l, figure) {
        body = match block {
            Block::P(p) => body.add_paragraph(*p),
            Block::T(t) => body.add_table(*t),
        };
    }

    let mut docx = Docx::new()
        .default_fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(20)
        .add_style(heading_style("Heading1", "heading 1", 28, 0))
        .add_style(heading_style("Heading2", "heading 2", 24, 1))
        .add_style(heading_style("Heading3", "heading 3", 21, 2))
        .add_style(footnote_reference_style())
        .add_abstract_numbering(bullets())
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .add_section(body);
    for block in docx_tables::appendices(&l) {
        docx = match block {
            Block::P(p) => docx.add_paragraph(*p),
            Block::T(t) => docx.add_table(*t),
        };
    }
    let docx = docx
        .page_size(A4_LONG, A4_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(margins())
        .header(header(paper))
        .footer(footer())
        .created_at(&format!("{}T00:00:00Z", paper.date))
        .updated_at(&format!("{}T00:00:00Z", paper.date));

    let mut xml = docx.build();
    xml.document = repeat_header_rows(&xml.document);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| Error::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// A piece of body content, in order.
pub(crate) enum Block {
    P(Box<Paragraph>),
    T(Box<Table>),
}

impl Block {
    pub(crate) fn p(p: Paragraph) -> Self {
        Self::P(Box::new(p))
    }

    pub(crate) fn t(t: Table) -> Self {
        Self::T(Box::new(t))
    }
}

/// docx-rs cannot mark a row as a header row, so header rows are built with `cantSplit`
/// (which no other row uses) and given `w:tblHeader` here: Word and LibreOffice then
/// repeat them at the top of every page the table runs onto.
fn repeat_header_rows(document: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(document)
        .replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .into_bytes()
}

fn margins() -> PageMargin {
    PageMargin::new()
        .top(MARGIN)
        .bottom(MARGIN)
        .left(MARGIN)
        .right(MARGIN)
        .header(567)
        .footer(567)
}

fn header(paper: &Paper) -> Header {
    Header::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(&paper.title).size(16).color("555555")),
    )
}

fn footer() -> Footer {
    let small = |t: &str| Run::new().add_text(t).size(16).color("555555");
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(small("Page "))
            .add_page_num(PageNum::new())
            .add_run(small(" of "))
            .add_num_pages(NumPages::new()),
    )
}

fn heading_style(id: &str, name: &str, size: usize, level: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .bold()
        .size(size)
        .color(ACCENT)
        .outline_lvl(level)
        .line_spacing(LineSpacing::new().before(240).after(100))
}

/// docx-rs marks footnote references with this style; Word needs it defined to raise them.
fn footnote_reference_style() -> Style {
    let mut style = Style::new("FootnoteReference", StyleType::Character).name("footnote reference");
    style.run_property = RunProperty::new().vert_align(VertAlignType::SuperScript);
    style
}

fn bullets() -> AbstractNumbering {
    let level = |n: usize, symbol: &str, left: i32| {
        Level::new(
            n,
            Start::new(1),
            NumberFormat::new("bullet"),
            LevelText::new(symbol),
            LevelJc::new("left"),
        )
        .indent(Some(left), Some(SpecialIndentType::Hanging(284)), None, None)
    };
    AbstractNumbering::new(BULLETS)
        .add_level(level(0, "•", 284))
        .add_level(level(1, "◦", 568))
}

pub(crate) fn heading(text: &str, level: usize) -> Paragraph {
    Paragraph::new()
        .style(&format!("Heading{level}"))
        .keep_next(true)
        .add_run(Run::new().add_text(text))
}

pub(crate) fn para(text: &str) -> Paragraph {
    Paragraph::new()
        .line_spacing(LineSpacing::new().after(120))
        .add_run(lines(Run::new(), text))
}

/// Adds `text` to a run, turning its line breaks into Word's: a newline inside `w:t` is
/// read as a space.
pub(crate) fn lines(mut run: Run, text: &str) -> Run {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

/// A paragraph inside a table cell: tighter spacing, smaller type.
pub(crate) fn cell_para(runs: Vec<Run>) -> Paragraph {
    runs.into_iter()
        .fold(Paragraph::new().line_spacing(LineSpacing::new().after(40)), |p, r| {
            p.add_run(r)
        })
}

pub(crate) fn small(text: &str) -> Run {
    lines(Run::new().size(17), text)
}

/// A bullet in a table cell, at `level` 0 or 1.
pub(crate) fn bullet(runs: Vec<Run>, level: usize) -> Paragraph {
    cell_para(runs).numbering(NumberingId::new(BULLETS), IndentLevel::new(level))
}

fn title(paper: &Paper) -> Vec<Paragraph> {
    vec![
        Paragraph::new().add_run(Run::new().add_text(paper.body.to_uppercase()).size(18).color("555555")),
        Paragraph::new()
            .line_spacing(LineSpacing::new().after(240))
            .add_run(Run::new().add_text(&paper.title).bold().size(36).color(ACCENT)),
    ]
}

fn main_sections(l: &Layout<'_>, figure: heatmap::Png) -> Vec<Block> {
    let paper = l.paper;
    let mut out = vec![Block::p(heading("1. Purpose", 1))];
    out.extend(paper.purpose.iter().map(|p| Block::p(para(p))));

    out.push(Block::p(heading(&format!("2. {} Risk Update", paper.body), 1)));
    out.push(Block::p(heading("2.1 Updates to existing risks", 2)));
    if paper.amendments.is_empty() {
        out.push(Block::p(para(l.no_amendments_sentence())));
    }
    for a in &paper.amendments {
        out.push(Block::p(heading(&format!("{} Risk {}", paper.body, a.risk), 3)));
        out.extend(a.narrative.iter().map(|p| Block::p(para(p))));
    }
    if let Some(sentence) = l.amendments_sentence() {
        out.push(Block::p(para(&sentence)));
        out.push(Block::t(amendments_table(l)));
        out.push(Block::p(caption(&l.amendments_caption().unwrap_or_default())));
    }

    let plural = if paper.new_risks.len() == 1 { "" } else { "s" };
    out.push(Block::p(heading(&format!("2.2 Proposed New risk{plural}"), 2)));
    if paper.new_risks.is_empty() {
        out.push(Block::p(para(l.no_new_risks_sentence())));
    }
    for n in &paper.new_risks {
        out.push(Block::p(heading(&format!("{} Risk {}", paper.body, n.risk), 3)));
        out.extend(n.narrative.iter().map(|p| Block::p(para(p))));
        out.push(Block::p(para(&l.new_risk_sentence(n.risk))));
    }

    out.push(Block::p(heading(&format!("3. {} Risk Matrix", paper.body), 1)));
    out.push(Block::p(para(&l.matrix_sentence())));
    // 16 cm wide, the height in proportion; EMU are 360,000 to the centimetre.
    let width_emu: u32 = 16 * 360_000;
    let height_emu = (u64::from(width_emu) * u64::from(figure.height) / u64::from(figure.width.max(1))) as u32;
    let pic = Pic::new_with_dimensions(figure.data, figure.width, figure.height).size(width_emu, height_emu);
    out.push(Block::p(
        Paragraph::new()
            .align(AlignmentType::Center)
            .keep_next(true)
            .add_run(Run::new().add_image(pic)),
    ));
    out.push(Block::p(caption(&l.figure_caption())));

    out.push(Block::p(heading(&format!("4. {} Issue Update", paper.body), 1)));
    if paper.issue_updates.is_empty() {
        out.push(Block::p(para(l.no_issue_updates_sentence())));
    }
    for (i, u) in paper.issue_updates.iter().enumerate() {
        let kind = if u.new { "New" } else { "Existing" };
        out.push(Block::p(heading(&format!("4.{} {kind} Issue {}", i + 1, u.issue), 2)));
        out.extend(u.narrative.iter().map(|p| Block::p(para(p))));
    }

    out.push(Block::p(heading("5. Recommendations", 1)));
    out.push(Block::p(para(&l.recommendations_intro())));
    let n = paper.recommendations.len();
    for (i, r) in paper.recommendations.iter().enumerate() {
        let tail = layout::recommendation_tail(i, n);
        out.push(Block::p(
            Paragraph::new()
                .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                .line_spacing(LineSpacing::new().after(80))
                .add_run(Run::new().add_text(&r.verb).bold())
                .add_run(Run::new().add_text(format!(" {}{tail}", r.text))),
        ));
    }
    let mut signature = Paragraph::new().line_spacing(LineSpacing::new().before(480));
    for (i, line) in [paper.author.clone(), paper.team.clone(), layout::long_date(paper.date)]
        .into_iter()
        .enumerate()
    {
        let mut run = Run::new();
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        signature = signature.add_run(run.add_text(line));
    }
    out.push(Block::p(signature));
    out
}

pub(crate) fn caption(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(60).after(200))
        .add_run(Run::new().add_text(text).bold().size(18))
}

/// Table 1: each amended risk's statement and consequences as Word revisions.
fn amendments_table(l: &Layout<'_>) -> Table {
    let paper = l.paper;
    let author = paper.author.as_str();
    let date = format!("{}T00:00:00Z", paper.date);
    let widths = [1000, PORTRAIT_WIDTH - 1000];
    let mut rows = vec![
        TableRow::new(vec![
            header_cell("Risk #", widths[0]),
            header_cell("Risk Description", widths[1]),
        ])
        .cant_split(),
    ];
    for a in &paper.amendments {
        let mut cell = TableCell::new().width(widths[1], WidthType::Dxa).add_paragraph(tracked(
            &a.statement,
            author,
            &date,
            Paragraph::new(),
        ));
        for c in &a.consequences {
            let p = Paragraph::new()
                .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                .line_spacing(LineSpacing::new().after(40));
            cell = cell.add_paragraph(tracked(c, author, &date, p));
        }
        if !a.scores.is_empty() {
            let mut p = Paragraph::new().line_spacing(LineSpacing::new().before(80));
            for (i, s) in a.scores.iter().enumerate() {
                let sep = if i == 0 { "" } else { "; " };
                p = p.add_run(Run::new().add_text(format!("{sep}{}: ", s.label())));
                p = revision(p, &Segment::Delete(s.old_text()), author, &date);
                p = p.add_run(Run::new().add_text(" "));
                p = revision(p, &Segment::Insert(s.new_text()), author, &date);
            }
            cell = cell.add_paragraph(p);
        }
        rows.push(TableRow::new(vec![
            TableCell::new().width(widths[0], WidthType::Dxa).add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text(a.risk.to_string()).bold()),
            ),
            cell,
        ]));
    }
    Table::new(rows)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(PORTRAIT_WIDTH, WidthType::Dxa)
}

fn tracked(segments: &[Segment], author: &str, date: &str, p: Paragraph) -> Paragraph {
    segments.iter().fold(p, |p, s| revision(p, s, author, date))
}

/// One diff segment as a run, or as a run inside a Word insertion or deletion.
fn revision(p: Paragraph, segment: &Segment, author: &str, date: &str) -> Paragraph {
    match segment {
        Segment::Equal(t) => p.add_run(Run::new().add_text(t)),
        Segment::Delete(t) => p.add_delete(
            Delete::new()
                .add_run(Run::new().add_delete_text(t))
                .author(author)
                .date(date),
        ),
        Segment::Insert(t) => p.add_insert(Insert::new(Run::new().add_text(t)).author(author).date(date)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_header_rows_repeat() {
        let xml = br#"<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr /></w:tr>"#;
        let out = String::from_utf8(repeat_header_rows(xml)).unwrap();
        assert_eq!(out.matches("<w:tblHeader />").count(), 1);
    }
}

//! The DOCX paper, unzipped and read as Word would read it.

// A test that cannot unwrap has failed: panicking is how it says so.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Cursor, Read};

use common::*;
use riskreg_reports::render_docx;

fn parts() -> (zip::ZipArchive<Cursor<Vec<u8>>>, String) {
    let bytes = render_docx(&demo_like()).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut document = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut document)
        .unwrap();
    (zip, document)
}

fn part(zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The text of every `w:t` (or `w:delText`) under each element named `name`.
fn revision_texts(xml: &str, name: &str, text: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, name)))
        .map(|n| {
            let t: String = n
                .descendants()
                .filter(|d| d.has_tag_name((W, text)))
                .filter_map(|d| d.text())
                .collect();
            let author = n.attribute((W, "author")).unwrap_or("").to_owned();
            let date = n.attribute((W, "date")).unwrap_or("").to_owned();
            (t, author, date)
        })
        .collect()
}

#[test]
fn risk_15s_amendment_is_a_word_revision() {
    let (_, document) = parts();
    let ins = revision_texts(&document, "ins", "t");
    let del = revision_texts(&document, "del", "delText");
    assert_eq!(
        ins,
        [(
            R15_INSERTED.to_owned(),
            "Kayla Reinhart".to_owned(),
            "2018-08-03T00:00:00Z".to_owned()
        )]
    );
    assert_eq!(
        del,
        [(
            R15_DELETED.to_owned(),
            "Kayla Reinhart".to_owned(),
            "2018-08-03T00:00:00Z".to_owned()
        )]
    );
}

#[test]
fn tables_repeat_their_header_rows() {
    let (_, document) = parts();
    let doc = roxmltree::Document::parse(&document).unwrap();
    let tables: Vec<_> = doc.descendants().filter(|n| n.has_tag_name((W, "tbl"))).collect();
    // Table 1, Appendix A, B and C.
    assert_eq!(tables.len(), 4);
    for t in &tables {
        let rows: Vec<_> = t.children().filter(|n| n.has_tag_name((W, "tr"))).collect();
        let header = |r: &roxmltree::Node| r.descendants().any(|n| n.has_tag_name((W, "tblHeader")));
        assert!(header(&rows[0]), "first row repeats");
        assert!(rows[1..].iter().all(|r| !header(r)), "only the first row repeats");
    }
    // Appendix A has a header row and 17 risks; Appendix C 10 categories.
    let count = |t: &roxmltree::Node| t.children().filter(|n| n.has_tag_name((W, "tr"))).count();
    assert_eq!(count(&tables[1]), 18);
    assert_eq!(count(&tables[2]), 3);
    assert_eq!(count(&tables[3]), 11);
}

#[test]
fn the_figure_is_embedded_and_the_appendices_are_landscape() {
    let (mut zip, document) = parts();
    let media: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with("word/media/") && !n.ends_with('/'))
        .map(str::to_owned)
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let mut png = Vec::new();
    zip.by_name(&media[0]).unwrap().read_to_end(&mut png).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(document.contains("<w:drawing>") || document.contains("<w:drawing "));
    assert!(document.contains("w:orient=\"landscape\""));
    // The body section is portrait A4, the final (appendix) section landscape A4.
    assert!(document.contains("w:w=\"11906\" w:h=\"16838\""));
    assert!(document.contains("w:w=\"16838\" w:h=\"11906\""));
    let rels = part(&mut zip, "word/_rels/document.xml.rels");
    assert!(rels.contains("media/"));
}

#[test]
fn footnotes_quote_closed_risk_2_and_risk_15s_escalation() {
    let (mut zip, document) = parts();
    let footnotes = part(&mut zip, "word/footnotes.xml");
    assert!(footnotes.contains("That has been subsequently escalated and added to the Panel Risk Register"));
    assert!(footnotes.contains("The progression of Modifications Proposals does not meet required timescales"));
    assert_eq!(document.matches("<w:footnoteReference").count(), 2);
}

#[test]
fn every_section_appendix_row_and_classification_cell_is_there() {
    let (_, document) = parts();
    let doc = roxmltree::Document::parse(&document).unwrap();
    let text: String = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "t")))
        .filter_map(|n| n.text())
        .collect();
    for needle in [
        "1. Purpose",
        "2. SEC Panel Risk Update",
        "2.1 Updates to existing risks",
        "2.2 Proposed New risk",
        "3. SEC Panel Risk Matrix",
        "Figure 1: SEC Panel Risks Matrix",
        "4. SEC Panel Issue Update",
        "5. Recommendations",
        "CONSIDER",
        " the approach to further assessing the SEC Panel Issue 2; and",
        "Appendix A - SEC Panel Risks",
        "Appendix B - SEC Panel Issue Register",
        "Appendix C - SEC Panel Risk and Issue Impact Classification",
        "Higher than anticipated customer resistance/apathy",
        "Kayla Reinhart",
        "3rd August 2018",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    let paper = demo_like();
    for category in &paper.settings.classification.categories {
        // A line break in a cell is a Word break between two runs of text.
        for line in category.cells.iter().flatten().flat_map(|c| c.lines()) {
            assert!(text.contains(line), "{line}");
        }
    }
}

#[test]
fn a_draft_docx_carries_its_notes() {
    let mut paper = demo_like();
    paper.draft_notes = vec!["PANEL-18: only unclear mitigations".into()];
    let bytes = render_docx(&paper).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let document = part(&mut zip, "word/document.xml");
    assert!(document.contains("Draft: to resolve before this paper is issued"));
    assert!(document.contains("PANEL-18: only unclear mitigations"));
}

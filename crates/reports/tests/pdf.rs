//! The PDF paper, read back as text.

// A test that cannot unwrap has failed: panicking is how it says so.
#![allow(clippy::unwrap_used)]
#![cfg(feature = "pdf")]

mod common;

use common::*;
use riskreg_reports::render_pdf;

fn pdf_text() -> (Vec<u8>, String) {
    let bytes = render_pdf(&demo_like()).unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    (bytes, text)
}

/// Text with all runs of whitespace made single spaces, as extraction breaks lines anywhere.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_has_the_seed_papers_content() {
    let (bytes, text) = pdf_text();
    assert!(bytes.starts_with(b"%PDF-"));
    let flat = squash(&text);
    for needle in [
        "1. Purpose",
        "2. SEC Panel Risk Update",
        "2.1 Updates to existing risks",
        "SEC Panel Risk 15",
        "Table 1: Amendments to existing risks",
        "2.2 Proposed New risk",
        "SEC Panel Risk 18",
        "3. SEC Panel Risk Matrix",
        "Figure 1: SEC Panel Risks Matrix",
        "4. SEC Panel Issue Update",
        "4.1 Existing Issue 2",
        "5. Recommendations",
        "CONSIDER the approach to further assessing the SEC Panel Issue 2; and",
        "AGREE the amendments to the SEC Panel Risk Register",
        "Appendix A - SEC Panel Risks",
        "Appendix B - SEC Panel Issue Register",
        "Appendix C - SEC Panel Risk and Issue Impact Classification",
        "Kayla Reinhart",
        "3rd August 2018",
        "That has been subsequently escalated and added to the Panel Risk Register",
        "The progression of Modifications Proposals does not meet required timescales",
    ] {
        assert!(flat.contains(needle), "missing {needle:?}");
    }
    assert!(flat.contains(&squash(R15_INSERTED)), "inserted text");
    assert!(flat.contains(&squash(R15_DELETED)), "deleted text");
}

#[test]
fn every_page_has_the_title_and_a_page_number() {
    let bytes = render_pdf(&demo_like()).unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes).unwrap();
    assert!(pages.len() >= 6, "{} pages", pages.len());
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let flat = squash(page);
        assert!(
            flat.contains("SEC Panel Risk and Issue Register Update"),
            "page {}",
            i + 1
        );
        assert!(
            flat.contains(&format!("Page {} of {n}", i + 1)),
            "page {}: {flat}",
            i + 1
        );
    }
}

#[test]
fn every_risk_and_classification_cell_is_in_the_pdf() {
    let (_, text) = pdf_text();
    let flat = squash(&text);
    let paper = demo_like();
    for e in &paper.risks {
        let start: String = e
            .risk
            .statement
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(&start), "risk {}: {start}", e.risk.number);
    }
    for category in &paper.settings.classification.categories {
        for cell in category.cells.iter().flatten() {
            let start: String = cell.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&start), "{cell}");
        }
    }
}

#[test]
fn fonts_are_embedded() {
    let (bytes, _) = pdf_text();
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(haystack.contains("LiberationSans"), "the paper's font is named");
    assert!(haystack.contains("/FontFile2") || haystack.contains("/FontFile3"));
}

#[test]
fn a_draft_pdf_carries_its_notes() {
    let mut paper = demo_like();
    paper.draft_notes = vec!["PANEL-18: only unclear mitigations".into()];
    let text = pdf_extract::extract_text_from_mem(&render_pdf(&paper).unwrap()).unwrap();
    let flat = squash(&text);
    assert!(flat.contains("Draft: to resolve before this paper is issued"));
    assert!(flat.contains("PANEL-18: only unclear mitigations"));
}

/// A register too long for one table, or for one part: the appendix is set as a run of
/// tables in two parts, and every risk is still listed once, in the appendix's order, with
/// its footnotes, sub-items and column headings.
#[test]
fn a_long_register_lists_every_risk_once_in_order() {
    let mut paper = demo_like();
    generate_risks(&mut paper, 1000);
    for e in paper.risks.iter_mut().filter(|e| e.risk.number % 40 == 0) {
        e.risk.footnotes = vec![format!("A note on generated risk {}.", e.risk.number)];
        e.risk.mitigations[0].sub_items = vec![format!("A step towards mitigating risk {}.", e.risk.number)];
    }
    let text = pdf_extract::extract_text_from_mem(&render_pdf(&paper).unwrap()).unwrap();
    let flat = squash(&text);

    let mut order: Vec<(u16, u32)> = paper.risks.iter().map(|e| (e.risk.severity, e.risk.number)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut previous = 0;
    for (_, number) in order {
        let needle = format!("Generated risk {number}:");
        assert_eq!(flat.matches(&needle).count(), 1, "risk {number} is listed once");
        let at = flat.find(&needle).unwrap();
        assert!(at > previous, "risk {number} is out of order");
        previous = at;
    }
    for number in [40, 520, 1000] {
        assert!(
            flat.contains(&format!("A note on generated risk {number}.")),
            "footnote on {number}"
        );
        assert!(
            flat.contains(&format!("A step towards mitigating risk {number}.")),
            "sub-item of {number}"
        );
    }
    // 1,000 rows make 42 tables, each opening with the column headings.
    assert!(flat.matches("There is a risk that…").count() >= 42);
}

#[test]
fn a_paper_sent_to_the_typesetter_as_json_comes_back_whole() {
    // `riskreg serve` typesets PDF in a child process, handing it the paper as JSON.
    let paper = demo_like();
    let json = serde_json::to_string(&paper).unwrap();
    let back: riskreg_reports::model::Paper = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    let text = |p| pdf_extract::extract_text_from_mem(&render_pdf(p).unwrap()).unwrap();
    assert_eq!(text(&back), pdf_text().1);
}

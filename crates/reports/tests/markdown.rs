//! The Markdown paper: a snapshot of the whole, and the points that matter checked by name.

// A test that cannot unwrap has failed: panicking is how it says so.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use riskreg_reports::render_markdown;

#[test]
fn the_seed_paper_in_markdown() {
    insta::assert_snapshot!(render_markdown(&demo_like()));
}

#[test]
fn tracked_changes_are_del_and_ins() {
    let md = render_markdown(&demo_like());
    let esc = |s: &str| s.replace('&', "&amp;");
    assert!(md.contains(&format!("<ins>{}</ins>", esc(R15_INSERTED))));
    assert!(md.contains(&format!("<del>{}</del>", esc(R15_DELETED))));
}

#[test]
fn sections_matrix_and_appendices() {
    let md = render_markdown(&demo_like());
    for heading in [
        "## 1. Purpose",
        "## 2. SEC Panel Risk Update",
        "### 2.1 Updates to existing risks",
        "### 2.2 Proposed New risk",
        "## 3. SEC Panel Risk Matrix",
        "## 4. SEC Panel Issue Update",
        "## 5. Recommendations",
        "## Appendix A - SEC Panel Risks",
        "## Appendix B - SEC Panel Issue Register",
        "## Appendix C - SEC Panel Risk and Issue Impact Classification",
    ] {
        assert!(md.lines().any(|l| l == heading), "{heading}");
    }
    // Figure 1 as a table: likelihood 4 row has Risk 1 under impact 3.
    let row4 = md.lines().find(|l| l.starts_with("| **4 Likely**")).unwrap();
    let cells: Vec<&str> = row4.split('|').map(str::trim).collect();
    assert_eq!(cells[4], "1");
    let row3 = md.lines().find(|l| l.starts_with("| **3 Possible**")).unwrap();
    assert!(row3.contains("3, 4, 5, 13, 15, 18"));
    // Appendix A in register order.
    let order: Vec<u32> = md
        .split("## Appendix A")
        .nth(1)
        .unwrap()
        .split("## Appendix B")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .map(|l| l.split('|').nth(1).unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(order, APPENDIX_A_ORDER);
    assert!(md.contains("- **CONSIDER** the approach to further assessing the SEC Panel Issue 2; and"));
    assert!(md.contains("[^2]: The progression of Modifications Proposals does not meet"));
}

#[test]
fn a_draft_lists_its_notes_in_a_quote() {
    let mut paper = demo_like();
    paper.draft_notes = vec!["PANEL-18: only unclear mitigations".into()];
    let md = render_markdown(&paper);
    assert!(
        md.contains("> **Draft: to resolve before this paper is issued**\n>\n> - PANEL-18: only unclear mitigations\n")
    );
    assert!(!render_markdown(&demo_like()).contains("Draft:"));
}

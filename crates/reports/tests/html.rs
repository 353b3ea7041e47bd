//! The HTML paper, read back through a DOM as a browser would.

// A test that cannot unwrap has failed: panicking is how it says so.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use riskreg_reports::render_html;
use scraper::{ElementRef, Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

fn texts(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s)).map(text).collect()
}

fn page() -> Html {
    Html::parse_document(&render_html(&demo_like()).unwrap())
}

#[test]
fn has_the_seed_papers_sections() {
    let doc = page();
    assert_eq!(
        texts(&doc, "head > title"),
        ["SEC Panel Risk and Issue Register Update"]
    );
    assert_eq!(
        texts(&doc, "section > h2"),
        [
            "1. Purpose",
            "2. SEC Panel Risk Update",
            "3. SEC Panel Risk Matrix",
            "4. SEC Panel Issue Update",
            "5. Recommendations",
            "Appendix A - SEC Panel Risks",
            "Appendix B - SEC Panel Issue Register",
            "Appendix C - SEC Panel Risk and Issue Impact Classification",
        ]
    );
    assert_eq!(
        texts(&doc, "h3"),
        [
            "2.1 Updates to existing risks",
            "2.2 Proposed New risk",
            "4.1 Existing Issue 2"
        ]
    );
    assert_eq!(texts(&doc, "h4"), ["SEC Panel Risk 15", "SEC Panel Risk 18"]);
    let body = text(doc.root_element());
    assert!(body.contains("The amendment made to Risk 15 is summarised in Table 1 below."));
    assert!(body.contains("set out in Appendix A as Risk 18."));
}

#[test]
fn table_1_shows_risk_15_as_tracked_changes() {
    let doc = page();
    let row = doc
        .select(&sel("table.amendments tr[data-risk=\"15\"]"))
        .next()
        .expect("Table 1 has a row for Risk 15");
    let ins: Vec<_> = row.select(&sel("ins")).map(text).collect();
    let del: Vec<_> = row.select(&sel("del")).map(text).collect();
    assert_eq!(ins, [R15_INSERTED]);
    assert_eq!(del, [R15_DELETED]);
    let statement = text(row.select(&sel("p.statement")).next().unwrap());
    assert!(statement.starts_with("The Security Sub-Committee (SSC) has identified a risk, that the DCC "));
    // The consequences are unchanged: bullets with no tracked changes.
    assert_eq!(row.select(&sel("li")).count(), 4);
    assert_eq!(texts(&doc, "caption")[0], "Table 1: Amendments to existing risks");
}

#[test]
fn figure_1_puts_every_risk_in_its_cell() {
    let doc = page();
    let cell = |i: u8, l: u8| {
        let s = format!("figure svg g.cell[data-impact=\"{i}\"][data-likelihood=\"{l}\"]");
        doc.select(&sel(&s)).next().unwrap_or_else(|| panic!("no cell {i}x{l}"))
    };
    assert_eq!(doc.select(&sel("figure svg g.cell")).count(), 25);
    assert_eq!(cell(3, 4).value().attr("data-risks"), Some("1"));
    assert_eq!(cell(1, 2).value().attr("data-risks"), Some("12"));
    assert_eq!(cell(3, 3).value().attr("data-risks"), Some("3 4 5 13 15 18"));
    let paper = demo_like();
    let mut placed = 0;
    for (number, impact, likelihood) in scores(&paper) {
        let c = cell(impact, likelihood);
        let risks: Vec<&str> = c.value().attr("data-risks").unwrap().split(' ').collect();
        assert!(risks.contains(&number.to_string().as_str()), "risk {number}");
        // The number is drawn, not just recorded.
        assert!(text(c).contains(&number.to_string()));
        placed += 1;
    }
    assert_eq!(placed, 17);
    // Cells are coloured by severity band: 12 is High, 2 is Low in the default settings.
    let fill = |i, l| {
        let c = cell(i, l);
        c.select(&sel("rect"))
            .next()
            .unwrap()
            .value()
            .attr("fill")
            .unwrap()
            .to_owned()
    };
    assert_eq!(fill(3, 4), "#ef6c00");
    assert_eq!(fill(1, 2), "#2e7d32");
    assert_eq!(texts(&doc, "figcaption"), ["Figure 1: SEC Panel Risks Matrix"]);
}

#[test]
fn appendix_a_lists_the_risks_by_severity() {
    let doc = page();
    let order: Vec<u32> = doc
        .select(&sel("#appendix-a tbody tr"))
        .map(|r| r.value().attr("data-risk").unwrap().parse().unwrap())
        .collect();
    assert_eq!(order, APPENDIX_A_ORDER);
    let row = |n: u32| {
        doc.select(&sel(&format!("#appendix-a tr[data-risk=\"{n}\"]")))
            .next()
            .unwrap()
    };
    let cells: Vec<String> = row(1).select(&sel("td")).map(|c| text(c).trim().to_owned()).collect();
    assert_eq!(cells[0], "1");
    assert!(cells[1].starts_with("The DCC are unable to deliver all the changes"));
    assert_eq!(&cells[2..5], ["3", "4", "12"]);
    assert_eq!(cells[6], "AMBER");
    let rag = row(1).select(&sel("td.rag")).next().unwrap();
    assert!(rag.value().attr("style").unwrap().contains("background:#ffc000"));
    // Risk 18 is new: its severity says so and its mitigation is red and italic.
    let r18 = row(18);
    assert_eq!(text(r18.select(&sel("td.severity")).next().unwrap()), "9new");
    let li = r18.select(&sel("li")).next().unwrap();
    assert_eq!(li.value().attr("class"), Some("open new"));
    // Risk 1's first mitigation is complete, its second ongoing.
    let classes: Vec<_> = row(1)
        .select(&sel("td > ul > li"))
        .map(|l| l.value().attr("class").unwrap_or("").to_owned())
        .collect();
    assert_eq!(classes, ["", "open"]);
    // Risk 15 carries its escalation footnote, numbered 1.
    let sup = text(row(15).select(&sel("sup.fn")).next().unwrap());
    assert_eq!(sup, "1");
    assert_eq!(
        texts(&doc, "#appendix-a ol.footnotes li"),
        ["That has been subsequently escalated and added to the Panel Risk Register"]
    );
    assert_eq!(texts(&doc, "#appendix-a caption"), ["Table 2: SEC Panel Risks"]);
}

#[test]
fn appendix_b_quotes_closed_risk_2_in_a_footnote() {
    let doc = page();
    let rows: Vec<_> = doc.select(&sel("#appendix-b tbody tr")).collect();
    assert_eq!(rows.len(), 2);
    let cells: Vec<String> = rows[0].select(&sel("td")).map(|c| text(c).trim().to_owned()).collect();
    assert_eq!(cells.len(), 9);
    assert_eq!(cells[0], "1");
    assert_eq!(cells[1], "14th July 2017");
    assert_eq!(cells[2], "Modification Process");
    assert_eq!(cells[3], "22", "risk 2 with footnote 2");
    assert!(cells[5].starts_with("That industry driven Modification Proposals"));
    assert_eq!(cells[8], "RED");
    let notes = texts(&doc, "#appendix-b ol.footnotes li");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].starts_with("The progression of Modifications Proposals does not meet"));
    let issue2: Vec<String> = rows[1].select(&sel("td")).map(|c| text(c).trim().to_owned()).collect();
    assert_eq!(issue2[0], "2");
    assert_eq!(issue2[3], "10");
}

#[test]
fn appendix_c_keeps_every_classification_cell() {
    let paper = demo_like();
    let doc = page();
    let heads = texts(&doc, "#appendix-c th");
    assert_eq!(
        heads,
        [
            "Category",
            "Negligible (1)",
            "Minor (2)",
            "Moderate (3)",
            "Serious (4)",
            "Major (5)"
        ]
    );
    let rows: Vec<_> = doc.select(&sel("#appendix-c tbody tr")).collect();
    let categories = &paper.settings.classification.categories;
    assert_eq!(rows.len(), categories.len());
    for (row, category) in rows.iter().zip(categories) {
        let cells: Vec<String> = row.select(&sel("td")).map(text).collect();
        assert_eq!(cells.len(), 6, "{}", category.name);
        assert_eq!(cells[0], category.name);
        for (cell, expected) in cells[1..].iter().zip(&category.cells) {
            assert_eq!(cell, expected.as_deref().unwrap_or(""));
        }
    }
}

#[test]
fn recommendations_and_signature() {
    let doc = page();
    assert_eq!(
        texts(&doc, "ul.recommendations li"),
        [
            "CONSIDER the approach to further assessing the SEC Panel Issue 2; and",
            "AGREE the amendments to the SEC Panel Risk Register"
        ]
    );
    let sig = text(doc.select(&sel("p.signature")).next().unwrap());
    assert_eq!(sig, "Kayla ReinhartSECAS Team3rd August 2018");
}

#[test]
fn register_text_is_escaped() {
    let mut paper = demo_like();
    let nasty = "<script>alert(1)</script> & \"quotes\" {{ not a template }}";
    paper.risks[0].risk.statement = nasty.into();
    paper.settings.impact_scale[0].label = "<b>Tiny</b>".into();
    paper.title = "Title\"; } body { display:none } </style><script>".into();
    let html = render_html(&paper).unwrap();
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    assert_eq!(doc.select(&sel("b")).count(), 0);
    let statement = doc.select(&sel("#appendix-a tr[data-risk=\"1\"] td p")).next().unwrap();
    assert_eq!(text(statement), nasty);
    assert!(html.contains("&lt;b&gt;Tiny&lt;/b&gt;"));
}

#[test]
fn appendices_print_on_landscape_pages() {
    let html = render_html(&demo_like()).unwrap();
    assert!(html.contains("@page appendix { size: A4 landscape;"));
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("section.appendix")).count(), 3);
}

#[test]
fn a_draft_shows_what_to_resolve_and_an_issued_paper_does_not() {
    assert_eq!(page().select(&sel("aside.draft")).count(), 0);
    let mut paper = demo_like();
    paper.draft_notes = vec![
        "PANEL-18: only unclear mitigations".into(),
        "PANEL-15 <worded as an issue>".into(),
    ];
    let doc = Html::parse_document(&render_html(&paper).unwrap());
    assert_eq!(
        texts(&doc, "aside.draft li"),
        ["PANEL-18: only unclear mitigations", "PANEL-15 <worded as an issue>"]
    );
}

//! Rendering for the terminal: readable tables (severity and RAG visible at a glance, in
//! colour when the terminal supports it), JSON in the published field names, and CSV.

use std::io::IsTerminal;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};
use riskreg_domain::view::{IssueView, MitigationView, RiskView};
use riskreg_domain::{Rag, Register, Settings};
use riskreg_store::Event;
use serde::Serialize;

/// Colour only on a terminal, and never when NO_COLOR is set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

pub fn table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !std::io::stdout().is_terminal() {
        t.set_width(160);
    }
    t
}

fn rag_cell(rag: Rag, color: bool) -> Cell {
    let cell = Cell::new(rag.as_str());
    if !color {
        return cell;
    }
    let c = match rag {
        Rag::Red => Color::Red,
        Rag::Amber => Color::Yellow,
        Rag::Green => Color::Green,
    };
    cell.fg(c).add_attribute(Attribute::Bold)
}

fn severity_cell(severity: u16, settings: &Settings, color: bool) -> Cell {
    let band = settings.band(severity);
    let text = match band {
        Some(b) => format!("{severity} {}", b.name),
        None => severity.to_string(),
    };
    let cell = Cell::new(text);
    match (color, band.and_then(|b| hex_rgb(&b.colour))) {
        (true, Some((r, g, b))) => cell.fg(Color::Rgb { r, g, b }).add_attribute(Attribute::Bold),
        _ => cell,
    }
}

fn hex_rgb(colour: &str) -> Option<(u8, u8, u8)> {
    let h = colour.strip_prefix('#')?;
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

fn mitigation_line(i: usize, m: &MitigationView) -> String {
    let mut line = format!(
        "{}. [{}{}] {}",
        i + 1,
        m.state.as_str(),
        if m.new { ", new" } else { "" },
        m.text
    );
    for sub in &m.sub_items {
        line.push_str(&format!("\n     - {sub}"));
    }
    line
}

pub fn risk_table(risks: &[RiskView], settings: &Settings) -> String {
    let color = use_color();
    let mut t = table();
    t.set_header([
        "Ref",
        "There is a risk that…",
        "I",
        "L",
        "Severity",
        "RAG",
        "Status",
        "Mitigations",
    ]);
    for r in risks {
        t.add_row(vec![
            Cell::new(&r.reference),
            Cell::new(&r.statement),
            Cell::new(r.impact),
            Cell::new(r.likelihood),
            severity_cell(r.severity, settings, color),
            rag_cell(r.rag, color),
            Cell::new(r.status.as_str()),
            Cell::new(r.mitigations.len()),
        ]);
    }
    format!("{t}\n{} risk{}\n", risks.len(), if risks.len() == 1 { "" } else { "s" })
}

pub fn risk_detail(r: &RiskView, settings: &Settings) -> String {
    let color = use_color();
    let mut t = table();
    let mut row = |k: &str, v: Cell| {
        t.add_row(vec![Cell::new(k).add_attribute(Attribute::Bold), v]);
    };
    row("Ref", Cell::new(&r.reference));
    if let Some(source) = &r.source_ref {
        row("Source ref", Cell::new(source));
    }
    row("Statement", Cell::new(&r.statement));
    if !r.consequences.is_empty() {
        row("Consequences", Cell::new(bullets(&r.consequences)));
    }
    let impact = format!("{} {}", r.impact, settings.impact_label(r.impact).unwrap_or(""));
    row("Impact", Cell::new(impact.trim()));
    let likelihood = format!(
        "{} {}",
        r.likelihood,
        settings.likelihood_label(r.likelihood).unwrap_or("")
    );
    row("Likelihood", Cell::new(likelihood.trim()));
    row("Severity", severity_cell(r.severity, settings, color));
    row("RAG", rag_cell(r.rag, color));
    row("Status", Cell::new(r.status.as_str()));
    for (k, v) in [
        ("Owner", &r.owner),
        ("Raised by", &r.raised_by),
        ("Category", &r.category),
        ("Provenance", &r.provenance),
        ("Notes", &r.notes),
    ] {
        if let Some(v) = v {
            row(k, Cell::new(v));
        }
    }
    if let Some(d) = r.raised_on {
        row("Raised on", Cell::new(d));
    }
    if let Some(s) = &r.inherent {
        row(
            "Inherent",
            Cell::new(format!("{}×{} = {}", s.impact, s.likelihood, s.severity)),
        );
    }
    if let Some(s) = &r.target {
        row(
            "Target",
            Cell::new(format!("{}×{} = {}", s.impact, s.likelihood, s.severity)),
        );
    }
    if let Some(resp) = r.response {
        row("Response", Cell::new(format!("{resp:?}").to_lowercase()));
    }
    if let Some(d) = r.proximity {
        row("Proximity", Cell::new(d));
    }
    if let Some(d) = r.review_by {
        row("Review by", Cell::new(d));
    }
    let mitigations: Vec<String> = r
        .mitigations
        .iter()
        .enumerate()
        .map(|(i, m)| mitigation_line(i, m))
        .collect();
    row("Mitigations", Cell::new(mitigations.join("\n")));
    if !r.footnotes.is_empty() {
        row("Footnotes", Cell::new(bullets(&r.footnotes)));
    }
    row(
        "Version",
        Cell::new(format!(
            "{} — {} by {}",
            r.version,
            r.updated_at.format("%Y-%m-%d %H:%M UTC"),
            r.updated_by
        )),
    );
    format!("{t}\n")
}

fn bullets(items: &[String]) -> String {
    items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n")
}

fn joined_mitigations(ms: &[MitigationView]) -> String {
    ms.iter()
        .map(|m| format!("[{}] {}", m.state.as_str(), m.text))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn risks_csv(risks: &[RiskView]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "ref",
        "register",
        "number",
        "statement",
        "consequences",
        "impact",
        "likelihood",
        "severity",
        "band",
        "rag",
        "status",
        "owner",
        "raised_by",
        "raised_on",
        "mitigations",
        "version",
        "updated_at",
    ])?;
    for r in risks {
        w.write_record([
            r.reference.clone(),
            r.register.clone(),
            r.number.to_string(),
            r.statement.clone(),
            r.consequences.join("\n"),
            r.impact.to_string(),
            r.likelihood.to_string(),
            r.severity.to_string(),
            r.band.clone().unwrap_or_default(),
            r.rag.to_string(),
            r.status.as_str().to_owned(),
            r.owner.clone().unwrap_or_default(),
            r.raised_by.clone().unwrap_or_default(),
            r.raised_on.map(|d| d.to_string()).unwrap_or_default(),
            joined_mitigations(&r.mitigations),
            r.version.to_string(),
            r.updated_at.to_rfc3339(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

pub fn issue_table(issues: &[IssueView]) -> String {
    let color = use_color();
    let mut t = table();
    t.set_header([
        "Ref",
        "There is an issue that…",
        "Raised",
        "Associated risk",
        "Impact",
        "RAG",
        "Status",
        "Actions",
    ]);
    for i in issues {
        t.add_row(vec![
            Cell::new(&i.reference),
            Cell::new(&i.statement),
            Cell::new(i.raised_on.map(|d| d.to_string()).unwrap_or_default()),
            Cell::new(i.associated_risk.as_ref().map(|r| r.to_string()).unwrap_or_default()),
            Cell::new(i.impact),
            rag_cell(i.rag, color),
            Cell::new(i.status.as_str()),
            Cell::new(i.mitigations.len()),
        ]);
    }
    format!(
        "{t}\n{} issue{}\n",
        issues.len(),
        if issues.len() == 1 { "" } else { "s" }
    )
}

pub fn issue_detail(i: &IssueView, settings: &Settings) -> String {
    let color = use_color();
    let mut t = table();
    let mut row = |k: &str, v: Cell| {
        t.add_row(vec![Cell::new(k).add_attribute(Attribute::Bold), v]);
    };
    row("Ref", Cell::new(&i.reference));
    if let Some(source) = &i.source_ref {
        row("Source ref", Cell::new(source));
    }
    row("Statement", Cell::new(&i.statement));
    let mut impacts = i.impacts_intro.clone().unwrap_or_default();
    if !i.impacts.is_empty() {
        if !impacts.is_empty() {
            impacts.push('\n');
        }
        impacts.push_str(&bullets(&i.impacts));
    }
    if !impacts.is_empty() {
        row("Impacts", Cell::new(impacts));
    }
    let impact = format!("{} {}", i.impact, settings.impact_label(i.impact).unwrap_or(""));
    row("Impact", Cell::new(impact.trim()));
    row("RAG", rag_cell(i.rag, color));
    row("Status", Cell::new(i.status.as_str()));
    if let Some(r) = &i.associated_risk {
        row("Associated risk", Cell::new(r));
    }
    for (k, v) in [
        ("Category", &i.category),
        ("Raised by", &i.raised_by),
        ("Owner", &i.owner),
        ("Notes", &i.notes),
    ] {
        if let Some(v) = v {
            row(k, Cell::new(v));
        }
    }
    if let Some(d) = i.raised_on {
        row("Raised on", Cell::new(d));
    }
    let mitigations: Vec<String> = i
        .mitigations
        .iter()
        .enumerate()
        .map(|(n, m)| mitigation_line(n, m))
        .collect();
    row("Mitigations and actions", Cell::new(mitigations.join("\n")));
    if !i.footnotes.is_empty() {
        row("Footnotes", Cell::new(bullets(&i.footnotes)));
    }
    row(
        "Version",
        Cell::new(format!(
            "{} — {} by {}",
            i.version,
            i.updated_at.format("%Y-%m-%d %H:%M UTC"),
            i.updated_by
        )),
    );
    format!("{t}\n")
}

pub fn issues_csv(issues: &[IssueView]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "ref",
        "register",
        "number",
        "statement",
        "impacts",
        "impact",
        "rag",
        "status",
        "category",
        "raised_by",
        "raised_on",
        "associated_risk",
        "mitigations",
        "version",
        "updated_at",
    ])?;
    for i in issues {
        let mut impacts = i.impacts_intro.clone().into_iter().collect::<Vec<_>>();
        impacts.extend(i.impacts.iter().cloned());
        w.write_record([
            i.reference.clone(),
            i.register.clone(),
            i.number.to_string(),
            i.statement.clone(),
            impacts.join("\n"),
            i.impact.to_string(),
            i.rag.to_string(),
            i.status.as_str().to_owned(),
            i.category.clone().unwrap_or_default(),
            i.raised_by.clone().unwrap_or_default(),
            i.raised_on.map(|d| d.to_string()).unwrap_or_default(),
            i.associated_risk.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            joined_mitigations(&i.mitigations),
            i.version.to_string(),
            i.updated_at.to_rfc3339(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

#[derive(Serialize)]
pub struct RegisterView<'a> {
    code: &'a str,
    name: &'a str,
    parent: Option<&'a str>,
    confidential: bool,
    description: Option<&'a str>,
    last_paper_on: Option<chrono::NaiveDate>,
    version: u32,
    updated_at: chrono::DateTime<chrono::Utc>,
    updated_by: &'a str,
}

pub fn register_views(registers: &[Register]) -> Vec<RegisterView<'_>> {
    registers
        .iter()
        .map(|r| RegisterView {
            code: r.code.as_str(),
            name: &r.fields.name,
            parent: r.fields.parent.as_ref().map(|p| p.as_str()),
            confidential: r.fields.confidential,
            description: r.fields.description.as_deref(),
            last_paper_on: r.fields.last_paper_on,
            version: r.revision.version,
            updated_at: r.revision.updated_at,
            updated_by: &r.revision.updated_by,
        })
        .collect()
}

pub fn register_table(registers: &[Register]) -> String {
    let mut t = table();
    t.set_header(["Code", "Name", "Parent", "Confidential"]);
    for r in registers {
        t.add_row(vec![
            r.code.to_string(),
            r.fields.name.clone(),
            r.fields.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            if r.fields.confidential {
                "yes".into()
            } else {
                String::new()
            },
        ]);
    }
    format!("{t}\n")
}

pub fn registers_csv(registers: &[Register]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["code", "name", "parent", "confidential", "version"])?;
    for r in registers {
        w.write_record([
            r.code.to_string(),
            r.fields.name.clone(),
            r.fields.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            r.fields.confidential.to_string(),
            r.revision.version.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

pub fn history_table(events: &[Event]) -> String {
    let mut t = table();
    t.set_header(["Version", "At (UTC)", "By", "What", "Why", "Event"]);
    for e in events {
        t.add_row(vec![
            e.version.to_string(),
            e.at.format("%Y-%m-%d %H:%M").to_string(),
            e.actor.clone(),
            e.kind.clone(),
            e.reason.clone().unwrap_or_default(),
            e.seq.to_string(),
        ]);
    }
    format!("{t}\n")
}

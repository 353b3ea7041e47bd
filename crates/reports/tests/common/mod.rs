//! The test fixture: a paper mirroring the SEC Panel's August 2018 update, built from the
//! demo register file the way the store side will build one from the database.

#![allow(dead_code, clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use riskreg_domain::MitigationState;
use riskreg_domain::document::{Document, Record};
use riskreg_domain::register::Revision;
use riskreg_domain::view::{IssueView, MitigationView, RiskView};
use riskreg_domain::{Issue, IssueFields, RecordRef, Risk, RiskFields};
use riskreg_reports::{Amendment, IssueEntry, IssueUpdate, Movement, NewRisk, Paper, Recommendation, RiskEntry};

pub const DEMO: &str = include_str!("../../../riskreg/data/sec-panel-2018-08.json");

pub const R15_OLD: &str = "The Security Sub-Committee (SSC) has identified a risk, that the DCC \
    has not yet completed a sufficiently detailed or stable SMETS1 E&A design leading to:";
pub const R15_NEW: &str = "The Security Sub-Committee (SSC) has identified a risk, that the DCC \
    SMETS1 E&A design is insufficiently detailed and unstable, which may lead to:";
pub const R15_INSERTED: &str = "SMETS1 E&A design is insufficiently detailed and unstable, which may lead to:";
pub const R15_DELETED: &str = "has not yet completed a sufficiently detailed or stable SMETS1 \
    E&A design leading to:";

/// Appendix A's order: severity, highest first, then number.
pub const APPENDIX_A_ORDER: [u32; 17] = [1, 3, 4, 5, 13, 15, 18, 6, 14, 7, 8, 9, 10, 16, 17, 11, 12];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn revision(versions: usize) -> Revision {
    Revision {
        version: versions as u32,
        updated_at: Utc.with_ymd_and_hms(2018, 8, 3, 9, 0, 0).unwrap(),
        updated_by: "SECAS".into(),
    }
}

fn risk(record: &Record<RiskFields>, fields: RiskFields) -> Risk {
    Risk {
        reference: RecordRef::parse(&format!("PANEL-{}", record.number)).unwrap(),
        fields,
        revision: revision(record.versions.len()),
    }
}

/// The paper of 3 August 2018, as riskreg should produce it from the demo register.
pub fn demo_like() -> Paper {
    let doc = Document::parse(DEMO).unwrap();
    let settings = doc.settings.clone().unwrap_or_default();
    let panel = doc.registers.iter().find(|r| r.code.as_str() == "PANEL").unwrap();
    let last_paper = Some(date(2018, 7, 5));
    let mut paper = Paper::new(
        "SEC Panel",
        panel.code.clone(),
        date(2018, 8, 3),
        "Kayla Reinhart",
        "SECAS Team",
        settings.clone(),
    );

    let r15 = panel.risks.iter().find(|r| r.number == 15).unwrap();
    let mut old = r15.current().fields.clone();
    old.statement = R15_OLD.into();
    let mut new = old.clone();
    new.statement = R15_NEW.into();
    paper.amendments.push(Amendment::between(
        15,
        vec![
            "SEC Panel Risk 15 was discussed at the July 2018 SEC Panel, where it was agreed that \
             the description of the risk gives more reference to it being an issue rather than a \
             risk. Consequently, Risk 15 has been amended to clearly indicate that the matter is a \
             risk and that resolution is in progress."
                .into(),
        ],
        &old,
        &new,
    ));
    paper.new_risks.push(NewRisk {
        risk: 18,
        narrative: vec![
            "At the Security Sub-Committee (SSC) meeting on 25th July the SSC Risk Register was \
             reviewed. The SSC considered a risk that had been transferred to the SSC by BEIS \
             under the Transitional Arrangements and agreed that it is an operational risk that \
             the SSC does not have the capability to mitigate."
                .into(),
            "Therefore, the SSC requests that the SEC Panel consider this transitional risk and \
             agree to add it to the SEC Panel Risk Register for monitoring."
                .into(),
        ],
    });
    paper.issue_updates.push(IssueUpdate {
        issue: 2,
        new: false,
        narrative: vec![
            "Issue 2 relates to Users finding workarounds to circumvent the DCC systems because \
             change to those systems is too complicated and/or costly. It was raised by the \
             Technical Architecture and Business Architecture Sub-Committee (TABASC) and added to \
             the Panel Risk Register in June 2018."
                .into(),
        ],
    });
    paper.recommendations = vec![
        Recommendation::new("consider", "the approach to further assessing the SEC Panel Issue 2"),
        Recommendation::new("agree", "the amendments to the SEC Panel Risk Register"),
    ];

    for record in &panel.risks {
        let mut fields = record.current().fields.clone();
        if !fields.status.is_live() {
            continue;
        }
        if record.number == 15 {
            fields = new.clone();
        }
        let mut view = RiskView::new(&risk(record, fields), &settings, last_paper);
        let movement = if record.number == 18 {
            // Everything about a proposed risk is new to the Panel.
            for m in &mut view.mitigations {
                m.new = true;
            }
            Movement::New
        } else {
            Movement::Unchanged
        };
        paper.risks.push(RiskEntry {
            risk: view,
            movement: Some(movement),
        });
    }

    for record in &panel.issues {
        let fields: IssueFields = record.current().fields.clone();
        let associated = fields.associated_risk.clone();
        let issue = Issue {
            reference: RecordRef::parse(&format!("PANEL-{}", record.number)).unwrap(),
            fields,
            revision: revision(record.versions.len()),
        };
        // A closed associated risk is not in Appendix A, so the paper quotes it.
        let quoted = associated.and_then(|r| {
            let risk = panel.risks.iter().find(|x| x.number == r.number)?;
            let f = &risk.current().fields;
            (!f.status.is_live()).then(|| f.statement.clone())
        });
        paper.issues.push(IssueEntry {
            issue: IssueView::new(&issue, last_paper),
            associated_risk_statement: quoted,
        });
    }
    paper
}

/// Every live risk's (number, impact, likelihood).
pub fn scores(paper: &Paper) -> Vec<(u32, u8, u8)> {
    paper
        .risks
        .iter()
        .map(|e| (e.risk.number, e.risk.impact, e.risk.likelihood))
        .collect()
}

/// Replaces the register with `n` risks spread over the matrix, three mitigations each.
pub fn generate_risks(paper: &mut Paper, n: u32) {
    let Some(template) = paper.risks.first().cloned() else {
        return;
    };
    let states = [
        MitigationState::Complete,
        MitigationState::Ongoing,
        MitigationState::Planned,
    ];
    paper.risks = (1..=n)
        .map(|number| {
            let mut e: RiskEntry = template.clone();
            let r = &mut e.risk;
            r.number = number;
            r.reference = format!("PANEL-{number}");
            r.impact = (number % 5) as u8 + 1;
            r.likelihood = (number / 5 % 5) as u8 + 1;
            r.severity = u16::from(r.impact) * u16::from(r.likelihood);
            r.statement = format!(
                "Generated risk {number}: a change in one part of the service may lead to \
                 delays elsewhere, with cost and reputational consequences for the programme."
            );
            r.mitigations = (0..3)
                .map(|m| MitigationView {
                    text: format!("Mitigation {m} of risk {number}: monitor, report monthly and escalate when thresholds are crossed."),
                    state: states[m],
                    owner: None,
                    due: None,
                    added_on: None,
                    new: m == 2 && number % 7 == 0,
                    sub_items: Vec::new(),
                })
                .collect();
            r.footnotes.clear();
            e.movement = Some(Movement::Unchanged);
            e
        })
        .collect();
}

//! Text of realistic length for generated records, assembled from phrase banks so that
//! statements, consequences, notes and mitigations read like a secretariat's (150–300
//! characters for a statement, 60–120 for a mitigation) and differ from record to record.

use fastrand::Rng;

const CAUSES: &[&str] = &[
    "the supplier does not deliver the data platform upgrade to the agreed specification",
    "key staff leave the programme before the knowledge transfer is complete",
    "the regulator changes the reporting requirements during the implementation window",
    "the third-party test environment is not available when the test phase begins",
    "funding for the second tranche is not approved by the investment committee",
    "the cyber security assessment finds vulnerabilities that must be fixed before go-live",
    "the legacy billing system cannot be decommissioned on the planned date",
    "the contract change note is not signed before the supplier's resource plan is fixed",
    "industry parties do not complete their readiness assessments in time",
    "the migration of historical records reveals data quality issues at volume",
];

const EFFECTS: &[&str] = &[
    "leading to a delay to the release and additional cost to parties",
    "resulting in a failure to meet the obligations set out in the licence",
    "which would reduce confidence in the programme among stakeholders",
    "causing the planned benefits to be realised later than reported to the board",
    "leading to an increase in operational workarounds and manual reconciliation",
    "which could expose the organisation to financial penalties and reputational damage",
];

const CONSEQUENCES: &[&str] = &[
    "Delay to the go-live date by one or more release cycles",
    "Additional cost to parties for extended parallel running",
    "Reputational damage with the regulator and industry bodies",
    "Loss of key skills and institutional knowledge",
    "Increased operational risk from manual workarounds",
    "Benefits realised later than the approved business case assumes",
    "Reduced assurance over the accuracy of settlement data",
];

const ACTIONS: &[&str] = &[
    "Monthly review of the supplier's delivery plan at the programme board",
    "Independent assurance of the test strategy and its entry criteria",
    "Retention arrangements agreed for staff in critical roles",
    "Early engagement with the regulator on the draft requirements",
    "Contingency budget held centrally and released by the sponsor",
    "Weekly readiness calls with industry parties and an escalation route",
    "Data cleansing exercise run against a full copy of production records",
    "Penetration test scheduled before each major release",
];

const CATEGORIES: &[&str] = &[
    "Delivery",
    "Financial",
    "Regulatory",
    "Operational",
    "People",
    "Technology",
];

const SURNAMES: &[&str] = &[
    "Ahmed", "Brown", "Chen", "Davies", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal", "Jones", "Khan", "Lewis",
    "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor",
];

pub fn pick<'a>(rng: &mut Rng, bank: &[&'a str]) -> &'a str {
    bank[rng.usize(..bank.len())]
}

/// "There is a risk that … , leading to …": 150–300 characters.
pub fn statement(rng: &mut Rng, number: u32) -> String {
    format!(
        "There is a risk that {} (reference {number}), {}.",
        pick(rng, CAUSES),
        pick(rng, EFFECTS)
    )
}

pub fn consequences(rng: &mut Rng) -> Vec<String> {
    let n = 2 + rng.usize(..2);
    (0..n).map(|_| pick(rng, CONSEQUENCES).to_owned()).collect()
}

/// A mitigation of 60–120 characters.
pub fn mitigation(rng: &mut Rng, index: usize) -> String {
    format!("{} (action {}).", pick(rng, ACTIONS), index + 1)
}

pub fn category(rng: &mut Rng) -> String {
    pick(rng, CATEGORIES).to_owned()
}

/// An owner's name, e.g. "R. Patel".
pub fn person(rng: &mut Rng) -> String {
    let initial = char::from(b'A' + rng.u8(..26));
    format!("{initial}. {}", pick(rng, SURNAMES))
}

/// A review note of about 200 characters, different at every review.
pub fn review_note(rng: &mut Rng, review: u32) -> String {
    format!(
        "Reviewed at meeting {review}: {}. The owner reports that {} remains the main driver; \
         the score is kept under monthly review.",
        pick(rng, ACTIONS).to_lowercase(),
        pick(rng, CAUSES)
    )
}

/// An issue statement: something that has happened, not an uncertain event.
pub fn issue_statement(rng: &mut Rng, number: u32) -> String {
    let cause = pick(rng, CAUSES);
    format!("It has been confirmed that {cause} (issue {number}); the programme must now manage the impact.")
}

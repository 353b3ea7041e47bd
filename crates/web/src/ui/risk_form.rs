//! The risk edit form's values: a risk's fields as the strings a form shows, the change a
//! submitted form asks for (only what differs from the stored risk), and the three-way
//! merge used when the risk changed while the form was open — the user's edits win on the
//! fields they touched, everything else takes the newer stored value.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use riskreg_domain::risk::MitigationEdits;
use riskreg_domain::{Mitigation, MitigationState, Rag, Response, RiskChange, RiskFields, ScorePair, ValidationErrors};

use super::forms::{level, lines, optional_date, optional_text};

/// Form field name → value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(pub BTreeMap<String, String>);

/// The fields a user edits as text, in the order the form shows them.
pub const TEXT_FIELDS: [&str; 18] = [
    "statement",
    "consequences",
    "impact",
    "likelihood",
    "rag",
    "owner",
    "raised_by",
    "raised_on",
    "category",
    "response",
    "proximity",
    "review_by",
    "inherent_impact",
    "inherent_likelihood",
    "target_impact",
    "target_likelihood",
    "provenance",
    "notes",
];

impl Values {
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map_or("", String::as_str)
    }

    fn set(&mut self, k: &str, v: impl Into<String>) {
        self.0.insert(k.to_owned(), v.into());
    }

    /// A risk's fields as the form shows them.
    pub fn of(f: &RiskFields) -> Self {
        let mut v = Self::default();
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let date = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        v.set("statement", f.statement.clone());
        v.set("consequences", f.consequences.join("\n"));
        v.set("impact", f.impact.to_string());
        v.set("likelihood", f.likelihood.to_string());
        v.set("rag", f.rag.as_str());
        v.set("owner", opt(&f.owner));
        v.set("raised_by", opt(&f.raised_by));
        v.set("raised_on", date(&f.raised_on));
        v.set("category", opt(&f.category));
        v.set("response", f.response.map(response_str).unwrap_or_default());
        v.set("proximity", date(&f.proximity));
        v.set("review_by", date(&f.review_by));
        v.set(
            "inherent_impact",
            f.inherent.map(|p| p.impact.to_string()).unwrap_or_default(),
        );
        v.set(
            "inherent_likelihood",
            f.inherent.map(|p| p.likelihood.to_string()).unwrap_or_default(),
        );
        v.set(
            "target_impact",
            f.target.map(|p| p.impact.to_string()).unwrap_or_default(),
        );
        v.set(
            "target_likelihood",
            f.target.map(|p| p.likelihood.to_string()).unwrap_or_default(),
        );
        v.set("provenance", opt(&f.provenance));
        v.set("notes", opt(&f.notes));
        v.set("footnotes", f.footnotes.join("\n"));
        for (i, m) in f.mitigations.iter().enumerate() {
            v.set(&format!("m{}_state", i + 1), m.state.as_str());
        }
        v
    }

    /// A submitted form: the fields it names, without the CSRF token.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut v = Self::default();
        for (k, val) in pairs {
            if k != "csrf" {
                v.0.insert(k, val.replace("\r\n", "\n"));
            }
        }
        v
    }

    /// Whether the user asked to remove mitigation `n` (1-based).
    pub fn removes(&self, n: usize) -> bool {
        !self.get(&format!("m{n}_remove")).is_empty()
    }
}

pub fn response_str(r: Response) -> String {
    match r {
        Response::Treat => "treat",
        Response::Tolerate => "tolerate",
        Response::Transfer => "transfer",
        Response::Terminate => "terminate",
        Response::Take => "take",
    }
    .to_owned()
}

/// The keys that hold the user's own edits: every text field, `footnotes`, and the
/// mitigation controls.
fn edit_keys(a: &Values, b: &Values) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = TEXT_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    keys.insert("footnotes".into());
    keys.extend(
        a.0.keys()
            .filter(|k| k.starts_with('m') || k.starts_with("add_"))
            .cloned(),
    );
    keys.extend(
        b.0.keys()
            .filter(|k| k.starts_with('m') || k.starts_with("add_"))
            .cloned(),
    );
    keys
}

/// The form to show after a conflict: the user's edits (what differs from the version
/// they opened) over the current version; and the fields both sides changed.
/// Mitigation controls are positional, so if the list itself changed they are dropped.
pub fn merge(opened: &RiskFields, current: &RiskFields, submitted: &Values) -> (Values, Vec<String>, bool) {
    let base = Values::of(opened);
    let theirs = Values::of(current);
    let same_list = opened
        .mitigations
        .iter()
        .map(|m| &m.text)
        .eq(current.mitigations.iter().map(|m| &m.text));
    let mut merged = theirs.clone();
    let mut both = Vec::new();
    for k in edit_keys(&base, submitted) {
        let mine = submitted.get(&k);
        let positional = k.starts_with('m') && k != "mitigation" && !k.starts_with("add_");
        if positional && !same_list {
            continue;
        }
        if mine != base.get(&k) {
            if theirs.get(&k) != base.get(&k) && theirs.get(&k) != mine {
                both.push(k.clone());
            }
            merged.set(&k, mine);
        }
    }
    // What the form says about the change rather than the risk: kept as the user typed it.
    for k in [
        "add_mitigation",
        "add_mitigation_state",
        "reason",
        "meeting",
        "rationale",
        "recommendation",
    ] {
        merged.set(k, submitted.get(k));
    }
    (merged, both, !same_list)
}

/// The change a submitted form asks of `current`: only fields whose value differs. Every
/// unreadable value is reported at once, by field.
pub fn change_from(v: &Values, current: &RiskFields) -> Result<RiskChange, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut c = RiskChange::default();
    let now = Values::of(current);
    let differs = |k: &str| v.0.contains_key(k) && v.get(k).trim() != now.get(k).trim();
    if differs("statement") {
        c.statement = Some(v.get("statement").trim().to_owned());
    }
    if differs("consequences") {
        c.consequences = Some(lines(v.get("consequences")));
    }
    if differs("footnotes") {
        c.footnotes = Some(lines(v.get("footnotes")));
    }
    for (k, slot) in [("impact", &mut c.impact), ("likelihood", &mut c.likelihood)] {
        if differs(k) {
            match level(k, v.get(k)) {
                Ok(n) => *slot = Some(n),
                Err(e) => errors.push(e),
            }
        }
    }
    if differs("rag") {
        match Rag::parse(v.get("rag")) {
            Ok(r) => c.rag = Some(r),
            Err(e) => errors.push(e),
        }
    }
    for (k, slot) in [
        ("owner", &mut c.owner),
        ("raised_by", &mut c.raised_by),
        ("category", &mut c.category),
        ("provenance", &mut c.provenance),
        ("notes", &mut c.notes),
    ] {
        if differs(k) {
            *slot = Some(optional_text(v.get(k)));
        }
    }
    for (k, slot) in [
        ("raised_on", &mut c.raised_on),
        ("proximity", &mut c.proximity),
        ("review_by", &mut c.review_by),
    ] {
        if differs(k) {
            match optional_date(k, v.get(k)) {
                Ok(d) => *slot = Some(d),
                Err(e) => errors.push(e),
            }
        }
    }
    if differs("response") {
        c.response = Some(match v.get("response").trim() {
            "" => None,
            other => match Response::parse(other) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        });
    }
    for (name, slot) in [("inherent", &mut c.inherent), ("target", &mut c.target)] {
        let (ki, kl) = (format!("{name}_impact"), format!("{name}_likelihood"));
        if differs(&ki) || differs(&kl) {
            *slot = Some(match (v.get(&ki).trim(), v.get(&kl).trim()) {
                ("", "") => None,
                (i, l) => match (level(&ki, i), level(&kl, l)) {
                    (Ok(impact), Ok(likelihood)) => Some(ScorePair { impact, likelihood }),
                    (a, b) => {
                        for e in [a.err(), b.err()].into_iter().flatten() {
                            errors.push(e);
                        }
                        None
                    }
                },
            });
        }
    }
    let mut edits = MitigationEdits::default();
    for (i, m) in current.mitigations.iter().enumerate() {
        let n = i + 1;
        if v.removes(n) {
            edits.remove.push(n);
            continue;
        }
        let key = format!("m{n}_state");
        let state = v.get(&key);
        if !state.is_empty() && state != m.state.as_str() {
            match MitigationState::parse(&format!("mitigations[{i}].state"), state) {
                Ok(s) => edits.set_state.push((n, s)),
                Err(e) => errors.push(e),
            }
        }
    }
    // One new mitigation per line, all in the state chosen for them.
    let added = lines(v.get("add_mitigation"));
    if !added.is_empty() {
        let state = match v.get("add_mitigation_state") {
            "" => Ok(MitigationState::Planned),
            s => MitigationState::parse("add_mitigation_state", s),
        };
        match state {
            Ok(s) => edits.add.extend(added.into_iter().map(|text| Mitigation::new(text, s))),
            Err(e) => errors.push(e),
        }
    }
    c.mitigations = edits;
    errors.into_result(c)
}

/// The fields of a new risk from its form: the scores and RAG must be chosen, every other
/// field is read as an edit would read it. Every unreadable value is reported at once.
pub fn fields_from(v: &Values, today: NaiveDate) -> Result<RiskFields, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let impact = level("impact", v.get("impact")).map_err(|e| errors.push(e)).ok();
    let likelihood = level("likelihood", v.get("likelihood"))
        .map_err(|e| errors.push(e))
        .ok();
    let rag = Rag::parse(v.get("rag")).map_err(|e| errors.push(e)).ok();
    let (Some(impact), Some(likelihood), Some(rag)) = (impact, likelihood, rag) else {
        // The rest is still read, so that every problem is shown at once.
        if let Err(more) = change_from(v, &RiskFields::new("", 1, 1, Rag::Amber)) {
            errors.0.extend(
                more.0
                    .into_iter()
                    .filter(|e| !matches!(e.field.as_str(), "impact" | "likelihood" | "rag")),
            );
        }
        return Err(errors);
    };
    let base = RiskFields::new("", impact, likelihood, rag);
    change_from(v, &base)?.apply(&base, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk() -> RiskFields {
        let mut f = RiskFields::new("There is a risk that X", 3, 3, Rag::Amber);
        f.mitigations.push(Mitigation::new("Do it", MitigationState::Planned));
        f
    }

    #[test]
    fn only_changed_fields_are_asked_for() {
        let f = risk();
        let mut v = Values::of(&f);
        v.set("owner", "SECAS");
        v.set("m1_state", "complete");
        let c = change_from(&v, &f).unwrap();
        assert_eq!(c.owner, Some(Some("SECAS".into())));
        assert_eq!(c.statement, None);
        assert_eq!(c.mitigations.set_state, vec![(1, MitigationState::Complete)]);
    }

    #[test]
    fn unreadable_values_name_their_fields() {
        let f = risk();
        let mut v = Values::of(&f);
        v.set("impact", "high");
        v.set("review_by", "soon");
        let e = change_from(&v, &f).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["impact", "review_by"]);
    }

    #[test]
    fn a_new_risk_needs_its_scores_and_rag_chosen_and_takes_a_mitigation_per_line() {
        let today = NaiveDate::from_ymd_opt(2018, 8, 3).unwrap();
        let mut v = Values::default();
        v.set("statement", "There is a risk that Z");
        v.set("review_by", "later");
        let e = fields_from(&v, today).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["impact", "likelihood", "rag", "review_by"]);
        v.set("impact", "4");
        v.set("likelihood", "2");
        v.set("rag", "RED");
        v.set("review_by", "");
        v.set("add_mitigation", "First\n\nSecond");
        v.set("add_mitigation_state", "ongoing");
        let f = fields_from(&v, today).unwrap();
        assert_eq!((f.impact, f.likelihood, f.rag), (4, 2, Rag::Red));
        assert_eq!(f.statement, "There is a risk that Z");
        let texts: Vec<_> = f.mitigations.iter().map(|m| (m.text.as_str(), m.state)).collect();
        assert_eq!(
            texts,
            [
                ("First", MitigationState::Ongoing),
                ("Second", MitigationState::Ongoing)
            ]
        );
    }

    #[test]
    fn a_merge_keeps_my_edits_and_their_other_changes() {
        let opened = risk();
        let mut current = opened.clone();
        current.owner = Some("Theirs".into());
        current.impact = 4;
        let mut mine = Values::of(&opened);
        mine.set("statement", "There is a risk that Y");
        mine.set("impact", "5");
        let (merged, both, dropped) = merge(&opened, &current, &mine);
        assert_eq!(merged.get("statement"), "There is a risk that Y");
        assert_eq!(merged.get("owner"), "Theirs");
        assert_eq!(merged.get("impact"), "5");
        assert_eq!(both, vec!["impact".to_owned()]);
        assert!(!dropped);
    }
}

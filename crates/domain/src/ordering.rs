//! The order registers are listed in: severity, highest first; equal severities by number,
//! lowest first. (The Panel's August 2018 paper printed Risk 14 before Risk 6, both 8;
//! riskreg's rule puts them in number order.)

use std::cmp::Ordering;

use crate::code::RegisterCode;
use crate::issue::Issue;
use crate::register::Register;
use crate::risk::Risk;

/// Compares two risks in register order. Total: every risk in a register has its own number,
/// and risks of different registers fall back to their register codes.
pub fn register_order(a: &Risk, b: &Risk) -> Ordering {
    b.severity()
        .cmp(&a.severity())
        .then(a.reference.number.cmp(&b.reference.number))
        .then_with(|| a.reference.register.cmp(&b.reference.register))
}

/// Issues are listed by impact, highest first, then by number.
pub fn issue_order(a: &Issue, b: &Issue) -> Ordering {
    b.fields
        .impact
        .cmp(&a.fields.impact)
        .then(a.reference.number.cmp(&b.reference.number))
        .then_with(|| a.reference.register.cmp(&b.reference.register))
}

/// Registers in tree order: each parent followed by its children, depth first, siblings by
/// code. Registers whose parent is missing are treated as roots.
pub fn tree_order(registers: Vec<Register>) -> Vec<Register> {
    let codes: std::collections::HashSet<RegisterCode> = registers.iter().map(|r| r.code.clone()).collect();
    let mut children: std::collections::BTreeMap<Option<RegisterCode>, Vec<Register>> = Default::default();
    for r in registers {
        let parent = r.fields.parent.clone().filter(|p| codes.contains(p) && *p != r.code);
        children.entry(parent).or_default().push(r);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| b.code.cmp(&a.code));
    }
    let mut out = Vec::with_capacity(codes.len());
    let mut stack = children.remove(&None).unwrap_or_default();
    while let Some(r) = stack.pop() {
        if let Some(kids) = children.remove(&Some(r.code.clone())) {
            stack.extend(kids);
        }
        out.push(r);
    }
    // A cycle leaves registers unreachable from any root; list them rather than lose them.
    let mut rest: Vec<Register> = children.into_values().flatten().collect();
    rest.sort_by(|a, b| a.code.cmp(&b.code));
    out.extend(rest);
    out
}

pub fn sort_risks(risks: &mut [Risk]) {
    risks.sort_by(register_order);
}

pub fn sort_issues(issues: &mut [Issue]) {
    issues.sort_by(issue_order);
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use proptest::prelude::*;

    use super::*;
    use crate::code::{RecordRef, RegisterCode};
    use crate::rag::Rag;
    use crate::register::Revision;
    use crate::risk::RiskFields;

    fn risk(code: &str, number: u32, impact: u8, likelihood: u8) -> Risk {
        Risk {
            reference: RecordRef::new(RegisterCode::parse(code).unwrap(), number),
            fields: RiskFields::new("r", impact, likelihood, Rag::Green),
            revision: Revision {
                version: 1,
                updated_at: Utc::now(),
                updated_by: "t".into(),
            },
        }
    }

    #[test]
    fn severity_then_number() {
        let mut v = vec![
            risk("PA", 14, 4, 2),
            risk("PA", 6, 4, 2),
            risk("PA", 1, 3, 4),
            risk("PA", 12, 1, 2),
        ];
        sort_risks(&mut v);
        let numbers: Vec<_> = v.iter().map(|r| r.reference.number).collect();
        assert_eq!(numbers, [1, 6, 14, 12]);
    }

    fn register(code: &str, parent: Option<&str>) -> Register {
        let mut fields = crate::register::RegisterFields::new(code);
        fields.parent = parent.map(|p| RegisterCode::parse(p).unwrap());
        Register {
            code: RegisterCode::parse(code).unwrap(),
            fields,
            revision: Revision {
                version: 1,
                updated_at: Utc::now(),
                updated_by: "t".into(),
            },
        }
    }

    #[test]
    fn registers_are_listed_as_a_tree() {
        let v = vec![
            register("TABASC", Some("PANEL")),
            register("OPSG", Some("PANEL")),
            register("WG", Some("SSC")),
            register("SSC", Some("PANEL")),
            register("PANEL", None),
            register("BOARD", None),
        ];
        let codes: Vec<_> = tree_order(v).into_iter().map(|r| r.code.to_string()).collect();
        assert_eq!(codes, ["BOARD", "PANEL", "OPSG", "SSC", "WG", "TABASC"]);
    }

    proptest! {
        #[test]
        fn ordering_is_total_and_consistent(
            scores in proptest::collection::vec((1u8..=5, 1u8..=5, 0usize..3), 1..40)
        ) {
            let codes = ["AA", "BB", "CC"];
            let v: Vec<Risk> = scores
                .iter()
                .enumerate()
                .map(|(i, (im, li, c))| risk(codes[*c], i as u32 + 1, *im, *li))
                .collect();
            for a in &v {
                prop_assert_eq!(register_order(a, a), Ordering::Equal);
                for b in &v {
                    prop_assert_eq!(register_order(a, b), register_order(b, a).reverse());
                    if a.reference != b.reference {
                        prop_assert_ne!(register_order(a, b), Ordering::Equal);
                    }
                }
            }
            let mut sorted = v.clone();
            sort_risks(&mut sorted);
            for w in sorted.windows(2) {
                prop_assert!(w[0].severity() >= w[1].severity());
            }
        }

        #[test]
        fn severity_is_the_product(impact in 1u8..=10, likelihood in 1u8..=10) {
            let f = RiskFields::new("r", impact, likelihood, Rag::Red);
            prop_assert_eq!(f.severity(), u16::from(impact) * u16::from(likelihood));
        }
    }
}

//! What a write engine has learned within its transaction: registers it has seen exist, and
//! the numbers taken in a register. A batch of creates (an import of a hundred thousand
//! risks) then reads each register once instead of once per record. It is all learned from
//! the transaction's own reads and writes, so it holds until the transaction ends, or until
//! a rollback to a savepoint undoes writes it counted (then it is forgotten whole).

use std::collections::{HashMap, HashSet};

use riskreg_domain::{RecordRef, RegisterCode};

use super::Engine;
use crate::error::StoreResult;
use crate::event::RecordType;

/// Single lookups of new numbers in one register before all its numbers are read at once: a
/// write or two looks its numbers up alone (a register may hold a hundred thousand), a batch
/// reads them once.
const LOOKUPS_BEFORE_LISTING: u32 = 8;

#[derive(Debug, Default)]
pub(super) struct Known {
    registers: HashSet<RegisterCode>,
    numbers: HashMap<RegisterCode, ByType>,
}

/// A register's numbers of risks and of issues.
#[derive(Debug, Default)]
struct ByType {
    risks: Numbers,
    issues: Numbers,
}

impl ByType {
    fn of(&mut self, record_type: RecordType) -> &mut Numbers {
        match record_type {
            RecordType::Issue => &mut self.issues,
            _ => &mut self.risks,
        }
    }
}

#[derive(Debug, Default)]
struct Numbers {
    /// Every number taken, once listed (or from the start, in a register made in this
    /// transaction).
    taken: Option<HashSet<u32>>,
    /// The highest number taken, once read.
    max: Option<u32>,
    lookups: u32,
}

impl Engine<'_> {
    /// Fails as [`Engine::require_register`] does unless the register exists, reading it at
    /// most once in the transaction.
    pub(super) async fn ensure_register(&mut self, code: &RegisterCode) -> StoreResult<()> {
        if !self.known.registers.contains(code) {
            self.require_register(code).await?;
            self.known.registers.insert(code.clone());
        }
        Ok(())
    }

    /// Notes a register made in this transaction: it exists, and holds nothing yet.
    pub(super) fn note_new_register(&mut self, code: &RegisterCode) {
        self.known.registers.insert(code.clone());
        let empty = || Numbers {
            taken: Some(HashSet::new()),
            max: Some(0),
            lookups: 0,
        };
        let by_type = ByType {
            risks: empty(),
            issues: empty(),
        };
        self.known.numbers.insert(code.clone(), by_type);
    }

    /// Whether a risk or issue (by `record_type`) already has `reference`.
    pub(super) async fn number_taken(&mut self, record_type: RecordType, reference: &RecordRef) -> StoreResult<bool> {
        let register = &reference.register;
        let numbers = self.known.numbers.entry(register.clone()).or_default().of(record_type);
        if numbers.taken.is_none() && numbers.lookups >= LOOKUPS_BEFORE_LISTING {
            let listed = match record_type {
                RecordType::Issue => self.tx.issue_numbers(register).await?,
                _ => self.tx.risk_numbers(register).await?,
            };
            // A backend that cannot list them is asked again after as many more lookups.
            numbers.lookups = 0;
            numbers.taken = listed.map(HashSet::from_iter);
        }
        if let Some(taken) = &numbers.taken {
            return Ok(taken.contains(&reference.number));
        }
        numbers.lookups += 1;
        Ok(match record_type {
            RecordType::Issue => self.tx.issue(reference).await?.is_some(),
            _ => self.tx.risk(reference).await?.is_some(),
        })
    }

    /// The next number the register has never used for a risk or issue (by `record_type`).
    pub(super) async fn next_number(&mut self, record_type: RecordType, register: &RegisterCode) -> StoreResult<u32> {
        let numbers = self.known.numbers.entry(register.clone()).or_default().of(record_type);
        let max = match numbers.max {
            Some(max) => max,
            None => {
                let max = match record_type {
                    RecordType::Issue => self.tx.max_issue_number(register).await?,
                    _ => self.tx.max_risk_number(register).await?,
                };
                *numbers.max.insert(max)
            }
        };
        Ok(max + 1)
    }

    /// Counts a risk or issue just written, so that what is known stays true.
    pub(super) fn note_created(&mut self, record_type: RecordType, reference: &RecordRef) {
        let Some(by_type) = self.known.numbers.get_mut(&reference.register) else {
            return;
        };
        let numbers = by_type.of(record_type);
        if let Some(taken) = &mut numbers.taken {
            taken.insert(reference.number);
        }
        if let Some(max) = &mut numbers.max {
            *max = (*max).max(reference.number);
        }
    }

    /// Forgets everything learned, and the records kept for amendments (see
    /// [`super::current`]): what a rollback to a savepoint undid may be in them.
    pub(super) fn forget_known(&mut self) {
        self.known = Known::default();
        self.current = Default::default();
    }
}

//! The risks and issues a batch of writes amends, as they stand within its transaction. Each
//! amendment needs the record's current row; read one at a time, a batch of thousands
//! spends a round trip on each (and makes a backend that holds its rows back send them
//! first). So the rows are read together before the batch starts, and each amendment
//! leaves the row it wrote for the next one to the same record.
//!
//! Only records the batch amends are kept, so a batch of creates keeps nothing. What is kept
//! is what the transaction itself read or wrote, true until a rollback to a savepoint undoes
//! some of it (then everything is forgotten, with what [`super::known`] knows).

use std::collections::HashMap;

use riskreg_domain::{Issue, RecordRef, Risk};

use super::{Change, Engine, Write};
use crate::error::{StoreError, StoreResult};

/// Fewer records than this are read one by one, as they are amended: reading them together
/// saves nothing.
const READ_TOGETHER: usize = 2;

#[derive(Debug, Default)]
pub(super) struct Current {
    /// A key for each record amended; its row, when known and not taken by an amendment.
    risks: HashMap<RecordRef, Option<Risk>>,
    issues: HashMap<RecordRef, Option<Issue>>,
}

impl Engine<'_> {
    /// Reads together the current rows of the records `writes` amend that are not known yet.
    pub(super) async fn read_ahead<'w>(&mut self, writes: impl IntoIterator<Item = &'w Write>) -> StoreResult<()> {
        let (mut risks, mut issues) = (Vec::new(), Vec::new());
        for w in writes {
            match &w.change {
                Change::AmendRisk { reference, .. } | Change::ReplaceRisk { reference, .. }
                    if !self.current.risks.contains_key(reference) =>
                {
                    self.current.risks.insert(reference.clone(), None);
                    risks.push(reference.clone());
                }
                Change::AmendIssue { reference, .. } | Change::ReplaceIssue { reference, .. }
                    if !self.current.issues.contains_key(reference) =>
                {
                    self.current.issues.insert(reference.clone(), None);
                    issues.push(reference.clone());
                }
                _ => {}
            }
        }
        if risks.len() >= READ_TOGETHER
            && let Some(rows) = self.tx.risks_of(&risks).await?
        {
            for r in rows {
                self.current.risks.insert(r.reference.clone(), Some(r));
            }
        }
        if issues.len() >= READ_TOGETHER
            && let Some(rows) = self.tx.issues_of(&issues).await?
        {
            for i in rows {
                self.current.issues.insert(i.reference.clone(), Some(i));
            }
        }
        Ok(())
    }

    /// The risk as it stands, for an amendment, which should [`Engine::note_risk`] what it
    /// writes.
    pub(super) async fn existing_risk(&mut self, reference: &RecordRef) -> StoreResult<Risk> {
        if let Some(risk) = self.current.risks.get_mut(reference).and_then(Option::take) {
            return Ok(risk);
        }
        self.tx
            .risk(reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("risk {reference}")))
    }

    pub(super) async fn existing_issue(&mut self, reference: &RecordRef) -> StoreResult<Issue> {
        if let Some(issue) = self.current.issues.get_mut(reference).and_then(Option::take) {
            return Ok(issue);
        }
        self.tx
            .issue(reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("issue {reference}")))
    }

    /// Keeps a risk just written, if the batch amends it.
    pub(super) fn note_risk(&mut self, risk: &Risk) {
        if let Some(slot) = self.current.risks.get_mut(&risk.reference) {
            *slot = Some(risk.clone());
        }
    }

    pub(super) fn note_issue(&mut self, issue: &Issue) {
        if let Some(slot) = self.current.issues.get_mut(&issue.reference) {
            *slot = Some(issue.clone());
        }
    }
}

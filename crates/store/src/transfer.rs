//! Copying a whole database from one backend to another, verbatim: the same events with the
//! same positions, times and hashes, and the same current rows at the same versions. This
//! is how a user moves from SQLite to PostgreSQL (or back) without losing or rewriting any
//! history, so the target verifies exactly as the source did.

use std::collections::HashMap;

use riskreg_domain::Settings;
use serde::Serialize;

use crate::chain::canonical_json;
use crate::error::{StoreError, StoreResult};
use crate::event::RecordType;
use crate::store::{RecordQuery, Store};
use crate::verify::verify_chain;

/// The events read from the source per round trip.
const PAGE: u32 = 5_000;

/// What a copy wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CopySummary {
    pub events: u64,
    pub settings: bool,
    pub registers: usize,
    pub risks: usize,
    pub issues: usize,
    /// Meetings, proposals and registers as agreed.
    pub review_records: usize,
    /// Users and API tokens, with their password and secret hashes, so that everyone can
    /// log in to the copy as before.
    pub users: usize,
    pub tokens: usize,
    /// The hash of the last event copied, the same on both sides.
    pub head: Option<String>,
}

/// Copies everything in `from` into `to`, which must hold no event yet, in one transaction
/// on `to`: all of it lands or none does.
///
/// The source must pass [`verify_chain`] first, since a copy of a broken chain would only
/// move the break. Writers to the source should be stopped; one that commits during the
/// copy is detected and the copy is refused rather than left half-consistent.
pub async fn copy_all(from: &dyn Store, to: &dyn Store) -> StoreResult<CopySummary> {
    let report = verify_chain(from).await?;
    if let Some(problem) = report.problem {
        return Err(StoreError::invalid(
            "from",
            format!(
                "the source fails audit verify, so it is not copied: {}",
                problem.message
            ),
        ));
    }

    let mut tx = to.begin().await?;
    // Checked inside the transaction, under the target's write lock, so no writer can slip
    // in between the check and the copy.
    let target_head = tx.chain_head().await?;
    if target_head.seq > 0 {
        return Err(StoreError::Conflict(format!(
            "the target already holds {} events; migrate copies into an empty database only",
            target_head.seq
        )));
    }

    let mut summary = CopySummary::default();
    // The last version of each record in the copied history, to check the current rows
    // read afterwards against.
    let mut last_versions: HashMap<(RecordType, String), u32> = HashMap::new();
    let mut after = 0;
    loop {
        let page = from.events(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in page {
            last_versions.insert((event.record_type, event.record_key.clone()), event.version);
            summary.events += 1;
            summary.head = Some(event.hash.clone());
            tx.append_event(event.map_bodies(|body| canonical_json(&body))).await?;
        }
    }

    let mut current = 0usize;
    let mut check = |record_type: RecordType, key: String, version: u32| -> StoreResult<()> {
        current += 1;
        match last_versions.get(&(record_type, key.clone())) {
            Some(v) if *v == version => Ok(()),
            _ => Err(changed_during_copy(&format!(
                "{} {key} is at version {version}, which the copied history does not end with",
                record_type.as_str()
            ))),
        }
    };

    for (record_type, key, version, body) in from.current_records().await? {
        if record_type != RecordType::Settings {
            continue;
        }
        check(record_type, key, version)?;
        let settings: Settings = serde_json::from_value(body)
            .map_err(|e| StoreError::Other(format!("the source's settings are unreadable: {e}")))?;
        tx.put_settings(&settings, version).await?;
        summary.settings = true;
    }

    // `registers` lists parents before children, so every parent exists before the
    // register that names it.
    for register in from.registers(None).await? {
        check(
            RecordType::Register,
            register.code.to_string(),
            register.revision.version,
        )?;
        tx.insert_register(&register).await?;
        summary.registers += 1;
    }

    let everything = RecordQuery {
        register: None,
        as_at: None,
        include_closed: true,
    };
    for risk in from.risks(&everything).await? {
        check(RecordType::Risk, risk.reference.to_string(), risk.revision.version)?;
        tx.insert_risk(&risk).await?;
        summary.risks += 1;
    }
    for issue in from.issues(&everything).await? {
        check(RecordType::Issue, issue.reference.to_string(), issue.revision.version)?;
        tx.insert_issue(&issue).await?;
        summary.issues += 1;
    }

    for record_type in [RecordType::Meeting, RecordType::Proposal, RecordType::Snapshot] {
        for record in from.json_records(record_type).await? {
            check(record_type, record.key.clone(), record.revision.version)?;
            tx.put_json_record(record_type, &record).await?;
            summary.review_records += 1;
        }
    }
    for user in from.users().await? {
        check(RecordType::User, user.name.to_string(), user.revision.version)?;
        let hash = from.password_hash(&user.name).await?;
        tx.insert_user(&user, hash.as_deref()).await?;
        summary.users += 1;
    }
    for token in from.tokens(None).await? {
        check(RecordType::Token, token.id.clone(), token.version)?;
        let hash = from
            .token_secret_hash(&token.id)
            .await?
            .ok_or_else(|| changed_during_copy(&format!("token {} has no secret hash", token.id)))?;
        tx.insert_token(&token, &hash).await?;
        summary.tokens += 1;
    }

    // Every record in the history must have arrived as a current row, and no event may
    // have been appended to the source since its history was read.
    if current != last_versions.len() {
        return Err(changed_during_copy(&format!(
            "the history names {} records but {current} were read",
            last_versions.len()
        )));
    }
    let source_events = from.event_count().await?;
    if source_events != summary.events {
        return Err(changed_during_copy(&format!(
            "it holds {source_events} events now, {} when its history was read",
            summary.events
        )));
    }

    tx.commit().await?;
    Ok(summary)
}

fn changed_during_copy(detail: &str) -> StoreError {
    StoreError::Conflict(format!(
        "the source changed while it was being copied ({detail}); stop every writer to it and run migrate again"
    ))
}

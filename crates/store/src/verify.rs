//! Verification of the hash chain: every event in order, its position, its link to the
//! previous event and its own hash; then every current record against the last event that
//! wrote it, so that an edit to either the history or the tables is found. Given a chain
//! head recorded outside the database, it also finds a chain rewritten wholesale (every
//! hash recomputed) or cut short, which the chain alone cannot show.

use std::collections::HashMap;

use serde::Serialize;

use crate::chain::{ChainHead, GENESIS, canonical_json, event_hash};
use crate::error::StoreResult;
use crate::event::{Event, RecordType};
use crate::store::{Store, walk_history};

/// Whether a record's stored body says what its last event's `after` says. riskreg stores
/// both as the same canonical text, so equal text is the answer; other text (written by an
/// older riskreg, or by a backend that keeps JSON its own way) is read as JSON and
/// compared in the canonical form.
fn same_body(body: &str, after: &str) -> bool {
    body == after || canonical(body).is_some_and(|b| canonical(after).is_some_and(|a| a == b))
}

fn canonical(text: &str) -> Option<String> {
    serde_json::from_str(text).ok().map(|v| canonical_json(&v))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    /// The position of the first bad event (or of the event a bad record disagrees with).
    pub seq: Option<i64>,
    pub record: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: u64,
    pub head: Option<String>,
    pub records: u64,
    /// The first problem found, if any.
    pub problem: Option<ChainProblem>,
}

impl ChainReport {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the whole chain and checks the current records against it.
pub async fn verify_chain(store: &dyn Store) -> StoreResult<ChainReport> {
    verify(store, None).await
}

/// [`verify_chain`], and also that the chain holds `head` — an event count and hash kept
/// outside the database — at its position: events after it are later writes, but the
/// event at `head.seq` must carry `head.hash`, so no event up to it can have been changed,
/// even with every hash after it recomputed, and none removed.
pub async fn verify_chain_against(store: &dyn Store, head: &ChainHead) -> StoreResult<ChainReport> {
    verify(store, Some(head)).await
}

/// A current record as the tables hold it, and what the walk has seen of its history.
struct Current {
    /// Its place among the current records, so that problems are reported in table order.
    position: usize,
    version: u32,
    body: String,
    /// The position and version of the last event that wrote it, so far.
    last: Option<(i64, u32)>,
    /// Whether the event that wrote its current version wrote its current body.
    matched: bool,
}

/// The walk along the chain: where it has got to, and each current record's state, so that
/// each record's body is compared with the event that wrote its version as the walk
/// passes that event (holding the records' text, not a digest of every event).
struct Walk {
    head: Option<ChainHead>,
    prev_hash: String,
    expected_seq: i64,
    count: u64,
    current: HashMap<RecordType, HashMap<String, Current>>,
    /// The first event of a record that the tables do not hold.
    missing: Option<(i64, RecordType, String)>,
}

impl Walk {
    fn new(head: Option<ChainHead>, records: Vec<(RecordType, String, u32, String)>) -> Self {
        let mut current: HashMap<RecordType, HashMap<String, Current>> = HashMap::new();
        for (position, (record_type, key, version, body)) in records.into_iter().enumerate() {
            current.entry(record_type).or_default().insert(
                key,
                Current {
                    position,
                    version,
                    body,
                    last: None,
                    matched: false,
                },
            );
        }
        Self {
            head,
            prev_hash: GENESIS.to_owned(),
            expected_seq: 1,
            count: 0,
            current,
            missing: None,
        }
    }

    /// Checks the next events in order; the report of the first bad one, if any.
    fn check(&mut self, page: Vec<Event<String>>) -> Option<ChainReport> {
        for e in page {
            let fail = |count: u64, message: String| ChainReport {
                events: count,
                head: None,
                records: 0,
                problem: Some(ChainProblem {
                    seq: Some(e.seq),
                    record: Some(e.record_key.clone()),
                    message,
                }),
            };
            if e.seq != self.expected_seq {
                return Some(fail(
                    self.count,
                    format!(
                        "event {} found where event {} should be: events are missing or reordered",
                        e.seq, self.expected_seq
                    ),
                ));
            }
            if e.prev_hash != self.prev_hash {
                return Some(fail(
                    self.count,
                    format!("event {} does not link to the event before it", e.seq),
                ));
            }
            // The stored text is the canonical form riskreg wrote, so it is hashed as it
            // stands; only if that fails is it read as JSON, which tells text written
            // differently (by another tool, or an older riskreg) from an altered event.
            let canonical = event_hash(&e) == e.hash;
            if !canonical && event_hash(&e.clone().parsed()) != e.hash {
                return Some(fail(
                    self.count,
                    format!("event {} has been altered: its content does not match its hash", e.seq),
                ));
            }
            if let Some(h) = self.head.as_ref().filter(|h| h.seq == e.seq && h.hash != e.hash) {
                return Some(fail(
                    self.count,
                    format!(
                        "event {} is not the event in the recorded head (hash {}): the history up to it has been rewritten",
                        e.seq, h.hash
                    ),
                ));
            }
            self.expected_seq += 1;
            self.count += 1;
            if let Some(after) = &e.after {
                match self
                    .current
                    .get_mut(&e.record_type)
                    .and_then(|r| r.get_mut(e.record_key.as_str()))
                {
                    Some(record) => {
                        record.last = Some((e.seq, e.version));
                        if e.version == record.version {
                            record.matched = same_body(&record.body, after);
                        }
                    }
                    None if self.missing.is_none() => self.missing = Some((e.seq, e.record_type, e.record_key)),
                    None => {}
                }
            }
            self.prev_hash = e.hash;
        }
        None
    }

    /// The first current record, in table order, that its history does not bear out.
    fn record_problem(&self) -> Option<ChainProblem> {
        let mut records: Vec<(RecordType, &String, &Current)> = self
            .current
            .iter()
            .flat_map(|(t, records)| records.iter().map(move |(key, record)| (*t, key, record)))
            .collect();
        records.sort_by_key(|(_, _, record)| record.position);
        records.into_iter().find_map(|(record_type, key, record)| {
            let label = format!("{} {key}", record_type.as_str());
            match record.last {
                None => Some(ChainProblem {
                    seq: None,
                    record: Some(key.clone()),
                    message: format!("{label} has no event in the history"),
                }),
                Some((seq, version)) if version != record.version || !record.matched => Some(ChainProblem {
                    seq: Some(seq),
                    record: Some(key.clone()),
                    message: format!(
                        "{label} does not match its last event ({seq}): the table was edited outside riskreg"
                    ),
                }),
                Some(_) => None,
            }
        })
    }
}

async fn verify(store: &dyn Store, head: Option<&ChainHead>) -> StoreResult<ChainReport> {
    // The current records first: the walk compares each with the event that wrote it.
    let records = store.current_record_texts().await?;
    let record_count = records.len() as u64;
    let (mut walk, failed) = walk_history(store, Walk::new(head.cloned(), records), Walk::check).await?;
    if let Some(report) = failed {
        return Ok(report);
    }
    let count = walk.count;
    if let Some(h) = head.filter(|h| h.seq > count as i64) {
        return Ok(ChainReport {
            events: count,
            head: None,
            records: 0,
            problem: Some(ChainProblem {
                seq: Some(count as i64 + 1),
                record: None,
                message: format!(
                    "the history ends at event {count} but the recorded head is event {}: events {}..={} have been removed",
                    h.seq,
                    count + 1,
                    h.seq
                ),
            }),
        });
    }
    let problem = walk.record_problem().or_else(|| {
        walk.missing.take().map(|(seq, record_type, key)| ChainProblem {
            seq: Some(seq),
            message: format!(
                "{} {key} is in the history but missing from the tables",
                record_type.as_str()
            ),
            record: Some(key),
        })
    });
    Ok(ChainReport {
        events: count,
        head: (count > 0 || problem.is_some()).then_some(walk.prev_hash),
        records: record_count,
        problem,
    })
}

//! Verification of the hash chain: every event in order, its position, its link to the
//! previous event and its own hash; then every current record against the last event that
//! wrote it, so that an edit to either the history or the tables is found. Given a chain
//! head recorded outside the database, it also finds a chain rewritten wholesale (every
//! hash recomputed) or cut short, which the chain alone cannot show.

use std::collections::HashMap;

use serde::Serialize;

use sha2::{Digest as _, Sha256};

use crate::chain::{ChainHead, GENESIS, canonical_json, event_hash};
use crate::error::{StoreError, StoreResult};
use crate::event::{Event, RecordType};
use crate::store::Store;

/// The events read per round trip while verifying.
const PAGE: u32 = 10_000;

/// SHA-256 of a record body's canonical text.
type Digest = [u8; 32];

fn digest(canonical: &str) -> Digest {
    Sha256::digest(canonical.as_bytes()).into()
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

/// The walk along the chain: where it has got to, and what each record last wrote.
struct Walk {
    head: Option<ChainHead>,
    prev_hash: String,
    expected_seq: i64,
    count: u64,
    /// The last event of every record: its version and a digest of what it wrote (a
    /// digest, not the body, so that memory does not grow with the size of the history).
    last: HashMap<(RecordType, String), (i64, u32, Digest)>,
}

impl Walk {
    fn new(head: Option<ChainHead>) -> Self {
        Self {
            head,
            prev_hash: GENESIS.to_owned(),
            expected_seq: 1,
            count: 0,
            last: HashMap::new(),
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
            let after_digest = if event_hash(&e) == e.hash {
                e.after.as_deref().map(digest)
            } else {
                let parsed = e.clone().parsed();
                if event_hash(&parsed) != e.hash {
                    return Some(fail(
                        self.count,
                        format!("event {} has been altered: its content does not match its hash", e.seq),
                    ));
                }
                parsed.after.as_ref().map(|v| digest(&canonical_json(v)))
            };
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
            if let Some(d) = after_digest {
                self.last.insert((e.record_type, e.record_key), (e.seq, e.version, d));
            }
            self.prev_hash = e.hash;
        }
        None
    }
}

async fn verify(store: &dyn Store, head: Option<&ChainHead>) -> StoreResult<ChainReport> {
    let mut walk = Walk::new(head.cloned());
    let mut page = store.stored_events(0, PAGE).await?;
    while let Some(after) = page.last().map(|e| e.seq) {
        // Each page is checked on a thread of its own while the next is read: hashing and
        // reading take about as long as each other, and a second core does the one while
        // the first does the other.
        let checking = tokio::task::spawn_blocking(move || {
            let failed = walk.check(page);
            (walk, failed)
        });
        let next = store.stored_events(after, PAGE).await;
        let (checked, failed) = checking.await.map_err(StoreError::other)?;
        if let Some(report) = failed {
            return Ok(report);
        }
        walk = checked;
        page = next?;
    }
    let Walk {
        prev_hash,
        count,
        mut last,
        ..
    } = walk;
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
    let records = store.current_records().await?;
    let record_count = records.len() as u64;
    for (record_type, key, version, body) in records {
        let label = format!("{} {key}", record_type.as_str());
        let problem = match last.remove(&(record_type, key.clone())) {
            None => Some(ChainProblem {
                seq: None,
                record: Some(key),
                message: format!("{label} has no event in the history"),
            }),
            Some((seq, v, after)) if v != version || after != digest(&canonical_json(&body)) => Some(ChainProblem {
                seq: Some(seq),
                record: Some(key),
                message: format!("{label} does not match its last event ({seq}): the table was edited outside riskreg"),
            }),
            Some(_) => None,
        };
        if problem.is_some() {
            return Ok(ChainReport {
                events: count,
                head: Some(prev_hash),
                records: record_count,
                problem,
            });
        }
    }
    if let Some(((record_type, key), (seq, _, _))) = last.into_iter().next() {
        return Ok(ChainReport {
            events: count,
            head: Some(prev_hash),
            records: record_count,
            problem: Some(ChainProblem {
                seq: Some(seq),
                record: Some(key.clone()),
                message: format!(
                    "{} {key} is in the history but missing from the tables",
                    record_type.as_str()
                ),
            }),
        });
    }
    Ok(ChainReport {
        events: count,
        head: (count > 0).then_some(prev_hash),
        records: record_count,
        problem: None,
    })
}

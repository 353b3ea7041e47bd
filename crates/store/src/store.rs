//! The storage traits. A backend implements [`Store`] (reads, and opening a write
//! transaction) and [`WriteTx`] (the row-level primitives of one transaction); the
//! use-case methods on `dyn Store` — create, amend, close, import — are written once, in
//! terms of those, in [`crate::engine`].

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};

use crate::chain::{ChainHead, canonical_json};
use crate::engine::group::GroupCommit;
use crate::error::StoreResult;
use crate::event::{Event, RecordType};
use crate::sessions::{SessionStore, ThrottleStore};
use crate::users::{UserStore, UserTx};

/// Which risks or issues to read.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// One register, or all when `None`.
    pub register: Option<RegisterCode>,
    /// The state as it stood at this instant; the current state when `None`.
    pub as_at: Option<DateTime<Utc>>,
    /// Include closed, escalated and converted records.
    pub include_closed: bool,
}

/// A low-volume record kept whole as JSON under a key: meetings (`PANEL/2018-08-09`),
/// proposals (their number) and snapshots (their meeting). One table serves them all, so a
/// new aggregate of this kind needs no new SQL in any backend.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRecord {
    pub key: String,
    pub body: serde_json::Value,
    pub revision: Revision,
}

/// `limit` items from `offset` of a list, and the list's length.
pub fn page_of<T>(all: Vec<T>, limit: u32, offset: u32) -> (Vec<T>, u64) {
    let total = all.len() as u64;
    (
        all.into_iter().skip(offset as usize).take(limit as usize).collect(),
        total,
    )
}

/// A storage backend: reads, and the start of a write transaction; with the user,
/// session and throttle aggregates beside the registers.
#[async_trait]
pub trait Store: UserStore + SessionStore + ThrottleStore + Send + Sync + Debug {
    /// Opens a write transaction. Writes from other transactions wait until it ends, so the
    /// chain head it reads stays the head until it commits.
    async fn begin(&self) -> StoreResult<Box<dyn WriteTx>>;

    /// The group commit that writes (`<dyn Store>::write`) go through, if the backend keeps
    /// one; without it each write is a transaction of its own.
    fn group_commit(&self) -> Option<&GroupCommit> {
        None
    }

    /// The current settings (the defaults if none were ever written).
    async fn settings(&self) -> StoreResult<Settings>;

    /// All registers, parents before children, as they stood at `as_at` if given.
    async fn registers(&self, as_at: Option<DateTime<Utc>>) -> StoreResult<Vec<Register>>;

    async fn register(&self, code: &RegisterCode, as_at: Option<DateTime<Utc>>) -> StoreResult<Register>;

    /// A current register with the settings: what listing one register reads before its
    /// page. Backends answer it in one query where they can; a missing register is
    /// `NotFound` as from [`Store::register`].
    async fn register_with_settings(&self, code: &RegisterCode) -> StoreResult<(Register, Settings)> {
        Ok((self.register(code, None).await?, self.settings().await?))
    }

    /// Risks in register order (severity descending, number ascending).
    async fn risks(&self, query: &RecordQuery) -> StoreResult<Vec<Risk>>;

    async fn risk(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Risk>;

    /// A current risk with its register and the settings: all that serving one risk reads.
    /// Backends answer it in one query where they can; a missing register or risk is
    /// `NotFound` as from [`Store::register`] and [`Store::risk`].
    async fn risk_with_register(&self, reference: &RecordRef) -> StoreResult<(Risk, Register, Settings)> {
        let register = self.register(&reference.register, None).await?;
        let risk = self.risk(reference, None).await?;
        Ok((risk, register, self.settings().await?))
    }

    /// One page of [`Store::risks`] in the same order, and how many risks the whole list
    /// holds. Backends answer current reads from an index instead of reading every risk.
    async fn risk_page(&self, query: &RecordQuery, limit: u32, offset: u32) -> StoreResult<(Vec<Risk>, u64)> {
        Ok(page_of(self.risks(query).await?, limit, offset))
    }

    /// Issues in register order (impact descending, number ascending).
    async fn issues(&self, query: &RecordQuery) -> StoreResult<Vec<Issue>>;

    async fn issue(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Issue>;

    /// The risk or issue (by `record_type`) of `register` whose `source_ref` — the
    /// reference it had where it was imported from — is exactly `source_ref`, closed ones
    /// included. Backends answer from an index; this default reads the register.
    async fn find_by_source_ref(
        &self,
        record_type: RecordType,
        register: &RegisterCode,
        source_ref: &str,
    ) -> StoreResult<Option<RecordRef>> {
        let query = RecordQuery {
            register: Some(register.clone()),
            as_at: None,
            include_closed: true,
        };
        Ok(match record_type {
            RecordType::Issue => self
                .issues(&query)
                .await?
                .into_iter()
                .find(|i| i.fields.source_ref.as_deref() == Some(source_ref))
                .map(|i| i.reference),
            _ => self
                .risks(&query)
                .await?
                .into_iter()
                .find(|r| r.fields.source_ref.as_deref() == Some(source_ref))
                .map(|r| r.reference),
        })
    }

    /// Every event of one record, oldest first.
    async fn history(&self, record_type: RecordType, key: &str) -> StoreResult<Vec<Event>>;

    /// Up to `limit` events with `seq > after`, in chain order: the stored text read as
    /// JSON.
    async fn events(&self, after: i64, limit: u32) -> StoreResult<Vec<Event>> {
        Ok(self
            .stored_events(after, limit)
            .await?
            .into_iter()
            .map(Event::parsed)
            .collect())
    }

    /// [`Store::events`] with each before and after as the text stored (riskreg stores the
    /// canonical form that is hashed), for verifying the chain without building a JSON tree
    /// per event.
    async fn stored_events(&self, after: i64, limit: u32) -> StoreResult<Vec<Event<String>>>;

    async fn event_count(&self) -> StoreResult<u64>;

    /// The newest event's position and hash ([`ChainHead::genesis`] for an empty history).
    /// Every write appends an event, so while the head is unchanged so is every record:
    /// the API keeps finished list pages until it moves.
    async fn chain_head(&self) -> StoreResult<ChainHead>;

    /// Every JSON record of one type, in no particular order.
    async fn json_records(&self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>>;

    async fn json_record(&self, record_type: RecordType, key: &str) -> StoreResult<Option<JsonRecord>>;

    /// Every current record (users, tokens, meetings and proposals included) as
    /// `(record type, key, version, stored JSON)`, for checking that the tables agree with
    /// the chain.
    async fn current_records(&self) -> StoreResult<Vec<(RecordType, String, u32, serde_json::Value)>>;

    /// [`Store::current_records`] with each body as text, for verifying: backends that store
    /// riskreg's canonical text answer with it as it stands, so that it can be hashed without
    /// being parsed; this default writes each body in the canonical form.
    async fn current_record_texts(&self) -> StoreResult<Vec<(RecordType, String, u32, String)>> {
        Ok(self
            .current_records()
            .await?
            .into_iter()
            .map(|(record_type, key, version, body)| (record_type, key, version, canonical_json(&body)))
            .collect())
    }
}

/// The primitives of one write transaction. Nothing is visible to readers until
/// [`WriteTx::commit`]; dropping the transaction without committing rolls it back.
#[async_trait]
pub trait WriteTx: UserTx + Send {
    /// The stored settings and their version, if any were ever written.
    async fn settings(&mut self) -> StoreResult<Option<(Settings, u32)>>;
    async fn put_settings(&mut self, settings: &Settings, version: u32) -> StoreResult<()>;

    async fn register(&mut self, code: &RegisterCode) -> StoreResult<Option<Register>>;
    async fn insert_register(&mut self, register: &Register) -> StoreResult<()>;
    async fn update_register(&mut self, register: &Register) -> StoreResult<()>;

    async fn risk(&mut self, reference: &RecordRef) -> StoreResult<Option<Risk>>;
    /// The highest risk number the register has ever used (0 if none).
    async fn max_risk_number(&mut self, register: &RegisterCode) -> StoreResult<u32>;
    /// Every number the register's risks use, read at once so that many new numbers can be
    /// checked without a lookup each; `None` from a backend that cannot list them (then
    /// each is looked up with [`WriteTx::risk`]).
    async fn risk_numbers(&mut self, _register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        Ok(None)
    }
    /// The current rows of the risks named, read at once so that a batch of amendments needs
    /// no read each; risks that do not exist are left out. `None` from a backend that cannot
    /// (then each is read with [`WriteTx::risk`]).
    async fn risks_of(&mut self, _references: &[RecordRef]) -> StoreResult<Option<Vec<Risk>>> {
        Ok(None)
    }
    async fn insert_risk(&mut self, risk: &Risk) -> StoreResult<()>;
    async fn update_risk(&mut self, risk: &Risk) -> StoreResult<()>;

    async fn issue(&mut self, reference: &RecordRef) -> StoreResult<Option<Issue>>;
    async fn max_issue_number(&mut self, register: &RegisterCode) -> StoreResult<u32>;
    /// As [`WriteTx::risk_numbers`], for issues.
    async fn issue_numbers(&mut self, _register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        Ok(None)
    }
    /// As [`WriteTx::risks_of`], for issues.
    async fn issues_of(&mut self, _references: &[RecordRef]) -> StoreResult<Option<Vec<Issue>>> {
        Ok(None)
    }
    async fn insert_issue(&mut self, issue: &Issue) -> StoreResult<()>;
    async fn update_issue(&mut self, issue: &Issue) -> StoreResult<()>;

    async fn json_record(&mut self, record_type: RecordType, key: &str) -> StoreResult<Option<JsonRecord>>;
    async fn json_records(&mut self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>>;
    /// Inserts the record, or replaces the one with the same type and key.
    async fn put_json_record(&mut self, record_type: RecordType, record: &JsonRecord) -> StoreResult<()>;

    /// How many risks and issues exist in all registers.
    async fn record_count(&mut self) -> StoreResult<u64>;

    /// The last event's position and hash, held for this transaction.
    async fn chain_head(&mut self) -> StoreResult<ChainHead>;
    /// Appends `event`, whose before and after are already the canonical text
    /// ([`crate::chain::canonical_json`]) that was hashed: stored as they are, so that each
    /// body is written out once per write, not once for the hash and again for the row.
    async fn append_event(&mut self, event: Event<String>) -> StoreResult<()>;

    /// Sends any rows the backend is holding back to send together, so that an error
    /// one of them meets is reported now, to the writes that made it, rather than at some
    /// later statement. Backends that send each statement as it comes have nothing to do.
    async fn flush(&mut self) -> StoreResult<()> {
        Ok(())
    }

    /// Marks the point [`WriteTx::rollback_to_savepoint`] returns to (one at a time).
    async fn savepoint(&mut self) -> StoreResult<()>;
    /// Keeps what was done since the savepoint, as part of the transaction.
    async fn release_savepoint(&mut self) -> StoreResult<()>;
    /// Undoes what was done since the savepoint; the transaction carries on.
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()>;

    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Ends the transaction, keeping nothing, before the next writer goes (dropping it
    /// also rolls back, but may leave the rollback to finish later).
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// Events read per round trip by a walk over the whole history.
const WALK_PAGE: u32 = 10_000;

/// Walks the whole history in chain order, a page at a time, handing each page to
/// `step` on a blocking thread while the next page is read: reading and working through
/// a page take about as long as each other, and a second core does the one while the
/// first does the other. Stops early when `step` returns something.
pub async fn walk_history<S: Send + 'static, R: Send + 'static>(
    store: &dyn Store,
    mut state: S,
    step: fn(&mut S, Vec<Event<String>>) -> Option<R>,
) -> StoreResult<(S, Option<R>)> {
    let mut page = store.stored_events(0, WALK_PAGE).await?;
    while let Some(after) = page.last().map(|e| e.seq) {
        let working = tokio::task::spawn_blocking(move || {
            let stopped = step(&mut state, page);
            (state, stopped)
        });
        let next = store.stored_events(after, WALK_PAGE).await;
        let (worked, stopped) = working.await.map_err(crate::error::StoreError::other)?;
        if stopped.is_some() {
            return Ok((worked, stopped));
        }
        state = worked;
        page = next?;
    }
    Ok((state, None))
}

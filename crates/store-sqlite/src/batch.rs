//! A write transaction's connection, with its new risks, issues and events held back to be
//! sent many rows to a statement. sqlx hands every SQLite statement to a thread of its own
//! and waits for the answer, which costs far more than SQLite's own work on a row; so a
//! batch of creates (an import of a hundred thousand risks) sends them as INSERTs of up to
//! 250 rows, which run on that thread while the next rows are made. Everything held
//! or on its way is written before any other statement, so none can miss a row.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use riskreg_domain::{Issue, IssueStatus, Risk};
use riskreg_store::event::timestamp_text;
use riskreg_store::{Event, StoreError, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, Transaction};

use crate::rows::{db_err, stored_body};

/// Most rows held per table: one statement then carries at most 14 × 250 parameters, well
/// under SQLite's limit of 32,766, and the cost of a statement is spread thin. (Measured on
/// an import of 100,000 risks: 250 a little faster than 1,000, 100 no faster than 250.)
const MOST_ROWS: usize = 250;

type Tx = Transaction<'static, Sqlite>;

/// Statements on their way, one after another, holding the transaction until they are done.
type Sending = Pin<Box<dyn Future<Output = (Tx, StoreResult<()>)> + Send>>;

/// A risk's or an issue's row; `score` is the severity of a risk, the impact of an issue.
struct RecordRow {
    register: String,
    number: i64,
    score: i64,
    live: bool,
    body: String,
    version: i64,
    updated_at: String,
    updated_by: String,
}

struct EventRow {
    seq: i64,
    at: String,
    recorded_at: String,
    actor: String,
    reason: Option<String>,
    kind: String,
    record_type: &'static str,
    record_key: String,
    register: Option<String>,
    version: i64,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

pub struct Batched {
    /// The transaction, when no statement is on its way with it.
    tx: Option<Tx>,
    /// Declared after `tx`: dropped, it drops the transaction (so rolls it back) as `tx` would.
    sending: Option<Sending>,
    risks: Vec<RecordRow>,
    issues: Vec<RecordRow>,
    events: Vec<EventRow>,
}

impl Batched {
    pub fn new(tx: Tx) -> Self {
        Self {
            tx: Some(tx),
            sending: None,
            risks: Vec::new(),
            issues: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The connection, once everything held or on its way has been written.
    pub async fn conn(&mut self) -> StoreResult<&mut SqliteConnection> {
        self.settle().await?;
        if !(self.risks.is_empty() && self.issues.is_empty() && self.events.is_empty()) {
            self.start().await?;
            self.settle().await?;
        }
        Ok(self.tx()?)
    }

    /// Holds a risk's row, first sending everything held if there are enough risks.
    pub async fn risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.progress().await?;
        if self.risks.len() >= MOST_ROWS {
            self.settle().await?;
            self.start().await?;
        }
        self.risks.push(RecordRow {
            register: r.reference.register.as_str().to_owned(),
            number: i64::from(r.reference.number),
            score: i64::from(r.severity()),
            live: r.fields.status.is_live(),
            body: stored_body(&r.fields)?,
            version: i64::from(r.revision.version),
            updated_at: timestamp_text(r.revision.updated_at),
            updated_by: r.revision.updated_by.clone(),
        });
        Ok(())
    }

    pub async fn issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.progress().await?;
        if self.issues.len() >= MOST_ROWS {
            self.settle().await?;
            self.start().await?;
        }
        self.issues.push(RecordRow {
            register: i.reference.register.as_str().to_owned(),
            number: i64::from(i.reference.number),
            score: i64::from(i.fields.impact),
            live: i.fields.status == IssueStatus::Open,
            body: stored_body(&i.fields)?,
            version: i64::from(i.revision.version),
            updated_at: timestamp_text(i.revision.updated_at),
            updated_by: i.revision.updated_by.clone(),
        });
        Ok(())
    }

    pub async fn event(&mut self, e: Event<String>) -> StoreResult<()> {
        self.progress().await?;
        if self.events.len() >= MOST_ROWS {
            self.settle().await?;
            self.start().await?;
        }
        // Before and after are the canonical text that was hashed, stored as they are so
        // that verification hashes the text as it stands.
        self.events.push(EventRow {
            seq: e.seq,
            at: timestamp_text(e.at),
            recorded_at: timestamp_text(e.recorded_at),
            actor: e.actor,
            reason: e.reason,
            kind: e.kind,
            record_type: e.record_type.as_str(),
            record_key: e.record_key,
            register: e.register,
            version: i64::from(e.version),
            before: e.before,
            after: e.after,
            prev_hash: e.prev_hash,
            hash: e.hash,
        });
        Ok(())
    }

    /// Drops every row held and waits out the statements on their way, whatever their
    /// outcome: for a rollback, which undoes them all.
    pub async fn abandon(&mut self) {
        self.risks.clear();
        self.issues.clear();
        self.events.clear();
        // A statement that failed is undone with the rest.
        let _ = self.settle().await;
    }

    /// Writes everything held, then commits.
    pub async fn commit(mut self) -> StoreResult<()> {
        self.conn().await?;
        self.take_tx()?.commit().await.map_err(db_err)
    }

    pub async fn rollback(mut self) -> StoreResult<()> {
        self.abandon().await;
        self.take_tx()?.rollback().await.map_err(db_err)
    }

    /// Sends everything held, in statements that run one after another on SQLite's
    /// thread while the caller goes on. Nothing may be on its way already.
    async fn start(&mut self) -> StoreResult<()> {
        let mut statements = Vec::with_capacity(3);
        if !self.risks.is_empty() {
            statements.push(records_statement(RISKS, std::mem::take(&mut self.risks)));
        }
        if !self.issues.is_empty() {
            statements.push(records_statement(ISSUES, std::mem::take(&mut self.issues)));
        }
        if !self.events.is_empty() {
            statements.push(events_statement(std::mem::take(&mut self.events)));
        }
        let mut tx = self.take_tx()?;
        self.sending = Some(Box::pin(async move {
            for mut statement in statements {
                let sent = statement
                    .query
                    .build()
                    .persistent(keep_prepared(statement.rows))
                    .execute(&mut *tx)
                    .await;
                if let Err(e) = sent {
                    return (tx, Err(db_err(e)));
                }
            }
            (tx, Ok(()))
        }));
        self.progress().await
    }

    /// Moves the statements on their way along without waiting: each poll hands the next
    /// statement to SQLite's thread once the one before has finished (sqlx sends a
    /// statement when it is first polled). Called on every row held, so that SQLite is
    /// kept busy while rows are made.
    async fn progress(&mut self) -> StoreResult<()> {
        let Some(sending) = &mut self.sending else {
            return Ok(());
        };
        match std::future::poll_fn(|cx| Poll::Ready(sending.as_mut().poll(cx))).await {
            Poll::Ready((tx, result)) => {
                self.sending = None;
                self.tx = Some(tx);
                result
            }
            Poll::Pending => Ok(()),
        }
    }

    /// Waits for the statements on their way, if any: their outcome, with the transaction
    /// back.
    async fn settle(&mut self) -> StoreResult<()> {
        match self.sending.take() {
            Some(sending) => {
                let (tx, result) = sending.await;
                self.tx = Some(tx);
                result
            }
            None => Ok(()),
        }
    }

    fn tx(&mut self) -> StoreResult<&mut Tx> {
        self.tx.as_mut().ok_or_else(lost)
    }

    fn take_tx(&mut self) -> StoreResult<Tx> {
        self.tx.take().ok_or_else(lost)
    }
}

/// The transaction is only ever away with a statement, and every path waits for that first.
fn lost() -> StoreError {
    StoreError::other("the write transaction was lost while a statement was on its way")
}

struct Statement {
    query: QueryBuilder<Sqlite>,
    rows: usize,
}

const RISKS: &str = "INSERT INTO risks (register, number, severity, live, body, version, updated_at, updated_by) ";
const ISSUES: &str = "INSERT INTO issues (register, number, impact, live, body, version, updated_at, updated_by) ";

fn records_statement(insert: &str, rows: Vec<RecordRow>) -> Statement {
    let count = rows.len();
    let mut query = QueryBuilder::<Sqlite>::new(insert);
    query.push_values(rows, |mut values, r| {
        values
            .push_bind(r.register)
            .push_bind(r.number)
            .push_bind(r.score)
            .push_bind(r.live)
            .push_bind(r.body)
            .push_bind(r.version)
            .push_bind(r.updated_at)
            .push_bind(r.updated_by);
    });
    Statement { query, rows: count }
}

fn events_statement(rows: Vec<EventRow>) -> Statement {
    let count = rows.len();
    let mut query = QueryBuilder::<Sqlite>::new(
        "INSERT INTO events (seq, at, recorded_at, actor, reason, kind, record_type, record_key, register,
                             version, before, after, prev_hash, hash) ",
    );
    query.push_values(rows, |mut values, e| {
        values
            .push_bind(e.seq)
            .push_bind(e.at)
            .push_bind(e.recorded_at)
            .push_bind(e.actor)
            .push_bind(e.reason)
            .push_bind(e.kind)
            .push_bind(e.record_type)
            .push_bind(e.record_key)
            .push_bind(e.register)
            .push_bind(e.version)
            .push_bind(e.before)
            .push_bind(e.after)
            .push_bind(e.prev_hash)
            .push_bind(e.hash);
    });
    Statement { query, rows: count }
}

/// Whether to keep the statement prepared for next time: only for the counts that recur (a
/// single write's one row, a long batch's full statements), so that the cache of prepared
/// statements is not filled with one of each count.
fn keep_prepared(rows: usize) -> bool {
    rows == 1 || rows == MOST_ROWS
}

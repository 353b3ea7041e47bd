//! A write transaction's connection, with its new and changed risks and issues and its new
//! events held back and sent many rows to a statement. Every statement costs a round trip
//! to the server, far more than the server's work on a row, so a batch of writes (an
//! import, a long history being loaded) sends each table's rows together: the columns go
//! as arrays that the server unnests, so one statement text serves every count and stays
//! prepared. Everything held is written before any other statement, so none can miss a row.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use riskreg_domain::{Issue, IssueStatus, Risk};
use riskreg_store::{Event, StoreError, StoreResult};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::rows::db_err;

/// Most rows held in one table before everything held is sent: a statement of a thousand
/// events (a few megabytes) spreads its round trip thin without holding much in memory.
const MOST_ROWS: usize = 1_000;

type Tx = Transaction<'static, Postgres>;

pub struct Batched {
    tx: Tx,
    new_risks: Records,
    new_issues: Records,
    changed_risks: Records,
    changed_issues: Records,
    events: Events,
}

impl Batched {
    pub fn new(tx: Tx) -> Self {
        Self {
            tx,
            new_risks: Records::default(),
            new_issues: Records::default(),
            changed_risks: Records::default(),
            changed_issues: Records::default(),
            events: Events::default(),
        }
    }

    /// The connection, once everything held has been written.
    pub async fn conn(&mut self) -> StoreResult<&mut PgConnection> {
        self.send().await?;
        Ok(&mut *self.tx)
    }

    pub async fn insert_risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.new_risks.insert(RecordRow::risk(r)?);
        self.send_if_full().await
    }

    pub async fn update_risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.changed_risks.update(RecordRow::risk(r)?);
        self.send_if_full().await
    }

    pub async fn insert_issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.new_issues.insert(RecordRow::issue(i)?);
        self.send_if_full().await
    }

    pub async fn update_issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.changed_issues.update(RecordRow::issue(i)?);
        self.send_if_full().await
    }

    pub async fn event(&mut self, e: Event<String>) -> StoreResult<()> {
        self.events.push(e);
        self.send_if_full().await
    }

    /// Drops every row held: for a rollback, which would undo them anyway.
    pub fn abandon(&mut self) {
        self.new_risks = Records::default();
        self.new_issues = Records::default();
        self.changed_risks = Records::default();
        self.changed_issues = Records::default();
        self.events = Events::default();
    }

    /// Writes everything held, then commits.
    pub async fn commit(mut self) -> StoreResult<()> {
        self.send().await?;
        self.tx.commit().await.map_err(db_err)
    }

    pub async fn rollback(mut self) -> StoreResult<()> {
        self.abandon();
        self.tx.rollback().await.map_err(db_err)
    }

    async fn send_if_full(&mut self) -> StoreResult<()> {
        let most = [
            self.new_risks.len(),
            self.new_issues.len(),
            self.changed_risks.len(),
            self.changed_issues.len(),
            self.events.seq.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        if most >= MOST_ROWS { self.send().await } else { Ok(()) }
    }

    /// Sends everything held. New records go before changed ones: a record made and then
    /// changed while its rows were held must exist before its update.
    async fn send(&mut self) -> StoreResult<()> {
        let records = [
            (INSERT_RISKS, std::mem::take(&mut self.new_risks)),
            (INSERT_ISSUES, std::mem::take(&mut self.new_issues)),
            (UPDATE_RISKS, std::mem::take(&mut self.changed_risks)),
            (UPDATE_ISSUES, std::mem::take(&mut self.changed_issues)),
        ];
        let events = std::mem::take(&mut self.events);
        for (sql, rows) in records {
            if !rows.is_empty() {
                rows.query(sql).execute(&mut *self.tx).await.map_err(db_err)?;
            }
        }
        if !events.seq.is_empty() {
            events.query().execute(&mut *self.tx).await.map_err(db_err)?;
        }
        Ok(())
    }
}

/// A risk's or an issue's row; `score` is the severity of a risk, the impact of an issue.
struct RecordRow {
    register: String,
    number: i64,
    score: i64,
    live: bool,
    body: String,
    version: i64,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl RecordRow {
    fn risk(r: &Risk) -> StoreResult<Self> {
        Ok(Self {
            register: r.reference.register.as_str().to_owned(),
            number: i64::from(r.reference.number),
            score: i64::from(r.severity()),
            live: r.fields.status.is_live(),
            body: body_text(&r.fields)?,
            version: i64::from(r.revision.version),
            updated_at: r.revision.updated_at,
            updated_by: r.revision.updated_by.clone(),
        })
    }

    fn issue(i: &Issue) -> StoreResult<Self> {
        Ok(Self {
            register: i.reference.register.as_str().to_owned(),
            number: i64::from(i.reference.number),
            score: i64::from(i.fields.impact),
            live: i.fields.status == IssueStatus::Open,
            body: body_text(&i.fields)?,
            version: i64::from(i.revision.version),
            updated_at: i.revision.updated_at,
            updated_by: i.revision.updated_by.clone(),
        })
    }
}

/// A record's JSON for a jsonb column, which keeps its own order of keys whatever the text's.
fn body_text<T: serde::Serialize>(fields: &T) -> StoreResult<String> {
    serde_json::to_string(fields).map_err(StoreError::other)
}

/// The rows held for a risks or issues table, a column to an array.
#[derive(Default)]
struct Records {
    register: Vec<String>,
    number: Vec<i64>,
    score: Vec<i64>,
    live: Vec<bool>,
    body: Vec<String>,
    version: Vec<i64>,
    updated_at: Vec<DateTime<Utc>>,
    updated_by: Vec<String>,
    /// Where each record's row is, for updates: a record changed twice while held is sent
    /// once, as it last stood, since one UPDATE sets a row at most once. Every column is
    /// set, so the last row alone has the effect of all of them.
    at: HashMap<(String, i64), usize>,
}

impl Records {
    fn len(&self) -> usize {
        self.number.len()
    }

    fn is_empty(&self) -> bool {
        self.number.is_empty()
    }

    fn insert(&mut self, r: RecordRow) {
        self.register.push(r.register);
        self.number.push(r.number);
        self.score.push(r.score);
        self.live.push(r.live);
        self.body.push(r.body);
        self.version.push(r.version);
        self.updated_at.push(r.updated_at);
        self.updated_by.push(r.updated_by);
    }

    fn update(&mut self, r: RecordRow) {
        match self.at.entry((r.register.clone(), r.number)) {
            Entry::Vacant(at) => {
                at.insert(self.number.len());
                self.insert(r);
            }
            Entry::Occupied(at) => {
                let i = *at.get();
                self.score[i] = r.score;
                self.live[i] = r.live;
                self.body[i] = r.body;
                self.version[i] = r.version;
                self.updated_at[i] = r.updated_at;
                self.updated_by[i] = r.updated_by;
            }
        }
    }

    fn query(self, sql: &'static str) -> Query<'static, Postgres, PgArguments> {
        sqlx::query(sql)
            .bind(self.register)
            .bind(self.number)
            .bind(self.score)
            .bind(self.live)
            .bind(self.body)
            .bind(self.version)
            .bind(self.updated_at)
            .bind(self.updated_by)
    }
}

/// The events held, a column to an array.
#[derive(Default)]
struct Events {
    seq: Vec<i64>,
    at: Vec<DateTime<Utc>>,
    recorded_at: Vec<DateTime<Utc>>,
    actor: Vec<String>,
    reason: Vec<Option<String>>,
    kind: Vec<String>,
    record_type: Vec<&'static str>,
    record_key: Vec<String>,
    register: Vec<Option<String>>,
    version: Vec<i64>,
    before: Vec<Option<String>>,
    after: Vec<Option<String>>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
}

impl Events {
    fn push(&mut self, e: Event<String>) {
        // The canonical text that was hashed, into json columns, which keep text as given,
        // as SQLite stores it: verifying hashes the stored text as it stands instead of
        // parsing and rewriting every event.
        self.seq.push(e.seq);
        self.at.push(e.at);
        self.recorded_at.push(e.recorded_at);
        self.actor.push(e.actor);
        self.reason.push(e.reason);
        self.kind.push(e.kind);
        self.record_type.push(e.record_type.as_str());
        self.record_key.push(e.record_key);
        self.register.push(e.register);
        self.version.push(i64::from(e.version));
        self.before.push(e.before);
        self.after.push(e.after);
        self.prev_hash.push(e.prev_hash);
        self.hash.push(e.hash);
    }

    fn query(self) -> Query<'static, Postgres, PgArguments> {
        sqlx::query(INSERT_EVENTS)
            .bind(self.seq)
            .bind(self.at)
            .bind(self.recorded_at)
            .bind(self.actor)
            .bind(self.reason)
            .bind(self.kind)
            .bind(self.record_type)
            .bind(self.record_key)
            .bind(self.register)
            .bind(self.version)
            .bind(self.before)
            .bind(self.after)
            .bind(self.prev_hash)
            .bind(self.hash)
    }
}

// Each statement takes one array per column and unnests them into rows again.

const INSERT_RISKS: &str = "INSERT INTO risks (register, number, severity, live, body, version, updated_at, updated_by)
     SELECT register, number, score, live, body::jsonb, version, updated_at, updated_by
     FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::bool[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[])
         AS held (register, number, score, live, body, version, updated_at, updated_by)";

const INSERT_ISSUES: &str = "INSERT INTO issues (register, number, impact, live, body, version, updated_at, updated_by)
     SELECT register, number, score, live, body::jsonb, version, updated_at, updated_by
     FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::bool[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[])
         AS held (register, number, score, live, body, version, updated_at, updated_by)";

const UPDATE_RISKS: &str = "UPDATE risks SET severity = held.score, live = held.live, body = held.body::jsonb,
         version = held.version, updated_at = held.updated_at, updated_by = held.updated_by
     FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::bool[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[])
         AS held (register, number, score, live, body, version, updated_at, updated_by)
     WHERE risks.register = held.register AND risks.number = held.number";

const UPDATE_ISSUES: &str = "UPDATE issues SET impact = held.score, live = held.live, body = held.body::jsonb,
         version = held.version, updated_at = held.updated_at, updated_by = held.updated_by
     FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::bool[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[])
         AS held (register, number, score, live, body, version, updated_at, updated_by)
     WHERE issues.register = held.register AND issues.number = held.number";

const INSERT_EVENTS: &str = "INSERT INTO events (seq, at, recorded_at, actor, reason, kind, record_type, record_key,
                         register, version, before, after, prev_hash, hash)
     SELECT seq, at, recorded_at, actor, reason, kind, record_type, record_key,
            register, version, before::json, after::json, prev_hash, hash
     FROM UNNEST($1::int8[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::int8[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS held (seq, at, recorded_at, actor, reason, kind, record_type, record_key,
                  register, version, before, after, prev_hash, hash)";

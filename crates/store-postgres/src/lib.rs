//! The PostgreSQL backend, for registers that outgrow one machine: several `riskreg serve`
//! processes on one database. Every write transaction first takes a transaction-level
//! advisory lock (the chain lock), so writers in all processes are serialised and the hash
//! chain stays unbroken; reads take no lock. Behaviour matches the SQLite backend in every
//! respect, which the conformance suite checks.

mod config;
mod rows;
mod schema;
mod tx;
mod users;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riskreg_domain::{Issue, IssueStatus, RecordRef, Register, RegisterCode, Risk, Settings, ordering};
use riskreg_store::chain::{ChainHead, canonical_json};
use riskreg_store::engine::group::GroupCommit;
use riskreg_store::event::timestamp_text;
use riskreg_store::{Event, JsonRecord, RecordQuery, RecordType, Store, StoreError, StoreResult, WriteTx};
use serde_json::Value;
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Row};

pub use crate::config::{PoolSettings, redact};
use crate::rows::{
    EVENT_COLUMNS, Parts, db_err, event_from_row, event_key, issue_from_table_row, risk_from_table_row,
    settings_from_row, stored_event_from_row,
};
pub use crate::schema::migrator;
pub use crate::tx::CHAIN_LOCK;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The URL with its password hidden.
    shown: String,
    settings: PoolSettings,
    /// Writes arriving together commit together (see [`GroupCommit`]); started by the
    /// first write, shared by every clone of the store.
    group: Arc<OnceLock<GroupCommit>>,
}

/// Shows where the store points, never the password.
impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.shown)
            .field("pool", &self.settings)
            .finish()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://` or `postgresql://`), creating the
    /// database if the server has none of that name and the user may create one, and brings
    /// its schema up to date. Pool settings come from the URL's query string (see
    /// [`PoolSettings`]).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let target = config::parse(url)?;
        let shown = target.shown.clone();
        // One direct connection first: an unreachable server or a bad password fails at
        // once with its own message, rather than after the pool's acquire timeout.
        let mut conn = match PgConnection::connect_with(&target.options).await {
            Ok(conn) => conn,
            Err(e) if is_missing_database(&e) => {
                create_database(&target.url, &shown).await?;
                PgConnection::connect_with(&target.options)
                    .await
                    .map_err(|e| StoreError::Other(format!("cannot open {shown}: {e}")))?
            }
            Err(e) => return Err(StoreError::Other(format!("cannot open {shown}: {e}"))),
        };
        let migrator = schema::migrator();
        let read_only: bool =
            sqlx::query_scalar("SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'")
                .fetch_one(&mut conn)
                .await
                .map_err(db_err)?;
        if read_only {
            // A read replica cannot be migrated; it can serve reads once the primary's
            // schema has replicated to it.
            check_schema(&mut conn, &migrator, &shown).await?;
        } else {
            // The migrator takes its own advisory lock, so servers starting together are safe.
            migrator
                .run(&mut conn)
                .await
                .map_err(|e| StoreError::Other(format!("cannot migrate {shown}: {e}")))?;
        }
        // Closing politely only spares the server a log line; a failure here changes nothing.
        let _ = conn.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(target.pool.max_connections)
            .acquire_timeout(target.pool.acquire_timeout)
            .connect_lazy_with(target.options);
        Ok(Self {
            pool,
            shown,
            settings: target.pool,
            group: Arc::default(),
        })
    }

    /// The connection pool, for tools that need SQL the traits do not offer (tests, backup).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The pool settings in force.
    pub fn pool_settings(&self) -> PoolSettings {
        self.settings
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The current rows of the risks or issues table that `query` asks for (not as at a
    /// date), each made by `make`.
    async fn current_rows<T>(
        &self,
        record_type: RecordType,
        query: &RecordQuery,
        make: fn(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        sqlx::query(current_rows_sql(record_type, query.register.is_some()))
            .bind(query.register.as_ref().map(RegisterCode::as_str))
            .bind(query.include_closed)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(make)
            .collect()
    }

    /// The latest version of each record of one type with `at <= as_at`, the way SQLite's
    /// window query picks them.
    async fn latest_versions(
        &self,
        record_type: RecordType,
        register: Option<&RegisterCode>,
        as_at: DateTime<Utc>,
    ) -> StoreResult<Vec<PgRow>> {
        // With a register, each record's newest version as at `as_at` comes from the
        // events_as_at index (migration 0008) and only those versions' rows are read, rather
        // than every past version's body being sorted. Each is read by its own index lookup
        // (the LATERAL subquery, kept apart by `OFFSET 0`): once the table has been analysed
        // the planner cannot tell that every (key, newest version) pair matches one row, and
        // would hash-join against a scan of every event instead (2x slower at 100,000
        // events, and growing with the history).
        let sql = match register {
            Some(_) => {
                "SELECT e.record_key, e.version, e.at, e.actor, e.after::text AS after
                 FROM (SELECT record_key, MAX(version) AS version FROM events
                       WHERE register = $2 AND record_type = $1 AND at <= $3
                       GROUP BY record_key) AS m
                 CROSS JOIN LATERAL (
                     SELECT record_key, version, at, actor, after FROM events
                     WHERE record_type = $1 AND record_key = m.record_key AND version = m.version
                     OFFSET 0) AS e"
            }
            None => {
                "SELECT DISTINCT ON (record_key) record_key, version, at, actor, after::text AS after
                 FROM events
                 WHERE record_type = $1 AND ($2::text IS NULL OR register = $2) AND at <= $3
                 ORDER BY record_key, version DESC"
            }
        };
        sqlx::query(sql)
            .bind(record_type.as_str())
            .bind(register.map(RegisterCode::as_str))
            .bind(as_at)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn latest_version(
        &self,
        record_type: RecordType,
        key: &str,
        as_at: DateTime<Utc>,
    ) -> StoreResult<Option<PgRow>> {
        sqlx::query(
            "SELECT record_key, version, at, actor, after::text AS after FROM events
             WHERE record_type = $1 AND record_key = $2 AND at <= $3
             ORDER BY version DESC LIMIT 1",
        )
        .bind(record_type.as_str())
        .bind(key)
        .bind(as_at)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }
}

fn is_missing_database(e: &sqlx::Error) -> bool {
    // invalid_catalog_name: the database named in the URL does not exist.
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000"))
}

/// Creates the database named in `url`, as opening a SQLite path creates the file. Another
/// process creating it first is not an error.
async fn create_database(url: &str, shown: &str) -> StoreResult<()> {
    match Postgres::create_database(url).await {
        Ok(()) => Ok(()),
        // duplicate_database: someone else won the race.
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => Ok(()),
        Err(e) => Err(StoreError::Other(format!(
            "the database in {shown} does not exist and cannot be created: {e}"
        ))),
    }
}

/// Checks that a read-only database (a hot standby) has every migration this build knows.
async fn check_schema(conn: &mut PgConnection, migrator: &Migrator, shown: &str) -> StoreResult<()> {
    let behind = || {
        StoreError::Other(format!(
            "{shown} is read-only (a replica?) and its schema is not up to date; \
             open the primary with this version of riskreg first"
        ))
    };
    let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(&mut *conn)
        .await
    {
        Ok(applied) => applied,
        // undefined_table: no migration has ever run here.
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P01") => return Err(behind()),
        Err(e) => return Err(db_err(e)),
    };
    if migrator.iter().all(|m| applied.contains(&m.version)) {
        Ok(())
    } else {
        Err(behind())
    }
}

fn risk_from_event_row(row: &PgRow) -> StoreResult<Risk> {
    Parts::from_event(row)?.into_risk(RecordRef::parse(&event_key(row)?)?)
}

fn issue_from_event_row(row: &PgRow) -> StoreResult<Issue> {
    Parts::from_event(row)?.into_issue(RecordRef::parse(&event_key(row)?)?)
}

fn register_from_event_row(row: &PgRow) -> StoreResult<Register> {
    Parts::from_event(row)?.into_register(&event_key(row)?)
}

fn not_found(what: &str, key: &dyn std::fmt::Display, as_at: Option<DateTime<Utc>>) -> StoreError {
    match as_at {
        Some(t) => StoreError::NotFound(format!("{what} {key} as at {}", timestamp_text(t))),
        None => StoreError::NotFound(format!("{what} {key}")),
    }
}

#[async_trait]
impl Store for PgStore {
    fn group_commit(&self) -> Option<&GroupCommit> {
        Some(self.group.get_or_init(|| {
            // The committing task's own handle begins transactions directly and holds no
            // group, so the task ends when the last clone of this store is dropped.
            GroupCommit::start(Arc::new(Self {
                group: Arc::default(),
                ..self.clone()
            }))
        }))
    }

    async fn begin(&self) -> StoreResult<Box<dyn WriteTx>> {
        Ok(Box::new(tx::PgTx::begin(&self.pool).await?))
    }

    async fn settings(&self) -> StoreResult<Settings> {
        let body: Option<Value> = sqlx::query_scalar("SELECT body FROM settings WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        match body {
            Some(b) => serde_json::from_value(b).map_err(StoreError::other),
            None => Ok(Settings::default()),
        }
    }

    async fn registers(&self, as_at: Option<DateTime<Utc>>) -> StoreResult<Vec<Register>> {
        let registers = match as_at {
            Some(t) => self
                .latest_versions(RecordType::Register, None, t)
                .await?
                .iter()
                .map(register_from_event_row)
                .collect::<StoreResult<Vec<_>>>()?,
            None => sqlx::query("SELECT code, body, version, updated_at, updated_by FROM registers")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .iter()
                .map(|r| Parts::from_table(r)?.into_register(&r.try_get::<String, _>("code").map_err(db_err)?))
                .collect::<StoreResult<Vec<_>>>()?,
        };
        Ok(ordering::tree_order(registers))
    }

    async fn register(&self, code: &RegisterCode, as_at: Option<DateTime<Utc>>) -> StoreResult<Register> {
        let found = match as_at {
            Some(t) => self
                .latest_version(RecordType::Register, code.as_str(), t)
                .await?
                .as_ref()
                .map(register_from_event_row)
                .transpose()?,
            None => sqlx::query("SELECT body, version, updated_at, updated_by FROM registers WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(|r| Parts::from_table(&r)?.into_register(code.as_str()))
                .transpose()?,
        };
        found.ok_or_else(|| not_found("register", code, as_at))
    }

    async fn register_with_settings(&self, code: &RegisterCode) -> StoreResult<(Register, Settings)> {
        let row = sqlx::query(
            "SELECT body, version, updated_at, updated_by, (SELECT body FROM settings WHERE id = 1) AS settings
             FROM registers WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .ok_or_else(|| not_found("register", code, None))?;
        Ok((
            Parts::from_table(&row)?.into_register(code.as_str())?,
            settings_from_row(&row)?,
        ))
    }

    async fn risk_with_register(&self, reference: &RecordRef) -> StoreResult<(Risk, Register, Settings)> {
        // One round trip for the API's most frequent read.
        let row = sqlx::query(
            "SELECT r.register, r.number, r.body, r.version, r.updated_at, r.updated_by,
                    g.body AS g_body, g.version AS g_version, g.updated_at AS g_updated_at,
                    g.updated_by AS g_updated_by, (SELECT body FROM settings WHERE id = 1) AS settings
             FROM risks AS r JOIN registers AS g ON g.code = r.register
             WHERE r.register = $1 AND r.number = $2",
        )
        .bind(reference.register.as_str())
        .bind(i64::from(reference.number))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(row) = row else {
            // Something is missing: the separate reads say what, in their own words.
            let register = self.register(&reference.register, None).await?;
            let risk = self.risk(reference, None).await?;
            return Ok((risk, register, self.settings().await?));
        };
        let register = Parts::from_prefixed(&row, "g_")?.into_register(reference.register.as_str())?;
        Ok((risk_from_table_row(&row)?, register, settings_from_row(&row)?))
    }

    async fn risks(&self, query: &RecordQuery) -> StoreResult<Vec<Risk>> {
        if let Some(code) = &query.register {
            self.register(code, query.as_at).await?;
        }
        let mut risks = match query.as_at {
            Some(t) => self
                .latest_versions(RecordType::Risk, query.register.as_ref(), t)
                .await?
                .iter()
                .map(risk_from_event_row)
                .collect::<StoreResult<Vec<_>>>()?,
            None => self.current_rows(RecordType::Risk, query, risk_from_table_row).await?,
        };
        if !query.include_closed {
            risks.retain(|r| r.fields.status.is_live());
        }
        ordering::sort_risks(&mut risks);
        Ok(risks)
    }

    async fn risk_page(&self, query: &RecordQuery, limit: u32, offset: u32) -> StoreResult<(Vec<Risk>, u64)> {
        if query.as_at.is_some() {
            return Ok(riskreg_store::store::page_of(self.risks(query).await?, limit, offset));
        }
        // The same order as `risks` (codes compared bytewise, as Rust does). With one
        // register the order is the risks_by_order index's, named plainly so it is used. The
        // total rides along as an uncorrelated subquery, saving a round trip, and is read
        // from the totals that triggers keep (migration 0009) rather than counted.
        let rows = match &query.register {
            Some(code) => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by,
                        (SELECT CASE WHEN $2 THEN risks ELSE live END FROM risk_totals WHERE register = $1) AS total
                 FROM risks WHERE register = $1 AND ($2 OR live)
                 ORDER BY severity DESC, number ASC LIMIT $3 OFFSET $4",
            )
            .bind(code.as_str()),
            None => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by,
                        (SELECT SUM(CASE WHEN $2 THEN risks ELSE live END)::BIGINT FROM risk_totals WHERE $1::text IS NULL) AS total
                 FROM risks WHERE $1::text IS NULL AND ($2 OR live)
                 ORDER BY severity DESC, number ASC, register COLLATE \"C\" ASC LIMIT $3 OFFSET $4",
            )
            .bind(None::<&str>),
        }
        .bind(query.include_closed)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let total = match rows.first() {
            Some(row) => row.try_get::<i64, _>("total").map_err(db_err)?,
            None => {
                // An empty page: the register may not exist, or the offset is past the end.
                if let Some(code) = &query.register {
                    self.register(code, None).await?;
                }
                sqlx::query_scalar::<_, i64>(
                    "SELECT COALESCE(SUM(CASE WHEN $2 THEN risks ELSE live END), 0)::BIGINT FROM risk_totals
                     WHERE $1::text IS NULL OR register = $1",
                )
                .bind(query.register.as_ref().map(RegisterCode::as_str))
                .bind(query.include_closed)
                .fetch_one(&self.pool)
                .await
                .map_err(db_err)?
            }
        };
        let risks = rows.iter().map(risk_from_table_row).collect::<StoreResult<Vec<_>>>()?;
        Ok((risks, total as u64))
    }

    async fn risk(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Risk> {
        let found = match as_at {
            Some(t) => self
                .latest_version(RecordType::Risk, &reference.to_string(), t)
                .await?
                .as_ref()
                .map(risk_from_event_row)
                .transpose()?,
            None => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by FROM risks
                 WHERE register = $1 AND number = $2",
            )
            .bind(reference.register.as_str())
            .bind(i64::from(reference.number))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(risk_from_table_row)
            .transpose()?,
        };
        found.ok_or_else(|| not_found("risk", reference, as_at))
    }

    async fn issues(&self, query: &RecordQuery) -> StoreResult<Vec<Issue>> {
        if let Some(code) = &query.register {
            self.register(code, query.as_at).await?;
        }
        let mut issues = match query.as_at {
            Some(t) => self
                .latest_versions(RecordType::Issue, query.register.as_ref(), t)
                .await?
                .iter()
                .map(issue_from_event_row)
                .collect::<StoreResult<Vec<_>>>()?,
            None => {
                self.current_rows(RecordType::Issue, query, issue_from_table_row)
                    .await?
            }
        };
        if !query.include_closed {
            issues.retain(|i| i.fields.status == IssueStatus::Open);
        }
        ordering::sort_issues(&mut issues);
        Ok(issues)
    }

    async fn issue(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Issue> {
        let found = match as_at {
            Some(t) => self
                .latest_version(RecordType::Issue, &reference.to_string(), t)
                .await?
                .as_ref()
                .map(issue_from_event_row)
                .transpose()?,
            None => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by FROM issues
                 WHERE register = $1 AND number = $2",
            )
            .bind(reference.register.as_str())
            .bind(i64::from(reference.number))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(issue_from_table_row)
            .transpose()?,
        };
        found.ok_or_else(|| not_found("issue", reference, as_at))
    }

    async fn find_by_source_ref(
        &self,
        record_type: RecordType,
        register: &RegisterCode,
        source_ref: &str,
    ) -> StoreResult<Option<RecordRef>> {
        // The table name comes from this match, never from input; the expression is the
        // one migration 0005 indexes.
        let table = match record_type {
            RecordType::Issue => "issues",
            _ => "risks",
        };
        let number: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT number FROM {table} WHERE register = $1 AND body ->> 'source_ref' = $2 ORDER BY number LIMIT 1"
        )))
        .bind(register.as_str())
        .bind(source_ref)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(number.map(|n| RecordRef::new(register.clone(), n as u32)))
    }

    async fn history(&self, record_type: RecordType, key: &str) -> StoreResult<Vec<Event>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE record_type = $1 AND record_key = $2 ORDER BY version"
        )))
        .bind(record_type.as_str())
        .bind(key)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(event_from_row)
        .collect()
    }

    async fn stored_events(&self, after: i64, limit: u32) -> StoreResult<Vec<Event<String>>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(stored_event_from_row)
        .collect()
    }

    async fn chain_head(&self) -> StoreResult<ChainHead> {
        let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(ChainHead {
                seq: r.try_get("seq").map_err(db_err)?,
                hash: r.try_get("hash").map_err(db_err)?,
            }),
            None => Ok(ChainHead::genesis()),
        }
    }

    async fn event_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(n as u64)
    }

    async fn json_records(&self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>> {
        sqlx::query("SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = $1")
            .bind(record_type.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(rows::json_record_from_row)
            .collect()
    }

    async fn json_record(&self, record_type: RecordType, key: &str) -> StoreResult<Option<JsonRecord>> {
        sqlx::query(
            "SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = $1 AND key = $2",
        )
        .bind(record_type.as_str())
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::json_record_from_row)
        .transpose()
    }

    async fn current_records(&self) -> StoreResult<Vec<(RecordType, String, u32, Value)>> {
        self.every_current_record(body_json).await
    }

    async fn current_record_texts(&self) -> StoreResult<Vec<(RecordType, String, u32, String)>> {
        // Bodies are jsonb, whose text is not the canonical form: each is put in it as its
        // row is read, so that only text is held, never every record as a JSON tree at
        // once (a gigabyte for 100,000 risks).
        self.every_current_record(|r| body_json(r).map(|body| canonical_json(&body)))
            .await
    }
}

/// A current record's body, read as text (see [`PgStore::every_current_record`]).
fn body_json(row: &PgRow) -> StoreResult<Value> {
    let text: String = row.try_get("body").map_err(db_err)?;
    serde_json::from_str(&text).map_err(StoreError::other)
}

impl PgStore {
    /// Every current record, each body as `body` reads it from the row (`body` is jsonb
    /// read as text).
    async fn every_current_record<B>(
        &self,
        body: impl Fn(&PgRow) -> StoreResult<B>,
    ) -> StoreResult<Vec<(RecordType, String, u32, B)>> {
        let rows = sqlx::query(
            "SELECT 'settings' AS t, 'settings' AS k, version, body::text AS body FROM settings
             UNION ALL SELECT 'register', code, version, body::text FROM registers
             UNION ALL SELECT 'risk', register || '-' || number, version, body::text FROM risks
             UNION ALL SELECT 'issue', register || '-' || number, version, body::text FROM issues
             UNION ALL SELECT record_type, key, version, body::text FROM json_records
             UNION ALL SELECT 'user', name, version, body::text FROM users
             UNION ALL SELECT 'token', id, version, body::text FROM tokens",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let t: String = r.try_get("t").map_err(db_err)?;
                Ok((
                    RecordType::parse(&t).ok_or_else(|| StoreError::other("unknown record type"))?,
                    r.try_get("k").map_err(db_err)?,
                    r.try_get::<i64, _>("version").map_err(db_err)? as u32,
                    body(r)?,
                ))
            })
            .collect()
    }
}

/// The current rows of the risks or issues table, for one register or all (`$1`), open
/// ones only unless `$2`. The register is named plainly when there is one, so that its rows
/// are read by key whatever plan the server settles on; callers put the rows in order.
fn current_rows_sql(record_type: RecordType, one_register: bool) -> &'static str {
    match (record_type, one_register) {
        (RecordType::Issue, true) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE register = $1 AND ($2 OR live)"
        }
        (RecordType::Issue, false) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE $1::text IS NULL AND ($2 OR live)"
        }
        (_, true) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE register = $1 AND ($2 OR live)"
        }
        (_, false) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE $1::text IS NULL AND ($2 OR live)"
        }
    }
}

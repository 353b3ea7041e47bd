//! The embedded SQLite backend: one file, WAL, foreign keys on, `synchronous=FULL` so a
//! committed write survives a crash. Writes take the database's write lock up front
//! (`BEGIN IMMEDIATE`), which serialises them and so the hash chain's head.

mod batch;
mod bulk;
mod rows;
mod schema;
mod tx;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings, ordering};
use riskreg_store::chain::ChainHead;
use riskreg_store::engine::group::GroupCommit;
use riskreg_store::event::timestamp_text;
use riskreg_store::{Event, JsonRecord, RecordQuery, RecordType, Store, StoreError, StoreResult, WriteTx};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::bulk::BulkReader;
use crate::rows::{
    Columns, TableRow, VersionRow, db_err, event_from_row, issue_from_table, issue_from_version, register_from_parts,
    register_from_version, risk_from_table, risk_from_version, version_parts,
};
pub use crate::schema::migrator;

/// How long a write waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest list page read on the caller's thread (see `risk_page`).
const INLINE_PAGE: i64 = 100;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Writers of this process queue here before they ask SQLite for its write lock. Left
    /// to SQLite alone, a writer that finds the lock taken sleeps in its busy handler
    /// (1, 2, 5 … 100 ms) and holds a pooled connection meanwhile, so a burst of writes
    /// waits on sleeps and starves the readers; a queue hands the lock straight on. Other
    /// processes on the same file still meet the busy handler.
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// Writes arriving together commit together (see [`GroupCommit`]); started by the
    /// first write, shared by every clone of the store.
    group: Arc<OnceLock<GroupCommit>>,
    /// Large reads step their rows on a connection of their own (see [`bulk`]); `None` for
    /// a database in memory, which has no file to open it on.
    bulk: Option<Arc<BulkReader>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite:PATH`) and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("invalid SQLite URL {url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Other(format!("cannot open {url}: {e}")))?;
        schema::migrator()
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("cannot migrate {url}: {e}")))?;
        // The main database's file as SQLite resolved it; empty for one in memory.
        let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(&pool)
            .await
            .map_err(db_err)?;
        Ok(Self {
            pool,
            write_gate: Arc::default(),
            group: Arc::default(),
            bulk: (!file.is_empty()).then(|| Arc::new(BulkReader::new(file.into()))),
        })
    }

    /// The store's own reader, where the database is a file.
    fn reader(&self) -> Option<&BulkReader> {
        self.bulk.as_deref()
    }

    /// The connection pool, for tools that need SQL the traits do not offer (tests, backup).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Writes a consistent copy of the whole database to `out`, a new file, while writers
    /// carry on: `VACUUM INTO` reads one snapshot, so the copy holds every write committed
    /// before it began and nothing of any after. The file is created readable by its owner
    /// only, since it holds everything the database does, password hashes included.
    pub async fn backup_into(&self, out: &Path) -> StoreResult<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // Claiming the name first makes "never overwrite" hold even against a file that
        // appears meanwhile; SQLite writes into an empty file.
        options.open(out).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::Conflict(format!(
                "{} already exists; a backup never overwrites a file",
                out.display()
            )),
            _ => StoreError::Other(format!("cannot create {}: {e}", out.display())),
        })?;
        let Some(name) = out.to_str() else {
            let _ = std::fs::remove_file(out);
            return Err(StoreError::invalid("OUT", "the backup's path must be valid UTF-8"));
        };
        let copied = sqlx::query("VACUUM INTO ?1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Other(format!("cannot back up to {}: {e}", out.display())));
        // The copy must be on disk before anyone relies on it.
        let synced = copied.and_then(|_| {
            std::fs::File::open(out)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::Other(format!("cannot sync {}: {e}", out.display())))
        });
        if synced.is_err() {
            let _ = std::fs::remove_file(out);
            return synced;
        }
        // And so must its name: best effort, as not every platform can sync a directory.
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }

    /// Each record's newest version as at `as_at`, each made by `make` (on the bulk
    /// reader's thread where there is one, since there may be a hundred thousand).
    async fn versions_as_at<T: Send + 'static>(
        &self,
        record_type: RecordType,
        register: Option<&RegisterCode>,
        as_at: DateTime<Utc>,
        make: fn(VersionRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        // Each record's newest version as at `as_at` is found from the events_as_at index
        // alone (migration 0008), and only those versions' rows are read: the cost is one
        // index scan and one row per record, not every past version's body. The register is
        // named plainly, not as `?2 IS NULL OR …`, so that SQLite can use the index. With
        // MAX(), SQLite takes the other bare columns (here `seq`, which every index entry
        // carries) from the row that holds the maximum, so each version is then read by
        // its rowid rather than sought again through the unique index.
        let sql = match register {
            Some(_) => {
                "SELECT e.record_key, e.version, e.at, e.actor, e.after
                 FROM (SELECT record_key, MAX(version) AS version, seq FROM events
                       WHERE register = ?2 AND record_type = ?1 AND at <= ?3
                       GROUP BY record_key) AS m
                 JOIN events AS e ON e.seq = m.seq"
            }
            None => {
                "SELECT e.record_key, e.version, e.at, e.actor, e.after
                 FROM (SELECT record_key, MAX(version) AS version, seq FROM events
                       WHERE record_type = ?1 AND at <= ?3 AND (?2 IS NULL)
                       GROUP BY record_key) AS m
                 JOIN events AS e ON e.seq = m.seq"
            }
        };
        let register = register.map(|r| r.as_str().to_owned());
        let at = timestamp_text(as_at);
        if let Some(bulk) = &self.bulk {
            return bulk
                .read(move |conn| {
                    bulk::collect(conn, sql, (record_type.as_str(), register, at), |row| {
                        make(bulk::version_row(row)?)
                    })
                })
                .await;
        }
        sqlx::query(sql)
            .bind(record_type.as_str())
            .bind(register)
            .bind(at)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|row| make(version_parts(row)?))
            .collect()
    }

    /// The rows `sql` selects from a record table for `register` (or all registers) and
    /// `include_closed`, each made by `make`: through the bulk reader where there is one.
    async fn table_rows<T: Send + 'static>(
        &self,
        sql: &'static str,
        register: Option<&RegisterCode>,
        include_closed: bool,
        make: fn(TableRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let register = register.map(|r| r.as_str().to_owned());
        if let Some(bulk) = &self.bulk {
            return bulk
                .read(move |conn| {
                    bulk::collect(conn, sql, (register, include_closed), |row| make(bulk::table_row(row)?))
                })
                .await;
        }
        sqlx::query(sql)
            .bind(register)
            .bind(include_closed)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|row| make(rows::table_parts(row)?))
            .collect()
    }

    async fn latest_version(
        &self,
        record_type: RecordType,
        key: &str,
        as_at: DateTime<Utc>,
    ) -> StoreResult<Option<sqlx::sqlite::SqliteRow>> {
        sqlx::query(
            "SELECT record_key, version, at, actor, after FROM events
             WHERE record_type = ?1 AND record_key = ?2 AND at <= ?3
             ORDER BY version DESC LIMIT 1",
        )
        .bind(record_type.as_str())
        .bind(key)
        .bind(timestamp_text(as_at))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn group_commit(&self) -> Option<&GroupCommit> {
        Some(self.group.get_or_init(|| {
            // The committing task's own handle begins transactions directly and holds no
            // group, so the task ends when the last clone of this store is dropped.
            GroupCommit::start(Arc::new(Self {
                pool: self.pool.clone(),
                write_gate: Arc::clone(&self.write_gate),
                group: Arc::default(),
                bulk: self.bulk.clone(),
            }))
        }))
    }

    async fn begin(&self) -> StoreResult<Box<dyn WriteTx>> {
        let turn = Arc::clone(&self.write_gate).lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        Ok(Box::new(tx::SqliteTx::new(tx, turn)))
    }

    async fn settings(&self) -> StoreResult<Settings> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM settings WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::settings_from(body)
    }

    async fn register_with_settings(&self, code: &RegisterCode) -> StoreResult<(Register, Settings)> {
        // Every list of one register starts here: read on the caller's thread, as
        // `risk_with_register` is.
        const SQL: &str =
            "SELECT body, version, updated_at, updated_by, (SELECT body FROM settings WHERE id = 1) AS settings
             FROM registers WHERE code = ?1";
        let found = match &self.bulk {
            Some(reader) => {
                reader.read_here(|conn| bulk::first(conn, SQL, [code.as_str()], |row| register_settings(code, row)))?
            }
            None => sqlx::query(SQL)
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(|row| register_settings(code, &row))
                .transpose()?,
        };
        found.ok_or_else(|| StoreError::NotFound(format!("register {code}")))
    }

    async fn registers(&self, as_at: Option<DateTime<Utc>>) -> StoreResult<Vec<Register>> {
        let registers = match as_at {
            Some(t) => {
                self.versions_as_at(RecordType::Register, None, t, register_from_version)
                    .await?
            }
            None => sqlx::query("SELECT code, body, version, updated_at, updated_by FROM registers")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .iter()
                .map(|r| {
                    register_from_parts(
                        &r.try_get::<String, _>("code").map_err(db_err)?,
                        &r.try_get::<String, _>("body").map_err(db_err)?,
                        r.try_get::<i64, _>("version").map_err(db_err)? as u32,
                        &r.try_get::<String, _>("updated_at").map_err(db_err)?,
                        r.try_get("updated_by").map_err(db_err)?,
                    )
                })
                .collect::<StoreResult<Vec<_>>>()?,
        };
        Ok(ordering::tree_order(registers))
    }

    async fn register(&self, code: &RegisterCode, as_at: Option<DateTime<Utc>>) -> StoreResult<Register> {
        let not_found = || match as_at {
            Some(t) => StoreError::NotFound(format!("register {code} as at {}", timestamp_text(t))),
            None => StoreError::NotFound(format!("register {code}")),
        };
        match as_at {
            Some(t) => {
                let row = self.latest_version(RecordType::Register, code.as_str(), t).await?;
                row.as_ref()
                    .map(|r| register_from_version(version_parts(r)?))
                    .transpose()?
                    .ok_or_else(not_found)
            }
            None => {
                let row = sqlx::query("SELECT body, version, updated_at, updated_by FROM registers WHERE code = ?1")
                    .bind(code.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?
                    .ok_or_else(not_found)?;
                register_from_parts(
                    code.as_str(),
                    &row.try_get::<String, _>("body").map_err(db_err)?,
                    row.try_get::<i64, _>("version").map_err(db_err)? as u32,
                    &row.try_get::<String, _>("updated_at").map_err(db_err)?,
                    row.try_get("updated_by").map_err(db_err)?,
                )
            }
        }
    }

    async fn risks(&self, query: &RecordQuery) -> StoreResult<Vec<Risk>> {
        if let Some(code) = &query.register {
            self.register(code, query.as_at).await?;
        }
        let mut risks = match query.as_at {
            Some(t) => {
                self.versions_as_at(RecordType::Risk, query.register.as_ref(), t, risk_from_version)
                    .await?
            }
            None => {
                let sql = current_rows_sql(RecordType::Risk, query.register.is_some());
                self.table_rows(sql, query.register.as_ref(), query.include_closed, risk_from_table)
                    .await?
            }
        };
        if !query.include_closed {
            risks.retain(|r| r.fields.status.is_live());
        }
        ordering::sort_risks(&mut risks);
        Ok(risks)
    }

    async fn risk(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Risk> {
        let row = match as_at {
            Some(t) => {
                let row = self.latest_version(RecordType::Risk, &reference.to_string(), t).await?;
                row.as_ref().map(|r| risk_from_version(version_parts(r)?)).transpose()?
            }
            None => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by FROM risks
                 WHERE register = ?1 AND number = ?2",
            )
            .bind(reference.register.as_str())
            .bind(i64::from(reference.number))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(rows::risk_from_table_row)
            .transpose()?,
        };
        row.ok_or_else(|| not_found("risk", reference, as_at))
    }

    async fn risk_with_register(&self, reference: &RecordRef) -> StoreResult<(Risk, Register, Settings)> {
        // One query for the API's most frequent read, made here rather than on another
        // thread: handing a query to a worker thread and its row back costs more than
        // SQLite takes to read it by key.
        const SQL: &str = "SELECT r.register, r.number, r.body, r.version, r.updated_at, r.updated_by,
                    g.body AS g_body, g.version AS g_version, g.updated_at AS g_updated_at,
                    g.updated_by AS g_updated_by, (SELECT body FROM settings WHERE id = 1) AS settings
             FROM risks AS r JOIN registers AS g ON g.code = r.register
             WHERE r.register = ?1 AND r.number = ?2";
        let found = match &self.bulk {
            Some(reader) => reader.read_here(|conn| {
                bulk::first(
                    conn,
                    SQL,
                    (reference.register.as_str(), i64::from(reference.number)),
                    |row| risk_register_settings(reference, row),
                )
            })?,
            None => sqlx::query(SQL)
                .bind(reference.register.as_str())
                .bind(i64::from(reference.number))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(|row| risk_register_settings(reference, &row))
                .transpose()?,
        };
        match found {
            Some(found) => Ok(found),
            None => {
                // Something is missing: the separate reads say what, in their own words.
                let register = self.register(&reference.register, None).await?;
                let risk = self.risk(reference, None).await?;
                Ok((risk, register, self.settings().await?))
            }
        }
    }

    async fn risk_page(&self, query: &RecordQuery, limit: u32, offset: u32) -> StoreResult<(Vec<Risk>, u64)> {
        if query.as_at.is_some() {
            return Ok(riskreg_store::store::page_of(self.risks(query).await?, limit, offset));
        }
        let sql = page_sql(query.register.is_some(), query.include_closed);
        let register = query.register.as_ref().map(|c| c.as_str().to_owned());
        let (limit, offset) = (i64::from(limit), i64::from(offset));
        let read = move |conn: &rusqlite::Connection| {
            bulk::collect(conn, sql, (register, limit, offset), |row| {
                Ok((risk_from_table(bulk::table_row(row)?)?, bulk::int(row, 6)?))
            })
        };
        // A page of up to a hundred risks is read in well under a millisecond: on the
        // caller's thread, since handing it to another thread and back cost a sixth of a
        // list request. Longer pages go to a blocking thread, off the server's workers.
        let page: Vec<(Risk, i64)> = match &self.bulk {
            Some(bulk) if limit <= INLINE_PAGE => bulk.read_here(read)?,
            Some(bulk) => bulk.read(read).await?,
            None => sqlx::query(sql)
                .bind(query.register.as_ref().map(RegisterCode::as_str))
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .iter()
                .map(|row| {
                    Ok((
                        rows::risk_from_table_row(row)?,
                        row.try_get::<i64, _>("total").map_err(db_err)?,
                    ))
                })
                .collect::<StoreResult<_>>()?,
        };
        let total = match page.first() {
            Some((_, total)) => *total,
            None => {
                // An empty page: the register may not exist, or the offset is past the end.
                if let Some(code) = &query.register {
                    self.register(code, None).await?;
                }
                sqlx::query_scalar::<_, i64>(
                    "SELECT COALESCE(SUM(CASE WHEN ?2 THEN risks ELSE live END), 0) FROM risk_totals
                     WHERE ?1 IS NULL OR register = ?1",
                )
                .bind(query.register.as_ref().map(RegisterCode::as_str))
                .bind(query.include_closed)
                .fetch_one(&self.pool)
                .await
                .map_err(db_err)?
            }
        };
        let risks = page.into_iter().map(|(risk, _)| risk).collect();
        Ok((risks, total as u64))
    }

    async fn issues(&self, query: &RecordQuery) -> StoreResult<Vec<Issue>> {
        if let Some(code) = &query.register {
            self.register(code, query.as_at).await?;
        }
        let mut issues = match query.as_at {
            Some(t) => {
                self.versions_as_at(RecordType::Issue, query.register.as_ref(), t, issue_from_version)
                    .await?
            }
            None => {
                let sql = current_rows_sql(RecordType::Issue, query.register.is_some());
                self.table_rows(sql, query.register.as_ref(), query.include_closed, issue_from_table)
                    .await?
            }
        };
        if !query.include_closed {
            issues.retain(|i| i.fields.status == riskreg_domain::IssueStatus::Open);
        }
        ordering::sort_issues(&mut issues);
        Ok(issues)
    }

    async fn issue(&self, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreResult<Issue> {
        let row = match as_at {
            Some(t) => {
                let row = self
                    .latest_version(RecordType::Issue, &reference.to_string(), t)
                    .await?;
                row.as_ref()
                    .map(|r| issue_from_version(version_parts(r)?))
                    .transpose()?
            }
            None => sqlx::query(
                "SELECT register, number, body, version, updated_at, updated_by FROM issues
                 WHERE register = ?1 AND number = ?2",
            )
            .bind(reference.register.as_str())
            .bind(i64::from(reference.number))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(rows::issue_from_table_row)
            .transpose()?,
        };
        row.ok_or_else(|| not_found("issue", reference, as_at))
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
            "SELECT number FROM {table} WHERE register = ?1 AND json_extract(body, '$.source_ref') = ?2 ORDER BY number LIMIT 1"
        )))
        .bind(register.as_str())
        .bind(source_ref)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(number.map(|n| RecordRef::new(register.clone(), n as u32)))
    }

    async fn history(&self, record_type: RecordType, key: &str) -> StoreResult<Vec<Event>> {
        sqlx::query("SELECT * FROM events WHERE record_type = ?1 AND record_key = ?2 ORDER BY version")
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
        // The columns in the order bulk::stored_event reads them.
        const SQL: &str = "SELECT seq, at, recorded_at, actor, reason, kind, record_type, record_key, register,
                                  version, before, after, prev_hash, hash
                           FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";
        if let Some(bulk) = &self.bulk {
            return bulk
                .read(move |conn| bulk::collect(conn, SQL, (after, limit), bulk::stored_event))
                .await;
        }
        sqlx::query(SQL)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(rows::stored_event_from_row)
            .collect()
    }

    async fn chain_head(&self) -> StoreResult<ChainHead> {
        // Every cached list page is checked against it: read in place, as a point read.
        const SQL: &str = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";
        let head = match &self.bulk {
            Some(reader) => reader.read_here(|conn| {
                bulk::first(conn, SQL, [], |row| {
                    Ok(ChainHead {
                        seq: bulk::int(row, 0)?,
                        hash: row.get(1).map_err(bulk::bulk_err)?,
                    })
                })
            })?,
            None => sqlx::query(SQL)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(|r| -> StoreResult<ChainHead> {
                    Ok(ChainHead {
                        seq: r.try_get("seq").map_err(db_err)?,
                        hash: r.try_get("hash").map_err(db_err)?,
                    })
                })
                .transpose()?,
        };
        Ok(head.unwrap_or_else(ChainHead::genesis))
    }

    async fn event_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(n as u64)
    }

    async fn json_records(&self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>> {
        sqlx::query("SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = ?1")
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
            "SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = ?1 AND key = ?2",
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

    async fn current_records(&self) -> StoreResult<Vec<(RecordType, String, u32, serde_json::Value)>> {
        self.current_record_texts()
            .await?
            .into_iter()
            .map(|(record_type, key, version, body)| {
                Ok((
                    record_type,
                    key,
                    version,
                    serde_json::from_str(&body).map_err(StoreError::other)?,
                ))
            })
            .collect()
    }

    async fn current_record_texts(&self) -> StoreResult<Vec<(RecordType, String, u32, String)>> {
        const SQL: &str = "SELECT 'settings' AS t, 'settings' AS k, version, body FROM settings
             UNION ALL SELECT 'register', code, version, body FROM registers
             UNION ALL SELECT 'risk', register || '-' || number, version, body FROM risks
             UNION ALL SELECT 'issue', register || '-' || number, version, body FROM issues
             UNION ALL SELECT record_type, key, version, body FROM json_records
             UNION ALL SELECT 'user', name, version, body FROM users
             UNION ALL SELECT 'token', id, version, body FROM tokens";
        if let Some(bulk) = &self.bulk {
            return bulk.read(|conn| bulk::collect(conn, SQL, (), bulk::record_text)).await;
        }
        sqlx::query(SQL)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                let t: String = r.try_get("t").map_err(db_err)?;
                Ok((
                    RecordType::parse(&t).ok_or_else(|| StoreError::other("unknown record type"))?,
                    r.try_get("k").map_err(db_err)?,
                    r.try_get::<i64, _>("version").map_err(db_err)? as u32,
                    r.try_get("body").map_err(db_err)?,
                ))
            })
            .collect()
    }
}

/// The current rows of the risks or issues table, for one register or all (`?1`), open
/// ones only unless `?2`. The register is named plainly when there is one, so that SQLite
/// reads its rows by key rather than scanning every register's; callers put the rows in
/// order (ordering whole rows in SQL made SQLite spill a sort of every body to disk).
fn current_rows_sql(record_type: RecordType, one_register: bool) -> &'static str {
    match (record_type, one_register) {
        (RecordType::Issue, true) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE register = ?1 AND (?2 OR live = 1)"
        }
        (RecordType::Issue, false) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE ?1 IS NULL AND (?2 OR live = 1)"
        }
        (_, true) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE register = ?1 AND (?2 OR live = 1)"
        }
        (_, false) => {
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE ?1 IS NULL AND (?2 OR live = 1)"
        }
    }
}

/// A risk, its register and the settings, from one row of `risk_with_register`'s query.
fn risk_register_settings(reference: &RecordRef, row: &impl Columns) -> StoreResult<(Risk, Register, Settings)> {
    let register = register_from_parts(
        reference.register.as_str(),
        &row.text("g_body")?,
        row.int("g_version")? as u32,
        &row.text("g_updated_at")?,
        row.text("g_updated_by")?,
    )?;
    Ok((
        rows::risk_from_table_row(row)?,
        register,
        rows::settings_from(row.optional_text("settings")?)?,
    ))
}

/// The statement for a page of risks, in the same order as `risks`: one text for each
/// case, so that none has a parameter deciding its plan. With one register the order is an
/// index's (the live risks' own, migration 0010, unless closed ones are wanted), and the
/// register must be named plainly for SQLite to use it. The total rides along as an
/// uncorrelated subquery (SQLite runs it once), read from the totals that triggers keep
/// (migration 0009): counting a register's index entries took twice as long as reading
/// the page. Parameters: ?1 the register (NULL for all), ?2 the limit, ?3 the offset.
///
/// The limit is written `?2 + 0`: SQLite plans with the value of a plain parameter in LIMIT,
/// so binding one made it prepare the statement again on every request (a twentieth of a
/// list request's time); an expression it leaves to run time.
fn page_sql(one_register: bool, include_closed: bool) -> &'static str {
    match (one_register, include_closed) {
        (true, false) => {
            "SELECT register, number, body, version, updated_at, updated_by,
                    (SELECT live FROM risk_totals WHERE register = ?1) AS total
             FROM risks WHERE register = ?1 AND live = 1
             ORDER BY severity DESC, number ASC LIMIT ?2 + 0 OFFSET ?3"
        }
        (true, true) => {
            "SELECT register, number, body, version, updated_at, updated_by,
                    (SELECT risks FROM risk_totals WHERE register = ?1) AS total
             FROM risks WHERE register = ?1
             ORDER BY severity DESC, number ASC LIMIT ?2 + 0 OFFSET ?3"
        }
        (false, false) => {
            "SELECT register, number, body, version, updated_at, updated_by,
                    (SELECT SUM(live) FROM risk_totals WHERE ?1 IS NULL) AS total
             FROM risks WHERE ?1 IS NULL AND live = 1
             ORDER BY severity DESC, number ASC, register ASC LIMIT ?2 + 0 OFFSET ?3"
        }
        (false, true) => {
            "SELECT register, number, body, version, updated_at, updated_by,
                    (SELECT SUM(risks) FROM risk_totals WHERE ?1 IS NULL) AS total
             FROM risks WHERE ?1 IS NULL
             ORDER BY severity DESC, number ASC, register ASC LIMIT ?2 + 0 OFFSET ?3"
        }
    }
}

fn register_settings(code: &RegisterCode, row: &impl Columns) -> StoreResult<(Register, Settings)> {
    let register = register_from_parts(
        code.as_str(),
        &row.text("body")?,
        row.int("version")? as u32,
        &row.text("updated_at")?,
        row.text("updated_by")?,
    )?;
    Ok((register, rows::settings_from(row.optional_text("settings")?)?))
}

fn not_found(what: &str, reference: &RecordRef, as_at: Option<DateTime<Utc>>) -> StoreError {
    match as_at {
        Some(t) => StoreError::NotFound(format!("{what} {reference} as at {}", timestamp_text(t))),
        None => StoreError::NotFound(format!("{what} {reference}")),
    }
}

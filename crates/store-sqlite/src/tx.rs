//! One SQLite write transaction, holding the database's write lock from its first
//! statement (`BEGIN IMMEDIATE`) until it commits or is dropped (rolled back). New risks,
//! issues and events are held back and sent many rows to a statement (see [`Batched`]).

use async_trait::async_trait;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use riskreg_store::chain::{ChainHead, canonical_json};
use riskreg_store::event::timestamp_text;
use riskreg_store::{Event, JsonRecord, RecordType, StoreError, StoreResult, WriteTx};
use sqlx::{Row, Sqlite, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::batch::Batched;
use crate::rows::{
    db_err, issue_from_table_row, json_record_from_row, register_from_parts, risk_from_table_row, stored_body,
};

pub struct SqliteTx {
    tx: Batched,
    /// This process's write turn, given back when the transaction ends. Declared after
    /// `tx` so that, dropped, the transaction rolls back before the next writer goes.
    _turn: OwnedMutexGuard<()>,
}

impl SqliteTx {
    pub fn new(tx: Transaction<'static, Sqlite>, turn: OwnedMutexGuard<()>) -> Self {
        Self {
            tx: Batched::new(tx),
            _turn: turn,
        }
    }

    /// The transaction's connection, for every statement but the inserts held back: those
    /// are sent first, so that no statement misses them and each keeps its order.
    pub async fn conn(&mut self) -> StoreResult<&mut sqlx::SqliteConnection> {
        self.tx.conn().await
    }
}

#[async_trait]
impl WriteTx for SqliteTx {
    async fn settings(&mut self) -> StoreResult<Option<(Settings, u32)>> {
        let row = sqlx::query("SELECT body, version FROM settings WHERE id = 1")
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            let b: String = r.try_get("body").map_err(db_err)?;
            let v: i64 = r.try_get("version").map_err(db_err)?;
            Ok((serde_json::from_str(&b).map_err(StoreError::other)?, v as u32))
        })
        .transpose()
    }

    async fn put_settings(&mut self, settings: &Settings, version: u32) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (id, body, version) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version",
        )
        .bind(stored_body(settings)?)
        .bind(i64::from(version))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn register(&mut self, code: &RegisterCode) -> StoreResult<Option<Register>> {
        let row = sqlx::query("SELECT body, version, updated_at, updated_by FROM registers WHERE code = ?1")
            .bind(code.as_str())
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            register_from_parts(
                code.as_str(),
                &r.try_get::<String, _>("body").map_err(db_err)?,
                r.try_get::<i64, _>("version").map_err(db_err)? as u32,
                &r.try_get::<String, _>("updated_at").map_err(db_err)?,
                r.try_get("updated_by").map_err(db_err)?,
            )
        })
        .transpose()
    }

    async fn insert_register(&mut self, r: &Register) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO registers (code, parent, body, version, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(r.code.as_str())
        .bind(r.fields.parent.as_ref().map(RegisterCode::as_str))
        .bind(stored_body(&r.fields)?)
        .bind(i64::from(r.revision.version))
        .bind(timestamp_text(r.revision.updated_at))
        .bind(&r.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_register(&mut self, r: &Register) -> StoreResult<()> {
        sqlx::query(
            "UPDATE registers SET parent = ?2, body = ?3, version = ?4, updated_at = ?5, updated_by = ?6
             WHERE code = ?1",
        )
        .bind(r.code.as_str())
        .bind(r.fields.parent.as_ref().map(RegisterCode::as_str))
        .bind(stored_body(&r.fields)?)
        .bind(i64::from(r.revision.version))
        .bind(timestamp_text(r.revision.updated_at))
        .bind(&r.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn risk(&mut self, reference: &RecordRef) -> StoreResult<Option<Risk>> {
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE register = ?1 AND number = ?2",
        )
        .bind(reference.register.as_str())
        .bind(i64::from(reference.number))
        .fetch_optional(self.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(risk_from_table_row)
        .transpose()
    }

    async fn max_risk_number(&mut self, register: &RegisterCode) -> StoreResult<u32> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM risks WHERE register = ?1")
            .bind(register.as_str())
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n.unwrap_or(0) as u32)
    }

    async fn risk_numbers(&mut self, register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM risks WHERE register = ?1")
            .bind(register.as_str())
            .fetch_all(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(Some(numbers.into_iter().map(|n| n as u32).collect()))
    }

    async fn insert_risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.tx.risk(r).await
    }

    async fn update_risk(&mut self, r: &Risk) -> StoreResult<()> {
        sqlx::query(
            "UPDATE risks SET severity = ?3, live = ?4, body = ?5, version = ?6, updated_at = ?7, updated_by = ?8
             WHERE register = ?1 AND number = ?2",
        )
        .bind(r.reference.register.as_str())
        .bind(i64::from(r.reference.number))
        .bind(i64::from(r.severity()))
        .bind(r.fields.status.is_live())
        .bind(stored_body(&r.fields)?)
        .bind(i64::from(r.revision.version))
        .bind(timestamp_text(r.revision.updated_at))
        .bind(&r.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn issue(&mut self, reference: &RecordRef) -> StoreResult<Option<Issue>> {
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE register = ?1 AND number = ?2",
        )
        .bind(reference.register.as_str())
        .bind(i64::from(reference.number))
        .fetch_optional(self.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(issue_from_table_row)
        .transpose()
    }

    async fn max_issue_number(&mut self, register: &RegisterCode) -> StoreResult<u32> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM issues WHERE register = ?1")
            .bind(register.as_str())
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n.unwrap_or(0) as u32)
    }

    async fn issue_numbers(&mut self, register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM issues WHERE register = ?1")
            .bind(register.as_str())
            .fetch_all(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(Some(numbers.into_iter().map(|n| n as u32).collect()))
    }

    async fn insert_issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.tx.issue(i).await
    }

    async fn update_issue(&mut self, i: &Issue) -> StoreResult<()> {
        sqlx::query(
            "UPDATE issues SET impact = ?3, live = ?4, body = ?5, version = ?6, updated_at = ?7, updated_by = ?8
             WHERE register = ?1 AND number = ?2",
        )
        .bind(i.reference.register.as_str())
        .bind(i64::from(i.reference.number))
        .bind(i64::from(i.fields.impact))
        .bind(i.fields.status == riskreg_domain::IssueStatus::Open)
        .bind(stored_body(&i.fields)?)
        .bind(i64::from(i.revision.version))
        .bind(timestamp_text(i.revision.updated_at))
        .bind(&i.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn json_record(&mut self, record_type: RecordType, key: &str) -> StoreResult<Option<JsonRecord>> {
        sqlx::query(
            "SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = ?1 AND key = ?2",
        )
        .bind(record_type.as_str())
        .bind(key)
        .fetch_optional(self.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(json_record_from_row)
        .transpose()
    }

    async fn json_records(&mut self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>> {
        sqlx::query("SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = ?1")
            .bind(record_type.as_str())
            .fetch_all(self.conn().await?)
            .await
            .map_err(db_err)?
            .iter()
            .map(json_record_from_row)
            .collect()
    }

    async fn put_json_record(&mut self, record_type: RecordType, r: &JsonRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO json_records (record_type, key, body, version, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (record_type, key) DO UPDATE SET body = excluded.body, version = excluded.version,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(record_type.as_str())
        .bind(&r.key)
        .bind(canonical_json(&r.body))
        .bind(i64::from(r.revision.version))
        .bind(timestamp_text(r.revision.updated_at))
        .bind(&r.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_count(&mut self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM risks) + (SELECT COUNT(*) FROM issues)")
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n as u64)
    }

    async fn chain_head(&mut self) -> StoreResult<ChainHead> {
        let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.conn().await?)
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

    async fn append_event(&mut self, e: Event<String>) -> StoreResult<()> {
        self.tx.event(e).await
    }

    async fn flush(&mut self) -> StoreResult<()> {
        self.tx.conn().await.map(drop)
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("SAVEPOINT write_group")
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("RELEASE SAVEPOINT write_group")
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        // What is held or on its way was written since the savepoint (which sent everything
        // before it): the rollback undoes it, sent or not.
        self.tx.abandon().await;
        // Rolling back leaves the savepoint in place; releasing it then ends it.
        sqlx::query("ROLLBACK TO SAVEPOINT write_group")
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        self.release_savepoint().await
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.tx.rollback().await
    }
}

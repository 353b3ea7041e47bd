//! One PostgreSQL write transaction. Its first statement takes the chain lock (a
//! transaction-level advisory lock), so writers in every process queue there and each reads
//! the chain head only once the previous writer has committed or rolled back. New and
//! changed risks and issues and new events are held back and sent many rows to a statement
//! (see [`Batched`]).

mod batch;

use async_trait::async_trait;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use riskreg_store::chain::ChainHead;
use riskreg_store::{Event, JsonRecord, RecordType, StoreError, StoreResult, WriteTx};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgPool, Row};

use self::batch::Batched;
use crate::rows::{Parts, db_err, issue_from_table_row, json_record_from_row, risk_from_table_row};

/// The advisory lock key that serialises writers: "riskreg" in ASCII. Advisory locks are
/// per database, so registers in other databases on the same server do not contend.
pub const CHAIN_LOCK: i64 = 0x0072_6973_6b72_6567;

pub struct PgTx {
    tx: Batched,
}

impl PgTx {
    /// Begins a transaction and waits for the chain lock. Read committed is asked for
    /// explicitly: each statement after the lock then sees the previous writer's commit,
    /// whatever isolation level the server defaults to.
    pub async fn begin(pool: &PgPool) -> StoreResult<Self> {
        let mut tx = pool
            .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await
            .map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        Ok(Self { tx: Batched::new(tx) })
    }

    /// The transaction's connection, for every statement but the rows held back: those are
    /// sent first, so that no statement misses them and each keeps its order.
    pub async fn conn(&mut self) -> StoreResult<&mut sqlx::PgConnection> {
        self.tx.conn().await
    }
}

/// The references' registers and numbers, as the two arrays a read of many records takes.
fn keys(references: &[RecordRef]) -> (Vec<&str>, Vec<i64>) {
    references
        .iter()
        .map(|r| (r.register.as_str(), i64::from(r.number)))
        .unzip()
}

fn body<T: serde::Serialize>(value: &T) -> StoreResult<Value> {
    serde_json::to_value(value).map_err(StoreError::other)
}

#[async_trait]
impl WriteTx for PgTx {
    async fn settings(&mut self) -> StoreResult<Option<(Settings, u32)>> {
        let row = sqlx::query("SELECT body, version FROM settings WHERE id = 1")
            .fetch_optional(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            let b: Value = r.try_get("body").map_err(db_err)?;
            let v: i64 = r.try_get("version").map_err(db_err)?;
            Ok((serde_json::from_value(b).map_err(StoreError::other)?, v as u32))
        })
        .transpose()
    }

    async fn put_settings(&mut self, settings: &Settings, version: u32) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (id, body, version) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version",
        )
        .bind(Json(body(settings)?))
        .bind(i64::from(version))
        .execute(self.tx.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn register(&mut self, code: &RegisterCode) -> StoreResult<Option<Register>> {
        let row = sqlx::query("SELECT body, version, updated_at, updated_by FROM registers WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        row.map(|r| Parts::from_table(&r)?.into_register(code.as_str()))
            .transpose()
    }

    async fn insert_register(&mut self, r: &Register) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO registers (code, parent, body, version, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.code.as_str())
        .bind(r.fields.parent.as_ref().map(RegisterCode::as_str))
        .bind(Json(body(&r.fields)?))
        .bind(i64::from(r.revision.version))
        .bind(r.revision.updated_at)
        .bind(&r.revision.updated_by)
        .execute(self.tx.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_register(&mut self, r: &Register) -> StoreResult<()> {
        sqlx::query(
            "UPDATE registers SET parent = $2, body = $3, version = $4, updated_at = $5, updated_by = $6
             WHERE code = $1",
        )
        .bind(r.code.as_str())
        .bind(r.fields.parent.as_ref().map(RegisterCode::as_str))
        .bind(Json(body(&r.fields)?))
        .bind(i64::from(r.revision.version))
        .bind(r.revision.updated_at)
        .bind(&r.revision.updated_by)
        .execute(self.tx.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn risk(&mut self, reference: &RecordRef) -> StoreResult<Option<Risk>> {
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE register = $1 AND number = $2",
        )
        .bind(reference.register.as_str())
        .bind(i64::from(reference.number))
        .fetch_optional(self.tx.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(risk_from_table_row)
        .transpose()
    }

    async fn max_risk_number(&mut self, register: &RegisterCode) -> StoreResult<u32> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM risks WHERE register = $1")
            .bind(register.as_str())
            .fetch_one(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n.unwrap_or(0) as u32)
    }

    async fn risk_numbers(&mut self, register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM risks WHERE register = $1")
            .bind(register.as_str())
            .fetch_all(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(Some(numbers.into_iter().map(|n| n as u32).collect()))
    }

    async fn risks_of(&mut self, references: &[RecordRef]) -> StoreResult<Option<Vec<Risk>>> {
        let (registers, numbers) = keys(references);
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM risks
             WHERE (register, number) IN (SELECT * FROM UNNEST($1::text[], $2::int8[]))",
        )
        .bind(registers)
        .bind(numbers)
        .fetch_all(self.tx.conn().await?)
        .await
        .map_err(db_err)?
        .iter()
        .map(risk_from_table_row)
        .collect::<StoreResult<_>>()
        .map(Some)
    }

    async fn insert_risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.tx.insert_risk(r).await
    }

    async fn update_risk(&mut self, r: &Risk) -> StoreResult<()> {
        self.tx.update_risk(r).await
    }

    async fn issue(&mut self, reference: &RecordRef) -> StoreResult<Option<Issue>> {
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE register = $1 AND number = $2",
        )
        .bind(reference.register.as_str())
        .bind(i64::from(reference.number))
        .fetch_optional(self.tx.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(issue_from_table_row)
        .transpose()
    }

    async fn max_issue_number(&mut self, register: &RegisterCode) -> StoreResult<u32> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM issues WHERE register = $1")
            .bind(register.as_str())
            .fetch_one(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n.unwrap_or(0) as u32)
    }

    async fn issue_numbers(&mut self, register: &RegisterCode) -> StoreResult<Option<Vec<u32>>> {
        let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM issues WHERE register = $1")
            .bind(register.as_str())
            .fetch_all(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(Some(numbers.into_iter().map(|n| n as u32).collect()))
    }

    async fn issues_of(&mut self, references: &[RecordRef]) -> StoreResult<Option<Vec<Issue>>> {
        let (registers, numbers) = keys(references);
        sqlx::query(
            "SELECT register, number, body, version, updated_at, updated_by FROM issues
             WHERE (register, number) IN (SELECT * FROM UNNEST($1::text[], $2::int8[]))",
        )
        .bind(registers)
        .bind(numbers)
        .fetch_all(self.tx.conn().await?)
        .await
        .map_err(db_err)?
        .iter()
        .map(issue_from_table_row)
        .collect::<StoreResult<_>>()
        .map(Some)
    }

    async fn insert_issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.tx.insert_issue(i).await
    }

    async fn update_issue(&mut self, i: &Issue) -> StoreResult<()> {
        self.tx.update_issue(i).await
    }

    async fn json_record(&mut self, record_type: RecordType, key: &str) -> StoreResult<Option<JsonRecord>> {
        sqlx::query(
            "SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = $1 AND key = $2",
        )
        .bind(record_type.as_str())
        .bind(key)
        .fetch_optional(self.tx.conn().await?)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(json_record_from_row)
        .transpose()
    }

    async fn json_records(&mut self, record_type: RecordType) -> StoreResult<Vec<JsonRecord>> {
        sqlx::query("SELECT key, body, version, updated_at, updated_by FROM json_records WHERE record_type = $1")
            .bind(record_type.as_str())
            .fetch_all(self.tx.conn().await?)
            .await
            .map_err(db_err)?
            .iter()
            .map(json_record_from_row)
            .collect()
    }

    async fn put_json_record(&mut self, record_type: RecordType, r: &JsonRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO json_records (record_type, key, body, version, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (record_type, key) DO UPDATE SET body = excluded.body, version = excluded.version,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(record_type.as_str())
        .bind(&r.key)
        .bind(&r.body)
        .bind(i64::from(r.revision.version))
        .bind(r.revision.updated_at)
        .bind(&r.revision.updated_by)
        .execute(self.tx.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_count(&mut self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM risks) + (SELECT COUNT(*) FROM issues)")
            .fetch_one(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n as u64)
    }

    async fn chain_head(&mut self) -> StoreResult<ChainHead> {
        let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.tx.conn().await?)
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
            .execute(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("RELEASE SAVEPOINT write_group")
            .execute(self.tx.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        // What is held was written since the savepoint (which sent everything before it):
        // the rollback undoes it, sent or not.
        self.tx.abandon();
        // Rolling back leaves the savepoint in place; releasing it then ends it.
        sqlx::query("ROLLBACK TO SAVEPOINT write_group")
            .execute(self.tx.conn().await?)
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

//! Turning SQLite rows into domain records and events, and sqlx errors into store errors.

use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use riskreg_store::{Event, RecordType, StoreError, StoreResult};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// Maps constraint violations to conflicts and everything else to a storage failure.
pub fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(db.message().to_owned());
        }
        if db.is_foreign_key_violation() || db.is_check_violation() {
            return StoreError::invalid("record", db.message().to_owned());
        }
    }
    StoreError::other(e)
}

pub fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Other(format!("bad timestamp {text:?} in the database: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(body: &str) -> StoreResult<T> {
    serde_json::from_str(body).map_err(|e| StoreError::Other(format!("unreadable record in the database: {e}")))
}

fn revision(version: u32, at: &str, by: String) -> StoreResult<Revision> {
    Ok(Revision {
        version,
        updated_at: parse_time(at)?,
        updated_by: by,
    })
}

pub fn risk_from_parts(reference: &RecordRef, body: &str, version: u32, at: &str, by: String) -> StoreResult<Risk> {
    Ok(Risk {
        reference: reference.clone(),
        fields: json(body)?,
        revision: revision(version, at, by)?,
    })
}

pub fn issue_from_parts(reference: &RecordRef, body: &str, version: u32, at: &str, by: String) -> StoreResult<Issue> {
    Ok(Issue {
        reference: reference.clone(),
        fields: json(body)?,
        revision: revision(version, at, by)?,
    })
}

/// The settings from their stored text; a database that never saved any has the defaults.
pub fn settings_from(body: Option<String>) -> StoreResult<Settings> {
    match body {
        Some(b) => serde_json::from_str(&b).map_err(StoreError::other),
        None => Ok(Settings::default()),
    }
}

pub fn register_from_parts(code: &str, body: &str, version: u32, at: &str, by: String) -> StoreResult<Register> {
    Ok(Register {
        code: RegisterCode::parse(code)?,
        fields: json(body)?,
        revision: revision(version, at, by)?,
    })
}

fn table_parts(row: &SqliteRow) -> StoreResult<(RecordRef, String, u32, String, String)> {
    let code: String = row.try_get("register").map_err(db_err)?;
    let number: i64 = row.try_get("number").map_err(db_err)?;
    Ok((
        RecordRef::new(RegisterCode::parse(&code)?, number as u32),
        row.try_get("body").map_err(db_err)?,
        row.try_get::<i64, _>("version").map_err(db_err)? as u32,
        row.try_get("updated_at").map_err(db_err)?,
        row.try_get("updated_by").map_err(db_err)?,
    ))
}

pub fn risk_from_table_row(row: &SqliteRow) -> StoreResult<Risk> {
    let (reference, body, version, at, by) = table_parts(row)?;
    risk_from_parts(&reference, &body, version, &at, by)
}

pub fn issue_from_table_row(row: &SqliteRow) -> StoreResult<Issue> {
    let (reference, body, version, at, by) = table_parts(row)?;
    issue_from_parts(&reference, &body, version, &at, by)
}

pub fn json_record_from_row(row: &SqliteRow) -> StoreResult<riskreg_store::JsonRecord> {
    let body: String = row.try_get("body").map_err(db_err)?;
    Ok(riskreg_store::JsonRecord {
        key: row.try_get("key").map_err(db_err)?,
        body: json(&body)?,
        revision: revision(
            row.try_get::<i64, _>("version").map_err(db_err)? as u32,
            &row.try_get::<String, _>("updated_at").map_err(db_err)?,
            row.try_get("updated_by").map_err(db_err)?,
        )?,
    })
}

/// An event as stored: its before and after as the text in the row.
pub fn stored_event_from_row(row: &SqliteRow) -> StoreResult<Event<String>> {
    let record_type: String = row.try_get("record_type").map_err(db_err)?;
    Ok(Event {
        seq: row.try_get("seq").map_err(db_err)?,
        at: parse_time(&row.try_get::<String, _>("at").map_err(db_err)?)?,
        recorded_at: parse_time(&row.try_get::<String, _>("recorded_at").map_err(db_err)?)?,
        actor: row.try_get("actor").map_err(db_err)?,
        reason: row.try_get("reason").map_err(db_err)?,
        kind: row.try_get("kind").map_err(db_err)?,
        record_type: RecordType::parse(&record_type)
            .ok_or_else(|| StoreError::Other(format!("unknown record type {record_type:?} in the history")))?,
        record_key: row.try_get("record_key").map_err(db_err)?,
        register: row.try_get("register").map_err(db_err)?,
        version: row.try_get::<i64, _>("version").map_err(db_err)? as u32,
        before: row.try_get("before").map_err(db_err)?,
        after: row.try_get("after").map_err(db_err)?,
        prev_hash: row.try_get("prev_hash").map_err(db_err)?,
        hash: row.try_get("hash").map_err(db_err)?,
    })
}

/// An event with its before and after read as JSON (text that no longer parses is kept as
/// a JSON string, so verification reports an altered event rather than failing).
pub fn event_from_row(row: &SqliteRow) -> StoreResult<Event> {
    stored_event_from_row(row).map(Event::parsed)
}

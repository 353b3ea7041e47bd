//! Turning SQLite rows into domain records and events, and sqlx errors into store errors.

use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use riskreg_store::chain::canonical_json;
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

/// A record's body as it is stored: the canonical JSON text that its event's `after` holds,
/// so that `audit verify` can hash the stored text as it stands.
pub fn stored_body<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_value(value)
        .map(|v| canonical_json(&v))
        .map_err(StoreError::other)
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

/// One stored version of a record from the history: key, version, time, actor, body.
pub type VersionRow = (String, u32, String, String, String);

/// A row of a record table: register, number, body, version, time, actor.
pub type TableRow = (String, u32, String, u32, String, String);

/// A result row read by column name, whichever driver read it (sqlx's pool, or the
/// store's own reader, see `bulk`), so that one mapping serves both read paths.
pub trait Columns {
    fn text(&self, name: &str) -> StoreResult<String>;
    fn optional_text(&self, name: &str) -> StoreResult<Option<String>>;
    fn int(&self, name: &str) -> StoreResult<i64>;
}

impl Columns for SqliteRow {
    fn text(&self, name: &str) -> StoreResult<String> {
        self.try_get(name).map_err(db_err)
    }

    fn optional_text(&self, name: &str) -> StoreResult<Option<String>> {
        self.try_get(name).map_err(db_err)
    }

    fn int(&self, name: &str) -> StoreResult<i64> {
        self.try_get(name).map_err(db_err)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, name: &str) -> StoreResult<String> {
        self.get(name).map_err(crate::bulk::bulk_err)
    }

    fn optional_text(&self, name: &str) -> StoreResult<Option<String>> {
        self.get(name).map_err(crate::bulk::bulk_err)
    }

    fn int(&self, name: &str) -> StoreResult<i64> {
        self.get(name).map_err(crate::bulk::bulk_err)
    }
}

/// A record table's row, read by column name.
pub fn table_parts(row: &impl Columns) -> StoreResult<TableRow> {
    Ok((
        row.text("register")?,
        row.int("number")? as u32,
        row.text("body")?,
        row.int("version")? as u32,
        row.text("updated_at")?,
        row.text("updated_by")?,
    ))
}

/// A version row of the history, read by column name.
pub fn version_parts(row: &SqliteRow) -> StoreResult<VersionRow> {
    Ok((
        row.try_get("record_key").map_err(db_err)?,
        row.try_get::<i64, _>("version").map_err(db_err)? as u32,
        row.try_get("at").map_err(db_err)?,
        row.try_get("actor").map_err(db_err)?,
        row.try_get::<Option<String>, _>("after")
            .map_err(db_err)?
            .unwrap_or_default(),
    ))
}

fn table_reference(register: &str, number: u32) -> StoreResult<RecordRef> {
    Ok(RecordRef::new(RegisterCode::parse(register)?, number))
}

pub fn risk_from_table((register, number, body, version, at, by): TableRow) -> StoreResult<Risk> {
    risk_from_parts(&table_reference(&register, number)?, &body, version, &at, by)
}

pub fn issue_from_table((register, number, body, version, at, by): TableRow) -> StoreResult<Issue> {
    issue_from_parts(&table_reference(&register, number)?, &body, version, &at, by)
}

pub fn risk_from_version((key, version, at, actor, body): VersionRow) -> StoreResult<Risk> {
    risk_from_parts(&RecordRef::parse(&key)?, &body, version, &at, actor)
}

pub fn issue_from_version((key, version, at, actor, body): VersionRow) -> StoreResult<Issue> {
    issue_from_parts(&RecordRef::parse(&key)?, &body, version, &at, actor)
}

pub fn register_from_version((key, version, at, actor, body): VersionRow) -> StoreResult<Register> {
    register_from_parts(&key, &body, version, &at, actor)
}

pub fn risk_from_table_row(row: &impl Columns) -> StoreResult<Risk> {
    risk_from_table(table_parts(row)?)
}

pub fn issue_from_table_row(row: &SqliteRow) -> StoreResult<Issue> {
    issue_from_table(table_parts(row)?)
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

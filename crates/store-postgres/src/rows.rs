//! Turning PostgreSQL rows into domain records and events, and sqlx errors into store
//! errors of the same kinds SQLite's give.

use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use riskreg_store::{Event, RecordType, StoreError, StoreResult};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::Row;
use sqlx::postgres::PgRow;

/// Maps constraint violations to conflicts (unique) and invalid input (foreign key, check,
/// not null), text PostgreSQL cannot hold to invalid input, and everything else to a
/// storage failure.
pub fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(db.message().to_owned());
        }
        if db.is_foreign_key_violation() || db.is_check_violation() {
            return StoreError::invalid("record", db.message().to_owned());
        }
        match db.code().as_deref() {
            // not_null_violation
            Some("23502") => return StoreError::invalid("record", db.message().to_owned()),
            // untranslatable_character, character_not_in_repertoire: PostgreSQL's text
            // and jsonb cannot hold U+0000.
            Some("22P05") | Some("22021") => {
                return StoreError::invalid(
                    "text",
                    format!("must not contain the NUL character (U+0000): {}", db.message()),
                );
            }
            // lock_not_available: another writer held the chain for longer than the
            // lock timeout.
            Some("55P03") => {
                return StoreError::Other(format!(
                    "another write held the database for longer than the lock timeout: {}",
                    db.message()
                ));
            }
            _ => {}
        }
    }
    StoreError::other(e)
}

fn json<T: DeserializeOwned>(body: Value) -> StoreResult<T> {
    serde_json::from_value(body).map_err(|e| StoreError::Other(format!("unreadable record in the database: {e}")))
}

/// A record's stored body with its version, when it was written and by whom: from a
/// current-state table or from the event that wrote that version.
pub struct Parts {
    pub body: Value,
    pub version: u32,
    pub at: DateTime<Utc>,
    pub by: String,
}

impl Parts {
    fn revision(&self) -> Revision {
        Revision {
            version: self.version,
            updated_at: self.at,
            updated_by: self.by.clone(),
        }
    }

    /// From a table row (`body`, `version`, `updated_at`, `updated_by`).
    pub fn from_table(row: &PgRow) -> StoreResult<Self> {
        Self::from_prefixed(row, "")
    }

    /// From a table's columns joined into a row under a prefix (`g_body`, `g_version`, …).
    pub fn from_prefixed(row: &PgRow, prefix: &str) -> StoreResult<Self> {
        let column = |name: &str| format!("{prefix}{name}");
        Ok(Self {
            body: row.try_get(column("body").as_str()).map_err(db_err)?,
            version: row.try_get::<i64, _>(column("version").as_str()).map_err(db_err)? as u32,
            at: row.try_get(column("updated_at").as_str()).map_err(db_err)?,
            by: row.try_get(column("updated_by").as_str()).map_err(db_err)?,
        })
    }

    /// From an event row (`after` as text, `version`, `at`, `actor`), for as-at reads.
    pub fn from_event(row: &PgRow) -> StoreResult<Self> {
        let body: Option<String> = row.try_get("after").map_err(db_err)?;
        let body = body
            .map(|b| serde_json::from_str(&b))
            .transpose()
            .map_err(|e| StoreError::Other(format!("unreadable record in the history: {e}")))?;
        Ok(Self {
            body: body.ok_or_else(|| StoreError::other("an event in the history has no record body"))?,
            version: row.try_get::<i64, _>("version").map_err(db_err)? as u32,
            at: row.try_get("at").map_err(db_err)?,
            by: row.try_get("actor").map_err(db_err)?,
        })
    }

    pub fn into_risk(self, reference: RecordRef) -> StoreResult<Risk> {
        Ok(Risk {
            reference,
            revision: self.revision(),
            fields: json(self.body)?,
        })
    }

    pub fn into_issue(self, reference: RecordRef) -> StoreResult<Issue> {
        Ok(Issue {
            reference,
            revision: self.revision(),
            fields: json(self.body)?,
        })
    }

    pub fn into_json_record(self, key: String) -> riskreg_store::JsonRecord {
        let revision = self.revision();
        riskreg_store::JsonRecord {
            key,
            body: self.body,
            revision,
        }
    }

    pub fn into_register(self, code: &str) -> StoreResult<Register> {
        Ok(Register {
            code: RegisterCode::parse(code)?,
            revision: self.revision(),
            fields: json(self.body)?,
        })
    }
}

/// The reference of a risks or issues table row (`register`, `number`).
pub fn table_ref(row: &PgRow) -> StoreResult<RecordRef> {
    let code: String = row.try_get("register").map_err(db_err)?;
    let number: i64 = row.try_get("number").map_err(db_err)?;
    Ok(RecordRef::new(RegisterCode::parse(&code)?, number as u32))
}

pub fn risk_from_table_row(row: &PgRow) -> StoreResult<Risk> {
    Parts::from_table(row)?.into_risk(table_ref(row)?)
}

pub fn issue_from_table_row(row: &PgRow) -> StoreResult<Issue> {
    Parts::from_table(row)?.into_issue(table_ref(row)?)
}

/// The columns of an event, its JSON as the text that was stored.
pub const EVENT_COLUMNS: &str = "seq, at, recorded_at, actor, reason, kind, record_type, record_key, register, version, \
     before::text AS before, after::text AS after, prev_hash, hash";

/// The record key of an event row, for as-at reads.
pub fn event_key(row: &PgRow) -> StoreResult<String> {
    row.try_get("record_key").map_err(db_err)
}

/// An event with its before and after as the text stored (`json` keeps text as given),
/// for verifying without a JSON tree per event.
pub fn stored_event_from_row(row: &PgRow) -> StoreResult<Event<String>> {
    let record_type: String = row.try_get("record_type").map_err(db_err)?;
    Ok(Event {
        seq: row.try_get("seq").map_err(db_err)?,
        at: row.try_get("at").map_err(db_err)?,
        recorded_at: row.try_get("recorded_at").map_err(db_err)?,
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
pub fn event_from_row(row: &PgRow) -> StoreResult<Event> {
    stored_event_from_row(row).map(Event::parsed)
}

/// A `json_records` row (`key`, `body`, `version`, `updated_at`, `updated_by`).
pub fn json_record_from_row(row: &PgRow) -> StoreResult<riskreg_store::JsonRecord> {
    let key: String = row.try_get("key").map_err(db_err)?;
    Ok(Parts::from_table(row)?.into_json_record(key))
}

/// The settings from a row's `settings` column; a database that never saved any has the
/// defaults.
pub fn settings_from_row(row: &PgRow) -> StoreResult<Settings> {
    match row.try_get::<Option<Value>, _>("settings").map_err(db_err)? {
        Some(body) => json(body),
        None => Ok(Settings::default()),
    }
}

//! Reads that bypass sqlx's hand-off: bulk reads — the history for `audit verify`,
//! registers as at a date, every risk of a register, every current record, a page — on a
//! blocking thread, and the API's point reads by key on the caller's own thread.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every row over a channel
//! to the async side, copying each of its values on the way (a `malloc` apiece). For a
//! request's handful of rows that costs little, but reading a million events that way took
//! 16.5 s where stepping the same statement in place takes under 2. These reads step their
//! statement on one blocking thread (rusqlite over the same SQLite library) and build what
//! they return there, so the async side receives one finished vector per read. A read of
//! one row by key (a token, one risk) is cheaper still made in place: under load, the thread
//! switches of two queries were a third of the server's time for `GET /api/v1/risks/{ref}`.
//!
//! The connection is read-only and opened on the same file, so in WAL mode it sees every
//! write committed before each read begins, as the pool does. A database in memory has no
//! file to open a second connection on; its store reads these through sqlx instead.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use riskreg_store::{Event, RecordType, StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags, Row};

use crate::rows::{TableRow, VersionRow, parse_time};

/// The most connections kept open between reads: the pool's size.
const KEPT: usize = 8;

#[derive(Debug)]
pub struct BulkReader {
    path: PathBuf,
    /// Connections kept between reads, so that a run of pages, or of requests, does not
    /// reopen the file: as many as reads have overlapped, up to [`KEPT`].
    idle: Mutex<Vec<Connection>>,
}

impl BulkReader {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> StoreResult<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Other(format!("cannot open {} for reading: {e}", self.path.display())))?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(bulk_err)?;
        // A small page cache per connection (SQLite's default is 2 MB): these reads are
        // single passes or point reads that the system's page cache serves as well, and
        // the server keeps up to eight of these connections.
        conn.pragma_update(None, "cache_size", -256).map_err(bulk_err)?;
        Ok(conn)
    }

    /// Runs `read` on a blocking thread with a read-only connection to the database.
    pub async fn read<T, F>(self: &Arc<Self>, read: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.read_here(read))
            .await
            .map_err(StoreError::other)?
    }

    /// Runs `read` here, on the caller's thread, with a connection from the pool: for
    /// reads of a row or two by key, which SQLite answers in microseconds, less than it
    /// costs to hand the read to another thread and the answer back.
    pub fn read_here<T>(&self, read: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match kept {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEPT
        {
            idle.push(conn);
        }
        out
    }
}

pub fn bulk_err(e: rusqlite::Error) -> StoreError {
    StoreError::Other(format!("database read failed: {e}"))
}

/// Every row `sql` gives for `params`, each made by `make`.
pub fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut make: impl FnMut(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(bulk_err)?;
    let mut rows = statement.query(params).map_err(bulk_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(bulk_err)? {
        out.push(make(row)?);
    }
    Ok(out)
}

/// The first row `sql` gives for `params`, made by `make`, if there is one.
pub fn first<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    make: impl FnOnce(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(bulk_err)?;
    let mut rows = statement.query(params).map_err(bulk_err)?;
    rows.next().map_err(bulk_err)?.map(make).transpose()
}

fn text(row: &Row<'_>, i: usize) -> StoreResult<String> {
    row.get_ref(i)
        .and_then(|v| Ok(v.as_str()?.to_owned()))
        .map_err(bulk_err)
}

fn optional_text(row: &Row<'_>, i: usize) -> StoreResult<Option<String>> {
    row.get_ref(i)
        .and_then(|v| Ok(v.as_str_or_null()?.map(str::to_owned)))
        .map_err(bulk_err)
}

pub fn int(row: &Row<'_>, i: usize) -> StoreResult<i64> {
    row.get_ref(i).and_then(|v| Ok(v.as_i64()?)).map_err(bulk_err)
}

fn record_type(text: &str) -> StoreResult<RecordType> {
    RecordType::parse(text).ok_or_else(|| StoreError::Other(format!("unknown record type {text:?} in the database")))
}

/// An event as stored, from a row of its columns in table order (seq, at, recorded_at,
/// actor, reason, kind, record_type, record_key, register, version, before, after,
/// prev_hash, hash).
pub fn stored_event(row: &Row<'_>) -> StoreResult<Event<String>> {
    Ok(Event {
        seq: int(row, 0)?,
        at: parse_time(&text(row, 1)?)?,
        recorded_at: parse_time(&text(row, 2)?)?,
        actor: text(row, 3)?,
        reason: optional_text(row, 4)?,
        kind: text(row, 5)?,
        record_type: record_type(&text(row, 6)?)?,
        record_key: text(row, 7)?,
        register: optional_text(row, 8)?,
        version: int(row, 9)? as u32,
        before: optional_text(row, 10)?,
        after: optional_text(row, 11)?,
        prev_hash: text(row, 12)?,
        hash: text(row, 13)?,
    })
}

/// A version of a record from a row of (key, version, at, actor, after).
pub fn version_row(row: &Row<'_>) -> StoreResult<VersionRow> {
    Ok((
        text(row, 0)?,
        int(row, 1)? as u32,
        text(row, 2)?,
        text(row, 3)?,
        optional_text(row, 4)?.unwrap_or_default(),
    ))
}

/// A record table's row from (register, number, body, version, updated_at, updated_by).
pub fn table_row(row: &Row<'_>) -> StoreResult<TableRow> {
    Ok((
        text(row, 0)?,
        int(row, 1)? as u32,
        text(row, 2)?,
        int(row, 3)? as u32,
        text(row, 4)?,
        text(row, 5)?,
    ))
}

/// A current record from (type, key, version, body): its body as the text stored.
pub fn record_text(row: &Row<'_>) -> StoreResult<(RecordType, String, u32, String)> {
    Ok((
        record_type(&text(row, 0)?)?,
        text(row, 1)?,
        int(row, 2)? as u32,
        text(row, 3)?,
    ))
}

//! Chooses the storage backend from the database URL's scheme.

use std::sync::Arc;

use anyhow::{Context, bail};
use riskreg_store::Store;
use riskreg_store_postgres::PgStore;
use riskreg_store_sqlite::SqliteStore;

/// Opens the database at `url`: `sqlite:PATH` (created if missing) or
/// `postgres://…` / `postgresql://…` (the database is created if missing and the user may).
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await.with_context(|| format!("opening {url}"))?;
        return Ok(Arc::new(store));
    }
    if is_postgres(url) {
        let store = PgStore::open(url)
            .await
            .with_context(|| format!("opening {}", shown(url)))?;
        return Ok(Arc::new(store));
    }
    bail!(
        "--db: unsupported database URL {:?}; use sqlite:PATH or postgres://USER@HOST/DATABASE",
        shown(url)
    )
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL as it may be printed: a PostgreSQL password is hidden.
pub fn shown(url: &str) -> String {
    if is_postgres(url) {
        riskreg_store_postgres::redact(url)
    } else {
        url.to_owned()
    }
}

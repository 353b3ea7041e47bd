//! Chooses the storage backend from the database URL's scheme.

use std::sync::Arc;

use anyhow::{Context, bail};
use riskreg_store::Store;
use riskreg_store_sqlite::SqliteStore;

/// Opens the database at `url`: `sqlite:PATH` (created if missing).
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await.with_context(|| format!("opening {url}"))?;
        return Ok(Arc::new(store));
    }
    bail!("--db: unsupported database URL {url:?}; use sqlite:PATH")
}

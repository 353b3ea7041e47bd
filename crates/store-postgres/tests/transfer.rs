//! Copying between backends: SQLite → PostgreSQL → SQLite of the demo with history keeps
//! every event, hash and current row, so each copy verifies to the source's chain head.

mod common;

use std::sync::Arc;

use riskreg_store::Store;
use riskreg_store::conformance::{assert_faithful_copy, load_demo_with_history};
use riskreg_store_sqlite::SqliteStore;

use crate::common::TestServer;

async fn sqlite(dir: &tempfile::TempDir, name: &str) -> Arc<dyn Store> {
    let url = format!("sqlite:{}", dir.path().join(name).display());
    Arc::new(SqliteStore::open(&url).await.expect("open SQLite"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_and_back_is_verbatim() {
    let Some(server) = TestServer::from_env("SQLite ↔ PostgreSQL copy test").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let source = sqlite(&dir, "source.db").await;
    load_demo_with_history(&source).await;

    let postgres: Arc<dyn Store> = Arc::new(server.fresh_store().await);
    assert_faithful_copy(&source, &postgres).await;

    let back = sqlite(&dir, "back.db").await;
    assert_faithful_copy(&postgres, &back).await;
    assert_eq!(
        source.events(0, 1_000).await.expect("events"),
        back.events(0, 1_000).await.expect("events"),
        "the round trip returns the very same history"
    );
}

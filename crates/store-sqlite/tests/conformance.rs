//! The conformance suite against SQLite, each scenario in a fresh database file.

use std::sync::Arc;

use riskreg_store::Store;
use riskreg_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_conforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    riskreg_store::conformance::run_all(|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let url = format!("sqlite:{}", dir.path().join(format!("db{n}.sqlite")).display());
        async move { Arc::new(SqliteStore::open(&url).await.expect("open")) as Arc<dyn Store> }
    })
    .await;
}

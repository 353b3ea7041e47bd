//! The conformance suite against PostgreSQL, each scenario in a fresh database on the
//! server named by `RISKREG_TEST_POSTGRES_URL`; skipped, visibly, when it is not set.

mod common;

use std::sync::Arc;

use riskreg_domain::{Rag, RegisterCode, RegisterFields, RiskFields};
use riskreg_store::{RecordQuery, Store, WriteContext, verify_chain};
use riskreg_store_postgres::PgStore;

use crate::common::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_conforms() {
    let Some(server) = TestServer::from_env("PostgreSQL conformance").await else {
        return;
    };
    // Every database the factory creates is dropped when `server` goes, pass or fail.
    riskreg_store::conformance::run_all(|| async { Arc::new(server.fresh_store().await) as Arc<dyn Store> }).await;
}

/// Every connection riskreg opens has its lock timeout and runs without JIT compilation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_have_the_lock_timeout_and_no_jit() {
    let Some(server) = TestServer::from_env("PostgreSQL session settings").await else {
        return;
    };
    let store = server.fresh_store().await;
    let (lock_timeout, jit): (String, String) =
        sqlx::query_as("SELECT current_setting('lock_timeout'), current_setting('jit')")
            .fetch_one(store.pool())
            .await
            .expect("settings");
    assert_eq!((lock_timeout.as_str(), jit.as_str()), ("30s", "off"));
}

/// Two pools on one database stand for two `riskreg serve` processes: writing at once, with
/// no expected versions to make them conflict, every write must land and the chain stay
/// one unbroken line, because each transaction waits for the chain lock before reading
/// the head.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn separate_pools_share_one_chain() {
    let Some(server) = TestServer::from_env("PostgreSQL chain-lock test").await else {
        return;
    };
    let url = server.fresh_url().await;
    let a: Arc<dyn Store> = Arc::new(PgStore::open(&url).await.expect("open a"));
    let b: Arc<dyn Store> = Arc::new(PgStore::open(&url).await.expect("open b"));
    let ctx = || WriteContext::new("tester", None);
    let panel = RegisterCode::parse("PANEL").expect("code");
    a.init(ctx()).await.expect("init");
    a.create_register(panel.clone(), RegisterFields::new("Panel"), ctx())
        .await
        .expect("register");
    let writers: Vec<_> = (0..16)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let panel = panel.clone();
            tokio::spawn(async move {
                let fields = RiskFields::new(format!("Risk from writer {i}"), 2, 3, Rag::Green);
                store.create_risk(panel, None, fields, ctx()).await
            })
        })
        .collect();
    for w in writers {
        w.await.expect("task").expect("every write lands");
    }
    let report = verify_chain(b.as_ref()).await.expect("verify");
    assert!(report.ok(), "{:?}", report.problem);
    assert_eq!(report.events, 18);
    let mut numbers: Vec<u32> = a
        .risks(&RecordQuery::default())
        .await
        .expect("list")
        .iter()
        .map(|r| r.reference.number)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=16).collect::<Vec<_>>());
}

/// A read replica (here, a connection whose transactions are read-only) serves every read
/// without trying to migrate, refuses writes, and says so when its schema is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_databases_serve_reads() {
    let Some(server) = TestServer::from_env("PostgreSQL read-only test").await else {
        return;
    };
    let url = server.fresh_url().await;
    let primary: Arc<dyn Store> = Arc::new(PgStore::open(&url).await.expect("open the primary"));
    primary.init(WriteContext::new("tester", None)).await.expect("init");
    let panel = RegisterCode::parse("PANEL").expect("code");
    primary
        .create_register(
            panel.clone(),
            RegisterFields::new("Panel"),
            WriteContext::new("tester", None),
        )
        .await
        .expect("register");

    let read_only = format!("{url}?options[default_transaction_read_only]=on");
    let replica: Arc<dyn Store> = Arc::new(PgStore::open(&read_only).await.expect("open read-only"));
    assert_eq!(replica.registers(None).await.expect("read").len(), 1);
    assert!(verify_chain(replica.as_ref()).await.expect("verify").ok());
    let write = replica
        .create_register(
            RegisterCode::parse("SSC").expect("code"),
            RegisterFields::new("SSC"),
            WriteContext::new("tester", None),
        )
        .await;
    assert!(write.is_err(), "a read-only database refuses writes: {write:?}");

    let empty = format!("{}?options[default_transaction_read_only]=on", server.fresh_url().await);
    match PgStore::open(&empty).await {
        Err(e) => assert!(e.to_string().contains("open the primary"), "{e}"),
        Ok(_) => panic!("a read-only database without the schema must be refused"),
    }
}

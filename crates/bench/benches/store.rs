//! In-process benchmarks of the store paths behind the API's hot routes, on a generated
//! 10,000-risk organisation in SQLite: one risk by reference, a page of 50 in register
//! order, an amendment (row, event and hash, committed), and a register as at a past date.
//! Run with `cargo bench -p riskreg-bench --bench store`; `RISKREG_BENCH_RISKS` sets
//! another size. `cargo test --workspace` runs each benchmark once on 200 risks, so the
//! benchmarks cannot rot unnoticed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use riskreg_bench::{Spec, generate};
use riskreg_domain::{RecordRef, RegisterCode, RiskChange};
use riskreg_store::{RecordQuery, Store, WriteContext};
use riskreg_store_sqlite::SqliteStore;

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let (store, summary) = rt.block_on(async {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.expect("open"));
        // `cargo bench` passes --bench; under `cargo test` each benchmark runs once, as a
        // smoke test, on a small organisation.
        let default = if std::env::args().any(|a| a == "--bench") {
            10_000
        } else {
            200
        };
        let risks = std::env::var("RISKREG_BENCH_RISKS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default);
        let spec = Spec {
            risks,
            events: None,
            seed: 1,
            registers: None,
        };
        let summary = generate(store.as_ref(), &spec, |_, _| {}).await.expect("generate");
        (store, summary)
    });
    let sample = RecordRef::parse(&summary.sample_risk).expect("sample ref");
    let top = RegisterCode::parse(&summary.top_register).expect("top register");

    c.bench_function("store/one risk by reference", |b| {
        b.to_async(&rt)
            .iter(|| async { store.risk(&sample, None).await.expect("risk") })
    });
    let page = RecordQuery {
        register: Some(top.clone()),
        as_at: None,
        include_closed: false,
    };
    c.bench_function("store/page of 50 in register order", |b| {
        b.to_async(&rt).iter(|| async {
            store
                .risk_page(&page, 50, summary.top_register_risks / 2)
                .await
                .expect("page")
        })
    });
    let past = RecordQuery {
        register: Some(top),
        as_at: Some(Utc.with_ymd_and_hms(2022, 6, 30, 23, 59, 59).single().expect("date")),
        include_closed: false,
    };
    c.bench_function("store/register as at a past date", |b| {
        b.to_async(&rt)
            .iter(|| async { store.risks(&past).await.expect("as at") })
    });
    let n = AtomicU64::new(0);
    c.bench_function("store/amend one risk (row, event, hash, commit)", |b| {
        b.to_async(&rt).iter(|| async {
            let i = n.fetch_add(1, Ordering::Relaxed);
            let change = RiskChange {
                notes: Some(Some(format!("Benchmark amendment {i}"))),
                ..RiskChange::default()
            };
            store
                .amend_risk(sample.clone(), None, change, WriteContext::new("bench", None))
                .await
                .expect("amend")
        })
    });
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(store);

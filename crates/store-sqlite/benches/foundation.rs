//! Foundation figures for the SQLite backend: inserting 10,000 risks one write at a time and
//! in one batch, listing 10,000 in register order, reconstructing a register as at a past
//! date after 100,000 events, and verifying a 100,000-event chain.
//!
//! Run with `cargo bench -p riskreg-store-sqlite --bench foundation`; it prints a table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use riskreg_domain::{Mitigation, MitigationState, Rag, RegisterCode, RegisterFields, RiskChange, RiskFields};
use riskreg_store::{Change, RecordQuery, Store, Write, WriteContext, verify_chain};
use riskreg_store_sqlite::SqliteStore;

const RISKS: u32 = 10_000;
const EVENTS: usize = 100_000;

fn fields(i: u32) -> RiskFields {
    let mut f = RiskFields::new(
        format!(
            "Risk {i}: the supplier may fail to deliver the release on time, leading to delays and cost increases."
        ),
        (i % 5 + 1) as u8,
        (i / 5 % 5 + 1) as u8,
        Rag::Amber,
    );
    f.consequences = vec!["Delay to the programme".into(), "Reputational damage".into()];
    for m in 0..3 {
        f.mitigations.push(Mitigation::new(
            format!("Mitigation {m} for risk {i}: monthly review"),
            MitigationState::Ongoing,
        ));
    }
    f
}

async fn fresh(dir: &std::path::Path, name: &str, at: chrono::DateTime<Utc>) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite:{}", dir.join(name).display()))
            .await
            .expect("open"),
    );
    let ctx = WriteContext {
        actor: "bench".into(),
        reason: None,
        at: Some(at),
    };
    store.init(ctx.clone()).await.expect("init");
    store
        .create_register(
            RegisterCode::parse("BENCH").expect("code"),
            RegisterFields::new("Bench"),
            ctx,
        )
        .await
        .expect("register");
    store
}

fn row(what: &str, d: Duration, n: usize) {
    let rate = n as f64 / d.as_secs_f64();
    println!(
        "| {what:<58} | {:>10.1} ms | {rate:>12.0} /s |",
        d.as_secs_f64() * 1000.0
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let code = RegisterCode::parse("BENCH").expect("code");
    println!("| path (SQLite, release) | time | rate |");
    println!("|---|---:|---:|");

    let base = Utc::now() - chrono::Duration::days(200);
    let one = fresh(dir.path(), "one.db", base).await;
    let start = Instant::now();
    for i in 1..=RISKS {
        one.create_risk(code.clone(), None, fields(i), WriteContext::new("bench", None))
            .await
            .expect("create");
    }
    row(
        "insert 10,000 risks, one write (transaction) each",
        start.elapsed(),
        RISKS as usize,
    );

    let batch = fresh(dir.path(), "batch.db", base).await;
    let writes: Vec<Write> = (1..=RISKS)
        .map(|i| Write {
            change: Change::CreateRisk {
                register: code.clone(),
                number: None,
                fields: fields(i),
            },
            ctx: WriteContext {
                actor: "bench".into(),
                reason: None,
                at: Some(base),
            },
        })
        .collect();
    let start = Instant::now();
    batch.write(writes).await.expect("batch");
    row(
        "insert 10,000 risks in one batch (one transaction)",
        start.elapsed(),
        RISKS as usize,
    );

    let query = RecordQuery {
        register: Some(code.clone()),
        ..Default::default()
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let risks = batch.risks(&query).await.expect("list");
        times.push(start.elapsed());
        assert_eq!(risks.len(), RISKS as usize);
    }
    row(
        "list 10,000 risks in register order (median of 5)",
        median(times),
        RISKS as usize,
    );

    // Build a history of 100,000 events: nine rounds of amendments, a day apart.
    let mut events = batch.event_count().await.expect("count") as usize;
    let mut round = 0;
    let build = Instant::now();
    while events < EVENTS {
        round += 1;
        let at = base + chrono::Duration::days(round);
        let writes: Vec<Write> = (1..=RISKS)
            .take(EVENTS - events)
            .map(|n| Write {
                change: Change::AmendRisk {
                    reference: riskreg_domain::RecordRef::new(code.clone(), n),
                    expected_version: None,
                    change: RiskChange {
                        owner: Some(Some(format!("Owner round {round}"))),
                        ..Default::default()
                    },
                },
                ctx: WriteContext {
                    actor: "bench".into(),
                    reason: Some("review".into()),
                    at: Some(at),
                },
            })
            .collect();
        events += writes.len();
        for chunk in writes.chunks(2_000) {
            batch.write(chunk.to_vec()).await.expect("amend");
        }
    }
    row(
        "  (building: 90,000 amendments in 2,000-write batches)",
        build.elapsed(),
        EVENTS - RISKS as usize,
    );
    assert_eq!(batch.event_count().await.expect("count") as usize, EVENTS);

    let as_at = base + chrono::Duration::days(4) + chrono::Duration::hours(12);
    let query = RecordQuery {
        register: Some(code.clone()),
        as_at: Some(as_at),
        include_closed: false,
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let risks = batch.risks(&query).await.expect("as at");
        times.push(start.elapsed());
        assert_eq!(risks.len(), RISKS as usize);
        assert_eq!(risks[0].fields.owner.as_deref(), Some("Owner round 4"));
    }
    row(
        "register of 10,000 as at a past date, 100,000 events (median)",
        median(times),
        RISKS as usize,
    );

    let start = Instant::now();
    let report = verify_chain(batch.as_ref()).await.expect("verify");
    assert!(report.ok(), "{:?}", report.problem);
    row(
        "audit verify, 100,000 events (+ 10,000 records checked)",
        start.elapsed(),
        EVENTS,
    );
}

//! In-process benchmarks of the pure paths every request and paper goes through: ordering a
//! register, building the API's view of a risk, validating a risk's fields, and hashing an
//! event for the chain. Run with `cargo bench -p riskreg-bench --bench domain`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use riskreg_bench::sample_risks;
use riskreg_domain::view::RiskView;
use riskreg_domain::{Settings, ordering};
use riskreg_store::chain::event_hash;
use riskreg_store::{Event, RecordType};

fn benches(c: &mut Criterion) {
    let risks = sample_risks(10_000, 1).expect("sample risks");
    let settings = Settings::default();
    let today = Utc::now().date_naive();

    c.bench_function("domain/sort 10,000 risks into register order", |b| {
        b.iter_batched(
            || risks.clone(),
            |mut rs| ordering::sort_risks(black_box(&mut rs)),
            criterion::BatchSize::LargeInput,
        )
    });
    c.bench_function("domain/view of one risk", |b| {
        b.iter(|| RiskView::new(black_box(&risks[4_999]), &settings, None))
    });
    c.bench_function("domain/validate one risk's fields", |b| {
        b.iter(|| risks[4_999].fields.clone().normalised(&settings, today).expect("valid"))
    });
    c.bench_function("domain/serialise one view to JSON", |b| {
        let view = RiskView::new(&risks[4_999], &settings, None);
        b.iter(|| serde_json::to_vec(black_box(&view)).expect("json"))
    });
    let after = serde_json::to_value(&risks[4_999].fields).expect("json");
    let event = Event {
        seq: 42,
        at: Utc::now(),
        recorded_at: Utc::now(),
        actor: "bench".into(),
        reason: None,
        kind: "amended".into(),
        record_type: RecordType::Risk,
        record_key: "BENCH-5000".into(),
        register: Some("BENCH".into()),
        version: 2,
        before: Some(after.clone()),
        after: Some(after),
        prev_hash: "0".repeat(64),
        hash: String::new(),
    };
    c.bench_function("store/hash one amendment event", |b| {
        b.iter(|| event_hash(black_box(&event)))
    });
}

criterion_group!(domain, benches);
criterion_main!(domain);

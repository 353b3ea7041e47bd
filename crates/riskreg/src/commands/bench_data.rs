//! `riskreg bench-data`: fills an empty database with a large, deterministic organisation
//! for benchmarks (`bench/run.sh`) — registers, risks with three mitigations each, issues,
//! users and a dated history — and prints what it wrote as JSON.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use riskreg_bench::Spec;

use super::{Session, print};
use crate::output;

#[derive(Debug, Args)]
pub struct BenchDataArgs {
    /// Risks in all (half in the top register BENCH, the rest in its sub-registers).
    #[arg(long)]
    pub risks: u32,
    /// Events in the whole history, at least one per register, risk, issue and user; the
    /// rest are reviews of the risks. Default: one review per risk.
    #[arg(long)]
    pub events: Option<u64>,
    /// The seed: the same seed and sizes build the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Registers in all. Default: one per 5,000 risks plus the top register.
    #[arg(long)]
    pub registers: Option<u32>,
}

pub async fn run(s: &Session, a: BenchDataArgs) -> anyhow::Result<ExitCode> {
    let spec = Spec {
        risks: a.risks,
        events: a.events,
        seed: a.seed,
        registers: a.registers,
    };
    let started = Instant::now();
    let mut shown = 0u64;
    let summary = riskreg_bench::generate(s.store.as_ref(), &spec, |done, total| {
        // A line per tenth, on stderr, so that stdout stays the JSON summary.
        if done * 10 / total.max(1) > shown {
            shown = done * 10 / total.max(1);
            let _ = writeln!(
                std::io::stderr(),
                "bench-data: {done} of {total} events, {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    })
    .await?;
    print(&output::json(&summary)?)
}

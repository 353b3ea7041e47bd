//! riskreg's benchmark kit: [`generate`] builds large, deterministic organisations for
//! benchmarks to run against (used by `riskreg bench-data` and the in-process benchmarks),
//! and `src/bin/bare-server.rs` is the bare HTTP baseline that `bench/run.sh` compares
//! riskreg's API with.

pub mod generate;
mod text;

pub use generate::{Plan, Spec, Summary, generate, sample_risks};

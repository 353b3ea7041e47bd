//! Renders the demo paper (the SEC Panel's August 2018 update, built as the tests build it)
//! in every format into a directory, timing each:
//!
//! ```sh
//! cargo run --release -p riskreg-reports --example render_demo -- OUT_DIR [FORMAT] [--risks N]
//! ```
//!
//! With `--risks N` the register is replaced by N generated risks of three mitigations each
//! (the issue's scale check: 10,000 risks, 30,000 mitigations).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use riskreg_reports::{Format, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let risks = args
        .iter()
        .position(|a| a == "--risks")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<u32>())
        .transpose()?;
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--risks"))
        .map(|(_, a)| a)
        .collect();
    let out = std::path::PathBuf::from(positional.first().map_or("paper-out", |s| s.as_str()));
    let only = positional.get(1).map(|s| s.as_str());
    std::fs::create_dir_all(&out)?;

    let mut paper = common::demo_like();
    if let Some(n) = risks {
        common::generate_risks(&mut paper, n);
    }
    for format in [Format::Html, Format::Markdown, Format::Docx, Format::Pdf] {
        if only.is_some_and(|f| f != format.extension()) {
            continue;
        }
        let start = Instant::now();
        let bytes = render(&paper, format)?;
        let took = start.elapsed();
        let path = out.join(format!("paper.{}", format.extension()));
        std::fs::write(&path, &bytes)?;
        println!(
            "{:>5}: {:>11} bytes in {:>9.1} ms",
            format.extension(),
            bytes.len(),
            took.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

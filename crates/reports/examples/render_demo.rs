//! Renders the demo paper (the SEC Panel's August 2018 update, built as the tests build it)
//! in every format into a directory, timing each: `cargo run --release -p riskreg-reports
//! --example render_demo -- OUT_DIR [FORMAT]`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use riskreg_reports::{Format, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "paper-out".into()));
    let only = args.next();
    std::fs::create_dir_all(&out)?;
    let paper = common::demo_like();
    for format in [Format::Html, Format::Markdown, Format::Docx, Format::Pdf] {
        if only.as_deref().is_some_and(|f| f != format.extension()) {
            continue;
        }
        let start = Instant::now();
        let bytes = render(&paper, format)?;
        let took = start.elapsed();
        let path = out.join(format!("paper.{}", format.extension()));
        std::fs::write(&path, &bytes)?;
        println!(
            "{:>5}: {:>9} bytes in {:>8.1} ms",
            format.extension(),
            bytes.len(),
            took.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

//! `riskreg paper`: the committee paper for a meeting, in HTML, Markdown, DOCX or PDF.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use riskreg_reports::model::Paper;
use riskreg_reports::{Authorship, Format, paper_for_meeting, render};
use riskreg_store::StoreError;

use super::meeting::meeting_arg;
use super::{Session, print, print_with};
use crate::cli::{PaperArgs, PaperFormat};

pub async fn run(s: &Session, args: PaperArgs) -> anyhow::Result<ExitCode> {
    let meeting = meeting_arg(&args.meeting)?;
    let who = Authorship {
        author: args.author,
        team: args.team,
    };
    let mut paper = paper_for_meeting(s.store.as_ref(), &meeting, &who).await?;
    if args.draft {
        let findings = super::lint::findings(s, Some(meeting.body.clone()), super::lint::REVIEW_MONTHS).await?;
        paper = paper.with_draft_notes(&findings);
    }
    let format = match args.format {
        PaperFormat::Html => Format::Html,
        PaperFormat::Md => Format::Markdown,
        PaperFormat::Docx => Format::Docx,
        PaperFormat::Pdf => Format::Pdf,
    };
    let bytes = render(&paper, format)?;
    match args.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        None if matches!(args.format, PaperFormat::Html | PaperFormat::Md) => print(&String::from_utf8(bytes)?),
        None => Err(StoreError::invalid("out", "is needed for DOCX and PDF, which are not text").into()),
    }
}

/// `riskreg typeset-pdf` (hidden): what `riskreg serve` runs to typeset a PDF paper in a
/// process of its own (riskreg_web::typeset). Reads the paper's model as JSON from standard
/// input and writes the PDF to standard output; touches no database.
pub fn typeset_pdf() -> anyhow::Result<ExitCode> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).context("reading the paper")?;
    let paper: Paper = serde_json::from_slice(&input).context("the paper given is not a paper's model")?;
    let pdf = render(&paper, Format::Pdf)?;
    print_with(|out| out.write_all(&pdf))
}

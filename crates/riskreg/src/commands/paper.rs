//! `riskreg paper`: the committee paper for a meeting, in HTML, Markdown, DOCX or PDF.

use std::process::ExitCode;

use anyhow::Context;
use riskreg_reports::{Authorship, Format, paper_for_meeting, render};
use riskreg_store::StoreError;

use super::meeting::meeting_arg;
use super::{Session, print};
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

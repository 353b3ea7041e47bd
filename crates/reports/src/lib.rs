//! riskreg's reports: the committee paper — the monthly "Risk and Issue Register Update" —
//! in HTML, Markdown, DOCX and PDF, with its risk matrix as SVG and PNG. Every renderer is
//! a pure function of a [`Paper`], which the store side fills from a meeting's proposals
//! and the register as it stands.

#![forbid(unsafe_code)]

pub mod assemble;
mod docx;
mod docx_tables;
mod escape;
mod fonts;
pub mod heatmap;
mod html;
mod layout;
mod markdown;
pub mod model;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(feature = "pdf")]
mod pdf_data;

pub use assemble::{Authorship, paper_for_meeting};
pub use docx::render_docx;
pub use heatmap::{HeatCell, HeatMap};
pub use html::render_html;
pub use markdown::render_markdown;
pub use model::{
    Amendment, IssueEntry, IssueUpdate, Movement, NewRisk, Paper, Recommendation, RiskEntry, ScoreChange,
    standard_purpose,
};
#[cfg(feature = "pdf")]
pub use pdf::render_pdf;

/// Why a paper could not be rendered. Rendering reads nothing but the paper, so these are
/// failures of the rendering libraries on unusual input, not of I/O.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("rendering the HTML paper failed: {0}")]
    Html(#[from] askama::Error),
    #[error("drawing the risk matrix failed: {0}")]
    Figure(String),
    #[error("writing the DOCX paper failed: {0}")]
    Docx(String),
    #[error("typesetting the PDF paper failed: {0}")]
    Pdf(String),
}

/// The formats a paper can be rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Docx,
    #[cfg(feature = "pdf")]
    Pdf,
}

impl Format {
    /// Whether this is the PDF, which takes typst's layout (and its memory).
    pub fn is_pdf(self) -> bool {
        match self {
            Self::Html | Self::Markdown | Self::Docx => false,
            #[cfg(feature = "pdf")]
            Self::Pdf => true,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Docx => "docx",
            #[cfg(feature = "pdf")]
            Self::Pdf => "pdf",
        }
    }
}

impl Format {
    /// Every format this build can render, by the name the CLI and the API use.
    pub const NAMES: &'static [&'static str] = &[
        "html",
        "md",
        "docx",
        #[cfg(feature = "pdf")]
        "pdf",
    ];

    /// A format by its name (`html`, `md` or `markdown`, `docx`, `pdf`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "html" => Some(Self::Html),
            "md" | "markdown" => Some(Self::Markdown),
            "docx" => Some(Self::Docx),
            #[cfg(feature = "pdf")]
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    /// The media type to serve a paper in this format with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            #[cfg(feature = "pdf")]
            Self::Pdf => "application/pdf",
        }
    }
}

/// Lets go of what rendering keeps between papers: typst memoises a PDF's layouts, about
/// 1.5 GB after a 10,000-risk paper. A long-running server calls this after each paper
/// (off the request's path: it takes up to a second after a large one); a command's
/// process simply ends.
pub fn release_caches() {
    #[cfg(feature = "pdf")]
    typst::comemo::evict(0);
}

/// Renders the paper in `format`.
pub fn render(paper: &Paper, format: Format) -> Result<Vec<u8>, Error> {
    Ok(match format {
        Format::Html => render_html(paper)?.into_bytes(),
        Format::Markdown => render_markdown(paper).into_bytes(),
        Format::Docx => render_docx(paper)?,
        #[cfg(feature = "pdf")]
        Format::Pdf => render_pdf(paper)?,
    })
}

//! The paper as PDF, typeset in-process by typst. The layout lives in a fixed typst
//! template (`templates/paper.typ`); the paper reaches it only as a JSON file that the
//! template reads with `json()`, so register text is always data and never typst markup —
//! no escaping to get wrong. The world is sealed: two virtual files, the fonts compiled
//! into riskreg, no packages, no file system, no clock.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::Error;
use crate::fonts;
use crate::model::Paper;
use crate::pdf_data;

const TEMPLATE: &str = include_str!("../templates/paper.typ");
const MAIN: &str = "/paper.typ";
const DATA: &str = "/paper.json";

/// Renders the paper as a PDF file.
pub fn render_pdf(paper: &Paper) -> Result<Vec<u8>, Error> {
    let data = serde_json::to_vec(&pdf_data::PaperData::new(paper)).map_err(|e| Error::Pdf(e.to_string()))?;
    let world = PaperWorld::new(data, paper.date)?;
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| Error::Pdf(describe(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("riskreg {} {}", paper.title, paper.date)),
        timestamp: Some(typst_pdf::Timestamp::new_utc(date_time(paper.date)?)),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| Error::Pdf(describe(&errors)))
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    messages.join("; ")
}

fn date_time(date: chrono::NaiveDate) -> Result<Datetime, Error> {
    use chrono::Datelike;
    let month = u8::try_from(date.month()).unwrap_or(1);
    let day = u8::try_from(date.day()).unwrap_or(1);
    Datetime::from_ymd_hms(date.year(), month, day, 0, 0, 0)
        .ok_or_else(|| Error::Pdf(format!("{date} is not a date typst can hold")))
}

/// The fonts, parsed once per process: parsing them is a noticeable part of a render.
fn font_set() -> &'static (LazyHash<FontBook>, Vec<Font>) {
    static FONTS: std::sync::OnceLock<(LazyHash<FontBook>, Vec<Font>)> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = fonts::LIBERATION_SANS
            .into_iter()
            .chain(typst_assets::fonts())
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
    })
}

struct PaperWorld {
    library: LazyHash<Library>,
    main: FileId,
    source: Source,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl PaperWorld {
    fn new(data: Vec<u8>, date: chrono::NaiveDate) -> Result<Self, Error> {
        let id = |path: &str| {
            VirtualPath::new(path)
                .map(|p| RootedPath::new(VirtualRoot::Project, p).intern())
                .map_err(|e| Error::Pdf(format!("{path}: {e:?}")))
        };
        let main = id(MAIN)?;
        let mut files = HashMap::new();
        files.insert(id(DATA)?, Bytes::new(data));
        Ok(Self {
            library: LazyHash::new(Library::default()),
            main,
            source: Source::new(main, TEMPLATE.to_owned()),
            files,
            today: date_time(date)?,
        })
    }
}

impl World for PaperWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &font_set().0
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        font_set().1.get(index).cloned()
    }

    /// The paper's own date, so that rendering the same paper twice gives the same PDF.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

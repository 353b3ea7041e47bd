//! riskreg's spreadsheets, both ways. Reading: a secretariat's own register — XLSX or CSV,
//! titles, group rows and description rows around the header, labelled scale values,
//! dates typed every way, numbered lists in cells — mapped to risks and issues with a
//! report naming every bad row by sheet, row, column, value and rule ([`preview`]), within
//! [`Limits`] that refuse zip bombs, entity expansion and oversized sheets. Writing: the
//! registers as a committee prints them ([`write::xlsx`]) and as formula-safe CSV.
//!
//! Reading and writing live in one crate, rather than writing in `reports`, because they
//! share one vocabulary — the columns an export writes are headers the importer
//! recognises, and each list or mitigation cell is written in the form it is read back —
//! so the round trip (export, then import, gives the same registers) is this crate's
//! property to keep and test. It depends on the domain only: it takes and gives domain
//! values, and the store applies an import in one transaction.

pub mod field;
pub mod grid;
pub mod guard;
pub mod header;
pub mod limits;
pub mod preview;
pub mod read;
pub mod records;
pub mod report;
pub mod settings;
pub mod values;
pub mod workbook;
pub mod write;

pub use field::Field;
pub use limits::{Limits, ReadError};
pub use preview::{NewRegister, Options, Preview, parse_map, preview};
pub use read::FileKind;
pub use records::Imported;
pub use report::Problem;
pub use write::Export;

/// How many threads to spread `jobs` independent pieces of work over: one per core, no
/// more than there are pieces, and at least one.
pub(crate) fn threads_for(jobs: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs)
        .max(1)
}

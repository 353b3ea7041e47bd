//! The bounds every file is read within, so that a hostile or broken file fails fast with a
//! clear error instead of exhausting memory or time.

use thiserror::Error;

/// How much of a file the importer will read. The defaults admit a register of a few
/// hundred thousand rows and refuse anything larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The file as uploaded.
    pub max_file_bytes: u64,
    /// Entries in an XLSX (zip) file.
    pub max_entries: usize,
    /// One entry once decompressed, as its zip directory declares it.
    pub max_entry_bytes: u64,
    /// All entries once decompressed.
    pub max_total_bytes: u64,
    /// Decompressed over compressed size, for entries over 1 MiB: zip bombs run to
    /// thousands; real sheets to tens.
    pub max_ratio: u64,
    /// Rows of one sheet (counting from row 1).
    pub max_rows: u32,
    /// Columns of one sheet.
    pub max_columns: u32,
    /// Characters in one cell: Excel's own limit.
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 128 * 1024 * 1024,
            max_entries: 10_000,
            max_entry_bytes: 512 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_ratio: 200,
            max_rows: 250_000,
            max_columns: 256,
            max_cell_chars: 32_767,
        }
    }
}

/// Why a file could not be read at all (as opposed to a row being wrong).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is {size} bytes; at most {max} are accepted")]
    FileTooLarge { size: u64, max: u64 },
    #[error("{0}")]
    Refused(String),
    #[error("sheet {sheet:?} has more than {max} rows (row {row} is used)")]
    TooManyRows { sheet: String, row: u32, max: u32 },
    #[error("sheet {sheet:?} has more than {max} columns (column {column} is used)")]
    TooManyColumns { sheet: String, column: u32, max: u32 },
    #[error("sheet {sheet:?} cell {cell} holds {chars} characters; at most {max} are accepted")]
    CellTooLarge {
        sheet: String,
        cell: String,
        chars: usize,
        max: usize,
    },
    #[error("no sheet named {0:?}; the workbook has {1}")]
    NoSuchSheet(String, String),
    #[error("cannot read the file: {0}")]
    Malformed(String),
}

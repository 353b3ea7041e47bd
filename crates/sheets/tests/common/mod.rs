//! Helpers for the spreadsheet tests: workbooks written with rust_xlsxwriter, and the
//! preview of a file under the default settings.

#![allow(dead_code)]

use chrono::NaiveDate;
use riskreg_domain::Settings;
use riskreg_sheets::{Options, Preview, ReadError, preview};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")
}

pub fn read(bytes: &[u8], options: &Options) -> Result<Preview, ReadError> {
    preview(bytes, options, &Settings::default(), today())
}

pub fn read_default(bytes: &[u8]) -> Preview {
    read(bytes, &Options::default()).expect("readable")
}

//! Rewriting one part of an XLSX workbook (a zip of XML parts), for tests that feed riskreg
//! workbooks a spreadsheet program would never write. Shared by the sheet reader's tests
//! and the command-line import's.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

/// `original` with the part `name` replaced by `body` (or added, if it had none).
pub fn with_part(original: &[u8], name: &str, body: &[u8]) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(original)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).expect("entry");
        let entry_name = entry.name().to_owned();
        if entry_name == name {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        out.start_file(entry_name, options).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.start_file(name, options).expect("start");
    out.write_all(body).expect("write");
    out.finish().expect("finish").into_inner()
}

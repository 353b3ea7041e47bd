//! The register file parser on arbitrary bytes: it must accept or refuse with reasons,
//! never panic, whatever an importer is handed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use riskreg_domain::document::Document;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(errors) = Document::parse(text) {
            assert!(!errors.0.is_empty());
        }
    }
});

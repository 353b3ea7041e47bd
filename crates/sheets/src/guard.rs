//! Checks an XLSX file's zip directory and XML prologs before any spreadsheet parser sees
//! it. calamine decompresses whatever it is given, so a zip bomb (a small file that
//! inflates to gigabytes) and entity expansion ("billion laughs") must be stopped here:
//! sizes and compression ratios come from the central directory without decompressing,
//! and each XML part's prolog is read (at most 64 KiB of it) to refuse any DOCTYPE.

use std::io::{Cursor, Read};

use crate::limits::{Limits, ReadError};

/// Bytes of an XML part read to find its root element; a DOCTYPE can only come before it.
const PROLOG_BYTES: u64 = 64 * 1024;

/// Refuses `bytes` unless it is a zip within `limits` whose XML parts declare no DOCTYPE.
pub fn check_xlsx(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Malformed(format!("not an XLSX (zip) file: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(ReadError::Refused(format!(
            "the XLSX file has {} parts; at most {} are accepted",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut total = 0u64;
    let mut xml_parts = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ReadError::Malformed(format!("unreadable zip entry {i}: {e}")))?;
        let name = entry.name().to_owned();
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > limits.max_entry_bytes {
            return Err(ReadError::Refused(format!(
                "part {name} would inflate to {size} bytes; at most {} are accepted",
                limits.max_entry_bytes
            )));
        }
        if size > 1024 * 1024 && size / packed > limits.max_ratio {
            return Err(ReadError::Refused(format!(
                "part {name} is compressed {}:1 ({packed} bytes inflating to {size}); \
                 more than {}:1 is refused as a likely zip bomb",
                size / packed,
                limits.max_ratio
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(ReadError::Refused(format!(
                "the XLSX file would inflate to more than {} bytes",
                limits.max_total_bytes
            )));
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml") {
            xml_parts.push(i);
        }
    }
    for i in xml_parts {
        let entry = zip
            .by_index(i)
            .map_err(|e| ReadError::Malformed(format!("unreadable zip entry {i}: {e}")))?;
        let name = entry.name().to_owned();
        let mut prolog = Vec::new();
        entry
            .take(PROLOG_BYTES)
            .read_to_end(&mut prolog)
            .map_err(|e| ReadError::Malformed(format!("part {name} cannot be decompressed: {e}")))?;
        check_prolog(&name, &prolog)?;
    }
    Ok(())
}

/// Refuses a DOCTYPE or ENTITY declaration before the root element, and a prolog too long
/// to have reached the root element within the bytes read.
fn check_prolog(name: &str, prolog: &[u8]) -> Result<(), ReadError> {
    let mut i = 0;
    while let Some(offset) = prolog[i..].iter().position(|&b| b == b'<') {
        let at = i + offset;
        let rest = &prolog[at + 1..];
        if starts_with_ignore_case(rest, b"!doctype") || starts_with_ignore_case(rest, b"!entity") {
            return Err(ReadError::Refused(format!(
                "part {name} declares a DOCTYPE; XML entity declarations are refused"
            )));
        }
        if rest.first().is_some_and(|b| b.is_ascii_alphabetic()) {
            return Ok(());
        }
        i = at + 1;
    }
    if prolog.len() as u64 >= PROLOG_BYTES {
        return Err(ReadError::Refused(format!(
            "part {name} has no root element in its first {PROLOG_BYTES} bytes"
        )));
    }
    Ok(())
}

fn starts_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prologs_with_doctypes_are_refused() {
        let ok = br#"<?xml version="1.0"?><!-- c --><worksheet/>"#;
        assert!(check_prolog("a.xml", ok).is_ok());
        let bad = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><worksheet>&lol;</worksheet>"#;
        assert!(check_prolog("a.xml", bad).is_err());
        let late = br#"<worksheet><!DOCTYPE x></worksheet>"#;
        assert!(
            check_prolog("a.xml", late).is_ok(),
            "a DOCTYPE inside the root is not one"
        );
    }
}

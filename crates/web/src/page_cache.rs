//! Finished list pages, kept as the JSON sent until the history moves.
//!
//! A page of fifty risks is 80 KB of JSON made from fifty stored records: reading and
//! parsing them and writing the page took about 300 µs of processor time per request, where
//! one risk takes 70. Registers change a few times a month and are read all the time, so
//! the API keeps the pages it has written, keyed by the request, and serves them again
//! while the chain head — the newest event's position and hash — is the one they were
//! made under. Every write appends an event in the transaction that makes it, so an
//! unchanged head means unchanged records and settings, whichever process wrote last.
//!
//! What a caller may see is checked before a page is looked up, on every request; the key
//! holds everything else a page depends on. A request with `Cache-Control: no-cache` is
//! answered from the records (and the page kept for the next). The cache holds at most
//! [`MOST_BYTES`], and forgets everything when the head moves.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use riskreg_store::chain::ChainHead;

/// The most page bytes kept: a hundred pages of fifty risks, within the server's memory
/// budget (64 MB under load, 49 MB without it).
pub const MOST_BYTES: usize = 8 * 1024 * 1024;

/// Pages larger than this are not kept (five hundred risks, the longest page, fit).
const MOST_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Default)]
pub struct PageCache {
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// The head every kept page was made under.
    head: Option<ChainHead>,
    pages: HashMap<String, Bytes>,
    bytes: usize,
}

impl PageCache {
    /// The page kept for `key` under `head`, if any.
    pub fn get(&self, head: &ChainHead, key: &str) -> Option<Bytes> {
        let kept = self.kept.lock().ok()?;
        if kept.head.as_ref() != Some(head) {
            return None;
        }
        kept.pages.get(key).cloned()
    }

    /// Keeps `page`, made from the records as they were at `head` or later. A newer head
    /// than the kept pages' replaces them all; a page made under an older one is dropped.
    pub fn put(&self, head: &ChainHead, key: String, page: Bytes) {
        if page.len() > MOST_PAGE_BYTES {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        match &kept.head {
            Some(h) if h == head => {}
            Some(h) if h.seq > head.seq => return,
            _ => {
                kept.head = Some(head.clone());
                kept.pages.clear();
                kept.bytes = 0;
            }
        }
        if kept.bytes + page.len() > MOST_BYTES {
            return;
        }
        kept.bytes += page.len();
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes -= old.len();
        }
    }
}

/// Whether the request asks for an answer made afresh (`Cache-Control: no-cache`).
pub fn wants_fresh(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("no-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(seq: i64) -> ChainHead {
        ChainHead {
            seq,
            hash: format!("{seq:064}"),
        }
    }

    #[test]
    fn a_page_is_served_only_under_the_head_it_was_made_under() {
        let cache = PageCache::default();
        cache.put(&head(7), "a".into(), Bytes::from_static(b"page at 7"));
        assert_eq!(cache.get(&head(7), "a").as_deref(), Some(&b"page at 7"[..]));
        assert_eq!(cache.get(&head(7), "b"), None);
        assert_eq!(cache.get(&head(8), "a"), None, "a write moved the head");
        // The same position with another hash is another history (a restored backup).
        let other = ChainHead {
            seq: 7,
            hash: "f".repeat(64),
        };
        assert_eq!(cache.get(&other, "a"), None);
    }

    #[test]
    fn a_newer_head_forgets_the_older_pages_and_an_older_one_is_not_kept() {
        let cache = PageCache::default();
        cache.put(&head(7), "a".into(), Bytes::from_static(b"7a"));
        cache.put(&head(8), "b".into(), Bytes::from_static(b"8b"));
        assert_eq!(cache.get(&head(7), "a"), None);
        assert_eq!(cache.get(&head(8), "b").as_deref(), Some(&b"8b"[..]));
        // A slow request that read the head before the write finishes last.
        cache.put(&head(7), "c".into(), Bytes::from_static(b"7c"));
        assert_eq!(cache.get(&head(8), "c"), None);
        assert_eq!(cache.get(&head(8), "b").as_deref(), Some(&b"8b"[..]));
    }

    #[test]
    fn the_cache_keeps_no_more_than_its_limit() {
        let cache = PageCache::default();
        let page = Bytes::from(vec![b'x'; MOST_PAGE_BYTES]);
        for i in 0..(MOST_BYTES / MOST_PAGE_BYTES + 3) {
            cache.put(&head(1), format!("p{i}"), page.clone());
        }
        let kept = cache.kept.lock().unwrap();
        assert_eq!(kept.bytes, MOST_BYTES);
        assert_eq!(kept.pages.len(), MOST_BYTES / MOST_PAGE_BYTES);
        drop(kept);
        cache.put(&head(1), "big".into(), Bytes::from(vec![b'x'; MOST_PAGE_BYTES + 1]));
        assert_eq!(cache.get(&head(1), "big"), None);
    }

    #[test]
    fn no_cache_is_read_from_any_cache_control_header() {
        let mut headers = HeaderMap::new();
        assert!(!wants_fresh(&headers));
        headers.append(header::CACHE_CONTROL, "max-age=0".parse().unwrap());
        assert!(!wants_fresh(&headers));
        headers.append(header::CACHE_CONTROL, "max-age=0, No-Cache".parse().unwrap());
        assert!(wants_fresh(&headers));
    }
}

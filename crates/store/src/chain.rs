//! The hash chain over events: each event's hash is SHA-256 over the previous event's hash
//! and the event's canonical bytes, so that altering, removing, inserting or reordering any
//! stored event breaks every hash after it.

use std::io::Write;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::event::{Event, timestamp_text};

/// The previous hash of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The head of the chain: the last event's position and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// A record body as the canonical form writes it. Writing goes to a byte buffer or
/// straight into a hasher, neither of which can fail, so write errors are not reported.
pub trait Body {
    fn write_canonical<W: Write>(&self, out: &mut W);
}

impl Body for Value {
    fn write_canonical<W: Write>(&self, out: &mut W) {
        write_canonical(self, out);
    }
}

/// Stored text is taken as it is: riskreg stores the canonical form, so text it wrote
/// hashes as its JSON would, and any other text gives a hash that does not match (and
/// verification then reads it as JSON to tell a differently written copy from an edit).
impl Body for String {
    fn write_canonical<W: Write>(&self, out: &mut W) {
        let _ = out.write_all(self.as_bytes());
    }
}

/// The canonical text of a JSON value: compact, object keys sorted at every depth. It is
/// what riskreg stores as an event's before and after.
pub fn canonical_json(v: &Value) -> String {
    let mut out = Vec::with_capacity(512);
    write_canonical(v, &mut out);
    // Only valid UTF-8 (JSON text of UTF-8 strings) was written.
    String::from_utf8(out).unwrap_or_default()
}

/// The canonical bytes of an event: compact JSON with object keys sorted at every depth, and
/// timestamps in one fixed form. Everything but `hash` itself is covered.
pub fn canonical_bytes<B: Body>(e: &Event<B>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_event(e, &mut out);
    out
}

/// Writes [`canonical_bytes`] to `out`: to a hasher directly when hashing, so that a
/// million events' text is not copied into buffers first.
fn write_event<B: Body, W: Write>(e: &Event<B>, out: &mut W) {
    let at = timestamp_text(e.at);
    let recorded_at = timestamp_text(e.recorded_at);
    // Keys in sorted order, as the canonical form requires.
    let fields: [(&str, Scalar<'_, B>); 13] = [
        ("actor", Scalar::Str(Some(&e.actor))),
        ("after", Scalar::Json(e.after.as_ref())),
        ("at", Scalar::Str(Some(&at))),
        ("before", Scalar::Json(e.before.as_ref())),
        ("kind", Scalar::Str(Some(&e.kind))),
        ("prev_hash", Scalar::Str(Some(&e.prev_hash))),
        ("reason", Scalar::Str(e.reason.as_deref())),
        ("record_key", Scalar::Str(Some(&e.record_key))),
        ("record_type", Scalar::Str(Some(e.record_type.as_str()))),
        ("recorded_at", Scalar::Str(Some(&recorded_at))),
        ("register", Scalar::Str(e.register.as_deref())),
        ("seq", Scalar::Int(e.seq)),
        ("version", Scalar::Int(i64::from(e.version))),
    ];
    let _ = out.write_all(b"{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            let _ = out.write_all(b",");
        }
        write_str(k, out);
        let _ = out.write_all(b":");
        match v {
            Scalar::Str(Some(s)) => write_str(s, out),
            Scalar::Str(None) | Scalar::Json(None) => {
                let _ = out.write_all(b"null");
            }
            Scalar::Json(Some(v)) => v.write_canonical(out),
            Scalar::Int(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
    let _ = out.write_all(b"}");
}

enum Scalar<'a, B> {
    Str(Option<&'a str>),
    Json(Option<&'a B>),
    Int(i64),
}

fn write_str<W: Write>(s: &str, out: &mut W) {
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_canonical<W: Write>(v: &Value, out: &mut W) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let _ = out.write_all(b"{");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    let _ = out.write_all(b",");
                }
                write_str(k, out);
                let _ = out.write_all(b":");
                write_canonical(v, out);
            }
            let _ = out.write_all(b"}");
        }
        Value::Array(items) => {
            let _ = out.write_all(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    let _ = out.write_all(b",");
                }
                write_canonical(item, out);
            }
            let _ = out.write_all(b"]");
        }
        Value::String(s) => write_str(s, out),
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// The hash an event must carry, given its `prev_hash` and content.
pub fn event_hash<B: Body>(e: &Event<B>) -> String {
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    write_event(e, &mut h);
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::event::RecordType;

    fn event() -> Event {
        let at = Utc.with_ymd_and_hms(2018, 8, 3, 9, 0, 0).unwrap();
        Event {
            seq: 1,
            at,
            recorded_at: at,
            actor: "SECAS".into(),
            reason: Some("r".into()),
            kind: "created".into(),
            record_type: RecordType::Risk,
            record_key: "PANEL-1".into(),
            register: Some("PANEL".into()),
            version: 1,
            before: None,
            after: Some(json!({"b": 1, "a": [ {"y": 2, "x": 1} ]})),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn canonical_form_sorts_keys_and_is_stable() {
        let e = event();
        let text = String::from_utf8(canonical_bytes(&e)).unwrap();
        assert!(text.contains(r#""after":{"a":[{"x":1,"y":2}],"b":1}"#), "{text}");
        assert!(text.contains(r#""at":"2018-08-03T09:00:00.000000Z""#), "{text}");
        let parsed: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = parsed.keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "top-level keys in sorted order");
        let mut reordered = e.clone();
        reordered.after = Some(json!({"a": [ {"x": 1, "y": 2} ], "b": 1}));
        assert_eq!(event_hash(&e), event_hash(&reordered));
    }

    #[test]
    fn stored_canonical_text_hashes_as_its_json_and_other_text_does_not() {
        let e = event();
        let stored = e.clone().stored();
        assert_eq!(stored.after.as_deref(), Some(r#"{"a":[{"x":1,"y":2}],"b":1}"#));
        assert_eq!(event_hash(&stored), event_hash(&e));
        let mut spaced = stored.clone();
        spaced.after = Some(r#"{"a": [{"x": 1, "y": 2}], "b": 1}"#.into());
        assert_ne!(event_hash(&spaced), event_hash(&e));
        assert_eq!(event_hash(&spaced.parsed()), event_hash(&e));
        let mut broken = stored;
        broken.after = Some("{not json".into());
        assert_eq!(broken.clone().parsed().after, Some(Value::String("{not json".into())));
    }

    #[test]
    fn any_change_changes_the_hash() {
        let e = event();
        let h = event_hash(&e);
        let mut other = e.clone();
        other.actor = "someone".into();
        assert_ne!(h, event_hash(&other));
        let mut other = e.clone();
        other.version = 2;
        assert_ne!(h, event_hash(&other));
        let mut other = e;
        other.prev_hash = "1".repeat(64);
        assert_ne!(h, event_hash(&other));
    }
}

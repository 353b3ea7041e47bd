//! The hash chain over events: each event's hash is SHA-256 over the previous event's hash
//! and the event's canonical bytes, so that altering, removing, inserting or reordering any
//! stored event breaks every hash after it.

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

/// The canonical bytes of an event: compact JSON with object keys sorted at every depth, and
/// timestamps in one fixed form. Everything but `hash` itself is covered.
pub fn canonical_bytes(e: &Event) -> Vec<u8> {
    let mut out = String::with_capacity(512);
    out.push('{');
    let fields: [(&str, Value); 12] = [
        ("actor", Value::from(e.actor.as_str())),
        ("after", e.after.clone().unwrap_or(Value::Null)),
        ("at", Value::from(timestamp_text(e.at))),
        ("before", e.before.clone().unwrap_or(Value::Null)),
        ("kind", Value::from(e.kind.as_str())),
        ("prev_hash", Value::from(e.prev_hash.as_str())),
        ("reason", e.reason.as_deref().map(Value::from).unwrap_or(Value::Null)),
        ("recorded_at", Value::from(timestamp_text(e.recorded_at))),
        ("record_key", Value::from(e.record_key.as_str())),
        ("record_type", Value::from(e.record_type.as_str())),
        (
            "register",
            e.register.as_deref().map(Value::from).unwrap_or(Value::Null),
        ),
        ("seq", Value::from(e.seq)),
    ];
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_canonical(&Value::from(*k), &mut out);
        out.push(':');
        write_canonical(v, &mut out);
    }
    out.push_str(",\"version\":");
    out.push_str(&e.version.to_string());
    out.push('}');
    out.into_bytes()
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The hash an event must carry, given its `prev_hash` and content.
pub fn event_hash(e: &Event) -> String {
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    h.update(canonical_bytes(e));
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
        let mut reordered = e.clone();
        reordered.after = Some(json!({"a": [ {"x": 1, "y": 2} ], "b": 1}));
        assert_eq!(event_hash(&e), event_hash(&reordered));
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

//! Differences between two versions of a record, field by field, for showing as tracked
//! changes: text fields (and lists, one item per line) as a word diff of deletions and
//! insertions, scores and choices as "before → after". Works on the stored JSON of any
//! version, so history, proposals and edit conflicts share it.

use riskreg_domain::diff::{Segment, word_diff};
use serde_json::Value;

/// One run of a word diff: `op` is `equal`, `del` or `ins`.
#[derive(Debug, Clone)]
pub struct Seg {
    pub op: &'static str,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    /// The word diff, for text.
    pub segments: Vec<Seg>,
    /// For values that are not prose: how they read before and after.
    pub before: String,
    pub after: String,
}

impl FieldChange {
    pub fn is_text(&self) -> bool {
        !self.segments.is_empty()
    }
}

/// How a field is named on screen.
pub fn label(field: &str) -> String {
    match field {
        "raised_by" => "Raised by".into(),
        "raised_on" => "Raised on".into(),
        "review_by" => "Review by".into(),
        "rag" => "RAG".into(),
        "impacts_intro" => "Impacts (introduction)".into(),
        "associated_risk" => "Associated risk".into(),
        other => {
            let mut s = other.replace('_', " ");
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            s
        }
    }
}

/// Fields whose values are prose, diffed word by word.
fn is_prose(field: &str) -> bool {
    matches!(
        field,
        "statement"
            | "consequences"
            | "owner"
            | "raised_by"
            | "category"
            | "provenance"
            | "footnotes"
            | "notes"
            | "mitigations"
            | "impacts"
            | "impacts_intro"
            | "description"
            | "name"
    )
}

/// A value as one line of text; lists one item per line, a mitigation with its state.
pub fn as_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join("\n"),
        Value::Object(o) => match (
            o.get("text").and_then(Value::as_str),
            o.get("state").and_then(Value::as_str),
        ) {
            (Some(t), Some(s)) => format!("{t} [{s}]"),
            (Some(t), None) => t.to_owned(),
            _ => match (o.get("impact"), o.get("likelihood")) {
                (Some(i), Some(l)) => format!("{} × {}", as_text(i), as_text(l)),
                _ => v.to_string(),
            },
        },
    }
}

fn segs(list: Vec<Segment>) -> Vec<Seg> {
    list.into_iter()
        .map(|s| match s {
            Segment::Equal(t) => Seg { op: "equal", text: t },
            Segment::Delete(t) => Seg { op: "del", text: t },
            Segment::Insert(t) => Seg { op: "ins", text: t },
        })
        .collect()
}

/// The fields that differ between two stored versions, in the order the newer names them.
pub fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    keys.into_iter()
        .filter_map(|k| {
            let old = b.get(k).unwrap_or(&Value::Null);
            let new = a.get(k).unwrap_or(&Value::Null);
            let (old_text, new_text) = (as_text(old), as_text(new));
            if old == new || old_text == new_text {
                return None;
            }
            let segments = if is_prose(k) {
                segs(word_diff(&old_text, &new_text))
            } else {
                Vec::new()
            };
            Some(FieldChange {
                field: k.clone(),
                label: label(k),
                segments,
                before: if old_text.is_empty() { "—".into() } else { old_text },
                after: if new_text.is_empty() { "—".into() } else { new_text },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prose_is_diffed_word_by_word_and_scores_plainly() {
        let before = json!({"statement": "There is a risk that X has not yet completed", "impact": 3, "owner": null});
        let after = json!({"statement": "There is a risk that X may not complete", "impact": 4, "owner": null});
        let c = changes(&before, &after);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].field, "statement");
        let text = |skip: &str| -> String {
            c[0].segments
                .iter()
                .filter(|s| s.op != skip)
                .map(|s| s.text.as_str())
                .collect()
        };
        assert_eq!(text("ins"), "There is a risk that X has not yet completed");
        assert_eq!(text("del"), "There is a risk that X may not complete");
        assert!(c[0].segments.iter().any(|s| s.op == "del" && s.text.contains("has")));
        assert!(c[0].segments.iter().any(|s| s.op == "ins" && s.text.contains("may")));
        assert_eq!((c[1].before.as_str(), c[1].after.as_str()), ("3", "4"));
        assert!(!c[1].is_text());
    }

    #[test]
    fn a_mitigation_reads_with_its_state() {
        let m = json!([{"text": "Do it", "state": "planned"}]);
        assert_eq!(as_text(&m), "Do it [planned]");
    }
}

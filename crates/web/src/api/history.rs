//! A record's history (every version: who, when, why, before and after) and the
//! word-level diff between two of its versions, field by field, as a paper shows an
//! amendment in tracked changes.

use axum::Json;
use axum::extract::State;
use riskreg_domain::diff::{Segment, word_diff};
use riskreg_store::{Event, RecordType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::schema::EventSchema;
use super::{parse_code, visible_issue, visible_register, visible_risk};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(risk_history))
        .routes(routes!(issue_history))
        .routes(routes!(register_history))
        .routes(routes!(risk_diff))
        .routes(routes!(issue_diff))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version (default: the one before `to`).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub from: Option<u32>,
    /// The newer version (default: the latest).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub to: Option<u32>,
}

/// One run of text in a word diff.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DiffSegment)]
pub struct SegmentOut {
    /// equal, delete or insert.
    pub op: &'static str,
    pub text: String,
}

/// How one field changed between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDiff {
    pub field: String,
    /// The field's value in the older version (any JSON value; `null` when it had none).
    #[schema(value_type = Value)]
    pub before: Value,
    /// The field's value in the newer version (any JSON value; `null` when it has none).
    #[schema(value_type = Value)]
    pub after: Value,
    /// For text (and lists of text, one item per line): the word diff, deletions before
    /// the insertions that replace them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentOut>>,
}

/// The changes between two versions of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDiff {
    #[serde(rename = "ref")]
    pub reference: String,
    pub from: u32,
    pub to: u32,
    /// Only the fields that differ, in the record's field order.
    pub fields: Vec<FieldDiff>,
}

fn segments(list: Vec<Segment>) -> Vec<SegmentOut> {
    list.into_iter()
        .map(|s| match s {
            Segment::Equal(t) => SegmentOut { op: "equal", text: t },
            Segment::Delete(t) => SegmentOut { op: "delete", text: t },
            Segment::Insert(t) => SegmentOut { op: "insert", text: t },
        })
        .collect()
}

/// Text for the word diff: strings as they are, lists of strings (or of mitigations, by
/// their text) one item per line.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("text").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect::<Option<Vec<String>>>()
            .map(|lines| lines.join("\n")),
        _ => None,
    }
}

fn diff_bodies(before: &Value, after: &Value) -> Vec<FieldDiff> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    keys.into_iter()
        .filter_map(|k| {
            let old = b.get(k).cloned().unwrap_or(Value::Null);
            let new = a.get(k).cloned().unwrap_or(Value::Null);
            if old == new {
                return None;
            }
            let segs = match (as_text(&old), as_text(&new)) {
                (Some(o), Some(n)) if !(old.is_null() && new.is_null()) => Some(segments(word_diff(&o, &n))),
                _ => None,
            };
            Some(FieldDiff {
                field: k.clone(),
                before: old,
                after: new,
                segments: segs,
            })
        })
        .collect()
}

fn record_diff(key: &str, events: &[Event], q: &DiffQuery) -> ApiResult<RecordDiff> {
    let latest = events.last().map_or(0, |e| e.version);
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or(to.saturating_sub(1));
    if from >= to {
        return Err(Error::invalid("from", "must be an earlier version than to"));
    }
    let body = |v: u32, field: &str| {
        events
            .iter()
            .find(|e| e.version == v)
            .and_then(|e| e.after.clone())
            .ok_or_else(|| Error::invalid(field, format!("{key} has no version {v} (its latest is {latest})")))
    };
    let after = body(to, "to")?;
    let before = if from == 0 {
        Value::Object(Default::default())
    } else {
        body(from, "from")?
    };
    Ok(RecordDiff {
        reference: key.to_owned(),
        from,
        to,
        fields: diff_bodies(&before, &after),
    })
}

async fn events_of(state: &AppState, record_type: RecordType, key: &str) -> ApiResult<Vec<Event>> {
    let events = state.store.history(record_type, key).await?;
    if events.is_empty() {
        return Err(Error::NotFound(format!("{} {key}", record_type.as_str())));
    }
    Ok(events)
}

/// Every version of a risk, oldest first.
#[utoipa::path(get, path = "/risks/{ref}/history", tag = "history", params(("ref" = String, Path)),
    responses((status = 200, body = Vec<EventSchema>), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn risk_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<Json<Vec<Event>>> {
    let (risk, _) = visible_risk(&state, &caller, &r, None).await?;
    Ok(Json(
        events_of(&state, RecordType::Risk, &risk.reference.to_string()).await?,
    ))
}

/// Every version of an issue, oldest first.
#[utoipa::path(get, path = "/issues/{ref}/history", tag = "history", params(("ref" = String, Path)),
    responses((status = 200, body = Vec<EventSchema>), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn issue_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<Json<Vec<Event>>> {
    let (issue, _) = visible_issue(&state, &caller, &r, None).await?;
    Ok(Json(
        events_of(&state, RecordType::Issue, &issue.reference.to_string()).await?,
    ))
}

/// Every version of a register's own fields (name, parent, confidentiality), oldest first.
#[utoipa::path(get, path = "/registers/{code}/history", tag = "history", params(("code" = String, Path)),
    responses((status = 200, body = Vec<EventSchema>), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn register_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<Event>>> {
    let register = visible_register(&state, &caller, &parse_code(&code)?, None).await?;
    Ok(Json(
        events_of(&state, RecordType::Register, register.code.as_str()).await?,
    ))
}

/// The word diff between two versions of a risk.
#[utoipa::path(get, path = "/risks/{ref}/diff", tag = "history", params(("ref" = String, Path), DiffQuery),
    responses((status = 200, body = RecordDiff), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn risk_diff(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<RecordDiff>> {
    let (risk, _) = visible_risk(&state, &caller, &r, None).await?;
    let key = risk.reference.to_string();
    let events = events_of(&state, RecordType::Risk, &key).await?;
    Ok(Json(record_diff(&key, &events, &q)?))
}

/// The word diff between two versions of an issue.
#[utoipa::path(get, path = "/issues/{ref}/diff", tag = "history", params(("ref" = String, Path), DiffQuery),
    responses((status = 200, body = RecordDiff), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn issue_diff(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(r): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<RecordDiff>> {
    let (issue, _) = visible_issue(&state, &caller, &r, None).await?;
    let key = issue.reference.to_string();
    let events = events_of(&state, RecordType::Issue, &key).await?;
    Ok(Json(record_diff(&key, &events, &q)?))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_changed_fields_with_word_segments_for_text() {
        let d = diff_bodies(
            &json!({"statement": "SEC Parties have not yet completed", "impact": 3, "owner": null}),
            &json!({"statement": "SEC Parties may not complete", "impact": 4, "owner": null}),
        );
        let fields: Vec<_> = d.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["statement", "impact"]);
        let segs = d[0].segments.as_ref().unwrap();
        assert!(segs.iter().any(|s| s.op == "delete") && segs.iter().any(|s| s.op == "insert"));
        assert!(d[1].segments.is_none());
    }
}

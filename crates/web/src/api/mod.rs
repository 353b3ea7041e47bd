//! The JSON API under `/api/v1`, one module per resource, and what they share: reading a
//! record only through the caller's view of the registers (so a confidential register's
//! records are 404 to non-members), `as_at` parsing, paging and JSON responses with ETags.

pub mod audit;
pub mod auth;
pub mod exchange;
pub mod history;
pub mod issues;
pub mod mitigations;
pub mod registers;
pub mod review;
pub mod risks;
pub mod schema;
pub mod settings;
pub mod tokens;
pub mod users;

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use riskreg_domain::{Issue, RecordRef, Register, RegisterCode, Risk, Settings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

use crate::auth::Caller;
use crate::error::{ApiResult, Error};
use crate::etag::with_etag;
use crate::state::AppState;

/// The most items one page may hold, and the default.
pub const MAX_LIMIT: u32 = 500;
pub const DEFAULT_LIMIT: u32 = 50;

/// A JSON response with an ETag and a status.
pub fn tagged<T: Serialize>(status: StatusCode, key: &str, version: u32, body: &T) -> Response {
    let mut headers = HeaderMap::new();
    with_etag(&mut headers, key, version);
    (status, headers, Json(body)).into_response()
}

/// Adds `Location` to a response for a created record.
pub fn set_location(response: &mut Response, path: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(path) {
        response.headers_mut().insert(axum::http::header::LOCATION, v);
    }
}

/// Parses `as_at` the way the CLI does: a date means the end of that day (UTC), a date and
/// time (RFC 3339) is exact.
pub fn parse_as_at(value: Option<&str>) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let end = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN);
        return Ok(Some(date.and_time(end).and_utc()));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            Error::invalid(
                "as_at",
                "must be a date (2018-07-31) or a date and time (2018-07-31T09:30:00Z)",
            )
        })
}

/// A record reference from a path: one that cannot exist is simply not found.
pub fn parse_ref(kind: &str, value: &str) -> ApiResult<RecordRef> {
    RecordRef::parse(value).map_err(|_| Error::NotFound(format!("{kind} {value}")))
}

pub fn parse_code(value: &str) -> ApiResult<RegisterCode> {
    RegisterCode::parse(value).map_err(|_| Error::NotFound(format!("register {value}")))
}

/// The register, if the caller may see it (now and, for an `as_at` read, then); 404
/// otherwise, the same answer as for a register that does not exist.
pub async fn visible_register(
    state: &AppState,
    caller: &Caller,
    code: &RegisterCode,
    as_at: Option<DateTime<Utc>>,
) -> ApiResult<Register> {
    let current = match state.store.register(code, None).await {
        Ok(r) => r,
        Err(riskreg_store::StoreError::NotFound(_)) => return Err(hidden_register(code)),
        Err(e) => return Err(e.into()),
    };
    if !caller.can_see(&current) {
        return Err(hidden_register(code));
    }
    match as_at {
        None => Ok(current),
        Some(t) => {
            let then = state.store.register(code, Some(t)).await?;
            if caller.can_see(&then) {
                Ok(then)
            } else {
                Err(hidden_register(code))
            }
        }
    }
}

/// [`visible_register`] with the settings, read in one query for a current register.
pub async fn visible_register_with_settings(
    state: &AppState,
    caller: &Caller,
    code: &RegisterCode,
    as_at: Option<DateTime<Utc>>,
) -> ApiResult<(Register, Settings)> {
    if as_at.is_none() {
        return match state.store.register_with_settings(code).await {
            Ok((register, settings)) if caller.can_see(&register) => Ok((register, settings)),
            Ok(_) | Err(riskreg_store::StoreError::NotFound(_)) => Err(hidden_register(code)),
            Err(e) => Err(e.into()),
        };
    }
    let register = visible_register(state, caller, code, as_at).await?;
    Ok((register, state.store.settings().await?))
}

/// The answer for a register the caller may not see: the same as for one that does not exist.
fn hidden_register(code: &RegisterCode) -> Error {
    Error::NotFound(format!("register {code}"))
}

/// Every register the caller may see (as they stand now), by code.
pub async fn visible_registers(state: &AppState, caller: &Caller) -> ApiResult<HashMap<RegisterCode, Register>> {
    Ok(state
        .store
        .registers(None)
        .await?
        .into_iter()
        .filter(|r| caller.can_see(r))
        .map(|r| (r.code.clone(), r))
        .collect())
}

/// A risk the caller may see, with its register (for its last paper date).
pub async fn visible_risk(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    as_at: Option<DateTime<Utc>>,
) -> ApiResult<(Risk, Register)> {
    let r = parse_ref("risk", reference)?;
    let register = visible_register(state, caller, &r.register, as_at)
        .await
        .map_err(|e| renamed_not_found(e, "risk", reference))?;
    let risk = state.store.risk(&r, as_at).await?;
    Ok((risk, register))
}

pub async fn visible_issue(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    as_at: Option<DateTime<Utc>>,
) -> ApiResult<(Issue, Register)> {
    let r = parse_ref("issue", reference)?;
    let register = visible_register(state, caller, &r.register, as_at)
        .await
        .map_err(|e| renamed_not_found(e, "issue", reference))?;
    let issue = state.store.issue(&r, as_at).await?;
    Ok((issue, register))
}

/// The risk or issue of a visible register that was imported with `source_ref` (the
/// spreadsheet's own reference, compared exactly after trimming), with that register. A
/// hidden register, like a missing one or an unknown reference, is 404.
pub async fn visible_by_source_ref(
    state: &AppState,
    caller: &Caller,
    code: &str,
    record_type: riskreg_store::event::RecordType,
    source_ref: &str,
) -> ApiResult<(RecordRef, Register)> {
    let register = visible_register(state, caller, &parse_code(code)?, None).await?;
    let wanted = source_ref.trim();
    let found = state
        .store
        .find_by_source_ref(record_type, &register.code, wanted)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no {} of register {} has the source reference {wanted:?}",
                record_type.as_str(),
                register.code
            ))
        })?;
    Ok((found, register))
}

/// Adds `Content-Location` to a response that shows a record found another way than by
/// its own URL.
pub fn set_content_location(response: &mut Response, path: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(path) {
        response.headers_mut().insert(axum::http::header::CONTENT_LOCATION, v);
    }
}

/// A hidden or missing register reads as a missing record, so the answer for a record
/// in a register the caller cannot see is the same as for one that never existed.
fn renamed_not_found(e: Error, kind: &str, reference: &str) -> Error {
    match e {
        Error::NotFound(_) => Error::NotFound(format!("{kind} {reference}")),
        other => other,
    }
}

/// Paging parameters shared by every list.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: u32,
    pub offset: u32,
}

impl Paging {
    pub fn new(limit: Option<u32>, offset: Option<u32>) -> ApiResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid("limit", format!("must be from 1 to {MAX_LIMIT}")));
        }
        Ok(Self {
            limit,
            offset: offset.unwrap_or(0),
        })
    }

    /// A page whose items were already cut from a list of `total`.
    pub fn page_of<T>(self, items: Vec<T>, total: u64) -> Page<T> {
        let end = u64::from(self.offset) + items.len() as u64;
        Page {
            items,
            total,
            limit: self.limit,
            offset: self.offset,
            next_offset: (end < total).then_some(end as u32),
        }
    }

    /// One page of `items`, which must already be in their final, stable order.
    pub fn page<T>(self, items: Vec<T>) -> Page<T> {
        let total = items.len() as u64;
        let start = (self.offset as usize).min(items.len());
        let items: Vec<T> = items.into_iter().skip(start).take(self.limit as usize).collect();
        let end = start as u64 + items.len() as u64;
        Page {
            items,
            total,
            limit: self.limit,
            offset: self.offset,
            next_offset: (end < total).then_some(end as u32),
        }
    }
}

/// One page of a list, in a stable order: the same query with `offset = next_offset`
/// gives the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match, across all pages.
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    /// The offset of the next page; absent on the last.
    pub next_offset: Option<u32>,
}

/// Bytes reserved per item when a page is written. A risk with its mitigations is about
/// 1.6 KB of JSON: growing axum's 128-byte start by doubling instead copied an 80 KB page
/// ten times over, a tenth of a list request's time.
const PAGE_BYTES_PER_ITEM: usize = 2048;

impl<T: Serialize> Page<T> {
    /// The page as the JSON sent.
    pub fn to_json(&self) -> ApiResult<Bytes> {
        let mut body = Vec::with_capacity(128 + PAGE_BYTES_PER_ITEM * self.items.len());
        serde_json::to_writer(&mut body, self).map_err(|e| Error::Internal(format!("writing a page as JSON: {e}")))?;
        Ok(body.into())
    }
}

impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.to_json() {
            Ok(body) => json_response(body),
            Err(e) => e.into_response(),
        }
    }
}

/// A response of JSON already written.
pub fn json_response(body: Bytes) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A sort key from a list's allow-list, `-` before it for descending.
pub fn parse_sort<'a>(value: Option<&'a str>, allowed: &[&str]) -> ApiResult<Option<(&'a str, bool)>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let (key, descending) = match v.strip_prefix('-') {
        Some(k) => (k, true),
        None => (v, false),
    };
    if allowed.contains(&key) {
        Ok(Some((key, descending)))
    } else {
        Err(Error::invalid(
            "sort",
            format!("must be one of {} (with - for descending)", allowed.join(", ")),
        ))
    }
}

/// A comma-separated filter value, each part parsed by `parse`.
pub fn parse_list<T>(
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, riskreg_domain::ValidationError>,
) -> ApiResult<Option<Vec<T>>> {
    let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    v.split(',')
        .map(|p| parse(p).map_err(Error::from))
        .collect::<ApiResult<Vec<T>>>()
        .map(Some)
}

/// Whether `needle` (already lower-cased) occurs in any of `haystacks`, ignoring case.
pub fn text_matches(needle: &str, haystacks: &[&str]) -> bool {
    haystacks.iter().any(|h| h.to_lowercase().contains(needle))
}

/// The schema of every `as_at` parameter, as [`parse_as_at`] reads it: a date, an RFC 3339
/// date and time, or blank for now.
pub fn as_at_schema() -> Schema {
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    AnyOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
        .item(pattern_schema(format!("^{SPACE}*$")))
        .build()
        .into()
}

/// What `Rag::parse` reads, in any case.
pub const RAG_WORDS: &[&str] = &["RED", "AMBER", "GREEN", "R", "A", "G"];

/// The schema of a comma-separated filter that [`parse_list`] reads: `words` in any case,
/// or blank for no filter.
pub fn list_schema(words: &[&str]) -> Schema {
    let item = format!("{SPACE}*(?:{}){SPACE}*", any_case(words));
    pattern_schema(format!("^(?:{item}(?:,{item})*|{SPACE}*)$")).into()
}

/// The schema of a `sort` parameter that [`parse_sort`] reads: one of `keys`, `-` before it
/// for descending, or blank for the list's own order.
pub fn sort_schema(keys: &[&str]) -> Schema {
    pattern_schema(format!("^{SPACE}*(?:-?(?:{}))?{SPACE}*$", keys.join("|"))).into()
}

/// What `str::trim` removes (Unicode's White_Space), as a character class: the parameters
/// above are trimmed before they are read.
const SPACE: &str = r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

fn pattern_schema(pattern: String) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern))
}

/// Alternatives matching `words` whatever their case (JSON Schema's regular expressions
/// have no flag for it).
fn any_case(words: &[&str]) -> String {
    let word = |w: &str| -> String {
        w.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    words.iter().map(|w| word(w)).collect::<Vec<_>>().join("|")
}

/// `?as_at=` alone, for reads of one record.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsAtQuery {
    /// Show the record as it stood then: a date (end of that day, UTC) or an RFC 3339 time.
    #[param(schema_with = as_at_schema)]
    pub as_at: Option<String>,
}

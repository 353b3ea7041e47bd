//! Entity tags and preconditions. A record's ETag names the record and its version
//! (`"PANEL-15.v3"`), so a tag read from one record never matches another. Every write to an
//! existing record must carry `If-Match` with the tag the caller read: without it 428,
//! with a stale one 412, which is how one of two clients amending the same risk loses
//! cleanly instead of silently overwriting the other.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use crate::error::Error;

/// The strong ETag of version `version` of the record `key`.
pub fn etag(key: &str, version: u32) -> String {
    format!("\"{key}.v{version}\"")
}

/// Adds `ETag` to a response's headers.
pub fn with_etag(headers: &mut HeaderMap, key: &str, version: u32) {
    if let Ok(v) = HeaderValue::from_str(&etag(key, version)) {
        headers.insert(header::ETAG, v);
    }
}

/// The tags a request's `If-Match` lists.
#[derive(Debug, Clone)]
pub struct IfMatch(Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let values: Vec<&HeaderValue> = parts.headers.get_all(header::IF_MATCH).iter().collect();
        if values.is_empty() {
            return Err(Error::PreconditionRequired(
                "send If-Match with the ETag of the version you read; writes without it could overwrite someone else's change".into(),
            ));
        }
        let mut tags = Vec::new();
        for v in values {
            let text = v
                .to_str()
                .map_err(|_| Error::BadRequest("If-Match is not readable text".into()))?;
            for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if tag == "*" {
                    return Err(Error::PreconditionRequired(
                        "If-Match: * is not accepted; send the ETag of the version you read".into(),
                    ));
                }
                if !is_entity_tag(tag) {
                    return Err(Error::BadRequest(format!(
                        "If-Match must list entity tags as the ETag header gave them, e.g. \"PANEL-15.v3\"; {tag:?} is not one"
                    )));
                }
                tags.push(tag.to_owned());
            }
        }
        if tags.is_empty() {
            return Err(Error::PreconditionRequired("If-Match names no ETag".into()));
        }
        Ok(Self(tags))
    }
}

/// Whether `tag` is an entity tag (RFC 9110): `"…"` or `W/"…"` around visible ASCII other
/// than `"` (and `,`, which separates the tags of a list). The OpenAPI document states the
/// same grammar for `If-Match`.
fn is_entity_tag(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    opaque
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .is_some_and(|inner| inner.bytes().all(|b| matches!(b, b'!' | b'#'..=b'+' | b'-'..=b'~')))
}

impl IfMatch {
    /// The version of `key` the caller read, or 412 when none of the tags is of this record
    /// (a tag from another record, or a weak tag, which may not be used for writes).
    pub fn version_of(&self, key: &str) -> Result<u32, Error> {
        let prefix = format!("\"{key}.v");
        self.0
            .iter()
            .find_map(|t| t.strip_prefix(&prefix)?.strip_suffix('"')?.parse::<u32>().ok())
            .ok_or_else(|| Error::Stale(format!("If-Match does not name a version of {key}; read it again")))
    }

    /// Checks the caller's tag against the record's current version: 412 when stale.
    pub fn check(&self, key: &str, current: u32) -> Result<u32, Error> {
        let v = self.version_of(key)?;
        if v != current {
            return Err(Error::Stale(format!(
                "{key} is at version {current}, not version {v} that you read; read it again and reapply your change"
            )));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_record_and_version() {
        let m = IfMatch(vec![etag("PANEL-15", 3)]);
        assert_eq!(m.version_of("PANEL-15").unwrap(), 3);
        assert!(matches!(m.version_of("PANEL-1"), Err(Error::Stale(_))));
        assert!(matches!(m.check("PANEL-15", 4), Err(Error::Stale(_))));
        assert!(matches!(
            IfMatch(vec!["W/\"PANEL-15.v3\"".into()]).version_of("PANEL-15"),
            Err(Error::Stale(_))
        ));
    }

    #[test]
    fn only_entity_tags_are_tags() {
        for tag in [
            "\"PANEL-15.v3\"",
            "W/\"PANEL-15.v3\"",
            "\"\"",
            "\"user:ann@example.org.v2\"",
        ] {
            assert!(is_entity_tag(tag), "{tag}");
        }
        for tag in [
            "PANEL-15.v3",
            "3",
            "{}",
            "\"",
            "\"a\"b\"",
            "\"a b\"",
            "w/\"a\"",
            "\"é\"",
        ] {
            assert!(!is_entity_tag(tag), "{tag}");
        }
    }
}

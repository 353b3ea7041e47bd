//! Request extractors that turn every way a request can be malformed — not JSON, broken
//! JSON, a wrong type, an unknown field, an oversized body, a bad query string — into a
//! 4xx problem naming the field, never a 500 and never axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::error::Error;

/// A JSON body, deserialised with the path of the first bad field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge
            } else {
                Error::BadRequest("the request body could not be read".to_owned())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field at fault: a syntax error is 400; a wrong type, a missing
/// or unknown field is a field error (422). A number with a zero fraction is a whole
/// number, as JSON Schema counts it: `3.0` is read as `3` wherever an integer is wanted.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut value: Value =
        serde_json::from_slice(bytes).map_err(|e| Error::BadRequest(format!("malformed JSON: {e}")))?;
    whole_numbers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| field_error(&e.path().to_string(), &e.inner().to_string()))
}

/// Replaces every float with a zero fraction that fits an integer by that integer.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                // 2^64 and -2^63 exactly: the bounds of u64 and i64 as floats.
                if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    *n = Number::from(f as u64);
                } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                    *n = Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// Turns serde's message into a field and a rule. An unknown field is named by itself
/// (`role`), not by the object holding it, so the caller sees what to remove.
fn field_error(path: &str, message: &str) -> Error {
    let path = if path == "." { "" } else { path };
    // serde's messages end with " at line L column C", which means nothing to an API user.
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((name, _)) = rest.split_once('`')
    {
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            // The path already ends at the unknown field for nested objects.
            if path.ends_with(name) {
                path.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        return Error::invalid(&field, "is not a field of this request; it cannot be set here");
    }
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((name, _)) = rest.split_once('`')
    {
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return Error::invalid(&field, "is required");
    }
    let field = if path.is_empty() { "(body)" } else { path };
    Error::invalid(field, message.to_owned())
}

/// A query string, deserialised with the name of the first bad parameter. Unknown
/// parameters are refused, so a misspelt filter is not silently ignored.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| field_error(&e.path().to_string(), &e.inner().to_string()))
    }
}

/// Path parameters. A segment of the wrong shape (a position that is not a number) names
/// nothing that can exist, so it is 404 like any other missing record.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| Error::NotFound(format!("nothing at {}", parts.uri.path())))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        impact: u8,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        text: String,
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid(v) => v.0[0].field.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":"x"}"#).unwrap_err()),
            "impact"
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":1,"role":"admin"}"#).unwrap_err()),
            "role"
        );
        assert_eq!(field_of(parse_json::<Body>(br#"{}"#).unwrap_err()), "impact");
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":1,"inner":{"text":"a","x":1}}"#).unwrap_err()),
            "inner.x"
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":300}"#).unwrap_err()),
            "impact"
        );
        assert!(matches!(
            parse_json::<Body>(b"{\"impact\":").unwrap_err(),
            Error::BadRequest(_)
        ));
    }

    #[test]
    fn a_whole_float_is_an_integer_and_a_fraction_is_not() {
        assert_eq!(parse_json::<Body>(br#"{"impact":3.0}"#).unwrap().impact, 3);
        assert_eq!(parse_json::<Body>(br#"{"impact":3e0}"#).unwrap().impact, 3);
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":3.5}"#).unwrap_err()),
            "impact"
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"impact":-1.0}"#).unwrap_err()),
            "impact"
        );
    }
}

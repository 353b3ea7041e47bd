//! The API's one error type and its RFC 9457 `application/problem+json` body. A 4xx says
//! what was wrong, naming each bad field and the rule it broke; a 5xx logs the cause and
//! tells the caller nothing about the inside.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use riskreg_domain::{ValidationError, ValidationErrors};
use riskreg_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub type ApiResult<T> = Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400/422: input broke one or more rules.
    #[error("invalid input")]
    Invalid(ValidationErrors),
    /// 400: the request could not be read at all (malformed JSON, a bad query string).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// 403: authenticated, but not allowed (only for what the caller can already see).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: does not exist, or the caller may not know that it does.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: the path exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: already exists.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 412: the record changed since the caller read it.
    #[error("precondition failed: {0}")]
    Stale(String),
    /// 413: the body is larger than the limit.
    #[error("request body too large")]
    TooLarge,
    /// 413: an upload is larger than its limit, which the message names.
    #[error("upload too large: {0}")]
    UploadTooLarge(String),
    /// 415: not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 428: a write without `If-Match`.
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    /// 429: too many failed logins from this client or for this account.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    /// 500: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:riskreg:problem:invalid-input`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Every broken rule, by field (for invalid input).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field and the rule it broke.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field as the request named it: `impact`, `mitigations[2].state`.
    pub field: String,
    pub rule: String,
}

impl Error {
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        Self::Invalid(ValidationError::new(field, rule).into())
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// A store error from a write made with an expected version: a conflict there means the
    /// record changed underneath the caller, which is 412, not 409.
    pub fn from_versioned_write(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Self::Stale(m),
            other => other.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Stale(_) => StatusCode::PRECONDITION_FAILED,
            Self::TooLarge | Self::UploadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid-input",
            Self::BadRequest(_) => "bad-request",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::Stale(_) => "stale-version",
            Self::TooLarge | Self::UploadTooLarge(_) => "body-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::PreconditionRequired(_) => "if-match-required",
            Self::TooManyAttempts { .. } => "too-many-attempts",
            Self::Internal(_) => "internal",
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let (detail, errors) = match self {
            Self::Invalid(e) => (
                Some("the request broke the rules listed in errors; nothing was changed".to_owned()),
                e.0.iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        rule: e.rule.clone(),
                    })
                    .collect(),
            ),
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::Stale(m)
            | Self::UploadTooLarge(m)
            | Self::PreconditionRequired(m) => (Some(m.clone()), Vec::new()),
            Self::Unauthenticated => (
                Some("log in, or send an API token as `Authorization: Bearer …`".to_owned()),
                Vec::new(),
            ),
            Self::MethodNotAllowed => (
                Some("this resource does not support that method".to_owned()),
                Vec::new(),
            ),
            Self::TooLarge => (
                Some("the request body is larger than the server accepts".to_owned()),
                Vec::new(),
            ),
            Self::UnsupportedMediaType => (
                Some("send the body as JSON with `Content-Type: application/json`".to_owned()),
                Vec::new(),
            ),
            Self::TooManyAttempts { retry_after_secs } => (
                Some(format!("too many failed logins; try again in {retry_after_secs} s")),
                Vec::new(),
            ),
            Self::Internal(_) => (None, Vec::new()),
        };
        Problem {
            kind: format!("urn:riskreg:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => Self::NotFound(m),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Invalid(errors) => Self::Invalid(errors),
            StoreError::Other(m) => Self::Internal(m),
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Self::Invalid(e)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(cause = %cause, "request failed");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            Self::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyAttempts { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

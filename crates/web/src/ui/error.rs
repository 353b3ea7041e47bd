//! Errors as pages: a person gets an HTML page saying what went wrong and where to go next
//! (or, without a session, the sign-in page), never a JSON problem document.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use riskreg_store::StoreError;

use super::layout::Layout;
use crate::error::Error;

#[derive(Debug)]
pub enum PageError {
    /// No session: go to the sign-in page and come back to `next` afterwards.
    SignIn {
        next: String,
    },
    Http(Error),
}

pub type PageResult<T> = Result<T, PageError>;

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        match e {
            Error::Unauthenticated => Self::SignIn { next: "/".into() },
            other => Self::Http(other),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        Self::Http(e.into())
    }
}

#[derive(Template)]
#[template(path = "ui/error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: String,
    detail: String,
}

/// The sign-in URL that returns to `next` (only ever a path on this site).
pub fn sign_in_url(next: &str) -> String {
    let next = super::forms::safe_next(next);
    if next == "/" {
        "/signin".to_owned()
    } else {
        format!(
            "/signin?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish()
        )
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = match self {
            Self::SignIn { next } => return Redirect::to(&sign_in_url(&next)).into_response(),
            Self::Http(e) => e,
        };
        let status = e.status();
        let (heading, detail) = match &e {
            Error::NotFound(_) => (
                "Not found".to_owned(),
                "There is nothing here, or nothing you may see.".to_owned(),
            ),
            Error::Forbidden(m) => ("Not allowed".to_owned(), m.clone()),
            Error::Internal(cause) => {
                tracing::error!(cause = %cause, "page failed");
                (
                    "Something went wrong".to_owned(),
                    "riskreg could not show this page. The error has been logged.".to_owned(),
                )
            }
            Error::Invalid(errors) => (
                "Invalid input".to_owned(),
                errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.rule))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => (
                status.canonical_reason().unwrap_or("Error").to_owned(),
                other.to_string(),
            ),
        };
        let page = ErrorPage {
            layout: Layout::anonymous(&heading),
            status: status.as_u16(),
            heading,
            detail,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "error").into_response(),
        }
    }
}

/// Renders a page template, or the error page if it cannot be rendered.
pub fn render<T: Template>(page: &T) -> PageResult<Html<String>> {
    page.render()
        .map(Html)
        .map_err(|e| PageError::Http(Error::internal(format!("template: {e}"))))
}

/// 303 See Other to `to`: after a successful POST, the browser GETs the result.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

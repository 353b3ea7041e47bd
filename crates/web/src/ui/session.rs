//! Who is looking at a page, and the guard on every form a page posts. Pages use the
//! same database sessions as the API's cookie login; a form proves it came from one of our
//! pages by carrying the session's CSRF token in a hidden `csrf` field, and the browser's
//! own `Sec-Fetch-Site` and `Origin` headers must not say otherwise. [`CsrfForm`] guards
//! urlencoded forms, [`CsrfMultipart`] file uploads, with the same checks.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::Utc;
use riskreg_store::users::{Role, UserName};
use serde::de::DeserializeOwned;

use super::error::PageError;
use crate::auth::{Caller, Via, cookie, secret};
use crate::error::Error;
use crate::state::AppState;

/// The signed-in user of a page request, and the CSRF token their forms must carry.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub caller: Caller,
    pub csrf: String,
}

impl PageUser {
    pub fn is_editor(&self) -> bool {
        self.caller.role >= Role::Secretariat
    }

    pub fn is_admin(&self) -> bool {
        self.caller.role >= Role::Admin
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_sign_in = || PageError::SignIn {
            next: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".to_owned()),
        };
        if state.config.insecure_disable_auth {
            let name = UserName::parse("no-auth-benchmark").map_err(Error::internal)?;
            return Ok(Self {
                caller: Caller {
                    name,
                    role: Role::Admin,
                    registers: BTreeSet::new(),
                    sees_all: true,
                    via: Via::Disabled,
                },
                csrf: String::new(),
            });
        }
        let Some(cookie_secret) = cookie::read(&parts.headers, state.config.session_cookie()) else {
            return Err(to_sign_in());
        };
        let id_hash = secret::hash(&cookie_secret);
        let Some(session) = state.store.session(&id_hash, Utc::now()).await.map_err(Error::from)? else {
            return Err(to_sign_in());
        };
        let Some(user) = state
            .store
            .user(&session.user)
            .await
            .map_err(Error::from)?
            .filter(|u| !u.fields.disabled)
        else {
            return Err(to_sign_in());
        };
        Ok(Self {
            caller: Caller {
                name: user.name.clone(),
                role: user.fields.role,
                registers: user.fields.registers.iter().cloned().collect(),
                sees_all: false,
                via: Via::Session {
                    id_hash,
                    csrf_token: session.csrf_token.clone(),
                },
            },
            csrf: session.csrf_token,
        })
    }
}

/// A form posted by one of our pages: the user, checked CSRF token and origin, and the
/// form's fields. Fields the form type does not name (such as `csrf`) are ignored.
#[derive(Debug)]
pub struct CsrfForm<T> {
    pub user: PageUser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        check_form_origin(&parts.headers)?;
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::BadRequest("the form could not be read".into()))?;
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        check_csrf(&user, &sent)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::BadRequest(format!("the form could not be read: {e}")))?;
        Ok(Self { user, form })
    }
}

/// Refuses a form whose `csrf` field is not the session's CSRF token.
pub fn check_csrf(user: &PageUser, sent: &str) -> Result<(), PageError> {
    let expected = match &user.caller.via {
        Via::Session { csrf_token, .. } => csrf_token.as_str(),
        _ => "",
    };
    if secret::equal(sent, expected) {
        Ok(())
    } else {
        Err(PageError::from(Error::Forbidden(
            "this form has expired or did not come from riskreg: reload the page and try again".into(),
        )))
    }
}

/// One part of a multipart form: its name, the file name a file part carries, its bytes.
#[derive(Debug, Clone)]
pub struct FormPart {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// A multipart form (`enctype="multipart/form-data"`, for file uploads) posted by one of our
/// pages: the same checks as [`CsrfForm`] — origin, session, and a `csrf` part, which must
/// come first — and then the other parts, read whole within the route's body limit (413
/// past it).
#[derive(Debug)]
pub struct CsrfMultipart {
    pub user: PageUser,
    pub parts: Vec<FormPart>,
}

impl CsrfMultipart {
    /// The first part named `name`.
    pub fn part(&self, name: &str) -> Option<&FormPart> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// The text of the first part named `name`, trimmed; empty if there is none.
    pub fn text(&self, name: &str) -> String {
        self.part(name)
            .map(|p| String::from_utf8_lossy(&p.bytes).trim().to_owned())
            .unwrap_or_default()
    }
}

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        check_form_origin(&parts.headers)?;
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let mut form = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| Error::BadRequest("the form could not be read: send it as multipart/form-data".into()))?;
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            PageError::from(crate::api::exchange::unreadable_upload(
                &e,
                state.config.import_body_limit,
            ))
        };
        // The token must be the first part (our forms put it first), so a forged form is
        // refused before its file is read.
        let first = form.next_field().await.map_err(unreadable)?;
        let sent = match first {
            Some(field) if field.name() == Some("csrf") => field.text().await.map_err(unreadable)?,
            _ => String::new(),
        };
        check_csrf(&user, sent.trim())?;
        let mut read = Vec::new();
        while let Some(field) = form.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(unreadable)?;
            read.push(FormPart { name, file_name, bytes });
        }
        Ok(Self { user, parts: read })
    }
}

/// Refuses a form the browser marks as cross-site, or whose `Origin` names another host.
/// With `Referrer-Policy: no-referrer`, browsers send `Origin: null` on our own forms, so
/// `null` is left to the CSRF token (and `Sec-Fetch-Site`) to judge.
pub fn check_form_origin(headers: &HeaderMap) -> Result<(), PageError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return Err(Error::Forbidden("forms from other sites are refused".into()).into());
    }
    if let Some(origin) = text("origin").filter(|o| *o != "null") {
        let host = text("host").unwrap_or("");
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or("");
        if origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host) {
            return Err(Error::Forbidden(format!("forms from {origin} are refused")).into());
        }
    }
    Ok(())
}

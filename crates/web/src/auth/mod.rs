//! Who is calling, and what they may do. A request is authenticated by an API token
//! (`Authorization: Bearer rr_…`) or by a session cookie; a cookie-authenticated write must
//! also pass the CSRF check. The policy is small and in one place: roles rank viewer <
//! member < secretariat < admin, and a confidential register is visible only to its
//! members — to everyone else it does not exist (404), whatever their role.

pub mod client;
pub mod cookie;
pub mod password;
pub mod secret;
pub mod throttle;

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::Utc;
use riskreg_domain::{Register, RegisterCode};
use riskreg_store::users::{Role, User, UserName};

use crate::error::Error;
use crate::state::AppState;

/// The header a cookie-authenticated write must carry, holding the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session {
        id_hash: String,
        csrf_token: String,
    },
    Token {
        id: String,
    },
    /// Authentication switched off for a benchmark.
    Disabled,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: UserName,
    /// The effective role: for a token, the lesser of its scope and its user's role.
    pub role: Role,
    pub registers: BTreeSet<RegisterCode>,
    /// Sees every register (only when authentication is switched off).
    pub sees_all: bool,
    pub via: Via,
}

impl Caller {
    /// The name recorded as the actor of every change the caller makes.
    pub fn actor(&self) -> String {
        self.name.to_string()
    }

    pub fn is_member(&self, code: &RegisterCode) -> bool {
        self.sees_all || self.registers.contains(code)
    }

    /// Whether the caller may know the register exists.
    pub fn can_see(&self, register: &Register) -> bool {
        !register.fields.confidential || self.is_member(&register.code)
    }

    /// Requires at least `role`; 403 otherwise.
    pub fn require(&self, role: Role) -> Result<(), Error> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "this needs the {role} role or higher; you act as {}",
                self.role
            )))
        }
    }

    /// Requires the right to edit registers and their records.
    pub fn require_editor(&self) -> Result<(), Error> {
        self.require(Role::Secretariat)
    }

    fn from_user(user: &User, role: Role, via: Via) -> Self {
        Self {
            name: user.name.clone(),
            role,
            registers: user.fields.registers.iter().cloned().collect(),
            sees_all: false,
            via,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.insecure_disable_auth {
            return Ok(Self {
                name: UserName::parse("no-auth-benchmark").map_err(Error::internal)?,
                role: Role::Admin,
                registers: BTreeSet::new(),
                sees_all: true,
                via: Via::Disabled,
            });
        }
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let text = value.to_str().map_err(|_| Error::Unauthenticated)?;
            let Some(secret) = text.strip_prefix("Bearer ").map(str::trim) else {
                return Err(Error::Unauthenticated);
            };
            return from_token(state, secret).await;
        }
        let Some(secret) = cookie::read(&parts.headers, state.config.session_cookie()) else {
            return Err(Error::Unauthenticated);
        };
        let caller = from_session(state, &secret).await?;
        if !is_safe(&parts.method) {
            check_csrf(parts, &caller)?;
        }
        Ok(caller)
    }
}

async fn from_token(state: &AppState, secret: &str) -> Result<Caller, Error> {
    // One read for the token and its user: every token request pays for it.
    let (token, user) = state
        .store
        .token_with_user(&secret::hash(secret))
        .await?
        .ok_or(Error::Unauthenticated)?;
    if !token.is_live(Utc::now()) {
        return Err(Error::Unauthenticated);
    }
    let user = user.filter(|u| !u.fields.disabled).ok_or(Error::Unauthenticated)?;
    let role = token.fields.role.min(user.fields.role);
    Ok(Caller::from_user(&user, role, Via::Token { id: token.id }))
}

async fn from_session(state: &AppState, secret: &str) -> Result<Caller, Error> {
    let id_hash = secret::hash(secret);
    let session = state
        .store
        .session(&id_hash, Utc::now())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let user = state
        .store
        .user(&session.user)
        .await?
        .filter(|u| !u.fields.disabled)
        .ok_or(Error::Unauthenticated)?;
    let role = user.fields.role;
    Ok(Caller::from_user(
        &user,
        role,
        Via::Session {
            id_hash,
            csrf_token: session.csrf_token,
        },
    ))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie-authenticated write must echo the session's CSRF token in a header (which a
/// cross-site form cannot set) and, when the browser says where the request came from,
/// come from this site.
fn check_csrf(parts: &Parts, caller: &Caller) -> Result<(), Error> {
    let Via::Session { csrf_token, .. } = &caller.via else {
        return Ok(());
    };
    check_same_origin(&parts.headers)?;
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !secret::equal(sent, csrf_token) {
        return Err(Error::Forbidden(format!(
            "a write with a session cookie must send the session's CSRF token in {CSRF_HEADER}"
        )));
    }
    Ok(())
}

/// Refuses a request a browser marks as cross-site, or whose `Origin` is not this host.
pub fn check_same_origin(headers: &axum::http::HeaderMap) -> Result<(), Error> {
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header_text("sec-fetch-site").is_some_and(|s| s == "cross-site") {
        return Err(Error::Forbidden("cross-site requests may not write".into()));
    }
    if let Some(origin) = header_text("origin") {
        let host = header_text("host").unwrap_or("");
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or("");
        if origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host) {
            return Err(Error::Forbidden(format!("requests from origin {origin} may not write")));
        }
    }
    Ok(())
}

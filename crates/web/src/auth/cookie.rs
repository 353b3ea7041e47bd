//! The session cookie: read from `Cookie`, written with `HttpOnly`, `SameSite=Strict`,
//! `Path=/`, and `Secure` plus the `__Host-` prefix when served over TLS.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::config::WebConfig;

/// The value of cookie `name`, if the request sent it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session lasting `max_age_secs`.
pub fn set(config: &WebConfig, value: &str, max_age_secs: u64) -> Option<HeaderValue> {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        config.session_cookie()
    ))
    .ok()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear(config: &WebConfig) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        config.session_cookie()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_cookie_and_writes_safe_attributes() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; riskreg_session=abc; b=2"),
        );
        assert_eq!(read(&h, "riskreg_session").as_deref(), Some("abc"));
        assert_eq!(read(&h, "other"), None);
        let secure = WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        };
        let v = set(&secure, "abc", 60).unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with("__Host-riskreg_session=abc; Path=/; HttpOnly; SameSite=Strict"));
        assert!(v.ends_with("; Secure"));
    }
}

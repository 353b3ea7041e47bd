//! How a server is configured: cookies, cross-origin access, limits and (for benchmarks
//! only) switching authentication off. Built by the binary from flags and environment
//! variables and passed in; nothing here reads the environment.

use std::time::Duration;

/// The default for [`WebConfig::import_body_limit`]: 32 MiB, room for a workbook of a few
/// hundred thousand risks.
pub const DEFAULT_IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The default for [`WebConfig::pdf_jobs`]: two PDF papers typeset at once. A large
/// register's layout takes gigabytes (1.7 GB for 10,000 risks), so the limit is what bounds
/// a server's peak memory when several are asked for together.
pub const DEFAULT_PDF_JOBS: usize = 2;

/// The server's settings. Holds no secret: session secrets are random per login and live
/// (hashed) in the database.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Serve behind TLS: cookies get `Secure` and the `__Host-` prefix, and responses carry
    /// `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// Origins allowed to call the API from a browser (CORS). Empty: no CORS at all.
    pub cors_origins: Vec<String>,
    /// The largest request body accepted, in bytes, except by the spreadsheet imports.
    pub body_limit: usize,
    /// The largest request body the spreadsheet imports (API and UI) accept, in bytes: real
    /// workbooks run to megabytes, far past what any JSON body needs.
    pub import_body_limit: usize,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Take the client's address from the last `X-Forwarded-For` entry (only behind a proxy
    /// that sets it), for login throttling.
    pub trust_forwarded_for: bool,
    /// Benchmarks only: every request acts as an administrator who can see every register.
    /// Never for a real deployment; the binary refuses it on a non-loopback address.
    pub insecure_disable_auth: bool,
    /// The riskreg binary, to typeset PDF papers in a process of its own
    /// ([`crate::typeset`]), so that the server does not keep the memory a large paper's
    /// layout takes. `None` typesets in this process.
    pub typesetter: Option<std::path::PathBuf>,
    /// How many PDF papers are typeset at once; further requests wait their turn.
    pub pdf_jobs: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            cors_origins: Vec::new(),
            body_limit: 256 * 1024,
            import_body_limit: DEFAULT_IMPORT_BODY_LIMIT,
            session_ttl: Duration::from_secs(12 * 60 * 60),
            trust_forwarded_for: false,
            insecure_disable_auth: false,
            typesetter: None,
            pdf_jobs: DEFAULT_PDF_JOBS,
        }
    }
}

impl WebConfig {
    /// The session cookie's name: with the `__Host-` prefix when it can carry one (the
    /// prefix requires `Secure`), which pins the cookie to this host and path `/`.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-riskreg_session"
        } else {
            "riskreg_session"
        }
    }
}

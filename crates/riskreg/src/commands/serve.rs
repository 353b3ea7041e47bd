//! `riskreg serve`: the web UI and the JSON API on one address. With `--demo` it first
//! loads the SEC Panel demo — into the configured database if that is empty, otherwise into
//! a fresh one in a temporary file — creates one demo user per role, and prints the URL and
//! how to sign in.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use riskreg_store::users::{Role, UserFields, UserName};
use riskreg_web::WebConfig;
use riskreg_web::auth::{password, secret};

use super::Session;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "RISKREG_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Load the SEC Panel demo into an empty database and create demo users (one per role),
    /// printing their passwords.
    #[arg(long)]
    pub demo: bool,
    /// Serve behind TLS (directly or at a proxy): cookies get Secure and the __Host- prefix,
    /// and responses carry Strict-Transport-Security.
    #[arg(long, env = "RISKREG_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// An origin allowed to call the API from a browser (CORS), e.g. https://dash.example.org;
    /// repeat, or separate with commas. Without it, no CORS.
    #[arg(long = "cors-origin", env = "RISKREG_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Take the client address for login throttling from X-Forwarded-For (only behind a
    /// proxy that sets it).
    #[arg(long, env = "RISKREG_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// How long a login session lasts, in hours.
    #[arg(long, env = "RISKREG_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,
    /// The largest request body accepted, in bytes (spreadsheet imports excepted).
    #[arg(long, env = "RISKREG_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,
    /// The largest spreadsheet upload accepted by the imports (API and web UI), in bytes.
    #[arg(long, env = "RISKREG_IMPORT_LIMIT", default_value_t = riskreg_web::config::DEFAULT_IMPORT_BODY_LIMIT)]
    pub import_limit: usize,
    /// How many PDF papers are typeset at once (each of a large register takes gigabytes);
    /// further requests wait their turn.
    #[arg(long, env = "RISKREG_PDF_JOBS", default_value_t = riskreg_web::config::DEFAULT_PDF_JOBS)]
    pub pdf_jobs: usize,
    /// BENCHMARKS ONLY: switch authentication off, so every request acts as an administrator
    /// who sees every register. Refused on any address but loopback.
    #[arg(long, hide = true)]
    pub insecure_no_auth: bool,
}

impl ServeArgs {
    fn config(&self) -> anyhow::Result<WebConfig> {
        if self.insecure_no_auth && !self.addr.ip().is_loopback() {
            bail!(
                "--insecure-no-auth: refused on {}; it is for benchmarks on loopback only",
                self.addr
            );
        }
        if !(1..=24 * 30).contains(&self.session_hours) {
            bail!("--session-hours: must be from 1 to 720");
        }
        if !(1..=64).contains(&self.pdf_jobs) {
            bail!("--pdf-jobs: must be from 1 to 64");
        }
        Ok(WebConfig {
            secure_cookies: self.secure_cookies,
            cors_origins: self
                .cors_origins
                .iter()
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            body_limit: self.body_limit,
            import_body_limit: self.import_limit,
            session_ttl: Duration::from_secs(self.session_hours * 3600),
            trust_forwarded_for: self.trust_forwarded_for,
            insecure_disable_auth: self.insecure_no_auth,
            // This very binary typesets PDF papers as `riskreg typeset-pdf`.
            typesetter: std::env::current_exe().ok(),
            pdf_jobs: self.pdf_jobs,
        })
    }
}

pub async fn run(s: &Session, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("--addr: cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    let mut demo_session = None;
    if args.demo {
        let session = demo_database(s).await?;
        demo(&session, &format!("http://{local}/")).await?;
        demo_session = Some(session);
    } else if s.store.users().await?.is_empty() && !config.insecure_disable_auth {
        eprintln!(
            "No users yet: create the first administrator with\n  riskreg user add NAME --role admin --password-stdin"
        );
    }
    let s = demo_session.as_ref().unwrap_or(s);
    if config.insecure_disable_auth {
        eprintln!("WARNING: authentication is OFF (--insecure-no-auth). Every request acts as an administrator.");
    }
    eprintln!(
        "riskreg serving on http://{local}  (API reference: http://{local}{})",
        riskreg_web::DOCS_PATH
    );
    let shutdown = async {
        // Ctrl-C ends the server gracefully; if the signal cannot be watched, serve on.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    riskreg_web::serve(listener, s.store.clone(), config, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

/// The database the demo runs on: the configured one if it holds nothing yet, otherwise a
/// fresh SQLite file in the temporary directory, so that a real register is never mixed
/// with the demo and every `serve --demo` prints a sign-in that works.
async fn demo_database(s: &Session) -> anyhow::Result<Session> {
    let empty = s.store.event_count().await? <= 1 && s.store.users().await?.is_empty();
    if empty {
        return Ok(Session {
            store: s.store.clone(),
            actor: s.actor.clone(),
            reason: s.reason.clone(),
        });
    }
    let path = std::env::temp_dir().join(format!(
        "riskreg-demo-{}-{}.db",
        std::process::id(),
        secret::random_hex(4)?
    ));
    let url = format!("sqlite:{}", path.display());
    eprintln!("The configured database is not empty; the demo runs in a fresh database, {url}");
    Ok(Session {
        store: crate::backend::open(&url).await?,
        actor: s.actor.clone(),
        reason: s.reason.clone(),
    })
}

/// Loads the demo into an empty database, and creates the demo users if there are none.
async fn demo(s: &Session, url: &str) -> anyhow::Result<()> {
    s.store.init(s.ctx()).await?;
    if s.store.event_count().await? <= 1 {
        let mut ctx = s.ctx();
        ctx.reason.get_or_insert_with(|| "SEC Panel demo".to_owned());
        let summary = s.store.import_text(riskreg_store::conformance::DEMO, &ctx).await?;
        eprintln!(
            "Loaded the SEC Panel demo: {} registers, {} risks, {} issues.",
            summary.registers, summary.risks, summary.issues
        );
    } else {
        eprintln!("The database already holds registers; the demo was not loaded again.");
    }
    if !s.store.users().await?.is_empty() {
        eprintln!("The database already has users; no demo users were created.");
        return Ok(());
    }
    let registers: Vec<_> = s.store.registers(None).await?.into_iter().map(|r| r.code).collect();
    let mut lines = Vec::new();
    let mut admin = None;
    for role in Role::ALL.iter().rev() {
        let name = UserName::parse(&format!("demo-{role}"))?;
        let pass = secret::random_hex(10)?;
        let hash = password::hash(pass.clone()).await?;
        let fields = UserFields {
            role: *role,
            disabled: false,
            registers: registers.clone(),
        };
        s.store.create_user(name.clone(), fields, Some(&hash), s.ctx()).await?;
        if *role == Role::Admin {
            admin = Some((name.clone(), pass.clone()));
        }
        lines.push(format!("  {name:<18} {pass}   ({role})"));
    }
    eprintln!(
        "Demo users (passwords shown once; the API's login is POST /api/v1/auth/login):\n{}",
        lines.join("\n")
    );
    if let Some((name, pass)) = admin {
        eprintln!("\nOpen {url} and sign in as {name} with the password {pass}\n");
    }
    Ok(())
}

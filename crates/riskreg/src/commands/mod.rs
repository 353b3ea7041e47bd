//! One module per subcommand. Each takes the opened store and the parsed options, and
//! writes what the user asked for to standard output.

mod audit;
mod backup;
pub(crate) mod bench_data;
mod decide;
mod exchange;
mod issue;
mod lint;

pub use lint::REVIEW_MONTHS;
mod meeting;
mod migrate;
mod paper;
mod propose;
mod register;
mod risk;
pub(crate) mod serve;
mod setup;
pub(crate) mod user;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use riskreg_store::{Store, WriteContext};

use crate::backend;
use crate::cli::{Cli, Command};

/// What every command needs: the store and who is acting, and why.
pub struct Session {
    pub store: Arc<dyn Store>,
    pub actor: String,
    pub reason: Option<String>,
}

impl Session {
    pub fn ctx(&self) -> WriteContext {
        WriteContext::new(self.actor.clone(), self.reason.clone())
    }
}

/// The OS user, for `--actor`'s default.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // migrate names its own two databases and must not open (or create) --db.
    let command = match cli.command {
        Command::Migrate(a) => return migrate::run(a).await,
        // backup opens the database itself, and keygen needs none.
        Command::Backup(a) => return backup::run(&cli.db, a).await,
        Command::Audit(crate::cli::AuditCommand::Keygen { out }) => return audit::keygen(&out),
        // The server's typesetter reads everything it needs from standard input.
        Command::TypesetPdf => return paper::typeset_pdf(),
        other => other,
    };
    let store = backend::open(&cli.db).await?;
    let session = Session {
        store,
        actor: cli.actor.unwrap_or_else(os_user),
        reason: cli.reason,
    };
    match command {
        Command::Init => setup::init(&session).await,
        Command::Demo => setup::demo(&session).await,
        Command::Register(c) => register::run(&session, c).await,
        Command::Risk(c) => risk::run(&session, c).await,
        Command::Issue(c) => issue::run(&session, c).await,
        Command::Audit(c) => audit::run(&session, c).await,
        Command::Import(a) => exchange::import(&session, a).await,
        Command::Export(a) => exchange::export(&session, a).await,
        Command::Meeting(c) => meeting::run(&session, c).await,
        Command::Propose(c) => propose::run(&session, c).await,
        Command::Proposal(c) => decide::list(&session, c).await,
        Command::Decide(a) => decide::decide(&session, a).await,
        Command::Lint(a) => lint::run(&session, a).await,
        Command::Paper(a) => paper::run(&session, a).await,
        Command::Serve(a) => serve::run(&session, a).await,
        Command::User(c) => user::run(&session, c).await,
        Command::BenchData(a) => bench_data::run(&session, a).await,
        Command::Migrate(_) | Command::Backup(_) | Command::TypesetPdf => {
            unreachable!("migrate, backup and typeset-pdf returned above")
        }
    }
}

/// How much output is gathered before each write: an export of 100,000 risks is gigabytes
/// of JSON written in small pieces, and a large buffer makes that a few thousand writes
/// instead of hundreds of thousands.
pub const OUTPUT_BUFFER: usize = 1 << 20;

/// Writes to standard output, treating a closed pipe (`riskreg … | head`) as success.
pub fn print(text: &str) -> anyhow::Result<ExitCode> {
    print_with(|out| out.write_all(text.as_bytes()))
}

/// [`print`] for output written as it is made, through a buffer.
pub fn print_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<ExitCode> {
    let mut out = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

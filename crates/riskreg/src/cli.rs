//! The command line, as the product's CLI contract names it. Global options come first;
//! each subcommand's options are in the module that runs it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::fields::{IssueFieldArgs, RiskFieldArgs};
use crate::time_arg::parse_as_at;

#[derive(Debug, Parser)]
#[command(
    name = "riskreg",
    version,
    about = "Risk and issue registers for governance bodies, with their history and the committee paper"
)]
pub struct Cli {
    /// The database: sqlite:PATH or postgres://USER@HOST/DATABASE.
    #[arg(long, global = true, env = "RISKREG_DB", default_value = "sqlite:riskreg.db")]
    pub db: String,
    /// Who is making a change (recorded in the history). Defaults to the OS user.
    #[arg(long, global = true, env = "RISKREG_ACTOR")]
    pub actor: Option<String>,
    /// Why a change is made (recorded in the history).
    #[arg(long, global = true)]
    pub reason: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty database with the default scales and impact classification.
    Init,
    /// Load the SEC Panel example: its registers, risks, issues and their history.
    Demo,
    /// Registers: list, add.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Risks: list, show, add, amend, close, history.
    #[command(subcommand)]
    Risk(RiskCommand),
    /// Issues: list, show, add, amend, close, history.
    #[command(subcommand)]
    Issue(IssueCommand),
    /// The tamper-evident history.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Load a register file (all-or-nothing).
    Import(ImportArgs),
    /// Write the database as a register file.
    Export(ExportArgs),
    /// Copy a whole database, history included, to another (e.g. SQLite to PostgreSQL).
    Migrate(MigrateArgs),
    /// Serve the JSON API, its OpenAPI document and reference page.
    Serve(crate::commands::serve::ServeArgs),
    /// Users, roles, register memberships and API tokens.
    #[command(subcommand)]
    User(crate::commands::user::UserCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Show the state as it stood then: a date (end of that day, UTC) or an RFC 3339 time.
    #[arg(long, value_parser = parse_as_at)]
    pub as_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// List registers, parents before children.
    List {
        #[command(flatten)]
        read: ReadArgs,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add a register.
    Add {
        /// Its code: 2-16 characters of A-Z, 0-9 or _, e.g. SSC.
        code: String,
        #[arg(long)]
        name: String,
        /// The register this one escalates to.
        #[arg(long)]
        parent: Option<String>,
        /// Only members may read a confidential register.
        #[arg(long)]
        confidential: bool,
        #[arg(long)]
        description: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this register.
    #[arg(long)]
    pub register: Option<String>,
    /// Include closed (and escalated or converted) records.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub read: ReadArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The reference, CODE-N, e.g. PANEL-15.
    pub reference: String,
    #[command(flatten)]
    pub read: ReadArgs,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The reference, CODE-N.
    pub reference: String,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The reference, CODE-N.
    pub reference: String,
    /// Fail unless the record is still at this version.
    #[arg(long)]
    pub expect_version: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// List risks, highest severity first, equal severities by number.
    List(ListArgs),
    /// Show one risk.
    Show(ShowArgs),
    /// Add a risk and print its reference.
    Add {
        #[arg(long)]
        register: String,
        /// Its number (default: the next the register has never used).
        #[arg(long)]
        number: Option<u32>,
        #[command(flatten)]
        fields: RiskFieldArgs,
    },
    /// Change the fields named.
    Amend {
        reference: String,
        /// Fail unless the risk is still at this version.
        #[arg(long)]
        expect_version: Option<u32>,
        #[command(flatten)]
        fields: RiskFieldArgs,
    },
    /// Close a risk.
    Close(CloseArgs),
    /// Every version of a risk: who, when, why.
    History(HistoryArgs),
}

#[derive(Debug, Subcommand)]
pub enum IssueCommand {
    /// List issues, highest impact first.
    List(ListArgs),
    /// Show one issue.
    Show(ShowArgs),
    /// Add an issue and print its reference.
    Add {
        #[arg(long)]
        register: String,
        #[arg(long)]
        number: Option<u32>,
        #[command(flatten)]
        fields: IssueFieldArgs,
    },
    /// Change the fields named.
    Amend {
        reference: String,
        #[arg(long)]
        expect_version: Option<u32>,
        #[command(flatten)]
        fields: IssueFieldArgs,
    },
    /// Close an issue.
    Close(CloseArgs),
    /// Every version of an issue.
    History(HistoryArgs),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every event's hash and link, and every record against its last event.
    Verify {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A register file (JSON; see docs/register-format.md).
    pub file: PathBuf,
    /// Check the file and report what would be created, changing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Where to write; standard output if not given.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database to copy: sqlite:PATH or postgres://…; it is only read.
    #[arg(long)]
    pub from: String,
    /// The database to copy into, which must hold no history yet (created if missing).
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

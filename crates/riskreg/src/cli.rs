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
    /// Meetings of a body: add, list, show.
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Draft a proposal for a meeting; it changes nothing until the committee agrees it.
    #[command(subcommand)]
    Propose(ProposeCommand),
    /// The proposals put to a meeting.
    #[command(subcommand)]
    Proposal(ProposalCommand),
    /// Record the committee's decision on a proposal; an agreed one is applied at once.
    Decide(DecideArgs),
    /// Check registers for what a careful secretariat would fix before a paper goes out.
    Lint(LintArgs),
    /// Write the committee paper for a meeting.
    Paper(PaperArgs),
    /// Copy a whole database, history included, to another (e.g. SQLite to PostgreSQL).
    Migrate(MigrateArgs),
    /// Copy the database, history included, to a new file while it is in use (SQLite; for
    /// PostgreSQL use pg_dump, see README).
    Backup(BackupArgs),
    /// Serve the JSON API, its OpenAPI document and reference page.
    Serve(crate::commands::serve::ServeArgs),
    /// Users, roles, register memberships and API tokens.
    #[command(subcommand)]
    User(crate::commands::user::UserCommand),
    /// Fill an empty database with a large generated organisation, for benchmarks
    /// (see bench/README.md).
    #[command(hide = true)]
    BenchData(crate::commands::bench_data::BenchDataArgs),
    /// The server's typesetter: a paper's model as JSON on standard input, its PDF on
    /// standard output (see riskreg_web::typeset).
    #[command(hide = true)]
    TypesetPdf,
}

#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Add a meeting of a body, referred to afterwards as BODY/DATE.
    Add {
        /// The body's register code, e.g. PANEL.
        #[arg(long)]
        body: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[arg(long)]
        title: Option<String>,
        /// The date the paper is issued, YYYY-MM-DD.
        #[arg(long)]
        paper_on: Option<String>,
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
    /// List meetings, oldest first.
    List {
        #[arg(long)]
        body: Option<String>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Show a meeting and its proposals.
    Show {
        /// BODY/DATE, e.g. PANEL/2018-08-10.
        meeting: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

/// What every proposal says: which meeting, and why.
#[derive(Debug, Args)]
pub struct ProposalArgs {
    /// BODY/DATE of the meeting the proposal is put to.
    #[arg(long)]
    pub meeting: String,
    /// Why: the narrative the paper prints (paragraphs separated by a blank line).
    #[arg(long)]
    pub rationale: String,
    /// The recommendation in full, e.g. "CONSIDER the approach to …", if not riskreg's wording.
    #[arg(long)]
    pub recommendation: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProposeCommand {
    /// Propose a new risk; it is listed as proposed until the committee decides.
    NewRisk {
        #[arg(long)]
        register: String,
        #[command(flatten)]
        proposal: ProposalArgs,
        #[command(flatten)]
        fields: RiskFieldArgs,
    },
    /// Propose an amendment to a risk (the same field options as `risk amend`).
    Amend {
        reference: String,
        /// Fail unless the risk is still at this version.
        #[arg(long)]
        expect_version: Option<u32>,
        #[command(flatten)]
        proposal: ProposalArgs,
        #[command(flatten)]
        fields: RiskFieldArgs,
    },
    /// Propose closing a risk.
    Close {
        reference: String,
        #[command(flatten)]
        proposal: ProposalArgs,
    },
    /// Propose moving a sub-committee's risk to a register above it.
    Escalate {
        reference: String,
        /// The register to escalate to (the parent, or one above it).
        #[arg(long)]
        to: String,
        #[command(flatten)]
        proposal: ProposalArgs,
    },
    /// Propose turning a risk into an issue linked back to it.
    Convert {
        reference: String,
        #[command(flatten)]
        proposal: ProposalArgs,
        /// The issue's fields; by default it is worded from the risk.
        #[command(flatten)]
        fields: IssueFieldArgs,
    },
    /// Propose a new issue.
    NewIssue {
        #[arg(long)]
        register: String,
        #[command(flatten)]
        proposal: ProposalArgs,
        #[command(flatten)]
        fields: IssueFieldArgs,
    },
    /// Propose an update to an issue, or (with no fields) ask the committee to consider it.
    IssueUpdate {
        reference: String,
        #[command(flatten)]
        proposal: ProposalArgs,
        #[command(flatten)]
        fields: IssueFieldArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProposalCommand {
    /// List the proposals put to a meeting, with their ids.
    List {
        #[arg(long)]
        meeting: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Show one proposal.
    Show {
        id: u32,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["agreed", "rejected", "deferred"])))]
pub struct DecideArgs {
    /// The proposal's id (see `proposal list`).
    pub id: u32,
    #[arg(long)]
    pub agreed: bool,
    #[arg(long)]
    pub rejected: bool,
    #[arg(long)]
    pub deferred: bool,
    /// The minute reference of the decision.
    #[arg(long)]
    pub minute: Option<String>,
    /// For a deferral: the meeting to defer to (default: the body's next meeting).
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Only this register.
    #[arg(long)]
    pub register: Option<String>,
    /// Report live risks not changed for this many months.
    #[arg(long, default_value_t = crate::commands::REVIEW_MONTHS)]
    pub months: u32,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperFormat {
    Html,
    Md,
    Docx,
    Pdf,
}

#[derive(Debug, Args)]
pub struct PaperArgs {
    /// BODY/DATE of the meeting.
    #[arg(long)]
    pub meeting: String,
    #[arg(long, value_enum, default_value_t = PaperFormat::Html)]
    pub format: PaperFormat,
    /// Where to write; standard output for html and md if not given.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The author named at the end of the paper (default: as recorded on the meeting).
    #[arg(long)]
    pub author: Option<String>,
    /// The author's team (default: as recorded on the meeting).
    #[arg(long)]
    pub team: Option<String>,
    /// A draft for the secretariat: the register lint's findings shown at the top.
    #[arg(long)]
    pub draft: bool,
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
    /// The reference, CODE-N, e.g. PANEL-15; with --register, also the reference the record
    /// had in the spreadsheet it was imported from, e.g. `015(CR)`.
    pub reference: String,
    /// Look REF up among this register's source references first.
    #[arg(long)]
    pub register: Option<String>,
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
    /// Check every event's hash and link, and every record against its last event; with
    /// --against, also that the history still holds a signed head taken earlier.
    Verify {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
        /// A signed head from `riskreg audit head`: its signature must check with --key, and
        /// the history must still hold its event (not rewritten, not cut short).
        #[arg(long, value_name = "HEADFILE", requires = "key")]
        against: Option<PathBuf>,
        /// The public key you trust to have signed the head (KEYFILE.pub from `audit keygen`).
        #[arg(long, value_name = "PUBFILE", requires = "against")]
        key: Option<PathBuf>,
    },
    /// Make an Ed25519 key pair for signing chain heads: KEYFILE (PKCS#8 PEM, mode 0600)
    /// and KEYFILE.pub. Keep the private key off the database's machine.
    Keygen {
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
    },
    /// Export the chain head (position, hash, event count, time), signed, as JSON. The
    /// history is verified first: a head is never signed over a broken chain.
    Head {
        /// The private key from `audit keygen`.
        #[arg(long, value_name = "KEYFILE", env = "RISKREG_AUDIT_SIGNING_KEY")]
        sign: PathBuf,
        /// Write the head to a new file instead of standard output.
        #[arg(long, value_name = "HEADFILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file (refused if it exists).
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A spreadsheet (XLSX or CSV) or a register file (JSON; see docs/register-format.md).
    pub file: PathBuf,
    /// The register a spreadsheet's risks go into (not needed for riskreg's own workbook,
    /// which names its registers).
    #[arg(long)]
    pub register: Option<String>,
    /// The sheet holding the register (XLSX); by default the first with a register's header.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Map a field to a column, by header or letters: --map statement="Risk Description",
    /// --map owner=G; --map owner= (nothing after =) leaves the field without a column.
    /// Repeat for each; overrides the automatic mapping.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// A file of FIELD=COLUMN lines, one mapping a line (# starts a comment).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Check the file and report what would be created, changing nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Only this register (XLSX and CSV; JSON is always the whole database).
    #[arg(long)]
    pub register: Option<String>,
    /// The registers as they stood then (XLSX and CSV): YYYY-MM-DD (end of that day, UTC)
    /// or an RFC 3339 instant.
    #[arg(long, value_parser = parse_as_at)]
    pub as_at: Option<DateTime<Utc>>,
    /// Where to write; standard output if not given (JSON and CSV only).
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

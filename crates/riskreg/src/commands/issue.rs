//! `riskreg issue list|show|add|amend|close|history`.

use std::process::ExitCode;

use chrono::Utc;
use riskreg_domain::view::IssueView;
use riskreg_store::{RecordType, StoreError};

use super::risk::{last_papers, query, reference_arg, register_arg, resolve};
use super::{Session, print};
use crate::cli::{Format, IssueCommand, ShowFormat};
use crate::output;

pub async fn run(s: &Session, command: IssueCommand) -> anyhow::Result<ExitCode> {
    match command {
        IssueCommand::List(args) => {
            let issues = s.store.issues(&query(&args)?).await?;
            let papers = last_papers(s, args.read.as_at).await?;
            let views: Vec<IssueView> = issues
                .iter()
                .map(|i| IssueView::new(i, papers.get(&i.reference.register).copied().flatten()))
                .collect();
            match args.format {
                Format::Table => print(&output::issue_table(&views)),
                Format::Json => print(&output::json(&views)?),
                Format::Csv => print(&output::issues_csv(&views)?),
            }
        }
        IssueCommand::Show(args) => {
            let reference = resolve(s, RecordType::Issue, &args.reference, args.register.as_deref()).await?;
            let issue = s.store.issue(&reference, args.read.as_at).await?;
            let register = s.store.register(&reference.register, args.read.as_at).await?;
            let view = IssueView::new(&issue, register.fields.last_paper_on);
            match args.format {
                ShowFormat::Table => print(&output::issue_detail(&view, &s.store.settings().await?)),
                ShowFormat::Json => print(&output::json(&view)?),
            }
        }
        IssueCommand::Add {
            register,
            number,
            fields,
        } => {
            let register = register_arg(&register)?;
            let fields = fields.to_new(Utc::now().date_naive()).map_err(StoreError::Invalid)?;
            let issue = s.store.create_issue(register, number, fields, s.ctx()).await?;
            print(&format!("{}\n", issue.reference))
        }
        IssueCommand::Amend {
            reference,
            expect_version,
            fields,
        } => {
            let reference = reference_arg(&reference)?;
            let change = fields.to_change().map_err(StoreError::Invalid)?;
            let issue = s.store.amend_issue(reference, expect_version, change, s.ctx()).await?;
            print(&format!(
                "{} amended: now version {}\n",
                issue.reference, issue.revision.version
            ))
        }
        IssueCommand::Close(args) => {
            let reference = reference_arg(&args.reference)?;
            let issue = s.store.close_issue(reference, args.expect_version, s.ctx()).await?;
            print(&format!(
                "{} closed: now version {}\n",
                issue.reference, issue.revision.version
            ))
        }
        IssueCommand::History(args) => {
            let reference = reference_arg(&args.reference)?;
            let events = s.store.history(RecordType::Issue, &reference.to_string()).await?;
            if events.is_empty() {
                return Err(StoreError::NotFound(format!("issue {reference}")).into());
            }
            match args.format {
                ShowFormat::Table => print(&output::history_table(&events)),
                ShowFormat::Json => print(&output::json(&events)?),
            }
        }
    }
}

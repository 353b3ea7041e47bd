//! `riskreg migrate --from URL --to URL`: copies a whole database, history included, into
//! an empty one on either backend, then verifies the copy's chain. This is how a register
//! moves from SQLite to PostgreSQL when it outgrows one machine.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use riskreg_store::{StoreError, copy_all, verify_chain};
use serde::Serialize;

use super::print;
use crate::backend::{self, shown};
use crate::cli::{MigrateArgs, ShowFormat};
use crate::exit::AuditFailed;
use crate::output;

#[derive(Serialize)]
struct Migrated {
    from: String,
    to: String,
    copied: riskreg_store::CopySummary,
    verified: riskreg_store::ChainReport,
}

/// The file a `sqlite:PATH` URL names, if it names one (not `:memory:`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let (from_shown, to_shown) = (shown(&args.from), shown(&args.to));
    if let Some(path) = sqlite_file(&args.from)
        && !path.exists()
    {
        // Opening it would create an empty database where the user meant an existing one.
        return Err(StoreError::invalid("from", format!("{} does not exist", path.display())).into());
    }
    let from = backend::open(&args.from).await.context("--from")?;
    // A mistyped SQLite path opens as a new, empty file; copying nothing would look like
    // success.
    if from.event_count().await? == 0 {
        return Err(StoreError::invalid(
            "from",
            format!("{from_shown} holds no history; there is nothing to migrate"),
        )
        .into());
    }
    let to = backend::open(&args.to).await.context("--to")?;
    let copied = copy_all(from.as_ref(), to.as_ref())
        .await
        .with_context(|| format!("migrating {from_shown} to {to_shown}"))?;
    let verified = verify_chain(to.as_ref()).await?;
    let ok = verified.ok();
    if args.format == ShowFormat::Json {
        print(&output::json(&Migrated {
            from: from_shown,
            to: to_shown,
            copied,
            verified,
        })?)?;
    } else if let Some(p) = &verified.problem {
        eprintln!(
            "migrate copied {} events, but audit verify FAILED on {to_shown}: {}",
            copied.events, p.message
        );
    } else {
        print(&format!(
            "Migrated {} events, {}{} registers, {} risks, {} issues and {} meetings, proposals and agreed registers from {from_shown} to {to_shown}.\n\
             audit verify ok on the target: {} events, {} records match their last event; chain head {}\n",
            copied.events,
            if copied.settings { "the settings, " } else { "" },
            copied.registers,
            copied.risks,
            copied.issues,
            copied.review_records,
            verified.events,
            verified.records,
            verified.head.as_deref().unwrap_or("(empty)"),
        ))?;
    }
    if ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(AuditFailed.into())
    }
}

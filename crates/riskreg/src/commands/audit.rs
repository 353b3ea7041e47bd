//! `riskreg audit verify`: walks the hash chain and checks the tables against it.

use std::process::ExitCode;

use riskreg_store::verify_chain;

use super::{Session, print};
use crate::cli::{AuditCommand, ShowFormat};
use crate::exit::AuditFailed;
use crate::output;

pub async fn run(s: &Session, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { format } = command;
    let report = verify_chain(s.store.as_ref()).await?;
    if format == ShowFormat::Json {
        print(&output::json(&report)?)?;
    } else if let Some(p) = &report.problem {
        eprintln!("audit verify FAILED: {}", p.message);
        if let Some(seq) = p.seq {
            eprintln!("  first bad event: {seq}");
        }
        eprintln!("  {} events verified before it", report.events);
    } else {
        print(&format!(
            "audit verify ok: {} events, {} records match their last event; chain head {}\n",
            report.events,
            report.records,
            report.head.as_deref().unwrap_or("(empty)")
        ))?;
    }
    if report.ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(AuditFailed.into())
    }
}

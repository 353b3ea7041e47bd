//! `riskreg lint`: what a careful secretariat would fix before a paper goes out.

use std::process::ExitCode;

use chrono::Utc;
use riskreg_domain::RegisterCode;

use super::risk::register_arg;
use super::{Session, print};
use crate::cli::{LintArgs, ShowFormat};
use crate::output;

pub use riskreg_store::lint::REVIEW_MONTHS;

/// The lint findings for one register, or all.
pub async fn findings(
    s: &Session,
    register: Option<RegisterCode>,
    months: u32,
) -> anyhow::Result<Vec<riskreg_domain::lint::Finding>> {
    Ok(s.store.lint(register, months, Utc::now()).await?)
}

pub async fn run(s: &Session, args: LintArgs) -> anyhow::Result<ExitCode> {
    let register = args.register.as_deref().map(register_arg).transpose()?;
    let findings = findings(s, register, args.months).await?;
    match args.format {
        ShowFormat::Json => print(&output::json(&findings)?),
        ShowFormat::Table if findings.is_empty() => print("No findings.\n"),
        ShowFormat::Table => {
            let mut t = output::table();
            t.set_header(["Ref", "Rule", "Finding"]);
            for f in &findings {
                t.add_row(vec![f.reference.clone(), f.rule.as_str().to_owned(), f.message.clone()]);
            }
            print(&format!(
                "{t}\n{} finding{}\n",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ))
        }
    }
}

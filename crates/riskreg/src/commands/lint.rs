//! `riskreg lint`: what a careful secretariat would fix before a paper goes out.

use std::collections::HashSet;
use std::process::ExitCode;

use chrono::Utc;
use riskreg_domain::RegisterCode;
use riskreg_domain::lint::{LintOptions, lint};
use riskreg_store::RecordQuery;

use super::risk::register_arg;
use super::{Session, print};
use crate::cli::{LintArgs, ShowFormat};
use crate::output;

/// How many months without a change before a live risk is reported as not reviewed.
pub const REVIEW_MONTHS: u32 = 3;

/// The lint findings for one register, or all.
pub async fn findings(
    s: &Session,
    register: Option<RegisterCode>,
    months: u32,
) -> anyhow::Result<Vec<riskreg_domain::lint::Finding>> {
    let live = RecordQuery {
        register,
        as_at: None,
        include_closed: false,
    };
    let risks = s.store.risks(&live).await?;
    let issues = s.store.issues(&live).await?;
    let every = RecordQuery {
        register: None,
        as_at: None,
        include_closed: true,
    };
    let known: HashSet<_> = s.store.risks(&every).await?.into_iter().map(|r| r.reference).collect();
    let settings = s.store.settings().await?;
    let options = LintOptions {
        now: Utc::now(),
        review_months: months,
    };
    Ok(lint(&risks, &issues, &known, &settings, &options))
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

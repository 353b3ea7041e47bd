//! `riskreg init` and `riskreg demo`.

use std::process::ExitCode;

use super::{Session, print};

/// The SEC Panel's register as it stood for its August 2018 paper, with its July history.
const DEMO: &str = include_str!("../../data/sec-panel-2018-08.json");

pub async fn init(s: &Session) -> anyhow::Result<ExitCode> {
    if s.store.init(s.ctx()).await? {
        print("Initialised with the default scales (5×5) and impact classification.\n")
    } else {
        print("Already initialised; nothing changed.\n")
    }
}

pub async fn demo(s: &Session) -> anyhow::Result<ExitCode> {
    s.store.init(s.ctx()).await?;
    let mut ctx = s.ctx();
    ctx.reason.get_or_insert_with(|| "SEC Panel demo".to_owned());
    let summary = s.store.import_text(DEMO, &ctx).await?;
    print(&format!(
        "Loaded the SEC Panel demo: {} registers, {} risks, {} issues ({} versions), {} meeting with {} proposals.\n\
         Try: riskreg risk list --register PANEL\n     riskreg paper --meeting PANEL/2018-08-10 --format html --out paper.html\n",
        summary.registers, summary.risks, summary.issues, summary.versions, summary.meetings, summary.proposals
    ))
}

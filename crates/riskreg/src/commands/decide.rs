//! `riskreg decide ID` and `riskreg proposal list|show`.

use std::process::ExitCode;

use riskreg_domain::review::{Decision, Proposal};

use super::meeting::meeting_arg;
use super::{Session, print};
use crate::cli::{DecideArgs, ProposalCommand, ShowFormat};
use crate::output;

pub fn proposals_table(proposals: &[Proposal]) -> String {
    let mut t = output::table();
    t.set_header(["Id", "Kind", "About", "Status", "Rationale", "Minute"]);
    for p in proposals {
        let about = p
            .fields
            .change
            .target()
            .map(|(_, r, _)| r.to_string())
            .unwrap_or_default();
        let mut rationale = p.fields.rationale.split("\n\n").next().unwrap_or_default().to_owned();
        if rationale.chars().count() > 160 {
            rationale = rationale.chars().take(157).collect::<String>() + "…";
        }
        t.add_row(vec![
            p.id.to_string(),
            p.fields.change.kind().to_owned(),
            about,
            p.fields.status.as_str().to_owned(),
            rationale,
            p.fields.minute.clone().unwrap_or_default(),
        ]);
    }
    format!("{t}\n")
}

pub async fn list(s: &Session, command: ProposalCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProposalCommand::List { meeting, format } => {
            let proposals = s.store.proposals(&meeting_arg(&meeting)?).await?;
            match format {
                ShowFormat::Table => print(&proposals_table(&proposals)),
                ShowFormat::Json => print(&output::json(&proposals)?),
            }
        }
        ProposalCommand::Show { id, format } => {
            let p = s.store.proposal(id).await?;
            match format {
                ShowFormat::Table => print(&format!(
                    "{}{}\n",
                    proposals_table(std::slice::from_ref(&p)),
                    p.fields.rationale
                )),
                ShowFormat::Json => print(&output::json(&p)?),
            }
        }
    }
}

pub async fn decide(s: &Session, args: DecideArgs) -> anyhow::Result<ExitCode> {
    let decision = if args.agreed {
        Decision::Agreed
    } else if args.rejected {
        Decision::Rejected
    } else {
        Decision::Deferred
    };
    let to = args.to.as_deref().map(meeting_arg).transpose()?;
    let p = s.store.decide(args.id, decision, args.minute, to, s.ctx()).await?;
    let mut out = format!("proposal {}: {}", p.id, p.fields.status.as_str());
    if let Some(to) = &p.fields.deferred_to {
        out.push_str(&format!(" to {to}"));
    }
    out.push('\n');
    if s.store.meeting(&p.meeting).await?.fields.closed {
        out.push_str(&format!(
            "Every proposal to {} is decided; the register as agreed is kept.\n",
            p.meeting
        ));
    }
    print(&out)
}

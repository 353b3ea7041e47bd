//! `riskreg meeting add|list|show`.

use std::process::ExitCode;

use chrono::NaiveDate;
use riskreg_domain::review::{Meeting, MeetingFields, MeetingRef};
use riskreg_domain::{RegisterCode, ValidationError};
use riskreg_store::StoreError;

use super::{Session, print};
use crate::cli::{MeetingCommand, ShowFormat};
use crate::output;

/// Parses a meeting given on the command line as BODY/DATE.
pub fn meeting_arg(value: &str) -> Result<MeetingRef, StoreError> {
    MeetingRef::parse(value).map_err(StoreError::from)
}

fn date_arg(field: &str, value: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| ValidationError::new(field, format!("must be a date written YYYY-MM-DD; got {value:?}")).into())
}

pub fn meetings_table(meetings: &[Meeting]) -> String {
    let mut t = output::table();
    t.set_header(["Meeting", "Title", "Paper issued", "Author", "Status"]);
    for m in meetings {
        t.add_row(vec![
            m.reference.to_string(),
            m.fields.title.clone().unwrap_or_default(),
            m.fields.paper_on.map(|d| d.to_string()).unwrap_or_default(),
            m.fields.author.clone().unwrap_or_default(),
            if m.fields.closed {
                "decided".into()
            } else {
                "open".into()
            },
        ]);
    }
    format!("{t}\n")
}

pub async fn run(s: &Session, command: MeetingCommand) -> anyhow::Result<ExitCode> {
    match command {
        MeetingCommand::Add {
            body,
            date,
            title,
            paper_on,
            author,
            team,
        } => {
            let body =
                RegisterCode::parse(&body).map_err(|e| StoreError::from(ValidationError::new("body", e.rule)))?;
            let meeting = MeetingRef {
                body,
                date: date_arg("date", &date)?,
            };
            let paper_on = paper_on.map(|d| date_arg("paper_on", &d)).transpose()?;
            let fields = MeetingFields {
                title,
                paper_on,
                author,
                team,
                closed: false,
            };
            let m = s.store.add_meeting(meeting, fields, s.ctx()).await?;
            print(&format!("{}\n", m.reference))
        }
        MeetingCommand::List { body, format } => {
            let body = body
                .map(|b| RegisterCode::parse(&b))
                .transpose()
                .map_err(StoreError::from)?;
            let meetings = s.store.meetings(body.as_ref()).await?;
            match format {
                ShowFormat::Table => print(&meetings_table(&meetings)),
                ShowFormat::Json => print(&output::json(&meetings)?),
            }
        }
        MeetingCommand::Show { meeting, format } => {
            let meeting = meeting_arg(&meeting)?;
            let m = s.store.meeting(&meeting).await?;
            let proposals = s.store.proposals(&meeting).await?;
            match format {
                ShowFormat::Table => {
                    print(&(meetings_table(std::slice::from_ref(&m)) + &super::decide::proposals_table(&proposals)))
                }
                ShowFormat::Json => print(&output::json(
                    &serde_json::json!({"meeting": m, "proposals": proposals}),
                )?),
            }
        }
    }
}

//! `riskreg propose new-risk|amend|close|escalate|convert|new-issue|issue-update`: drafts
//! for a meeting. Only a new risk touches the register, listed as proposed until decided.

use std::process::ExitCode;

use chrono::Utc;
use riskreg_domain::ValidationError;
use riskreg_store::{ProposalDraft, StoreError};

use super::meeting::meeting_arg;
use super::risk::{reference_arg, register_arg};
use super::{Session, print};
use crate::cli::{ProposalArgs, ProposeCommand};
use crate::fields::IssueFieldArgs;

/// The issue fields given, if any: all of them or none.
fn issue_fields(fields: &IssueFieldArgs) -> Result<Option<riskreg_domain::IssueFields>, StoreError> {
    let given = fields.to_change().map_err(StoreError::Invalid)?;
    if given.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        fields.to_new(Utc::now().date_naive()).map_err(StoreError::Invalid)?,
    ))
}

pub async fn run(s: &Session, command: ProposeCommand) -> anyhow::Result<ExitCode> {
    let today = Utc::now().date_naive();
    let (proposal, draft): (ProposalArgs, ProposalDraft) = match command {
        ProposeCommand::NewRisk {
            register,
            proposal,
            fields,
        } => {
            let fields = fields.to_new(today).map_err(StoreError::Invalid)?;
            (
                proposal,
                ProposalDraft::NewRisk {
                    register: register_arg(&register)?,
                    fields,
                },
            )
        }
        ProposeCommand::Amend {
            reference,
            expect_version,
            proposal,
            fields,
        } => {
            let change = fields.to_change().map_err(StoreError::Invalid)?;
            (
                proposal,
                ProposalDraft::Amend {
                    risk: reference_arg(&reference)?,
                    expected_version: expect_version,
                    change,
                },
            )
        }
        ProposeCommand::Close { reference, proposal } => (
            proposal,
            ProposalDraft::Close {
                risk: reference_arg(&reference)?,
            },
        ),
        ProposeCommand::Escalate {
            reference,
            to,
            proposal,
        } => {
            let to = riskreg_domain::RegisterCode::parse(&to)
                .map_err(|e| StoreError::from(ValidationError::new("to", e.rule)))?;
            (
                proposal,
                ProposalDraft::Escalate {
                    risk: reference_arg(&reference)?,
                    to,
                },
            )
        }
        ProposeCommand::Convert {
            reference,
            proposal,
            fields,
        } => (
            proposal,
            ProposalDraft::Convert {
                risk: reference_arg(&reference)?,
                issue: issue_fields(&fields)?,
            },
        ),
        ProposeCommand::NewIssue {
            register,
            proposal,
            fields,
        } => {
            let issue = fields.to_new(today).map_err(StoreError::Invalid)?;
            (
                proposal,
                ProposalDraft::NewIssue {
                    register: register_arg(&register)?,
                    issue,
                },
            )
        }
        ProposeCommand::IssueUpdate {
            reference,
            proposal,
            fields,
        } => {
            let change = fields.to_change().map_err(StoreError::Invalid)?;
            let change = (!change.is_empty()).then_some(change);
            (
                proposal,
                ProposalDraft::IssueUpdate {
                    issue: reference_arg(&reference)?,
                    change,
                },
            )
        }
    };
    let meeting = meeting_arg(&proposal.meeting)?;
    let p = s
        .store
        .propose(meeting, draft, proposal.rationale, proposal.recommendation, s.ctx())
        .await?;
    let target = p
        .fields
        .change
        .target()
        .map(|(_, r, _)| format!(" ({r})"))
        .unwrap_or_default();
    print(&format!(
        "proposal {}: {}{} for {}\n",
        p.id,
        p.fields.change.kind(),
        target,
        p.meeting
    ))
}

//! Fills a [`Paper`] for a meeting from any store: the proposals put to it (amendments as
//! tracked changes against the version they were drafted on, new risks, issue updates),
//! the recommendations they call for, and the register as it will stand if they are agreed.

use std::collections::HashMap;

use chrono::NaiveDate;
use riskreg_domain::review::{
    Meeting, MeetingRef, Proposal, ProposalChange, ProposalStatus, default_recommendation, split_recommendation,
};
use riskreg_domain::view::{IssueView, RiskView};
use riskreg_domain::{IssueStatus, RecordRef, RiskFields};
use riskreg_store::review::Snapshot;
use riskreg_store::{RecordQuery, RecordType, Store, StoreError, StoreResult};

use crate::model::{Amendment, IssueEntry, IssueUpdate, Movement, NewRisk, Paper, Recommendation, RiskEntry};

/// Who wrote the paper, when they are not recorded on the meeting (or to override it).
#[derive(Debug, Clone, Default)]
pub struct Authorship {
    pub author: Option<String>,
    pub team: Option<String>,
}

/// Splits a narrative into paragraphs at blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The paper for `meeting`, as the register will stand if its proposals are agreed.
pub async fn paper_for_meeting(
    store: &(dyn Store + 'static),
    meeting: &MeetingRef,
    who: &Authorship,
) -> StoreResult<Paper> {
    let m: Meeting = store.meeting(meeting).await?;
    let register = store.register(&meeting.body, None).await?;
    let settings = store.settings().await?;
    let author = who
        .author
        .clone()
        .or(m.fields.author.clone())
        .ok_or_else(|| StoreError::invalid("author", "is needed: give --author or record it on the meeting"))?;
    let team = who.team.clone().or(m.fields.team.clone()).unwrap_or_default();
    let date = m.fields.paper_on.unwrap_or(meeting.date);
    let body_name = register.fields.name.clone();
    let mut paper = Paper::new(&body_name, meeting.body.clone(), date, author, team, settings.clone());

    let previous = store.previous_snapshot(meeting).await?;
    // Mitigations are new if added since the previous paper of this body.
    let last_paper: Option<NaiveDate> = match &previous {
        Some((prev, _)) => Some(prev.fields.paper_on.unwrap_or(prev.reference.date)),
        None => register.fields.last_paper_on,
    };

    let proposals: Vec<Proposal> = store
        .proposals(meeting)
        .await?
        .into_iter()
        .filter(|p| p.fields.status != ProposalStatus::Deferred)
        .collect();

    // The risks as the paper shows them: amendments put to this meeting applied.
    let mut proposed: HashMap<RecordRef, RiskFields> = HashMap::new();
    let next_issue = store
        .issues(&RecordQuery {
            register: Some(meeting.body.clone()),
            as_at: None,
            include_closed: true,
        })
        .await?
        .iter()
        .map(|i| i.reference.number)
        .max()
        .unwrap_or(0);
    let mut new_issues = 0;
    for p in &proposals {
        let narrative = paragraphs(&p.fields.rationale);
        match &p.fields.change {
            ProposalChange::Amend {
                risk,
                base_version,
                fields,
            } if risk.register == meeting.body => {
                let old = risk_version(store, risk, *base_version).await?;
                paper
                    .amendments
                    .push(Amendment::between(risk.number, narrative, &old, fields));
                proposed.insert(risk.clone(), fields.clone());
            }
            ProposalChange::Close { risk, base_version }
            | ProposalChange::Escalate { risk, base_version, .. }
            | ProposalChange::Convert { risk, base_version, .. }
                if risk.register == meeting.body =>
            {
                let old = risk_version(store, risk, *base_version).await?;
                paper
                    .amendments
                    .push(Amendment::between(risk.number, narrative, &old, &old));
            }
            ProposalChange::NewRisk { risk } if risk.register == meeting.body => {
                paper.new_risks.push(NewRisk {
                    risk: risk.number,
                    narrative,
                });
            }
            ProposalChange::IssueUpdate { issue, .. } if issue.register == meeting.body => {
                paper.issue_updates.push(IssueUpdate {
                    issue: issue.number,
                    new: false,
                    narrative,
                });
            }
            ProposalChange::NewIssue { register, .. } if register == &meeting.body => {
                new_issues += 1;
                paper.issue_updates.push(IssueUpdate {
                    issue: next_issue + new_issues,
                    new: true,
                    narrative,
                });
            }
            _ => {}
        }
        let (verb, text) = match &p.fields.recommendation {
            Some(r) => split_recommendation(r),
            None => {
                let (verb, text) = default_recommendation(&p.fields.change, &body_name);
                (verb.to_owned(), text)
            }
        };
        let rec = Recommendation::new(verb, text);
        if !paper.recommendations.contains(&rec) {
            paper.recommendations.push(rec);
        }
    }

    let live = store
        .risks(&RecordQuery {
            register: Some(meeting.body.clone()),
            as_at: None,
            include_closed: false,
        })
        .await?;
    for mut risk in live {
        if let Some(fields) = proposed.remove(&risk.reference) {
            risk.fields = fields;
        }
        let view = RiskView::new(&risk, &settings, last_paper);
        let movement = previous
            .as_ref()
            .map(|(_, snap): &(Meeting, Snapshot)| Movement::since(snap.severity(&risk.reference), risk.severity()));
        paper.risks.push(RiskEntry { risk: view, movement });
    }

    let issues = store
        .issues(&RecordQuery {
            register: Some(meeting.body.clone()),
            as_at: None,
            include_closed: false,
        })
        .await?;
    for issue in issues.iter().filter(|i| i.fields.status == IssueStatus::Open) {
        let associated_risk_statement = match &issue.fields.associated_risk {
            Some(r) => match store.risk(r, None).await {
                // Quote the risk where the reader cannot find it in Appendix A.
                Ok(risk) if !risk.fields.status.is_live() || r.register != meeting.body => Some(risk.fields.statement),
                _ => None,
            },
            None => None,
        };
        paper.issues.push(IssueEntry {
            issue: IssueView::new(issue, last_paper),
            associated_risk_statement,
        });
    }
    Ok(paper)
}

/// A risk as it read at one version, from its history.
async fn risk_version(store: &(dyn Store + 'static), risk: &RecordRef, version: u32) -> StoreResult<RiskFields> {
    let events = store.history(RecordType::Risk, &risk.to_string()).await?;
    let event = events
        .into_iter()
        .find(|e| e.version == version)
        .ok_or_else(|| StoreError::NotFound(format!("version {version} of risk {risk}")))?;
    serde_json::from_value(event.after.unwrap_or_default()).map_err(StoreError::other)
}

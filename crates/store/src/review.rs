//! Reading and running the review cycle through any store: meetings, proposals, decisions
//! and the snapshots of registers as agreed. The writes themselves are in the engine.

use riskreg_domain::review::{Decision, Meeting, MeetingFields, MeetingRef, Proposal, ProposalStatus};
use riskreg_domain::{RecordRef, RegisterCode};
use serde::Deserialize;

use crate::engine::{Applied, Change, ProposalDraft, WriteContext};
use crate::engine::{meeting_from, proposal_from};
use crate::error::{StoreError, StoreResult};
use crate::event::RecordType;
use crate::store::Store;

/// A register as agreed at a meeting.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Snapshot {
    pub register: RegisterCode,
    pub risks: Vec<SnapshotRecord<riskreg_domain::RiskFields>>,
    pub issues: Vec<SnapshotRecord<riskreg_domain::IssueFields>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SnapshotRecord<T> {
    #[serde(rename = "ref")]
    pub reference: RecordRef,
    pub version: u32,
    pub fields: T,
}

impl Snapshot {
    pub fn risk(&self, reference: &RecordRef) -> Option<&SnapshotRecord<riskreg_domain::RiskFields>> {
        self.risks.iter().find(|r| &r.reference == reference)
    }

    /// The risk's severity as agreed, if it was on the register then.
    pub fn severity(&self, reference: &RecordRef) -> Option<u16> {
        self.risk(reference).map(|r| r.fields.severity())
    }
}

impl dyn Store {
    /// Every meeting, of one body or all, in date order.
    pub async fn meetings(&self, body: Option<&RegisterCode>) -> StoreResult<Vec<Meeting>> {
        let mut meetings = self
            .json_records(RecordType::Meeting)
            .await?
            .iter()
            .map(meeting_from)
            .collect::<StoreResult<Vec<_>>>()?;
        meetings.retain(|m| body.is_none_or(|b| &m.reference.body == b));
        meetings.sort_by(|a, b| {
            a.reference
                .date
                .cmp(&b.reference.date)
                .then(a.reference.body.cmp(&b.reference.body))
        });
        Ok(meetings)
    }

    pub async fn meeting(&self, meeting: &MeetingRef) -> StoreResult<Meeting> {
        let record = self
            .json_record(RecordType::Meeting, &meeting.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("meeting {meeting}")))?;
        meeting_from(&record)
    }

    /// The last meeting of the same body before `meeting`, if any.
    pub async fn previous_meeting(&self, meeting: &MeetingRef) -> StoreResult<Option<Meeting>> {
        Ok(self
            .meetings(Some(&meeting.body))
            .await?
            .into_iter()
            .rfind(|m| m.reference.date < meeting.date))
    }

    /// The proposals put to a meeting, in the order they were drafted.
    pub async fn proposals(&self, meeting: &MeetingRef) -> StoreResult<Vec<Proposal>> {
        self.meeting(meeting).await?;
        let mut proposals = self
            .json_records(RecordType::Proposal)
            .await?
            .iter()
            .map(proposal_from)
            .collect::<StoreResult<Vec<_>>>()?;
        proposals.retain(|p| &p.meeting == meeting);
        proposals.sort_by_key(|p| p.id);
        Ok(proposals)
    }

    pub async fn proposal(&self, id: u32) -> StoreResult<Proposal> {
        let record = self
            .json_record(RecordType::Proposal, &id.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        proposal_from(&record)
    }

    /// The register as agreed at a meeting, once every proposal to it has been decided.
    pub async fn snapshot(&self, meeting: &MeetingRef) -> StoreResult<Option<Snapshot>> {
        match self.json_record(RecordType::Snapshot, &meeting.to_string()).await? {
            Some(r) => Ok(Some(serde_json::from_value(r.body).map_err(StoreError::other)?)),
            None => Ok(None),
        }
    }

    pub async fn add_meeting(
        &self,
        meeting: MeetingRef,
        fields: MeetingFields,
        ctx: WriteContext,
    ) -> StoreResult<Meeting> {
        match self.write_one(Change::CreateMeeting { meeting, fields }, ctx).await? {
            Applied::Meeting(m) => Ok(m),
            _ => Err(StoreError::other("unexpected result")),
        }
    }

    pub async fn propose(
        &self,
        meeting: MeetingRef,
        draft: ProposalDraft,
        rationale: String,
        recommendation: Option<String>,
        ctx: WriteContext,
    ) -> StoreResult<Proposal> {
        match self
            .write_one(
                Change::Propose {
                    meeting,
                    draft,
                    rationale,
                    recommendation,
                },
                ctx,
            )
            .await?
        {
            Applied::Proposal(p) => Ok(p),
            _ => Err(StoreError::other("unexpected result")),
        }
    }

    pub async fn decide(
        &self,
        id: u32,
        decision: Decision,
        minute: Option<String>,
        defer_to: Option<MeetingRef>,
        ctx: WriteContext,
    ) -> StoreResult<Proposal> {
        match self
            .write_one(
                Change::Decide {
                    id,
                    decision,
                    minute,
                    defer_to,
                },
                ctx,
            )
            .await?
        {
            Applied::Proposal(p) => Ok(p),
            _ => Err(StoreError::other("unexpected result")),
        }
    }

    /// The register as agreed at the body's previous meeting, if it was kept: what a
    /// paper compares against for movement and for what is new.
    pub async fn previous_snapshot(&self, meeting: &MeetingRef) -> StoreResult<Option<(Meeting, Snapshot)>> {
        let Some(previous) = self.previous_meeting(meeting).await? else {
            return Ok(None);
        };
        Ok(self.snapshot(&previous.reference).await?.map(|s| (previous, s)))
    }

    /// Whether a pending proposal's target has changed since it was drafted, so that it
    /// must be redrafted before it can be agreed. Decided proposals are never stale.
    pub async fn proposal_is_stale(&self, proposal: &Proposal) -> StoreResult<bool> {
        if proposal.fields.status != ProposalStatus::Pending {
            return Ok(false);
        }
        let Some((kind, reference, Some(base))) = proposal.fields.change.target() else {
            return Ok(false);
        };
        let current = if kind == "issue" {
            self.issue(reference, None).await?.revision.version
        } else {
            self.risk(reference, None).await?.revision.version
        };
        Ok(current != base)
    }

    /// Whether every proposal to the meeting has been decided.
    pub async fn meeting_decided(&self, meeting: &MeetingRef) -> StoreResult<bool> {
        Ok(self
            .proposals(meeting)
            .await?
            .iter()
            .all(|p| p.fields.status != ProposalStatus::Pending))
    }
}

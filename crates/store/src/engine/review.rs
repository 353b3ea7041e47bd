//! The review cycle inside the write engine: meetings, proposals and decisions. Proposals
//! remember the version of the record they were drafted against; a decision to agree one
//! applies it in the same transaction, or reports it stale if its target has moved on.
//! When a meeting's last proposal is decided, the register as agreed is kept as a snapshot.

use riskreg_domain::register::Revision;
use riskreg_domain::review::{
    Decision, Meeting, MeetingFields, MeetingRef, Proposal, ProposalChange, ProposalFields, ProposalStatus,
    StoredProposal,
};
use riskreg_domain::{
    Issue, IssueChange, IssueFields, IssueStatus, RecordRef, RegisterCode, Risk, RiskChange, RiskFields, RiskStatus,
};
use serde_json::json;

use super::{Applied, Engine, EventDraft, WriteContext, to_value};
use crate::error::{StoreError, StoreResult};
use crate::event::RecordType;
use crate::store::JsonRecord;

/// A proposal as the secretariat drafts it; the engine turns it into a [`ProposalChange`]
/// pinned to the current version of its target.
#[derive(Debug, Clone)]
pub enum ProposalDraft {
    NewRisk {
        register: RegisterCode,
        fields: RiskFields,
    },
    Amend {
        risk: RecordRef,
        expected_version: Option<u32>,
        change: RiskChange,
    },
    Close {
        risk: RecordRef,
    },
    Escalate {
        risk: RecordRef,
        to: RegisterCode,
    },
    /// `issue: None` words the issue from the risk itself.
    Convert {
        risk: RecordRef,
        issue: Option<IssueFields>,
    },
    NewIssue {
        register: RegisterCode,
        issue: IssueFields,
    },
    IssueUpdate {
        issue: RecordRef,
        change: Option<IssueChange>,
    },
}

fn stale(what: &RecordRef, drafted: u32, now: u32) -> StoreError {
    StoreError::Conflict(format!(
        "the proposal is stale: {what} has changed since it was drafted (version {drafted}, now {now}); redraft it"
    ))
}

fn risk_of(applied: Applied) -> StoreResult<Risk> {
    match applied {
        Applied::Risk(r) => Ok(r),
        _ => Err(StoreError::other("expected a risk")),
    }
}

fn issue_of(applied: Applied) -> StoreResult<Issue> {
    match applied {
        Applied::Issue(i) => Ok(i),
        _ => Err(StoreError::other("expected an issue")),
    }
}

/// Reads a stored meeting.
pub fn meeting_from(record: &JsonRecord) -> StoreResult<Meeting> {
    Ok(Meeting {
        reference: MeetingRef::parse(&record.key)?,
        fields: serde_json::from_value(record.body.clone()).map_err(StoreError::other)?,
        revision: record.revision.clone(),
    })
}

/// Reads a stored proposal.
pub fn proposal_from(record: &JsonRecord) -> StoreResult<Proposal> {
    let stored: StoredProposal = serde_json::from_value(record.body.clone()).map_err(StoreError::other)?;
    Ok(Proposal {
        id: record
            .key
            .parse()
            .map_err(|_| StoreError::Other(format!("bad proposal key {:?}", record.key)))?,
        meeting: stored.meeting,
        fields: stored.proposal,
        revision: record.revision.clone(),
    })
}

/// Where a JSON record goes: its type, key and the register its events belong to.
struct Slot<'a> {
    record_type: RecordType,
    key: String,
    register: &'a RegisterCode,
}

impl Engine<'_> {
    async fn meeting(&mut self, meeting: &MeetingRef) -> StoreResult<Meeting> {
        let record = self
            .tx
            .json_record(RecordType::Meeting, &meeting.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("meeting {meeting}")))?;
        meeting_from(&record)
    }

    async fn open_meeting(&mut self, meeting: &MeetingRef) -> StoreResult<Meeting> {
        let m = self.meeting(meeting).await?;
        if m.fields.closed {
            return Err(StoreError::invalid(
                "meeting",
                format!("{meeting} is closed: every proposal put to it has been decided"),
            ));
        }
        Ok(m)
    }

    /// Writes a JSON record and its event.
    async fn put_json(
        &mut self,
        ctx: &WriteContext,
        slot: Slot<'_>,
        body: serde_json::Value,
        previous: Option<&JsonRecord>,
        kind: &str,
    ) -> StoreResult<JsonRecord> {
        let Slot {
            record_type,
            key,
            register,
        } = slot;
        let at = self.effective_at(ctx, previous.map(|p| p.revision.updated_at))?;
        let version = previous.map_or(1, |p| p.revision.version + 1);
        let record = JsonRecord {
            key: key.clone(),
            body: body.clone(),
            revision: Revision {
                version,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.put_json_record(record_type, &record).await?;
        let draft = EventDraft {
            kind,
            record_type,
            record_key: key,
            register: Some(register.to_string()),
            version,
            before: previous.map(|p| p.body.clone()),
            after: body,
        };
        self.append(ctx, at, draft).await?;
        Ok(record)
    }

    pub(super) async fn create_meeting(
        &mut self,
        ctx: &WriteContext,
        meeting: MeetingRef,
        fields: MeetingFields,
    ) -> StoreResult<Applied> {
        let fields = fields.normalised()?;
        self.require_register(&meeting.body).await?;
        let key = meeting.to_string();
        if self.tx.json_record(RecordType::Meeting, &key).await?.is_some() {
            return Err(StoreError::Conflict(format!("meeting {meeting} already exists")));
        }
        let record = self
            .put_json(
                ctx,
                Slot {
                    record_type: RecordType::Meeting,
                    key,
                    register: &meeting.body,
                },
                to_value(&fields)?,
                None,
                "created",
            )
            .await?;
        Ok(Applied::Meeting(Meeting {
            reference: meeting,
            fields,
            revision: record.revision,
        }))
    }

    async fn next_proposal_id(&mut self) -> StoreResult<u32> {
        let records = self.tx.json_records(RecordType::Proposal).await?;
        Ok(records
            .iter()
            .filter_map(|r| r.key.parse::<u32>().ok())
            .max()
            .unwrap_or(0)
            + 1)
    }

    async fn write_proposal(
        &mut self,
        ctx: &WriteContext,
        id: u32,
        meeting: MeetingRef,
        fields: ProposalFields,
        previous: Option<&JsonRecord>,
        kind: &str,
    ) -> StoreResult<Proposal> {
        let stored = StoredProposal {
            meeting: meeting.clone(),
            proposal: fields.clone(),
        };
        let body = to_value(&stored)?;
        let record = self
            .put_json(
                ctx,
                Slot {
                    record_type: RecordType::Proposal,
                    key: id.to_string(),
                    register: &meeting.body,
                },
                body,
                previous,
                kind,
            )
            .await?;
        Ok(Proposal {
            id,
            meeting,
            fields,
            revision: record.revision,
        })
    }

    pub(super) async fn propose(
        &mut self,
        ctx: &WriteContext,
        meeting: MeetingRef,
        draft: ProposalDraft,
        rationale: String,
        recommendation: Option<String>,
    ) -> StoreResult<Applied> {
        self.open_meeting(&meeting).await?;
        // Check the words before anything is written, so a bad draft leaves no trace.
        let mut fields = ProposalFields::new(
            ProposalChange::NewRisk {
                risk: RecordRef::new(meeting.body.clone(), 1),
            },
            rationale,
        );
        fields.recommendation = recommendation;
        let mut fields = fields.normalised()?;
        fields.change = self.pin(ctx, draft).await?;
        let id = self.next_proposal_id().await?;
        let proposal = self.write_proposal(ctx, id, meeting, fields, None, "created").await?;
        Ok(Applied::Proposal(proposal))
    }

    /// Turns a draft into a change pinned to its target's current version.
    async fn pin(&mut self, ctx: &WriteContext, draft: ProposalDraft) -> StoreResult<ProposalChange> {
        let today = self.effective_at(ctx, None)?.date_naive();
        Ok(match draft {
            ProposalDraft::NewRisk { register, mut fields } => {
                fields.status = RiskStatus::Proposed;
                let risk = risk_of(self.create_risk(ctx, register, None, fields).await?)?;
                ProposalChange::NewRisk { risk: risk.reference }
            }
            ProposalDraft::Amend {
                risk,
                expected_version,
                change,
            } => {
                let current = self.live_risk(&risk).await?;
                if let Some(v) = expected_version
                    && v != current.revision.version
                {
                    return Err(stale(&risk, v, current.revision.version));
                }
                if change.is_empty() {
                    return Err(StoreError::invalid("change", "names no field to change"));
                }
                let fields = change
                    .apply(&current.fields, today)?
                    .normalised(&self.settings(), today)?;
                if fields == current.fields {
                    return Err(StoreError::invalid(
                        "change",
                        "changes nothing: the risk already reads so",
                    ));
                }
                ProposalChange::Amend {
                    risk,
                    base_version: current.revision.version,
                    fields,
                }
            }
            ProposalDraft::Close { risk } => {
                let current = self.live_risk(&risk).await?;
                ProposalChange::Close {
                    risk,
                    base_version: current.revision.version,
                }
            }
            ProposalDraft::Escalate { risk, to } => {
                let current = self.live_risk(&risk).await?;
                self.check_ancestor(&risk.register, &to).await?;
                ProposalChange::Escalate {
                    risk,
                    base_version: current.revision.version,
                    to,
                }
            }
            ProposalDraft::Convert { risk, issue } => {
                let current = self.live_risk(&risk).await?;
                let mut issue = issue.unwrap_or_else(|| {
                    let f = &current.fields;
                    let mut i = IssueFields::new(f.statement.clone(), f.impact, f.rag);
                    i.impacts = f.consequences.clone();
                    i.owner = f.owner.clone();
                    i.raised_by = f.raised_by.clone();
                    i.category = f.category.clone();
                    i.mitigations = f.mitigations.clone();
                    i
                });
                issue.associated_risk = Some(risk.clone());
                issue.raised_on.get_or_insert(today);
                let issue = issue.normalised(&self.settings(), today)?;
                ProposalChange::Convert {
                    risk,
                    base_version: current.revision.version,
                    issue,
                }
            }
            ProposalDraft::NewIssue { register, issue } => {
                self.require_register(&register).await?;
                ProposalChange::NewIssue {
                    register,
                    issue: issue.normalised(&self.settings(), today)?,
                }
            }
            ProposalDraft::IssueUpdate { issue, change } => {
                let current = self.existing_issue(&issue).await?;
                if current.fields.status != IssueStatus::Open {
                    return Err(StoreError::invalid("issue", format!("issue {issue} is closed")));
                }
                let fields = match change {
                    Some(c) if !c.is_empty() => {
                        Some(c.apply(&current.fields, today)?.normalised(&self.settings(), today)?)
                    }
                    _ => None,
                };
                ProposalChange::IssueUpdate {
                    issue,
                    base_version: current.revision.version,
                    fields,
                }
            }
        })
    }

    async fn live_risk(&mut self, reference: &RecordRef) -> StoreResult<Risk> {
        let risk = self.existing_risk(reference).await?;
        if !risk.fields.status.is_live() {
            return Err(StoreError::invalid(
                "risk",
                format!("risk {reference} is {}, not open", risk.fields.status.as_str()),
            ));
        }
        Ok(risk)
    }

    async fn check_ancestor(&mut self, register: &RegisterCode, to: &RegisterCode) -> StoreResult<()> {
        let mut next = self.require_register(register).await?.fields.parent;
        while let Some(code) = next {
            if &code == to {
                return Ok(());
            }
            next = self.require_register(&code).await?.fields.parent;
        }
        Err(StoreError::invalid(
            "to",
            format!("{to} is not a register that {register} escalates to (its parent or above)"),
        ))
    }

    pub(super) async fn decide(
        &mut self,
        ctx: &WriteContext,
        id: u32,
        decision: Decision,
        minute: Option<String>,
        defer_to: Option<MeetingRef>,
    ) -> StoreResult<Applied> {
        let record = self
            .tx
            .json_record(RecordType::Proposal, &id.to_string())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        let proposal = proposal_from(&record)?;
        if proposal.fields.status != ProposalStatus::Pending {
            return Err(StoreError::invalid(
                "proposal",
                format!(
                    "proposal {id} has already been decided: {}",
                    proposal.fields.status.as_str()
                ),
            ));
        }
        self.open_meeting(&proposal.meeting).await?;
        let mut fields = proposal.fields.clone();
        match decision {
            Decision::Agreed => {
                self.apply_agreed(ctx, &proposal).await?;
                fields.status = ProposalStatus::Agreed;
            }
            Decision::Rejected => {
                if let ProposalChange::NewRisk { risk } = &proposal.fields.change {
                    let current = self.existing_risk(risk).await?;
                    if current.fields.status == RiskStatus::Proposed {
                        let mut closed = current.fields.clone();
                        closed.status = RiskStatus::Closed;
                        self.replace_risk(ctx, current, None, closed).await?;
                    }
                }
                fields.status = ProposalStatus::Rejected;
            }
            Decision::Deferred => {
                let target = match defer_to {
                    Some(m) => m,
                    None => self.next_meeting(&proposal.meeting).await?,
                };
                if target.body != proposal.meeting.body || target.date <= proposal.meeting.date {
                    return Err(StoreError::invalid(
                        "to",
                        format!(
                            "must be a later meeting of {} than {}",
                            proposal.meeting.body, proposal.meeting
                        ),
                    ));
                }
                self.open_meeting(&target).await?;
                let mut carried = proposal.fields.clone();
                carried.rationale = format!("{}\n\nDeferred from {}.", carried.rationale, proposal.meeting);
                let next_id = self.next_proposal_id().await?;
                self.write_proposal(ctx, next_id, target.clone(), carried, None, "created")
                    .await?;
                fields.status = ProposalStatus::Deferred;
                fields.deferred_to = Some(target);
            }
        }
        fields.minute = minute.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
        fields.decided_at = Some(self.effective_at(ctx, None)?);
        fields.decided_by = Some(ctx.actor.trim().to_owned());
        let kind = fields.status.as_str();
        let decided = self
            .write_proposal(ctx, id, proposal.meeting.clone(), fields, Some(&record), kind)
            .await?;
        self.close_meeting_when_done(ctx, &proposal.meeting).await?;
        Ok(Applied::Proposal(decided))
    }

    async fn next_meeting(&mut self, after: &MeetingRef) -> StoreResult<MeetingRef> {
        let records = self.tx.json_records(RecordType::Meeting).await?;
        records
            .iter()
            .filter_map(|r| MeetingRef::parse(&r.key).ok())
            .filter(|m| m.body == after.body && m.date > after.date)
            .min()
            .ok_or_else(|| {
                StoreError::invalid(
                    "to",
                    format!("there is no later meeting of {} to defer to; add one first", after.body),
                )
            })
    }

    async fn apply_agreed(&mut self, ctx: &WriteContext, proposal: &Proposal) -> StoreResult<()> {
        let pinned = |current: &Risk, base: u32| {
            if current.revision.version == base {
                Ok(())
            } else {
                Err(stale(&current.reference, base, current.revision.version))
            }
        };
        match &proposal.fields.change {
            ProposalChange::NewRisk { risk } => {
                let current = self.existing_risk(risk).await?;
                if current.fields.status != RiskStatus::Proposed {
                    return Err(StoreError::Conflict(format!(
                        "the proposal is stale: risk {risk} is {}, no longer proposed",
                        current.fields.status.as_str()
                    )));
                }
                let mut open = current.fields.clone();
                open.status = RiskStatus::Open;
                self.replace_risk(ctx, current, None, open).await?;
            }
            ProposalChange::Amend {
                risk,
                base_version,
                fields,
            } => {
                let current = self.existing_risk(risk).await?;
                pinned(&current, *base_version)?;
                self.replace_risk(ctx, current, Some(*base_version), fields.clone())
                    .await?;
            }
            ProposalChange::Close { risk, base_version } => {
                let current = self.existing_risk(risk).await?;
                pinned(&current, *base_version)?;
                let mut closed = current.fields.clone();
                closed.status = RiskStatus::Closed;
                self.replace_risk(ctx, current, Some(*base_version), closed).await?;
            }
            ProposalChange::Escalate { risk, base_version, to } => {
                let current = self.existing_risk(risk).await?;
                pinned(&current, *base_version)?;
                let from = self.require_register(&risk.register).await?;
                let mut moved = current.fields.clone();
                moved.status = RiskStatus::Open;
                let origin = format!(
                    "Escalated from the {} ({}) register as {risk}",
                    from.fields.name, from.code
                );
                moved.provenance = Some(match &moved.provenance {
                    Some(p) => format!("{p}. {origin}"),
                    None => origin,
                });
                let new = risk_of(self.create_risk(ctx, to.clone(), None, moved).await?)?;
                let mut left = current.fields.clone();
                left.status = RiskStatus::Escalated;
                left.footnotes
                    .push(format!("Escalated to the {to} register as {}", new.reference));
                self.replace_risk(ctx, current, Some(*base_version), left).await?;
            }
            ProposalChange::Convert {
                risk,
                base_version,
                issue,
            } => {
                let current = self.existing_risk(risk).await?;
                pinned(&current, *base_version)?;
                let created = issue_of(
                    self.create_issue(ctx, risk.register.clone(), None, issue.clone())
                        .await?,
                )?;
                let mut converted = current.fields.clone();
                converted.status = RiskStatus::Converted;
                converted
                    .footnotes
                    .push(format!("Converted into issue {}", created.reference));
                self.replace_risk(ctx, current, Some(*base_version), converted).await?;
            }
            ProposalChange::NewIssue { register, issue } => {
                self.create_issue(ctx, register.clone(), None, issue.clone()).await?;
            }
            ProposalChange::IssueUpdate {
                issue,
                base_version,
                fields,
            } => {
                let current = self.existing_issue(issue).await?;
                if current.revision.version != *base_version {
                    return Err(stale(issue, *base_version, current.revision.version));
                }
                if let Some(fields) = fields {
                    self.replace_issue(ctx, current, Some(*base_version), fields.clone())
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Once no proposal for the meeting is pending, closes it and keeps the body's register
    /// as agreed. The snapshot is written once and never replaced.
    async fn close_meeting_when_done(&mut self, ctx: &WriteContext, meeting: &MeetingRef) -> StoreResult<()> {
        let records = self.tx.json_records(RecordType::Proposal).await?;
        let mut pending = false;
        for r in &records {
            let p = proposal_from(r)?;
            if &p.meeting == meeting && p.fields.status == ProposalStatus::Pending {
                pending = true;
                break;
            }
        }
        if pending {
            return Ok(());
        }
        let key = meeting.to_string();
        let previous = self
            .tx
            .json_record(RecordType::Meeting, &key)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("meeting {meeting}")))?;
        let mut fields: MeetingFields = serde_json::from_value(previous.body.clone()).map_err(StoreError::other)?;
        fields.closed = true;
        self.put_json(
            ctx,
            Slot {
                record_type: RecordType::Meeting,
                key: key.clone(),
                register: &meeting.body,
            },
            to_value(&fields)?,
            Some(&previous),
            "closed",
        )
        .await?;
        if self.tx.json_record(RecordType::Snapshot, &key).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "the register as agreed at {meeting} is already kept"
            )));
        }
        let snapshot = self.register_snapshot(&meeting.body).await?;
        self.put_json(
            ctx,
            Slot {
                record_type: RecordType::Snapshot,
                key,
                register: &meeting.body,
            },
            snapshot,
            None,
            "created",
        )
        .await?;
        Ok(())
    }

    /// The body's register as it now stands: every live risk and open issue, with versions.
    async fn register_snapshot(&mut self, register: &RegisterCode) -> StoreResult<serde_json::Value> {
        let max_risk = self.tx.max_risk_number(register).await?;
        let mut risks = Vec::new();
        for n in 1..=max_risk {
            if let Some(r) = self.tx.risk(&RecordRef::new(register.clone(), n)).await?
                && r.fields.status.is_live()
            {
                risks.push(json!({"ref": r.reference, "version": r.revision.version, "fields": r.fields}));
            }
        }
        let max_issue = self.tx.max_issue_number(register).await?;
        let mut issues = Vec::new();
        for n in 1..=max_issue {
            if let Some(i) = self.tx.issue(&RecordRef::new(register.clone(), n)).await?
                && i.fields.status == IssueStatus::Open
            {
                issues.push(json!({"ref": i.reference, "version": i.revision.version, "fields": i.fields}));
            }
        }
        Ok(json!({"register": register, "risks": risks, "issues": issues}))
    }

    pub(super) async fn load_proposal(
        &mut self,
        ctx: &WriteContext,
        id: u32,
        stored: StoredProposal,
    ) -> StoreResult<Applied> {
        self.meeting(&stored.meeting).await?;
        let fields = stored.proposal.normalised()?;
        if id == 0 {
            return Err(StoreError::invalid("id", "must be a whole number from 1 up"));
        }
        if self
            .tx
            .json_record(RecordType::Proposal, &id.to_string())
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(format!("proposal {id} already exists")));
        }
        if let Some((kind, target, _)) = fields.change.target() {
            let exists = match kind {
                "risk" => self.tx.risk(target).await?.is_some(),
                _ => self.tx.issue(target).await?.is_some(),
            };
            if !exists {
                return Err(StoreError::invalid("change", format!("names no {kind} {target}")));
            }
        }
        let proposal = self
            .write_proposal(ctx, id, stored.meeting, fields, None, "created")
            .await?;
        Ok(Applied::Proposal(proposal))
    }

    pub(super) async fn load_snapshot(
        &mut self,
        ctx: &WriteContext,
        meeting: MeetingRef,
        body: serde_json::Value,
    ) -> StoreResult<Applied> {
        let m = self.meeting(&meeting).await?;
        if !m.fields.closed {
            return Err(StoreError::invalid(
                "snapshot",
                format!("{meeting} is not closed, so nothing was agreed yet"),
            ));
        }
        serde_json::from_value::<crate::review::Snapshot>(body.clone())
            .map_err(|e| StoreError::invalid("snapshot", format!("is not a register as agreed: {e}")))?;
        let key = meeting.to_string();
        if self.tx.json_record(RecordType::Snapshot, &key).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "the register as agreed at {meeting} is already kept"
            )));
        }
        let slot = Slot {
            record_type: RecordType::Snapshot,
            key,
            register: &meeting.body,
        };
        self.put_json(ctx, slot, body, None, "created").await?;
        Ok(Applied::Meeting(m))
    }
}

//! The write engine: turns use-case changes (create a risk, amend it, close it, ...) into
//! validated row writes and hash-chained events inside one backend transaction. Every
//! backend shares it, so versions, conflicts, validation and the chain behave identically.

mod current;
pub mod group;
mod known;
mod review;

pub use review::{ProposalDraft, meeting_from, proposal_from};

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use riskreg_domain::review::{Decision, Meeting, MeetingFields, MeetingRef, Proposal, StoredProposal};
use riskreg_domain::{
    Issue, IssueChange, IssueFields, IssueStatus, RecordRef, Register, RegisterCode, RegisterFields, Risk, RiskChange,
    RiskFields, RiskStatus, Settings, register::Revision,
};
use serde::Serialize;
use serde_json::Value;

use crate::chain::{ChainHead, canonical_json, event_hash};
use crate::error::{StoreError, StoreResult};
use crate::event::{Event, RecordType, truncate};
use crate::store::{Store, WriteTx};

/// Who makes a change, why, and (for recorded history) when it took effect.
#[derive(Debug, Clone)]
pub struct WriteContext {
    pub actor: String,
    pub reason: Option<String>,
    /// When the change took effect, if not now: only for loading dated history.
    pub at: Option<DateTime<Utc>>,
}

impl WriteContext {
    pub fn new(actor: impl Into<String>, reason: Option<String>) -> Self {
        Self {
            actor: actor.into(),
            reason,
            at: None,
        }
    }
}

/// One change to the registers, shaped like the use case that asks for it.
#[derive(Debug, Clone)]
pub enum Change {
    Settings(Settings),
    CreateRegister {
        code: RegisterCode,
        fields: RegisterFields,
    },
    AmendRegister {
        code: RegisterCode,
        expected_version: Option<u32>,
        fields: RegisterFields,
    },
    /// `number: None` takes the next number the register has never used.
    CreateRisk {
        register: RegisterCode,
        number: Option<u32>,
        fields: RiskFields,
    },
    AmendRisk {
        reference: RecordRef,
        expected_version: Option<u32>,
        change: RiskChange,
    },
    /// Replaces every field at once (loading a recorded version).
    ReplaceRisk {
        reference: RecordRef,
        expected_version: Option<u32>,
        fields: RiskFields,
    },
    CreateIssue {
        register: RegisterCode,
        number: Option<u32>,
        fields: IssueFields,
    },
    AmendIssue {
        reference: RecordRef,
        expected_version: Option<u32>,
        change: IssueChange,
    },
    ReplaceIssue {
        reference: RecordRef,
        expected_version: Option<u32>,
        fields: IssueFields,
    },
    CreateMeeting {
        meeting: MeetingRef,
        fields: MeetingFields,
    },
    /// Drafts a proposal for a meeting; only a new risk touches the register (as `proposed`).
    Propose {
        meeting: MeetingRef,
        draft: ProposalDraft,
        rationale: String,
        recommendation: Option<String>,
    },
    /// Records the committee's decision; an agreed proposal is applied in the same transaction.
    Decide {
        id: u32,
        decision: Decision,
        minute: Option<String>,
        defer_to: Option<MeetingRef>,
    },
    /// Loads a proposal as recorded elsewhere (a register file), decided or not.
    LoadProposal {
        id: u32,
        stored: StoredProposal,
    },
    /// Loads the register as agreed at a meeting, as recorded elsewhere.
    LoadSnapshot {
        meeting: MeetingRef,
        body: serde_json::Value,
    },
}

#[derive(Debug, Clone)]
pub struct Write {
    pub change: Change,
    pub ctx: WriteContext,
}

/// What a change produced: the record as it now stands.
#[derive(Debug, Clone)]
pub enum Applied {
    Settings(Settings),
    Register(Register),
    Risk(Risk),
    Issue(Issue),
    Meeting(Meeting),
    Proposal(Proposal),
}

/// Applies `writes` in order inside `tx`. On error nothing should be committed: the caller
/// drops the transaction.
pub async fn apply(tx: &mut dyn WriteTx, writes: Vec<Write>, now: DateTime<Utc>) -> StoreResult<Vec<Applied>> {
    Engine::start(tx, now).await?.apply_all(writes).await
}

/// Applies several callers' writes inside `tx` one after another, with no savepoints: all
/// of them, or the first error (then nothing may be committed). The fast path of a group
/// commit, for when no write fails.
pub async fn apply_together(
    tx: &mut dyn WriteTx,
    groups: Vec<Vec<Write>>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Vec<Applied>>> {
    let mut engine = Engine::start(tx, now).await?;
    engine.read_ahead(groups.iter().flatten()).await?;
    let mut applied = Vec::with_capacity(groups.len());
    for writes in groups {
        applied.push(engine.apply_all(writes).await?);
    }
    // An insert held back must fail here, where the group is done again write by write,
    // and not at the commit, which would fail every caller alike.
    engine.tx.flush().await?;
    Ok(applied)
}

/// Applies several callers' writes inside `tx` (a group commit): each caller's writes in a
/// savepoint of their own, so that a caller whose writes fail is undone alone and gets its
/// error as its answer, while the others stand. An error of the transaction itself comes
/// back whole, and then nothing may be committed.
pub async fn apply_group(
    tx: &mut dyn WriteTx,
    groups: Vec<Vec<Write>>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<StoreResult<Vec<Applied>>>> {
    let mut engine = Engine::start(tx, now).await?;
    if groups.len() == 1 {
        // One caller: the transaction is its savepoint (on error it is not committed).
        let writes = groups.into_iter().next().unwrap_or_default();
        return Ok(vec![engine.apply_flushed(writes).await]);
    }
    let mut answers = Vec::with_capacity(groups.len());
    for writes in groups {
        let (head, settings) = (engine.head.clone(), engine.settings.clone());
        engine.tx.savepoint().await?;
        let answer = engine.apply_flushed(writes).await;
        if answer.is_ok() {
            engine.tx.release_savepoint().await?;
        } else {
            engine.tx.rollback_to_savepoint().await?;
            engine.head = head;
            engine.settings = settings;
            engine.forget_known();
        }
        answers.push(answer);
    }
    Ok(answers)
}

struct Engine<'a> {
    tx: &'a mut dyn WriteTx,
    head: ChainHead,
    settings: Option<(Settings, u32)>,
    known: known::Known,
    current: current::Current,
    now: DateTime<Utc>,
}

struct EventDraft<'a> {
    kind: &'a str,
    record_type: RecordType,
    record_key: String,
    register: Option<String>,
    version: u32,
    before: Option<Value>,
    after: Value,
}

fn to_value<T: Serialize>(v: &T) -> StoreResult<Value> {
    serde_json::to_value(v).map_err(StoreError::other)
}

fn check_version(what: &str, expected: Option<u32>, actual: u32) -> StoreResult<()> {
    match expected {
        Some(e) if e != actual => Err(StoreError::Conflict(format!(
            "{what} is at version {actual}, not the expected version {e}; it was changed since you read it"
        ))),
        _ => Ok(()),
    }
}

fn kind_for_risk(before: &RiskFields, after: &RiskFields) -> &'static str {
    match (before.status, after.status) {
        (a, RiskStatus::Closed) if a != RiskStatus::Closed => "closed",
        (a, RiskStatus::Escalated) if a != RiskStatus::Escalated => "escalated",
        (a, RiskStatus::Converted) if a != RiskStatus::Converted => "converted",
        _ => "amended",
    }
}

impl<'a> Engine<'a> {
    /// The settings in force, borrowed: every record created or changed is checked against
    /// them, and a batch of a hundred thousand should not copy them for each.
    fn settings(&self) -> Cow<'_, Settings> {
        match &self.settings {
            Some((s, _)) => Cow::Borrowed(s),
            None => Cow::Borrowed(Settings::defaults()),
        }
    }

    /// The instant a change takes effect: its recorded time, or now. Recorded times may not
    /// lie in the future, nor before the version they replace.
    fn effective_at(&self, ctx: &WriteContext, after: Option<DateTime<Utc>>) -> StoreResult<DateTime<Utc>> {
        let at = ctx.at.map(truncate).unwrap_or(self.now);
        if at > self.now {
            return Err(StoreError::invalid("recorded.at", "must not be in the future"));
        }
        if let Some(prev) = after
            && at < prev
        {
            return Err(StoreError::invalid(
                "recorded.at",
                format!("must not be earlier than the version it replaces ({prev})"),
            ));
        }
        Ok(at)
    }

    fn check_actor(ctx: &WriteContext) -> StoreResult<()> {
        if ctx.actor.trim().is_empty() {
            return Err(StoreError::invalid("actor", "must not be empty"));
        }
        Ok(())
    }

    async fn append(&mut self, ctx: &WriteContext, at: DateTime<Utc>, d: EventDraft<'_>) -> StoreResult<()> {
        let mut event = Event {
            seq: self.head.seq + 1,
            at,
            recorded_at: self.now,
            actor: ctx.actor.trim().to_owned(),
            reason: ctx
                .reason
                .as_ref()
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
            kind: d.kind.to_owned(),
            record_type: d.record_type,
            record_key: d.record_key,
            register: d.register,
            version: d.version,
            before: d.before.as_ref().map(canonical_json),
            after: Some(canonical_json(&d.after)),
            prev_hash: self.head.hash.clone(),
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        self.head = ChainHead {
            seq: event.seq,
            hash: event.hash.clone(),
        };
        self.tx.append_event(event).await
    }

    async fn start(tx: &'a mut dyn WriteTx, now: DateTime<Utc>) -> StoreResult<Self> {
        let head = tx.chain_head().await?;
        let settings = tx.settings().await?;
        Ok(Self {
            tx,
            head,
            settings,
            known: known::Known::default(),
            current: current::Current::default(),
            now: truncate(now),
        })
    }

    async fn apply_all(&mut self, writes: Vec<Write>) -> StoreResult<Vec<Applied>> {
        self.read_ahead(&writes).await?;
        let mut out = Vec::with_capacity(writes.len());
        for w in writes {
            out.push(self.apply(w).await?);
        }
        Ok(out)
    }

    /// [`Engine::apply_all`], then the inserts the backend held back, so that an error one
    /// of them meets is the error of these writes.
    async fn apply_flushed(&mut self, writes: Vec<Write>) -> StoreResult<Vec<Applied>> {
        let applied = self.apply_all(writes).await?;
        self.tx.flush().await?;
        Ok(applied)
    }

    async fn apply(&mut self, w: Write) -> StoreResult<Applied> {
        Self::check_actor(&w.ctx)?;
        let ctx = w.ctx;
        match w.change {
            Change::Settings(s) => self.put_settings(&ctx, s).await,
            Change::CreateRegister { code, fields } => self.create_register(&ctx, code, fields).await,
            Change::AmendRegister {
                code,
                expected_version,
                fields,
            } => self.amend_register(&ctx, code, expected_version, fields).await,
            Change::CreateRisk {
                register,
                number,
                fields,
            } => self.create_risk(&ctx, register, number, fields).await,
            Change::AmendRisk {
                reference,
                expected_version,
                change,
            } => {
                let current = self.existing_risk(&reference).await?;
                let at = self.effective_at(&ctx, Some(current.revision.updated_at))?;
                let fields = change.apply(&current.fields, at.date_naive())?;
                self.replace_risk(&ctx, current, expected_version, fields).await
            }
            Change::ReplaceRisk {
                reference,
                expected_version,
                fields,
            } => {
                let current = self.existing_risk(&reference).await?;
                self.replace_risk(&ctx, current, expected_version, fields).await
            }
            Change::CreateIssue {
                register,
                number,
                fields,
            } => self.create_issue(&ctx, register, number, fields).await,
            Change::AmendIssue {
                reference,
                expected_version,
                change,
            } => {
                let current = self.existing_issue(&reference).await?;
                let at = self.effective_at(&ctx, Some(current.revision.updated_at))?;
                let fields = change.apply(&current.fields, at.date_naive())?;
                self.replace_issue(&ctx, current, expected_version, fields).await
            }
            Change::ReplaceIssue {
                reference,
                expected_version,
                fields,
            } => {
                let current = self.existing_issue(&reference).await?;
                self.replace_issue(&ctx, current, expected_version, fields).await
            }
            Change::CreateMeeting { meeting, fields } => self.create_meeting(&ctx, meeting, fields).await,
            Change::Propose {
                meeting,
                draft,
                rationale,
                recommendation,
            } => self.propose(&ctx, meeting, draft, rationale, recommendation).await,
            Change::Decide {
                id,
                decision,
                minute,
                defer_to,
            } => self.decide(&ctx, id, decision, minute, defer_to).await,
            Change::LoadProposal { id, stored } => self.load_proposal(&ctx, id, stored).await,
            Change::LoadSnapshot { meeting, body } => self.load_snapshot(&ctx, meeting, body).await,
        }
    }

    async fn put_settings(&mut self, ctx: &WriteContext, settings: Settings) -> StoreResult<Applied> {
        settings.validate()?;
        if self.tx.record_count().await? > 0 && settings != *self.settings() {
            // Changing scales under existing scores would silently re-mean them.
            let old = self.settings();
            if settings.impact_scale.len() != old.impact_scale.len()
                || settings.likelihood_scale.len() != old.likelihood_scale.len()
            {
                return Err(StoreError::invalid(
                    "settings",
                    "cannot change the number of scale levels while risks or issues are scored on the old scales",
                ));
            }
        }
        let version = self.settings.as_ref().map_or(0, |(_, v)| *v) + 1;
        let at = self.effective_at(ctx, None)?;
        let before = match &self.settings {
            Some((s, _)) => Some(to_value(s)?),
            None => None,
        };
        self.tx.put_settings(&settings, version).await?;
        let after = to_value(&settings)?;
        let kind = if before.is_some() { "amended" } else { "created" };
        let draft = EventDraft {
            kind,
            record_type: RecordType::Settings,
            record_key: "settings".into(),
            register: None,
            version,
            before,
            after,
        };
        self.append(ctx, at, draft).await?;
        self.settings = Some((settings.clone(), version));
        Ok(Applied::Settings(settings))
    }

    async fn create_register(
        &mut self,
        ctx: &WriteContext,
        code: RegisterCode,
        fields: RegisterFields,
    ) -> StoreResult<Applied> {
        let fields = fields.normalised()?;
        if self.tx.register(&code).await?.is_some() {
            return Err(StoreError::Conflict(format!("register {code} already exists")));
        }
        self.check_parent(&code, &fields).await?;
        let at = self.effective_at(ctx, None)?;
        let register = Register {
            code: code.clone(),
            fields,
            revision: Revision {
                version: 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.insert_register(&register).await?;
        self.note_new_register(&code);
        let draft = EventDraft {
            kind: "created",
            record_type: RecordType::Register,
            record_key: code.to_string(),
            register: Some(code.to_string()),
            version: 1,
            before: None,
            after: to_value(&register.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Register(register))
    }

    async fn check_parent(&mut self, code: &RegisterCode, fields: &RegisterFields) -> StoreResult<()> {
        let mut next = fields.parent.clone();
        while let Some(parent) = next {
            if &parent == code {
                return Err(StoreError::invalid(
                    "parent",
                    "must not make a register its own ancestor",
                ));
            }
            let Some(p) = self.tx.register(&parent).await? else {
                return Err(StoreError::invalid("parent", format!("names no register: {parent}")));
            };
            next = p.fields.parent;
        }
        Ok(())
    }

    async fn amend_register(
        &mut self,
        ctx: &WriteContext,
        code: RegisterCode,
        expected: Option<u32>,
        fields: RegisterFields,
    ) -> StoreResult<Applied> {
        let fields = fields.normalised()?;
        let current = self
            .tx
            .register(&code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("register {code}")))?;
        check_version(&format!("register {code}"), expected, current.revision.version)?;
        self.check_parent(&code, &fields).await?;
        let at = self.effective_at(ctx, Some(current.revision.updated_at))?;
        let register = Register {
            code: code.clone(),
            fields,
            revision: Revision {
                version: current.revision.version + 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.update_register(&register).await?;
        let draft = EventDraft {
            kind: "amended",
            record_type: RecordType::Register,
            record_key: code.to_string(),
            register: Some(code.to_string()),
            version: register.revision.version,
            before: Some(to_value(&current.fields)?),
            after: to_value(&register.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Register(register))
    }

    async fn require_register(&mut self, code: &RegisterCode) -> StoreResult<Register> {
        self.tx
            .register(code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("register {code}")))
    }

    async fn create_risk(
        &mut self,
        ctx: &WriteContext,
        register: RegisterCode,
        number: Option<u32>,
        fields: RiskFields,
    ) -> StoreResult<Applied> {
        self.ensure_register(&register).await?;
        let at = self.effective_at(ctx, None)?;
        let fields = fields.normalised(&self.settings(), at.date_naive())?;
        let number = match number {
            Some(0) => {
                return Err(StoreError::invalid("number", "must be a whole number from 1 up"));
            }
            Some(n) => {
                let reference = RecordRef::new(register.clone(), n);
                if self.number_taken(RecordType::Risk, &reference).await? {
                    return Err(StoreError::Conflict(format!(
                        "risk {reference} already exists; risk numbers are never reused"
                    )));
                }
                n
            }
            None => self.next_number(RecordType::Risk, &register).await?,
        };
        let risk = Risk {
            reference: RecordRef::new(register.clone(), number),
            fields,
            revision: Revision {
                version: 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.insert_risk(&risk).await?;
        self.note_created(RecordType::Risk, &risk.reference);
        self.note_risk(&risk);
        let draft = EventDraft {
            kind: "created",
            record_type: RecordType::Risk,
            record_key: risk.reference.to_string(),
            register: Some(register.to_string()),
            version: 1,
            before: None,
            after: to_value(&risk.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Risk(risk))
    }

    async fn replace_risk(
        &mut self,
        ctx: &WriteContext,
        current: Risk,
        expected: Option<u32>,
        fields: RiskFields,
    ) -> StoreResult<Applied> {
        check_version(
            &format!("risk {}", current.reference),
            expected,
            current.revision.version,
        )?;
        let at = self.effective_at(ctx, Some(current.revision.updated_at))?;
        let fields = fields.normalised(&self.settings(), at.date_naive())?;
        if fields == current.fields {
            return Err(StoreError::invalid(
                "change",
                "changes nothing: the risk already reads so",
            ));
        }
        let kind = kind_for_risk(&current.fields, &fields);
        let risk = Risk {
            reference: current.reference.clone(),
            fields,
            revision: Revision {
                version: current.revision.version + 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.update_risk(&risk).await?;
        self.note_risk(&risk);
        let draft = EventDraft {
            kind,
            record_type: RecordType::Risk,
            record_key: risk.reference.to_string(),
            register: Some(risk.reference.register.to_string()),
            version: risk.revision.version,
            before: Some(to_value(&current.fields)?),
            after: to_value(&risk.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Risk(risk))
    }

    async fn create_issue(
        &mut self,
        ctx: &WriteContext,
        register: RegisterCode,
        number: Option<u32>,
        fields: IssueFields,
    ) -> StoreResult<Applied> {
        self.ensure_register(&register).await?;
        let at = self.effective_at(ctx, None)?;
        let fields = fields.normalised(&self.settings(), at.date_naive())?;
        let number = match number {
            Some(0) => {
                return Err(StoreError::invalid("number", "must be a whole number from 1 up"));
            }
            Some(n) => {
                let reference = RecordRef::new(register.clone(), n);
                if self.number_taken(RecordType::Issue, &reference).await? {
                    return Err(StoreError::Conflict(format!(
                        "issue {reference} already exists; issue numbers are never reused"
                    )));
                }
                n
            }
            None => self.next_number(RecordType::Issue, &register).await?,
        };
        let issue = Issue {
            reference: RecordRef::new(register.clone(), number),
            fields,
            revision: Revision {
                version: 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.insert_issue(&issue).await?;
        self.note_created(RecordType::Issue, &issue.reference);
        self.note_issue(&issue);
        let draft = EventDraft {
            kind: "created",
            record_type: RecordType::Issue,
            record_key: issue.reference.to_string(),
            register: Some(register.to_string()),
            version: 1,
            before: None,
            after: to_value(&issue.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Issue(issue))
    }

    async fn replace_issue(
        &mut self,
        ctx: &WriteContext,
        current: Issue,
        expected: Option<u32>,
        fields: IssueFields,
    ) -> StoreResult<Applied> {
        check_version(
            &format!("issue {}", current.reference),
            expected,
            current.revision.version,
        )?;
        let at = self.effective_at(ctx, Some(current.revision.updated_at))?;
        let fields = fields.normalised(&self.settings(), at.date_naive())?;
        if fields == current.fields {
            return Err(StoreError::invalid(
                "change",
                "changes nothing: the issue already reads so",
            ));
        }
        let kind = match (current.fields.status, fields.status) {
            (IssueStatus::Open, IssueStatus::Closed) => "closed",
            _ => "amended",
        };
        let issue = Issue {
            reference: current.reference.clone(),
            fields,
            revision: Revision {
                version: current.revision.version + 1,
                updated_at: at,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        self.tx.update_issue(&issue).await?;
        self.note_issue(&issue);
        let draft = EventDraft {
            kind,
            record_type: RecordType::Issue,
            record_key: issue.reference.to_string(),
            register: Some(issue.reference.register.to_string()),
            version: issue.revision.version,
            before: Some(to_value(&current.fields)?),
            after: to_value(&issue.fields)?,
        };
        self.append(ctx, at, draft).await?;
        Ok(Applied::Issue(issue))
    }
}

/// The use cases, for every backend.
impl dyn Store {
    /// Applies `writes` atomically: all of them, or (on any error) none.
    pub async fn write(&self, writes: Vec<Write>) -> StoreResult<Vec<Applied>> {
        if let Some(group) = self.group_commit() {
            return group.write(writes).await;
        }
        let mut tx = self.begin().await?;
        // Taken after the transaction holds the write lock, so event times follow chain order.
        let now = Utc::now();
        let applied = apply(tx.as_mut(), writes, now).await?;
        tx.commit().await?;
        Ok(applied)
    }

    pub async fn write_one(&self, change: Change, ctx: WriteContext) -> StoreResult<Applied> {
        let mut applied = self.write(vec![Write { change, ctx }]).await?;
        applied
            .pop()
            .ok_or_else(|| StoreError::other("a write produced no record"))
    }

    /// Writes the default settings if the database has none yet.
    pub async fn init(&self, ctx: WriteContext) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if tx.settings().await?.is_some() {
            return Ok(false);
        }
        let now = Utc::now();
        apply(
            tx.as_mut(),
            vec![Write {
                change: Change::Settings(Settings::default()),
                ctx,
            }],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn create_register(
        &self,
        code: RegisterCode,
        fields: RegisterFields,
        ctx: WriteContext,
    ) -> StoreResult<Register> {
        match self.write_one(Change::CreateRegister { code, fields }, ctx).await? {
            Applied::Register(r) => Ok(r),
            _ => Err(StoreError::other("unexpected result")),
        }
    }

    pub async fn create_risk(
        &self,
        register: RegisterCode,
        number: Option<u32>,
        fields: RiskFields,
        ctx: WriteContext,
    ) -> StoreResult<Risk> {
        self.risk_result(
            Change::CreateRisk {
                register,
                number,
                fields,
            },
            ctx,
        )
        .await
    }

    pub async fn amend_risk(
        &self,
        reference: RecordRef,
        expected_version: Option<u32>,
        change: RiskChange,
        ctx: WriteContext,
    ) -> StoreResult<Risk> {
        if change.is_empty() {
            return Err(StoreError::invalid("change", "names no field to change"));
        }
        self.risk_result(
            Change::AmendRisk {
                reference,
                expected_version,
                change,
            },
            ctx,
        )
        .await
    }

    /// Closes a risk that is proposed or open.
    pub async fn close_risk(
        &self,
        reference: RecordRef,
        expected_version: Option<u32>,
        ctx: WriteContext,
    ) -> StoreResult<Risk> {
        let current = self.risk(&reference, None).await?;
        if !current.fields.status.is_live() {
            return Err(StoreError::invalid(
                "status",
                format!("risk {reference} is already {}", current.fields.status.as_str()),
            ));
        }
        let change = RiskChange {
            status: Some(RiskStatus::Closed),
            ..Default::default()
        };
        let expected = expected_version.or(Some(current.revision.version));
        self.risk_result(
            Change::AmendRisk {
                reference,
                expected_version: expected,
                change,
            },
            ctx,
        )
        .await
    }

    async fn risk_result(&self, change: Change, ctx: WriteContext) -> StoreResult<Risk> {
        match self.write_one(change, ctx).await? {
            Applied::Risk(r) => Ok(r),
            _ => Err(StoreError::other("unexpected result")),
        }
    }

    pub async fn create_issue(
        &self,
        register: RegisterCode,
        number: Option<u32>,
        fields: IssueFields,
        ctx: WriteContext,
    ) -> StoreResult<Issue> {
        self.issue_result(
            Change::CreateIssue {
                register,
                number,
                fields,
            },
            ctx,
        )
        .await
    }

    pub async fn amend_issue(
        &self,
        reference: RecordRef,
        expected_version: Option<u32>,
        change: IssueChange,
        ctx: WriteContext,
    ) -> StoreResult<Issue> {
        if change.is_empty() {
            return Err(StoreError::invalid("change", "names no field to change"));
        }
        self.issue_result(
            Change::AmendIssue {
                reference,
                expected_version,
                change,
            },
            ctx,
        )
        .await
    }

    pub async fn close_issue(
        &self,
        reference: RecordRef,
        expected_version: Option<u32>,
        ctx: WriteContext,
    ) -> StoreResult<Issue> {
        let current = self.issue(&reference, None).await?;
        if current.fields.status == IssueStatus::Closed {
            return Err(StoreError::invalid(
                "status",
                format!("issue {reference} is already closed"),
            ));
        }
        let change = IssueChange {
            status: Some(IssueStatus::Closed),
            ..Default::default()
        };
        let expected = expected_version.or(Some(current.revision.version));
        self.issue_result(
            Change::AmendIssue {
                reference,
                expected_version: expected,
                change,
            },
            ctx,
        )
        .await
    }

    async fn issue_result(&self, change: Change, ctx: WriteContext) -> StoreResult<Issue> {
        match self.write_one(change, ctx).await? {
            Applied::Issue(i) => Ok(i),
            _ => Err(StoreError::other("unexpected result")),
        }
    }
}

//! Import and export of the register file format. An import is checked whole before
//! anything is written, then written in one transaction; an export writes every register
//! with every version of every record, so that importing it again loses nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use riskreg_domain::document::{Document, MeetingEntry, ProposalEntry, Record, Recorded, RegisterEntry, Version};
use riskreg_domain::review::StoredProposal;
use riskreg_domain::{IssueFields, RecordRef, RegisterCode, RiskFields, Settings, ValidationError, ValidationErrors};
use serde::de::DeserializeOwned;

use crate::engine::{Change, Write, WriteContext};
use crate::error::{StoreError, StoreResult};
use crate::event::{Event, RecordType};
use crate::store::{RecordQuery, Store, walk_history};

/// What an import created.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub settings: bool,
    pub registers: usize,
    pub risks: usize,
    pub issues: usize,
    pub versions: usize,
    pub meetings: usize,
    pub proposals: usize,
}

impl dyn Store {
    /// Parses a register file and checks it against this database, reporting every problem
    /// in the file at once: malformed records and records the database would refuse.
    pub async fn prepare_import(&self, text: &str, ctx: &WriteContext) -> StoreResult<(Vec<Write>, ImportSummary)> {
        let (doc, mut errors) = Document::parse_partial(text);
        match self.plan_import(&doc, ctx).await {
            Ok(plan) if errors.is_empty() => Ok(plan),
            Ok(_) => Err(StoreError::Invalid(errors)),
            Err(StoreError::Invalid(more)) => {
                errors.0.extend(more.0);
                Err(StoreError::Invalid(errors))
            }
            Err(other) => Err(other),
        }
    }

    /// Parses, checks and (if every part is valid) writes a register file in one transaction.
    pub async fn import_text(&self, text: &str, ctx: &WriteContext) -> StoreResult<ImportSummary> {
        let (writes, summary) = self.prepare_import(text, ctx).await?;
        self.write(writes).await?;
        Ok(summary)
    }

    /// Checks `doc` against this database and, if every part of it is valid, writes it all
    /// in one transaction. `ctx` stands in for versions whose `recorded` is missing.
    pub async fn import(&self, doc: &Document, ctx: &WriteContext) -> StoreResult<ImportSummary> {
        let (writes, summary) = self.plan_import(doc, ctx).await?;
        self.write(writes).await?;
        Ok(summary)
    }

    /// Checks `doc` and returns the writes an import would make, without making them.
    pub async fn plan_import(&self, doc: &Document, ctx: &WriteContext) -> StoreResult<(Vec<Write>, ImportSummary)> {
        let mut errors = ValidationErrors::default();
        let mut writes = Vec::new();
        let mut summary = ImportSummary::default();
        let current = self.settings().await?;
        let settings = match &doc.settings {
            Some(s) if *s != current => {
                if let Err(e) = s.validate() {
                    errors.extend_under("settings", e);
                }
                summary.settings = true;
                writes.push(Write {
                    change: Change::Settings(s.clone()),
                    ctx: ctx.clone(),
                });
                s.clone()
            }
            _ => current,
        };
        let existing: HashSet<RegisterCode> = self.registers(None).await?.into_iter().map(|r| r.code).collect();
        let mut known = existing.clone();
        for (i, reg) in doc.registers.iter().enumerate() {
            let path = format!("registers[{i}]");
            if existing.contains(&reg.code) {
                errors.push(ValidationError::new(
                    format!("{path}.code"),
                    format!("register {} already exists in this database", reg.code),
                ));
                continue;
            }
            if let Some(parent) = &reg.fields.parent
                && !known.contains(parent)
            {
                errors.push(ValidationError::new(
                    format!("{path}.parent"),
                    format!("names no register listed before it or in the database: {parent}"),
                ));
            }
            if !known.insert(reg.code.clone()) {
                errors.push(ValidationError::new(
                    format!("{path}.code"),
                    "appears twice in the file",
                ));
            }
            if let Err(e) = reg.fields.clone().normalised() {
                errors.extend_under(&path, e);
            }
            summary.registers += 1;
            writes.push(Write {
                change: Change::CreateRegister {
                    code: reg.code.clone(),
                    fields: reg.fields.clone(),
                },
                ctx: context(reg.recorded.as_ref(), ctx),
            });
            plan_records(
                &path,
                "risks",
                reg,
                &reg.risks,
                &settings,
                ctx,
                &mut writes,
                &mut errors,
            );
            plan_records(
                &path,
                "issues",
                reg,
                &reg.issues,
                &settings,
                ctx,
                &mut writes,
                &mut errors,
            );
            summary.risks += reg.risks.len();
            summary.issues += reg.issues.len();
            summary.versions += reg.risks.iter().map(|r| r.versions.len()).sum::<usize>();
            summary.versions += reg.issues.iter().map(|r| r.versions.len()).sum::<usize>();
        }
        for (i, m) in doc.meetings.iter().enumerate() {
            let path = format!("meetings[{i}]");
            if !known.contains(&m.meeting.body) {
                errors.push(ValidationError::new(
                    format!("{path}.meeting"),
                    format!("names no register: {}", m.meeting.body),
                ));
            }
            if let Err(e) = m.fields().normalised() {
                errors.extend_under(&path, e);
            }
            let mctx = context(m.recorded.as_ref(), ctx);
            writes.push(Write {
                change: Change::CreateMeeting {
                    meeting: m.meeting.clone(),
                    fields: m.fields(),
                },
                ctx: mctx.clone(),
            });
            for (j, p) in m.proposals.iter().enumerate() {
                if let Err(e) = p.fields().normalised() {
                    errors.extend_under(&format!("{path}.proposals[{j}]"), e);
                }
                let stored = StoredProposal {
                    meeting: m.meeting.clone(),
                    proposal: p.fields(),
                };
                writes.push(Write {
                    change: Change::LoadProposal { id: p.id, stored },
                    ctx: context(p.recorded.as_ref(), &mctx),
                });
            }
            if let Some(body) = &m.snapshot {
                writes.push(Write {
                    change: Change::LoadSnapshot {
                        meeting: m.meeting.clone(),
                        body: body.clone(),
                    },
                    ctx: mctx,
                });
            }
            summary.meetings += 1;
            summary.proposals += m.proposals.len();
        }
        errors.into_result((writes, summary)).map_err(StoreError::Invalid)
    }

    /// The whole database as a register file: settings, every register, every record with
    /// its history.
    pub async fn export(&self) -> StoreResult<Document> {
        self.export_of(None).await
    }

    /// A register file of one register (with its risks, issues and meetings) or, for
    /// `None`, of the whole database. Every version comes from one pass over the history,
    /// each body read straight into its fields, rather than a history read per record.
    pub async fn export_of(&self, only: Option<&RegisterCode>) -> StoreResult<Document> {
        let settings = self.settings().await?;
        let mut registers = self.registers(None).await?;
        if let Some(code) = only {
            registers.retain(|r| &r.code == code);
        }
        let mut versions = self.chain_versions(only).await?;
        let mut entries = Vec::with_capacity(registers.len());
        for reg in registers {
            let query = RecordQuery {
                register: Some(reg.code.clone()),
                as_at: None,
                include_closed: true,
            };
            let mut risk_refs: Vec<RecordRef> = self.risks(&query).await?.into_iter().map(|r| r.reference).collect();
            let mut issue_refs: Vec<RecordRef> = self.issues(&query).await?.into_iter().map(|i| i.reference).collect();
            risk_refs.sort();
            issue_refs.sort();
            let risks = risk_refs
                .iter()
                .map(|r| take_record(&mut versions.risks, r))
                .collect::<StoreResult<_>>()?;
            let issues = issue_refs
                .iter()
                .map(|r| take_record(&mut versions.issues, r))
                .collect::<StoreResult<_>>()?;
            let recorded = versions.first_recorded(RecordType::Register, reg.code.as_str());
            entries.push(RegisterEntry {
                code: reg.code,
                fields: reg.fields,
                recorded,
                risks,
                issues,
            });
        }
        let mut meetings = Vec::new();
        for m in self.meetings(None).await? {
            if only.is_some_and(|code| *code != m.reference.body) {
                continue;
            }
            let proposals = self
                .proposals(&m.reference)
                .await?
                .into_iter()
                .map(|p| {
                    let recorded = Recorded {
                        at: p.revision.updated_at,
                        actor: p.revision.updated_by.clone(),
                        reason: None,
                    };
                    ProposalEntry::from_fields(p.id, p.fields, Some(recorded))
                })
                .collect();
            let snapshot = self
                .json_record(RecordType::Snapshot, &m.reference.to_string())
                .await?
                .map(|r| r.body);
            let recorded = versions.first_recorded(RecordType::Meeting, &m.reference.to_string());
            let f = m.fields;
            meetings.push(MeetingEntry {
                meeting: m.reference,
                title: f.title,
                paper_on: f.paper_on,
                author: f.author,
                team: f.team,
                closed: f.closed,
                recorded,
                proposals,
                snapshot,
            });
        }
        Ok(Document {
            settings: Some(settings),
            registers: entries,
            meetings,
        })
    }

    /// Every version of the risks and issues (of `only`, or of every register) and the
    /// first event of each register and meeting, in one walk over the history. Each page
    /// is read into fields on a thread of its own while the next is fetched.
    async fn chain_versions(&self, only: Option<&RegisterCode>) -> StoreResult<ChainVersions> {
        let start = ChainVersions {
            only: only.map(|c| c.as_str().to_owned()),
            ..ChainVersions::default()
        };
        match walk_history(self, start, |gathered, page| gathered.add(page).err()).await? {
            (_, Some(failed)) => Err(failed),
            (gathered, None) => Ok(gathered),
        }
    }
}

/// What one walk over the history gathers for an export.
#[derive(Default)]
struct ChainVersions {
    /// The one register whose records are gathered, if not every register's.
    only: Option<String>,
    /// Every version of each risk, by `PANEL-15`, oldest first.
    risks: HashMap<String, Vec<Version<RiskFields>>>,
    issues: HashMap<String, Vec<Version<IssueFields>>>,
    /// The first event of each register and meeting: when it was created, and by whom.
    created: HashMap<(RecordType, String), Recorded>,
}

impl ChainVersions {
    /// Takes in one page of events, in chain order.
    fn add(&mut self, page: Vec<Event<String>>) -> StoreResult<()> {
        for e in page {
            match e.record_type {
                RecordType::Risk | RecordType::Issue => {
                    if self.only.as_ref().is_some_and(|code| e.register.as_ref() != Some(code)) {
                        continue;
                    }
                    let recorded = recorded_of(&e);
                    let Some(body) = e.after else {
                        return Err(StoreError::other(format!(
                            "event {} of {} has no record after it",
                            e.seq, e.record_key
                        )));
                    };
                    if e.record_type == RecordType::Risk {
                        push_version(&mut self.risks, e.record_key, recorded, &body)?;
                    } else {
                        push_version(&mut self.issues, e.record_key, recorded, &body)?;
                    }
                }
                RecordType::Register | RecordType::Meeting => {
                    let recorded = recorded_of(&e);
                    self.created.entry((e.record_type, e.record_key)).or_insert(recorded);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn first_recorded(&self, record_type: RecordType, key: &str) -> Option<Recorded> {
        self.created.get(&(record_type, key.to_owned())).cloned()
    }
}

/// One record's versions, taken out of `versions` (the export holds each record once).
fn take_record<T>(versions: &mut HashMap<String, Vec<Version<T>>>, reference: &RecordRef) -> StoreResult<Record<T>> {
    match versions.remove(&reference.to_string()) {
        Some(versions) if !versions.is_empty() => Ok(Record {
            number: reference.number,
            versions,
        }),
        _ => Err(StoreError::other(format!("{reference} has no history"))),
    }
}

/// Reads one stored body straight into its fields, without a JSON tree in between.
fn push_version<T: DeserializeOwned>(
    versions: &mut HashMap<String, Vec<Version<T>>>,
    key: String,
    recorded: Recorded,
    body: &str,
) -> StoreResult<()> {
    let fields = serde_json::from_str(body).map_err(|e| StoreError::other(format!("{key}: {e}")))?;
    versions.entry(key).or_default().push(Version {
        recorded: Some(recorded),
        fields,
    });
    Ok(())
}

fn recorded_of<B>(e: &Event<B>) -> Recorded {
    Recorded {
        at: e.at,
        actor: e.actor.clone(),
        reason: e.reason.clone(),
    }
}

fn context(recorded: Option<&Recorded>, fallback: &WriteContext) -> WriteContext {
    match recorded {
        Some(r) => WriteContext {
            actor: r.actor.clone(),
            reason: r.reason.clone(),
            at: Some(r.at),
        },
        None => fallback.clone(),
    }
}

/// A record kind the register file holds: how to check one version and how to write it.
trait Importable: Clone {
    fn check(self, settings: &Settings, today: NaiveDate) -> Result<Self, ValidationErrors>;
    /// The change that writes version `expected + 1` (a creation when `expected` is `None`).
    fn change(self, reference: RecordRef, expected: Option<u32>) -> Change;
}

impl Importable for RiskFields {
    fn check(self, settings: &Settings, today: NaiveDate) -> Result<Self, ValidationErrors> {
        self.normalised(settings, today)
    }

    fn change(self, reference: RecordRef, expected: Option<u32>) -> Change {
        match expected {
            None => Change::CreateRisk {
                register: reference.register,
                number: Some(reference.number),
                fields: self,
            },
            Some(v) => Change::ReplaceRisk {
                reference,
                expected_version: Some(v),
                fields: self,
            },
        }
    }
}

impl Importable for IssueFields {
    fn check(self, settings: &Settings, today: NaiveDate) -> Result<Self, ValidationErrors> {
        self.normalised(settings, today)
    }

    fn change(self, reference: RecordRef, expected: Option<u32>) -> Change {
        match expected {
            None => Change::CreateIssue {
                register: reference.register,
                number: Some(reference.number),
                fields: self,
            },
            Some(v) => Change::ReplaceIssue {
                reference,
                expected_version: Some(v),
                fields: self,
            },
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn plan_records<T: Importable>(
    path: &str,
    key: &str,
    reg: &RegisterEntry,
    records: &[Record<T>],
    settings: &Settings,
    ctx: &WriteContext,
    writes: &mut Vec<Write>,
    errors: &mut ValidationErrors,
) {
    let mut numbers = HashSet::new();
    let today: DateTime<Utc> = Utc::now();
    for (i, record) in records.iter().enumerate() {
        let rpath = format!("{path}.{key}[{i}]");
        if !numbers.insert(record.number) {
            errors.push(ValidationError::new(
                format!("{rpath}.number"),
                format!(
                    "{} is used twice in register {}; numbers are never reused",
                    record.number, reg.code
                ),
            ));
        }
        let last = record.versions.len() - 1;
        for (v, version) in record.versions.iter().enumerate() {
            let vpath = if v == last {
                rpath.clone()
            } else {
                format!("{rpath}.history[{v}]")
            };
            let vctx = context(version.recorded.as_ref(), ctx);
            let reference = RecordRef::new(reg.code.clone(), record.number);
            let expected = if v == 0 { None } else { Some(v as u32) };
            let change = version.fields.clone().change(reference, expected);
            let day = vctx.at.unwrap_or(today).date_naive();
            if let Err(e) = version.fields.clone().check(settings, day) {
                errors.extend_under(&vpath, e);
            }
            if vctx.at.is_some_and(|at| at > today) {
                errors.push(ValidationError::new(
                    format!("{vpath}.recorded.at"),
                    "must not be in the future",
                ));
            }
            writes.push(Write { change, ctx: vctx });
        }
    }
}

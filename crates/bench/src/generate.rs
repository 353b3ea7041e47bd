//! A deterministic generator of large organisations for benchmarks: registers under one
//! top body (a quarter of the sub-registers confidential), risks with realistic text and
//! three mitigations each, issues tied to risks, users with memberships, and a dated
//! history of reviews, spread evenly from 2019 to 2025 so that as-at reads have real work.
//!
//! Everything follows from the seed: the same [`Spec`] writes the same records, versions
//! and event times on every run and backend (only each event's `recorded_at`, the moment
//! the database took it, differs). It writes through the store's own batch path,
//! [`Store::write`] with many writes per transaction, so the rows, events and hash chain
//! are exactly what riskreg itself would have written.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fastrand::Rng;
use riskreg_domain::{
    IssueFields, Mitigation, MitigationState, Rag, RecordRef, RegisterCode, RegisterFields, RiskChange, RiskFields,
    RiskStatus,
};
use riskreg_store::users::{Role, UserFields, UserName};
use riskreg_store::{Change, Store, StoreError, StoreResult, Write, WriteContext};
use serde::Serialize;

use crate::text;

/// Writes per transaction: large enough that commits are not the cost, small enough that
/// one transaction's memory stays modest at a million events.
pub const BATCH: usize = 5_000;

/// The largest organisation the generator builds.
pub const MAX_RISKS: u32 = 1_000_000;
pub const MAX_EVENTS: u64 = 10_000_000;

/// The top register, holding half of all risks; the rest are spread over its sub-registers.
pub const TOP: &str = "BENCH";

/// What to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub risks: u32,
    /// Events in the whole history; `None` gives every risk one review.
    pub events: Option<u64>,
    pub seed: u64,
    /// Registers in all; `None` gives one per 5,000 risks plus the top register (2 to 41).
    pub registers: Option<u32>,
}

/// What a spec works out to, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub registers: u32,
    pub risks: u32,
    pub issues: u32,
    pub users: u32,
    /// Reviews: amendments after the risks were created.
    pub reviews: u64,
    pub events: u64,
}

/// What was written, with a risk in the middle of the top register for benchmarks to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub plan: Plan,
    pub top_register: String,
    pub top_register_risks: u32,
    pub sample_risk: String,
    pub confidential_registers: Vec<String>,
}

impl Spec {
    /// Checks the spec and works out the counts; every broken rule names its option.
    pub fn plan(&self) -> StoreResult<Plan> {
        if self.risks == 0 || self.risks > MAX_RISKS {
            return Err(StoreError::invalid("risks", format!("must be from 1 to {MAX_RISKS}")));
        }
        let registers = match self.registers {
            Some(r) if r == 0 || r > self.risks.min(1_000) => {
                return Err(StoreError::invalid(
                    "registers",
                    format!("must be from 1 to {} for {} risks", self.risks.min(1_000), self.risks),
                ));
            }
            Some(r) => r,
            None => (1 + self.risks / 5_000).clamp(2, 41).min(self.risks),
        };
        let issues = (self.risks / 20).max(1);
        let users = 20 + 5 * registers;
        // Settings, then one creation per register, risk, issue and user.
        let base = 1 + u64::from(registers) + u64::from(self.risks) + u64::from(issues) + u64::from(users);
        let events = self.events.unwrap_or(base + u64::from(self.risks));
        if events < base || events > MAX_EVENTS {
            return Err(StoreError::invalid(
                "events",
                format!(
                    "must be from {base} (one per register, risk, issue and user, and the settings) to {MAX_EVENTS} for {} risks",
                    self.risks
                ),
            ));
        }
        Ok(Plan {
            registers,
            risks: self.risks,
            issues,
            users,
            reviews: events - base,
            events,
        })
    }
}

/// The register codes, top first.
fn register_codes(n: u32) -> StoreResult<Vec<RegisterCode>> {
    std::iter::once(TOP.to_owned())
        .chain((1..n).map(|i| format!("SC{i:03}")))
        .map(|c| RegisterCode::parse(&c).map_err(StoreError::other))
        .collect()
}

fn is_confidential(index: usize) -> bool {
    index > 0 && index.is_multiple_of(4)
}

/// Event times: evenly spaced from the first Monday of 2019 to the end of 2025, one slot
/// per event, so every version of a record is later than the one before.
struct Clock {
    start: DateTime<Utc>,
    step: Duration,
    next: i32,
}

impl Clock {
    fn new(events: u64) -> StoreResult<Self> {
        let start = Utc
            .with_ymd_and_hms(2019, 1, 7, 9, 0, 0)
            .single()
            .ok_or_else(|| StoreError::other("bad clock start"))?;
        let end = Utc
            .with_ymd_and_hms(2025, 12, 31, 17, 0, 0)
            .single()
            .ok_or_else(|| StoreError::other("bad clock end"))?;
        let micros = (end - start).num_microseconds().unwrap_or(i64::MAX) / events.max(1) as i64;
        Ok(Self {
            start,
            step: Duration::microseconds(micros.max(1)),
            next: 0,
        })
    }

    fn tick(&mut self) -> DateTime<Utc> {
        let at = self.start + self.step * self.next;
        self.next += 1;
        at
    }
}

fn ctx(at: DateTime<Utc>) -> WriteContext {
    WriteContext {
        actor: "bench-data".into(),
        reason: None,
        at: Some(at),
    }
}

fn score(rng: &mut Rng) -> u8 {
    rng.u8(1..=5)
}

fn rag(rng: &mut Rng) -> Rag {
    [Rag::Red, Rag::Amber, Rag::Green][rng.usize(..3)]
}

fn new_risk(rng: &mut Rng, number: u32, at: DateTime<Utc>) -> RiskFields {
    let mut f = RiskFields::new(text::statement(rng, number), score(rng), score(rng), rag(rng));
    f.consequences = text::consequences(rng);
    f.owner = Some(text::person(rng));
    f.raised_by = Some(text::person(rng));
    f.raised_on = Some(at.date_naive());
    f.category = Some(text::category(rng));
    f.mitigations = (0..3)
        .map(|i| {
            let state = [MitigationState::Planned, MitigationState::Ongoing][rng.usize(..2)];
            Mitigation::new(text::mitigation(rng, i), state)
        })
        .collect();
    f
}

/// A review: new notes always (so it never "changes nothing"), and sometimes new scores,
/// a new RAG or a mitigation moving on; the last review of every 25th risk closes it.
fn review(rng: &mut Rng, round: u32, last: bool, index: usize) -> RiskChange {
    let mut change = RiskChange {
        notes: Some(Some(text::review_note(rng, round))),
        ..RiskChange::default()
    };
    if rng.bool() {
        change.impact = Some(score(rng));
        change.likelihood = Some(score(rng));
    }
    if rng.u8(..10) < 3 {
        change.rag = Some(rag(rng));
    }
    if rng.u8(..10) < 3 {
        let state = [MitigationState::Ongoing, MitigationState::Complete][rng.usize(..2)];
        change.mitigations.set_state.push((1 + rng.usize(..3), state));
    }
    if last && index % 25 == 24 {
        change.status = Some(RiskStatus::Closed);
    }
    change
}

/// Collects writes and sends them to the store a batch at a time.
struct Batcher<'a, F: FnMut(u64, u64)> {
    store: &'a (dyn Store + 'static),
    writes: Vec<Write>,
    done: u64,
    total: u64,
    progress: F,
}

impl<F: FnMut(u64, u64)> Batcher<'_, F> {
    async fn push(&mut self, change: Change, at: DateTime<Utc>) -> StoreResult<()> {
        self.writes.push(Write { change, ctx: ctx(at) });
        if self.writes.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> StoreResult<()> {
        if self.writes.is_empty() {
            return Ok(());
        }
        let n = self.writes.len() as u64;
        self.store.write(std::mem::take(&mut self.writes)).await?;
        self.done += n;
        (self.progress)(self.done, self.total);
        Ok(())
    }
}

/// Builds the organisation `spec` describes in `store`, which must hold no register and no
/// user yet. `progress` is told the events written so far and the total after each batch.
pub async fn generate(
    store: &(dyn Store + 'static),
    spec: &Spec,
    progress: impl FnMut(u64, u64),
) -> StoreResult<Summary> {
    let plan = spec.plan()?;
    if !store.registers(None).await?.is_empty() || !store.users().await?.is_empty() {
        return Err(StoreError::Conflict(
            "the database already holds registers or users; bench-data fills an empty database".into(),
        ));
    }
    let mut rng = Rng::with_seed(spec.seed);
    let mut clock = Clock::new(plan.events)?;
    store.init(ctx(clock.tick())).await?;

    let codes = register_codes(plan.registers)?;
    let mut out = Batcher {
        store,
        writes: Vec::with_capacity(BATCH),
        done: 1,
        total: plan.events,
        progress,
    };
    for (i, code) in codes.iter().enumerate() {
        let mut fields = RegisterFields::new(if i == 0 {
            "Benchmark Board".to_owned()
        } else {
            format!("Sub-committee {i}")
        });
        fields.parent = (i > 0).then(|| codes[0].clone());
        fields.confidential = is_confidential(i);
        let change = Change::CreateRegister {
            code: code.clone(),
            fields,
        };
        out.push(change, clock.tick()).await?;
    }

    // Half the risks in the top register, the rest round the sub-registers.
    let top_share = if plan.registers == 1 {
        plan.risks
    } else {
        plan.risks.div_ceil(2)
    };
    let mut numbers = vec![0u32; codes.len()];
    let mut refs = Vec::with_capacity(plan.risks as usize);
    let mut issues_made = 0u32;
    let mut issue_numbers = vec![0u32; codes.len()];
    for i in 0..plan.risks {
        let reg = if i < top_share {
            0
        } else {
            1 + ((i - top_share) % (plan.registers - 1)) as usize
        };
        numbers[reg] += 1;
        let at = clock.tick();
        let reference = RecordRef {
            register: codes[reg].clone(),
            number: numbers[reg],
        };
        let fields = new_risk(&mut rng, numbers[reg], at);
        out.push(
            Change::CreateRisk {
                register: codes[reg].clone(),
                number: Some(numbers[reg]),
                fields,
            },
            at,
        )
        .await?;
        if i % 20 == 19 && issues_made < plan.issues {
            issues_made += 1;
            issue_numbers[reg] += 1;
            let mut f = IssueFields::new(
                text::issue_statement(&mut rng, issue_numbers[reg]),
                score(&mut rng),
                rag(&mut rng),
            );
            f.impacts = text::consequences(&mut rng);
            f.owner = Some(text::person(&mut rng));
            f.associated_risk = Some(reference.clone());
            let change = Change::CreateIssue {
                register: codes[reg].clone(),
                number: Some(issue_numbers[reg]),
                fields: f,
            };
            out.push(change, clock.tick()).await?;
        }
        refs.push(reference);
    }
    // The plan counts at least one issue; a register under 20 risks gets it here.
    while issues_made < plan.issues {
        issues_made += 1;
        issue_numbers[0] += 1;
        let mut f = IssueFields::new(
            text::issue_statement(&mut rng, issue_numbers[0]),
            score(&mut rng),
            rag(&mut rng),
        );
        f.associated_risk = refs.first().cloned();
        let change = Change::CreateIssue {
            register: codes[0].clone(),
            number: Some(issue_numbers[0]),
            fields: f,
        };
        out.push(change, clock.tick()).await?;
    }

    // Reviews go round every risk in turn, so each risk has about the same history.
    let n = u64::from(plan.risks);
    for r in 0..plan.reviews {
        let index = (r % n) as usize;
        let round = (r / n) as u32 + 1;
        let last = r + n >= plan.reviews;
        let change = Change::AmendRisk {
            reference: refs[index].clone(),
            expected_version: None,
            change: review(&mut rng, round, last, index),
        };
        out.push(change, clock.tick()).await?;
    }
    out.flush().await?;

    // Users last: each is its own transaction, as riskreg writes them.
    let roles = [Role::Viewer, Role::Member, Role::Secretariat, Role::Admin];
    for u in 0..plan.users {
        let mut fields = UserFields::new(roles[(u % 4) as usize]);
        fields.registers = (0..codes.len())
            .filter(|&i| i == 0 || rng.u8(..4) == 0)
            .map(|i| codes[i].clone())
            .collect();
        let name = UserName::parse(&format!("user{u:04}")).map_err(StoreError::other)?;
        let mut at = ctx(clock.tick());
        at.at = None;
        store.create_user(name, fields, None, at).await?;
        out.done += 1;
    }
    (out.progress)(out.done, out.total);

    let top_register_risks = numbers[0];
    Ok(Summary {
        plan,
        top_register: TOP.to_owned(),
        top_register_risks,
        sample_risk: format!("{TOP}-{}", top_register_risks.div_ceil(2)),
        confidential_registers: codes
            .iter()
            .enumerate()
            .filter(|(i, _)| is_confidential(*i))
            .map(|(_, c)| c.to_string())
            .collect(),
    })
}

/// `count` risks of the top register as the generator writes them (version 1), held in
/// memory, for benchmarks of the pure domain paths.
pub fn sample_risks(count: u32, seed: u64) -> StoreResult<Vec<riskreg_domain::Risk>> {
    let mut rng = Rng::with_seed(seed);
    let mut clock = Clock::new(u64::from(count))?;
    let code = RegisterCode::parse(TOP).map_err(StoreError::other)?;
    Ok((1..=count)
        .map(|number| {
            let at = clock.tick();
            riskreg_domain::Risk {
                reference: RecordRef {
                    register: code.clone(),
                    number,
                },
                fields: new_risk(&mut rng, number, at),
                revision: riskreg_domain::register::Revision {
                    version: 1,
                    updated_at: at,
                    updated_by: "bench-data".into(),
                },
            }
        })
        .collect())
}

//! Applying records read from a spreadsheet: the workbook's settings (into an empty
//! database only), registers to create, then risks and issues in them, each with its number if the sheet gave one and the next free number otherwise.
//! Everything is checked against the database first (registers exist, numbers and source
//! references are free) and every problem reported at once; then it is all written through
//! the write engine in one transaction, each record with its event.

use std::collections::{HashMap, HashSet};

use riskreg_domain::{
    IssueFields, RegisterCode, RegisterFields, RiskFields, Settings, ValidationError, ValidationErrors,
};

use crate::engine::{Change, Write, WriteContext};
use crate::error::{StoreError, StoreResult};
use crate::event::RecordType;
use crate::store::Store;

/// One record to create: where it came from (for messages), its register and number.
#[derive(Debug, Clone)]
pub struct RecordToImport<T> {
    /// `Security Risk Tracker row 7`, say.
    pub origin: String,
    pub register: RegisterCode,
    pub number: Option<u32>,
    pub fields: T,
}

/// What to create.
#[derive(Debug, Clone, Default)]
pub struct RecordsImport {
    /// The settings (scales, bands, classification) riskreg's own workbook carries: taken
    /// only into a database with no registers yet, written before everything else.
    pub settings: Option<Settings>,
    pub registers: Vec<(RegisterCode, RegisterFields)>,
    pub risks: Vec<RecordToImport<RiskFields>>,
    pub issues: Vec<RecordToImport<IssueFields>>,
}

/// What an import created (or would).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordsSummary {
    pub registers: usize,
    pub risks: usize,
    pub issues: usize,
}

/// The registers an import may put records in: those already in the database, and those
/// it lists itself (created first, in the same transaction).
#[derive(Debug, Clone, Copy)]
struct Registers<'a> {
    listed: &'a HashSet<RegisterCode>,
    in_database: &'a HashSet<RegisterCode>,
}

impl dyn Store {
    /// Checks `import` against this database and returns the writes that would make it.
    pub async fn plan_records_import(&self, import: &RecordsImport, ctx: &WriteContext) -> StoreResult<Vec<Write>> {
        let mut errors = ValidationErrors::default();
        let mut writes = Vec::new();
        let existing: HashSet<RegisterCode> = self.registers(None).await?.into_iter().map(|r| r.code).collect();
        if let Some(settings) = &import.settings {
            if !existing.is_empty() {
                errors.push(ValidationError::new(
                    "settings",
                    "a workbook's scales and classification are taken only into an empty database (one with no \
                     registers yet); import its sheets into existing registers one by one",
                ));
            } else if *settings != self.settings().await? {
                writes.push(Write {
                    change: Change::Settings(settings.clone()),
                    ctx: ctx.clone(),
                });
            }
        }
        let mut known = existing.clone();
        for (code, fields) in &import.registers {
            if existing.contains(code) {
                errors.push(ValidationError::new(
                    format!("registers.{code}"),
                    format!("register {code} already exists in this database"),
                ));
            }
            if let Some(parent) = &fields.parent
                && !known.contains(parent)
            {
                errors.push(ValidationError::new(
                    format!("registers.{code}.parent"),
                    format!("names no register listed before it or in the database: {parent}"),
                ));
            }
            known.insert(code.clone());
            writes.push(Write {
                change: Change::CreateRegister {
                    code: code.clone(),
                    fields: fields.clone(),
                },
                ctx: ctx.clone(),
            });
        }
        let mut taken: HashMap<(RecordType, RegisterCode), HashSet<u32>> = HashMap::new();
        for r in &import.risks {
            self.check_record(
                RecordType::Risk,
                r,
                r.fields.source_ref.as_deref(),
                Registers {
                    listed: &known,
                    in_database: &existing,
                },
                &mut taken,
                &mut errors,
            )
            .await?;
            writes.push(Write {
                change: Change::CreateRisk {
                    register: r.register.clone(),
                    number: r.number,
                    fields: r.fields.clone(),
                },
                ctx: ctx.clone(),
            });
        }
        for r in &import.issues {
            self.check_record(
                RecordType::Issue,
                r,
                r.fields.source_ref.as_deref(),
                Registers {
                    listed: &known,
                    in_database: &existing,
                },
                &mut taken,
                &mut errors,
            )
            .await?;
            writes.push(Write {
                change: Change::CreateIssue {
                    register: r.register.clone(),
                    number: r.number,
                    fields: r.fields.clone(),
                },
                ctx: ctx.clone(),
            });
        }
        errors.into_result(writes).map_err(StoreError::Invalid)
    }

    async fn check_record<T>(
        &self,
        record_type: RecordType,
        r: &RecordToImport<T>,
        source_ref: Option<&str>,
        registers: Registers<'_>,
        taken: &mut HashMap<(RecordType, RegisterCode), HashSet<u32>>,
        errors: &mut ValidationErrors,
    ) -> StoreResult<()> {
        let kind = record_type.as_str();
        if !registers.listed.contains(&r.register) {
            errors.push(ValidationError::new(
                format!("{}.register", r.origin),
                format!("names no register in this database: {}", r.register),
            ));
            return Ok(());
        }
        // A register the import itself creates holds nothing yet to collide with.
        let in_database = registers.in_database.contains(&r.register);
        if let Some(s) = source_ref
            && in_database
            && let Some(found) = self.find_by_source_ref(record_type, &r.register, s).await?
        {
            errors.push(ValidationError::new(
                format!("{}.source_ref", r.origin),
                format!("{s:?} is already {kind} {found}; it was imported before"),
            ));
        }
        if let Some(n) = r.number {
            let numbers = match taken.entry((record_type, r.register.clone())) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) if !in_database => e.insert(HashSet::new()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let query = crate::store::RecordQuery {
                        register: Some(r.register.clone()),
                        as_at: None,
                        include_closed: true,
                    };
                    let used: HashSet<u32> = match record_type {
                        RecordType::Issue => self
                            .issues(&query)
                            .await?
                            .into_iter()
                            .map(|i| i.reference.number)
                            .collect(),
                        _ => self
                            .risks(&query)
                            .await?
                            .into_iter()
                            .map(|i| i.reference.number)
                            .collect(),
                    };
                    e.insert(used)
                }
            };
            if !numbers.insert(n) {
                errors.push(ValidationError::new(
                    format!("{}.number", r.origin),
                    format!("{kind} {}-{n} already exists; numbers are never reused", r.register),
                ));
            }
        }
        Ok(())
    }

    /// Checks and writes `import` in one transaction.
    pub async fn import_records(&self, import: &RecordsImport, ctx: &WriteContext) -> StoreResult<RecordsSummary> {
        let writes = self.plan_records_import(import, ctx).await?;
        self.write(writes).await?;
        Ok(summary(import))
    }
}

pub fn summary(import: &RecordsImport) -> RecordsSummary {
    RecordsSummary {
        registers: import.registers.len(),
        risks: import.risks.len(),
        issues: import.issues.len(),
    }
}

//! `riskreg risk list|show|add|amend|close|history`.

use std::collections::HashMap;
use std::process::ExitCode;

use chrono::Utc;
use riskreg_domain::view::RiskView;
use riskreg_domain::{RecordRef, RegisterCode, ValidationError};
use riskreg_store::{RecordQuery, RecordType, StoreError};

use super::{Session, print};
use crate::cli::{Format, ListArgs, RiskCommand, ShowFormat};
use crate::output;

/// Parses a register code given on the command line.
pub fn register_arg(value: &str) -> Result<RegisterCode, StoreError> {
    RegisterCode::parse(value).map_err(StoreError::from)
}

/// Parses a record reference given on the command line.
pub fn reference_arg(value: &str) -> Result<RecordRef, StoreError> {
    RecordRef::parse(value).map_err(|e| StoreError::from(ValidationError::new("ref", e.rule)))
}

/// The record `text` names: `CODE-N`, or with `register` given, the reference the record
/// had in the spreadsheet it was imported from (`015(CR)`, `Risk 001`).
pub async fn resolve(
    s: &Session,
    record_type: RecordType,
    text: &str,
    register: Option<&str>,
) -> Result<RecordRef, StoreError> {
    let Some(register) = register else {
        return reference_arg(text);
    };
    let code = register_arg(register)?;
    if let Some(found) = s.store.find_by_source_ref(record_type, &code, text.trim()).await? {
        return Ok(found);
    }
    match RecordRef::parse(text) {
        Ok(r) if r.register == code => Ok(r),
        _ => Err(StoreError::NotFound(format!(
            "no {} in register {code} has the reference {text:?}",
            record_type.as_str()
        ))),
    }
}

/// The query a list command asks for.
pub fn query(args: &ListArgs) -> Result<RecordQuery, StoreError> {
    Ok(RecordQuery {
        register: args.register.as_deref().map(register_arg).transpose()?,
        as_at: args.read.as_at,
        include_closed: args.all,
    })
}

/// The date of the last paper of every register, which decides which mitigations are new.
pub async fn last_papers(
    s: &Session,
    as_at: Option<chrono::DateTime<Utc>>,
) -> anyhow::Result<HashMap<RegisterCode, Option<chrono::NaiveDate>>> {
    Ok(s.store
        .registers(as_at)
        .await?
        .into_iter()
        .map(|r| (r.code, r.fields.last_paper_on))
        .collect())
}

pub async fn run(s: &Session, command: RiskCommand) -> anyhow::Result<ExitCode> {
    match command {
        RiskCommand::List(args) => {
            let risks = s.store.risks(&query(&args)?).await?;
            let settings = s.store.settings().await?;
            let papers = last_papers(s, args.read.as_at).await?;
            let views: Vec<RiskView> = risks
                .into_iter()
                .map(|r| {
                    let paper = papers.get(&r.reference.register).copied().flatten();
                    RiskView::from_risk(r, &settings, paper)
                })
                .collect();
            let text = match args.format {
                Format::Table => output::risk_table(&views, &settings),
                Format::Json => output::json(&views)?,
                Format::Csv => output::risks_csv(&views)?,
            };
            // The process ends with the listing: a whole register (50,000 risks as at a date
            // is 100 MB of JSON) is left for the system to take back at exit rather than
            // freed an allocation at a time.
            std::mem::forget(views);
            let printed = print(&text);
            std::mem::forget(text);
            printed
        }
        RiskCommand::Show(args) => {
            let reference = resolve(s, RecordType::Risk, &args.reference, args.register.as_deref()).await?;
            let risk = s.store.risk(&reference, args.read.as_at).await?;
            let settings = s.store.settings().await?;
            let register = s.store.register(&reference.register, args.read.as_at).await?;
            let view = RiskView::new(&risk, &settings, register.fields.last_paper_on);
            match args.format {
                ShowFormat::Table => print(&output::risk_detail(&view, &settings)),
                ShowFormat::Json => print(&output::json(&view)?),
            }
        }
        RiskCommand::Add {
            register,
            number,
            fields,
        } => {
            let register = register_arg(&register)?;
            let fields = fields.to_new(Utc::now().date_naive()).map_err(StoreError::Invalid)?;
            let risk = s.store.create_risk(register, number, fields, s.ctx()).await?;
            print(&format!("{}\n", risk.reference))
        }
        RiskCommand::Amend {
            reference,
            expect_version,
            fields,
        } => {
            let reference = reference_arg(&reference)?;
            let change = fields.to_change().map_err(StoreError::Invalid)?;
            let risk = s.store.amend_risk(reference, expect_version, change, s.ctx()).await?;
            print(&format!(
                "{} amended: now version {}\n",
                risk.reference, risk.revision.version
            ))
        }
        RiskCommand::Close(args) => {
            let reference = reference_arg(&args.reference)?;
            let risk = s.store.close_risk(reference, args.expect_version, s.ctx()).await?;
            print(&format!(
                "{} closed: now version {}\n",
                risk.reference, risk.revision.version
            ))
        }
        RiskCommand::History(args) => {
            let reference = reference_arg(&args.reference)?;
            let events = s.store.history(RecordType::Risk, &reference.to_string()).await?;
            if events.is_empty() {
                return Err(StoreError::NotFound(format!("risk {reference}")).into());
            }
            match args.format {
                ShowFormat::Table => print(&output::history_table(&events)),
                ShowFormat::Json => print(&output::json(&events)?),
            }
        }
    }
}

//! `riskreg register list|add`.

use std::process::ExitCode;

use riskreg_domain::{RegisterCode, RegisterFields};

use super::{Session, print};
use crate::cli::{Format, RegisterCommand};
use crate::output;

pub async fn run(s: &Session, command: RegisterCommand) -> anyhow::Result<ExitCode> {
    match command {
        RegisterCommand::List { read, format } => {
            let registers = s.store.registers(read.as_at).await?;
            match format {
                Format::Table => print(&output::register_table(&registers)),
                Format::Json => print(&output::json(&output::register_views(&registers))?),
                Format::Csv => print(&output::registers_csv(&registers)?),
            }
        }
        RegisterCommand::Add {
            code,
            name,
            parent,
            confidential,
            description,
        } => {
            let code = RegisterCode::parse(&code).map_err(riskreg_store::StoreError::from)?;
            let parent = parent
                .map(|p| RegisterCode::parse(&p).map_err(|e| riskreg_domain::ValidationError::new("parent", e.rule)))
                .transpose()
                .map_err(riskreg_store::StoreError::from)?;
            let fields = RegisterFields {
                name,
                parent,
                confidential,
                description,
                last_paper_on: None,
            };
            let r = s.store.create_register(code, fields, s.ctx()).await?;
            print(&format!("{}\n", r.code))
        }
    }
}

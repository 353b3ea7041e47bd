//! `riskreg import FILE` and `riskreg export`: the register file format, all-or-nothing.

use std::process::ExitCode;

use anyhow::Context;
use riskreg_store::StoreError;

use super::{Session, print};
use crate::cli::{ExportArgs, ImportArgs};

/// Files larger than this are refused before they are read.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

pub async fn import(s: &Session, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(StoreError::invalid("file", format!("must be at most {MAX_FILE_BYTES} bytes")).into());
    }
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let mut ctx = s.ctx();
    ctx.reason
        .get_or_insert_with(|| format!("import {}", args.file.display()));
    let summary = if args.dry_run {
        s.store.prepare_import(&text, &ctx).await?.1
    } else {
        s.store.import_text(&text, &ctx).await?
    };
    print(&format!(
        "{} {} registers, {} risks, {} issues ({} versions){}\n",
        if args.dry_run { "Would import" } else { "Imported" },
        summary.registers,
        summary.risks,
        summary.issues,
        summary.versions,
        if summary.settings {
            ", and the file's settings"
        } else {
            ""
        }
    ))
}

pub async fn export(s: &Session, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let doc = s.store.export().await?;
    let text = doc.to_json();
    match args.out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        None => print(&text),
    }
}

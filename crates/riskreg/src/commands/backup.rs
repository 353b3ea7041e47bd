//! `riskreg backup OUT`: a consistent copy of a SQLite database taken while it is in use,
//! checked by verifying its chain. PostgreSQL has its own tools for this (README).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use riskreg_store::verify_chain;
use riskreg_store_sqlite::SqliteStore;

use super::print;
use crate::backend;
use crate::cli::BackupArgs;
use crate::exit::AuditFailed;

pub async fn run(db: &str, args: BackupArgs) -> anyhow::Result<ExitCode> {
    if backend::is_postgres(db) {
        bail!(
            "backup: riskreg does not copy a PostgreSQL database itself; use pg_dump, as README.md \
             describes under \"PostgreSQL\" → \"Backups\" (pg_dump --format=custom, then a restore \
             into a scratch database and `riskreg audit verify` on it)"
        );
    }
    let Some(path) = sqlite_path(db) else {
        bail!(
            "--db: cannot back up {:?}; backup takes sqlite:PATH",
            backend::shown(db)
        );
    };
    if !Path::new(path).is_file() {
        bail!("--db: {path} does not exist; there is nothing to back up");
    }
    if args.out.exists() {
        bail!(
            "OUT: {} already exists; a backup never overwrites a file",
            args.out.display()
        );
    }
    let source = SqliteStore::open(db).await.with_context(|| format!("opening {db}"))?;
    source.backup_into(&args.out).await?;
    source.pool().close().await;

    // The copy is opened as riskreg would open it after a restore, and its chain verified.
    let copy_url = format!("sqlite:{}", args.out.display());
    let copy = SqliteStore::open(&copy_url)
        .await
        .with_context(|| format!("opening the backup {}", args.out.display()))?;
    let report = verify_chain(&copy).await?;
    copy.pool().close().await;
    if let Some(p) = &report.problem {
        eprintln!(
            "backup written to {}, but its history does not verify: {}",
            args.out.display(),
            p.message
        );
        if let Some(seq) = p.seq {
            eprintln!("  first bad event: {seq}");
        }
        eprintln!("  the database it was taken from has the same problem: run `riskreg audit verify`");
        return Err(AuditFailed.into());
    }
    print(&format!(
        "backup written to {}: {} events, {} records, chain head {}; verified\n",
        args.out.display(),
        report.events,
        report.records,
        report.head.as_deref().unwrap_or("(empty)")
    ))
}

/// The file of a `sqlite:` URL (`sqlite:PATH`, `sqlite://PATH`, with or without `?options`).
fn sqlite_path(db: &str) -> Option<&str> {
    let rest = db.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

//! `riskreg audit`: `verify` walks the hash chain and checks the tables against it (and,
//! with `--against`, against a signed head kept outside the database); `keygen` and `head`
//! make the key and the signed head.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use chrono::{SubsecRound as _, Utc};
use riskreg_store::chain::ChainHead;
use riskreg_store::verify::verify_chain_against;
use riskreg_store::{ChainReport, verify_chain};
use serde_json::json;

use super::{Session, print};
use crate::cli::{AuditCommand, ShowFormat};
use crate::exit::AuditFailed;
use crate::output;
use crate::signed_head::{self, Head, SignedHead};

pub async fn run(s: &Session, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify {
            format,
            against: Some(head),
            key: Some(key),
        } => verify_against(s, format, &head, &key).await,
        AuditCommand::Verify { format, .. } => verify(s, format).await,
        AuditCommand::Head { sign, out } => head(s, &sign, out.as_deref()).await,
        AuditCommand::Keygen { out } => keygen(&out),
    }
}

async fn verify(s: &Session, format: ShowFormat) -> anyhow::Result<ExitCode> {
    let report = verify_chain(s.store.as_ref()).await?;
    if format == ShowFormat::Json {
        print(&output::json(&report)?)?;
    } else {
        print_report(&report, "")?;
    }
    conclude(&report)
}

async fn verify_against(s: &Session, format: ShowFormat, path: &Path, key: &Path) -> anyhow::Result<ExitCode> {
    let doc = SignedHead::read(path)?;
    let trusted = signed_head::read_verifying_key(key)?;
    if let Err(problem) = doc.check(&trusted) {
        if format == ShowFormat::Json {
            print(&output::json(&json!({
                "against": doc,
                "signature": {"ok": false, "problem": problem},
            }))?)?;
        } else {
            eprintln!("audit verify FAILED: the signed head {} is refused", path.display());
            eprintln!("  {problem}");
        }
        return Err(AuditFailed.into());
    }
    let head = ChainHead {
        seq: doc.head.seq,
        hash: doc.head.hash.clone(),
    };
    let report = verify_chain_against(s.store.as_ref(), &head).await?;
    if format == ShowFormat::Json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("against".into(), serde_json::to_value(&doc)?);
            object.insert("signature".into(), json!({"ok": true}));
        }
        print(&output::json(&value)?)?;
    } else {
        let note = format!(
            "; holds the signed head (event {}, taken {}, key {})",
            doc.head.seq,
            doc.head.at.format("%Y-%m-%d %H:%M:%S UTC"),
            doc.key
        );
        print_report(&report, &note)?;
    }
    conclude(&report)
}

fn print_report(report: &ChainReport, note: &str) -> anyhow::Result<()> {
    if let Some(p) = &report.problem {
        eprintln!("audit verify FAILED: {}", p.message);
        if let Some(seq) = p.seq {
            eprintln!("  first bad event: {seq}");
        }
        eprintln!("  {} events verified before it", report.events);
    } else {
        print(&format!(
            "audit verify ok: {} events, {} records match their last event; chain head {}{note}\n",
            report.events,
            report.records,
            report.head.as_deref().unwrap_or("(empty)")
        ))?;
    }
    Ok(())
}

fn conclude(report: &ChainReport) -> anyhow::Result<ExitCode> {
    if report.ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(AuditFailed.into())
    }
}

async fn head(s: &Session, key: &Path, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let key = signed_head::read_signing_key(key)?;
    if let Some(out) = out.filter(|o| o.exists()) {
        bail!(
            "--out: {} already exists; riskreg never overwrites a signed head (keep each one)",
            out.display()
        );
    }
    // A signature vouches for everything up to the head, so a broken chain is never signed.
    let report = verify_chain(s.store.as_ref()).await?;
    if !report.ok() {
        print_report(&report, "")?;
        eprintln!("  no head signed: repair or restore the database first");
        return Err(AuditFailed.into());
    }
    let Some(hash) = report.head.clone().filter(|_| report.events > 0) else {
        bail!("the history is empty: there is no head to sign yet");
    };
    let signed = Head {
        seq: report.events as i64,
        hash,
        events: report.events,
        at: Utc::now().trunc_subsecs(0),
    }
    .sign(&key);
    let text = output::json(&signed)?;
    match out {
        Some(out) => {
            signed_head::write_new(out, text.as_bytes(), 0o644)
                .map_err(|e| anyhow::anyhow!("--out: cannot write {}: {e}", out.display()))?;
            eprintln!(
                "signed head written to {}: event {}, hash {}",
                out.display(),
                signed.head.seq,
                signed.head.hash
            );
            Ok(ExitCode::SUCCESS)
        }
        None => print(&text),
    }
}

pub fn keygen(out: &Path) -> anyhow::Result<ExitCode> {
    let (public_path, public) = signed_head::keygen(out)?;
    print(&format!(
        "private key written to {} (readable by you only): keep it away from the database and its administrators\n\
         public key written to {}: give it to whoever runs `riskreg audit verify --against`\n\
         key {}\n",
        out.display(),
        public_path.display(),
        hex::encode(public.to_bytes())
    ))
}

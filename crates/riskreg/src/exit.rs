//! Exit codes and error messages. Scripts can tell bad input, a missing record and a
//! conflicting change apart by the code alone.

use std::process::ExitCode;

use riskreg_store::StoreError;

/// 1: anything else; 2: bad command line (clap's own); 3: invalid input; 4: not found;
/// 5: conflict (stale version, already exists); 6: audit verification failed.
pub const INVALID: u8 = 3;
pub const NOT_FOUND: u8 = 4;
pub const CONFLICT: u8 = 5;
pub const AUDIT_FAILED: u8 = 6;

/// An error raised by a command when the failure is the audit finding a problem.
#[derive(Debug)]
pub struct AuditFailed;

impl std::error::Error for AuditFailed {}

impl std::fmt::Display for AuditFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audit verification failed")
    }
}

pub fn report(e: &anyhow::Error) -> ExitCode {
    let code = match e.downcast_ref::<StoreError>() {
        Some(StoreError::Invalid(errors)) => {
            eprintln!("error: invalid input");
            for err in &errors.0 {
                eprintln!(
                    "  {}: {}",
                    if err.field.is_empty() { "(file)" } else { &err.field },
                    err.rule
                );
            }
            return ExitCode::from(INVALID);
        }
        Some(StoreError::NotFound(_)) => NOT_FOUND,
        Some(StoreError::Conflict(_)) => CONFLICT,
        _ if e.downcast_ref::<AuditFailed>().is_some() => AUDIT_FAILED,
        _ if e.downcast_ref::<riskreg_domain::ValidationError>().is_some() => INVALID,
        _ => 1,
    };
    eprintln!("error: {e:#}");
    ExitCode::from(code)
}

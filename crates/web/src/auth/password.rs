//! Passwords: argon2id with the crate's default (OWASP-recommended) parameters and a
//! random salt per hash, stored as PHC strings. Verification runs on a blocking thread:
//! a hash takes tens of milliseconds of CPU, which must not stall the async workers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::Error;

/// The shortest and longest passwords accepted. The upper bound keeps a hash's cost
/// bounded; the lower one is NIST SP 800-63B's minimum for user-chosen secrets, raised.
pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

/// Checks a new password against the length rules, naming `field`.
pub fn check_new(field: &str, password: &str) -> Result<(), Error> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(Error::invalid(field, format!("must be at least {MIN_LEN} characters")));
    }
    if n > MAX_LEN {
        return Err(Error::invalid(field, format!("must be at most {MAX_LEN} characters")));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with a fresh random salt.
pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(Error::internal)?
}

/// Whether `password` matches `phc`. With no stored hash (an unknown user, or a user who
/// has no password) a dummy hash is still computed, so the answer takes as long either
/// way and timing does not reveal which names exist.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => Ok(Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok()),
        None => {
            let _ = Argon2::default().hash_password(password.as_bytes());
            Ok(false)
        }
    })
    .await
    .map_err(Error::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery".into()).await.unwrap();
        let b = hash("correct horse battery".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery".into(), Some(a.clone())).await.unwrap());
        assert!(!verify("wrong horse battery".into(), Some(a)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn length_rules_name_the_field() {
        assert!(check_new("password", "short").is_err());
        assert!(check_new("password", &"x".repeat(300)).is_err());
        assert!(check_new("password", "long enough pass").is_ok());
    }
}

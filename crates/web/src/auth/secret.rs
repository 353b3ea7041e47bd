//! Random secrets and their hashes: session ids, CSRF tokens and API tokens are 256-bit
//! random values; the database keeps only their SHA-256, so reading it logs no one in.

use sha2::{Digest, Sha256};

use crate::error::Error;

/// `bytes` random bytes from the operating system, hex-encoded.
pub fn random_hex(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

/// Hex SHA-256 of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they first differ.
pub fn equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new API token: its public id and the secret shown once to its owner. The secret is
/// `rr_<id>_<64 hex>`, so a leaked token is recognisable (e.g. by secret scanners) and its
/// id can be revoked without the database being searched by secret.
pub fn new_api_token() -> Result<(String, String), Error> {
    let id = random_hex(6)?;
    let secret = format!("rr_{id}_{}", random_hex(32)?);
    Ok((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_shaped() {
        let (id, secret) = new_api_token().unwrap();
        let (id2, secret2) = new_api_token().unwrap();
        assert_ne!(secret, secret2);
        assert_ne!(id, id2);
        assert!(secret.starts_with(&format!("rr_{id}_")));
        assert_eq!(secret.len(), 3 + 12 + 1 + 64);
        assert_eq!(hash("x").len(), 64);
        assert!(equal("abc", "abc") && !equal("abc", "abd") && !equal("abc", "ab"));
    }
}

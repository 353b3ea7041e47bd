//! A signed chain head: the history's last position and hash, signed with an Ed25519 key
//! kept away from the database, so that whoever can rewrite the database (and recompute
//! every hash) cannot also forge the head that `audit verify --against` checks it against.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The `format` of a head document; the signed message begins with it, so a signature over
/// anything else cannot be passed off as a head's.
pub const FORMAT: &str = "riskreg-chain-head/1";

/// What a head document says, signed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The position of the last event.
    pub seq: i64,
    /// The last event's hash.
    pub hash: String,
    /// How many events the history held (equal to `seq` for an unbroken chain).
    pub events: u64,
    /// When the head was taken.
    pub at: DateTime<Utc>,
}

impl Head {
    /// The exact bytes signed: one field a line, in a fixed order.
    fn message(&self) -> Vec<u8> {
        format!(
            "{FORMAT}\nseq={}\nhash={}\nevents={}\nat={}\n",
            self.seq,
            self.hash,
            self.events,
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
        .into_bytes()
    }

    pub fn sign(self, key: &SigningKey) -> SignedHead {
        let signature = key.sign(&self.message());
        SignedHead {
            format: FORMAT.to_owned(),
            head: self,
            key: hex::encode(key.verifying_key().to_bytes()),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// The document `riskreg audit head --sign` writes: the head's fields beside `format`,
/// `key` and `signature`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Document", into = "Document")]
pub struct SignedHead {
    pub format: String,
    pub head: Head,
    /// The signer's public key (hex), to name the key in messages; it is never trusted:
    /// the verifier brings the key it trusts.
    pub key: String,
    /// The Ed25519 signature (hex) over the head's message.
    pub signature: String,
}

/// The flat form on disk (serde's `flatten` cannot be combined with refusing unknown
/// fields, and a field nobody signed has no business in the file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    seq: i64,
    hash: String,
    events: u64,
    at: DateTime<Utc>,
    key: String,
    signature: String,
}

impl From<Document> for SignedHead {
    fn from(d: Document) -> Self {
        Self {
            format: d.format,
            head: Head {
                seq: d.seq,
                hash: d.hash,
                events: d.events,
                at: d.at,
            },
            key: d.key,
            signature: d.signature,
        }
    }
}

impl From<SignedHead> for Document {
    fn from(s: SignedHead) -> Self {
        Self {
            format: s.format,
            seq: s.head.seq,
            hash: s.head.hash,
            events: s.head.events,
            at: s.head.at,
            key: s.key,
            signature: s.signature,
        }
    }
}

impl SignedHead {
    /// Reads a head document, checking its form (not yet its signature).
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("--against: cannot read {}", path.display()))?;
        let doc: Self = serde_json::from_str(&text)
            .map_err(|e| anyhow!("--against: {} is not a signed chain head: {e}", path.display()))?;
        if doc.format != FORMAT {
            bail!(
                "--against: {}: format must be {FORMAT:?}, found {:?}",
                path.display(),
                doc.format
            );
        }
        if doc.head.seq < 1 || doc.head.events != doc.head.seq as u64 {
            bail!(
                "--against: {}: seq must be at least 1 and equal events (seq {}, events {})",
                path.display(),
                doc.head.seq,
                doc.head.events
            );
        }
        Ok(doc)
    }

    /// Checks the signature with `key`, the key the verifier trusts. A head signed by another
    /// key, or altered after signing, is refused.
    pub fn check(&self, key: &VerifyingKey) -> Result<(), String> {
        let trusted = hex::encode(key.to_bytes());
        if self.key != trusted {
            return Err(format!(
                "the head was signed by key {}, not by the trusted key {trusted}",
                self.key
            ));
        }
        let bytes = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| "signature: must be 128 hexadecimal digits".to_owned())?;
        key.verify_strict(&self.head.message(), &Signature::from_bytes(&bytes))
            .map_err(|_| "the signature does not match the head: the head file has been altered".to_owned())
    }
}

/// Where `audit keygen` puts the public key: beside the private one.
pub fn public_key_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Makes a key pair: the private key as PKCS#8 PEM in a new file readable by its owner
/// only, the public key as SPKI PEM beside it. Neither file may exist already.
pub fn keygen(out: &Path) -> anyhow::Result<(PathBuf, VerifyingKey)> {
    let public_path = public_key_path(out);
    for p in [out, public_path.as_path()] {
        if p.exists() {
            bail!("--out: {} already exists; riskreg never overwrites a key", p.display());
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("cannot read the system's random source: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow!("cannot encode the private key: {e}"))?;
    let public = key.verifying_key();
    let public_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow!("cannot encode the public key: {e}"))?;
    write_new(out, private_pem.as_bytes(), 0o600).with_context(|| format!("--out: cannot write {}", out.display()))?;
    write_new(&public_path, public_pem.as_bytes(), 0o644)
        .with_context(|| format!("cannot write the public key {}", public_path.display()))?;
    Ok((public_path, public))
}

/// Reads a private key written by [`keygen`], refusing one that others may read.
pub fn read_signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("--sign: cannot read {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "--sign: {} has permissions {:04o}; a signing key must be readable by its owner only (chmod 600 {})",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let pem = std::fs::read_to_string(path).with_context(|| format!("--sign: cannot read {}", path.display()))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
        anyhow!(
            "--sign: {} is not an Ed25519 private key in PKCS#8 PEM ({e})",
            path.display()
        )
    })
}

/// Reads a public key (SPKI PEM), as written beside the private key by [`keygen`].
pub fn read_verifying_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let pem = std::fs::read_to_string(path).with_context(|| format!("--key: cannot read {}", path.display()))?;
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| {
        anyhow!(
            "--key: {} is not an Ed25519 public key in PEM (BEGIN PUBLIC KEY) ({e})",
            path.display()
        )
    })
}

/// Creates `path` (which must not exist) with `mode` and writes `bytes` to disk.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Head {
        Head {
            seq: 42,
            hash: "ab".repeat(32),
            events: 42,
            at: DateTime::parse_from_rfc3339("2026-11-01T09:30:00Z")
                .expect("time")
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn a_signed_head_checks_with_its_key_and_no_other() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let signed = head().sign(&key);
        assert_eq!(signed.check(&key.verifying_key()), Ok(()));
        let err = signed.check(&other.verifying_key()).unwrap_err();
        assert!(err.contains("not by the trusted key"), "{err}");
    }

    #[test]
    fn every_field_of_the_head_is_covered_by_the_signature() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = head().sign(&key);
        let edits: [fn(&mut Head); 4] = [
            |h| h.seq += 1,
            |h| h.hash.replace_range(0..1, "c"),
            |h| h.events += 1,
            |h| h.at += chrono::Duration::seconds(1),
        ];
        for edit in edits {
            let mut altered = signed.clone();
            edit(&mut altered.head);
            let err = altered.check(&key.verifying_key()).unwrap_err();
            assert!(err.contains("has been altered"), "{err}");
        }
    }
}

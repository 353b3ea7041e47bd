//! Events: one per change to any record, written in the same transaction as the change.
//! History, as-at views and the audit trail are all read from them.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    Settings,
    Register,
    Risk,
    Issue,
    Meeting,
    Proposal,
    /// A register as agreed at a meeting, kept unchanged from then on.
    Snapshot,
    User,
    Token,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Settings => "settings",
            Self::Register => "register",
            Self::Risk => "risk",
            Self::Issue => "issue",
            Self::Meeting => "meeting",
            Self::Proposal => "proposal",
            Self::Snapshot => "snapshot",
            Self::User => "user",
            Self::Token => "token",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "settings" => Some(Self::Settings),
            "register" => Some(Self::Register),
            "risk" => Some(Self::Risk),
            "issue" => Some(Self::Issue),
            "meeting" => Some(Self::Meeting),
            "proposal" => Some(Self::Proposal),
            "snapshot" => Some(Self::Snapshot),
            "user" => Some(Self::User),
            "token" => Some(Self::Token),
            _ => None,
        }
    }
}

/// One entry in the hash-chained history. `B` is how the record's before and after are
/// held: as JSON values, or (for verifying, see [`Event::stored`]) as the text stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event<B = Value> {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When the change took effect; as-at reads go by this.
    pub at: DateTime<Utc>,
    /// When riskreg wrote it. Equal to `at` except for imported history.
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
    /// What happened: `created`, `amended`, `closed`, `imported`, ...
    pub kind: String,
    pub record_type: RecordType,
    /// `PANEL-15` for a risk or issue, the code for a register, `settings`.
    pub record_key: String,
    /// The register the record belongs to, for register-wide history reads.
    pub register: Option<String>,
    /// The record's version after this change.
    pub version: u32,
    pub before: Option<B>,
    pub after: Option<B>,
    pub prev_hash: String,
    pub hash: String,
}

impl<B> Event<B> {
    /// The same event with its before and after held another way.
    pub fn map_bodies<C>(self, mut f: impl FnMut(B) -> C) -> Event<C> {
        Event {
            seq: self.seq,
            at: self.at,
            recorded_at: self.recorded_at,
            actor: self.actor,
            reason: self.reason,
            kind: self.kind,
            record_type: self.record_type,
            record_key: self.record_key,
            register: self.register,
            version: self.version,
            before: self.before.map(&mut f),
            after: self.after.map(f),
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

impl Event {
    /// The event with its bodies as riskreg stores them: canonical JSON text.
    pub fn stored(self) -> Event<String> {
        self.map_bodies(|v| crate::chain::canonical_json(&v))
    }
}

impl Event<String> {
    /// The event with its stored text read as JSON. Text that no longer parses has been
    /// tampered with; it is kept as a JSON string so that its hash fails to match, rather
    /// than the read failing.
    pub fn parsed(self) -> Event {
        self.map_bodies(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
    }
}

/// Timestamps are kept to the microsecond, the finest both backends store exactly, so the
/// bytes that are hashed are the same whichever database holds the event.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// The one textual form of a timestamp used in hashes and on disk where text is stored.
pub fn timestamp_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

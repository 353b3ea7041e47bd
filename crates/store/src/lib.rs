//! riskreg's storage boundary. [`Store`] is what the CLI, the API and the reports read and
//! write through; each backend (SQLite, PostgreSQL) implements its small set of primitive
//! reads and row writes, and everything that must behave the same on every backend —
//! validation, versions and conflicts, events and their hash chain, imports, exports and
//! chain verification — lives here, once.

pub mod chain;
pub mod conformance;
pub mod engine;
pub mod error;
pub mod event;
pub mod exchange;
pub mod lint;
pub mod migrations;
pub mod review;
pub mod sessions;
pub mod sheet_import;
pub mod store;
pub mod transfer;
pub mod user_writes;
pub mod users;
pub mod verify;

pub use engine::{Applied, Change, ProposalDraft, Write, WriteContext};
pub use error::{StoreError, StoreResult};
pub use event::{Event, RecordType};
pub use sessions::{SessionStore, ThrottleStore};
pub use store::{JsonRecord, RecordQuery, Store, WriteTx};
pub use transfer::{CopySummary, copy_all};
pub use users::UserStore;
pub use verify::{ChainReport, verify_chain};

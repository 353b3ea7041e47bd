//! Login sessions and login throttling. They live in the database, not in a server's
//! memory, so that several `riskreg serve` processes on one database agree on who is
//! logged in and how many guesses a client has made. Neither is audited: they churn, and
//! the events that matter (a password set, an account disabled) are.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreResult;
use crate::users::UserName;

/// One login session. The cookie holds a random secret; the database holds only its
/// SHA-256, so a copy of the database does not log anyone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hex SHA-256 of the cookie's secret.
    pub id_hash: String,
    pub user: UserName,
    /// The per-session token a cookie-authenticated write must echo in a header.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Failed logins counted under one key (a client, or an account from a client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub last_failure_at: DateTime<Utc>,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;

    /// The session with this id hash, if it exists and has not expired at `now`.
    async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionRecord>>;

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Ends every session of one user (outside any other change, e.g. logout everywhere).
    async fn delete_sessions_of(&self, user: &UserName) -> StoreResult<()>;

    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>>;

    /// Counts one more failure under `key` at `now`, atomically across processes. A count
    /// whose last failure is before `window_start` starts again from one.
    async fn record_failure(&self, key: &str, now: DateTime<Utc>, window_start: DateTime<Utc>) -> StoreResult<u32>;

    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;

    /// Records a success under `key` at `now` (a count of zero), e.g. that a client has
    /// logged in to an account before.
    async fn record_success(&self, key: &str, now: DateTime<Utc>) -> StoreResult<()>;

    /// Removes counts whose last failure is before `before`; returns how many.
    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

//! Users, their roles and register memberships, and their API tokens: the records that
//! decide who may read and change the registers. Changes that matter for audit (a user
//! created, a role changed, an account disabled, a membership granted, a password set, a
//! token created or revoked) are hash-chained events like every other change; sessions and
//! login throttling, which churn and prove nothing, are plain rows (see [`crate::sessions`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{RegisterCode, ValidationError};
use serde::{Deserialize, Serialize};

use crate::error::StoreResult;

/// What a user may do. Each role can do everything the roles below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the registers they can see.
    Viewer,
    /// Reads, and (in the review cycle) comments.
    Member,
    /// Edits registers, risks, issues and mitigations; runs the review cycle.
    Secretariat,
    /// Manages users, their memberships and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Member, Role::Secretariat, Role::Admin];

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Self::Viewer),
            "member" => Ok(Self::Member),
            "secretariat" => Ok(Self::Secretariat),
            "admin" => Ok(Self::Admin),
            _ => Err(ValidationError::new(
                "role",
                "must be admin, secretariat, member or viewer",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Secretariat => "secretariat",
            Self::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 2 to 64 characters of letters, digits, `.`, `_`, `-` and `@`, starting
/// with a letter or digit. Names are lower-cased, so `Alice` and `alice` are one user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

impl UserName {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let name = value.trim().to_ascii_lowercase();
        let ok = (2..=64).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(Self(name))
        } else {
            Err(ValidationError::new(
                "name",
                "must be 2 to 64 characters of letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UserName> for String {
    fn from(name: UserName) -> Self {
        name.0
    }
}

impl std::fmt::Display for UserName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything about a user that a version of the user records (never the password hash,
/// which is kept beside the record and out of the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFields {
    pub role: Role,
    #[serde(default)]
    pub disabled: bool,
    /// The registers the user is a member of, in code order. Membership is what lets a
    /// user read a confidential register.
    #[serde(default)]
    pub registers: Vec<RegisterCode>,
}

impl UserFields {
    pub fn new(role: Role) -> Self {
        Self {
            role,
            disabled: false,
            registers: Vec::new(),
        }
    }

    pub fn is_member(&self, register: &RegisterCode) -> bool {
        self.registers.binary_search(register).is_ok()
    }

    /// Sorts and de-duplicates the memberships so that equal sets are equal records.
    pub fn normalised(mut self) -> Self {
        self.registers.sort();
        self.registers.dedup();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: UserName,
    #[serde(flatten)]
    pub fields: UserFields,
    #[serde(flatten)]
    pub revision: Revision,
}

/// An API token's public part: everything but the secret, which is shown once and kept
/// only as a SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFields {
    pub user: UserName,
    /// What the token is for, in the owner's words.
    pub label: String,
    /// The most the token may do; never more than its user's role at the time of use.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// The token's public id (the part of the secret before its second `_`).
    pub id: String,
    #[serde(flatten)]
    pub fields: TokenFields,
    pub version: u32,
}

impl ApiToken {
    /// Whether the token may still be used at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.fields.revoked_at.is_none() && self.fields.expires_at.is_none_or(|t| t > now)
    }
}

/// Reads of users and tokens.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<User>>;

    async fn user(&self, name: &UserName) -> StoreResult<Option<User>>;

    /// The user's argon2id password hash (PHC string), if a password was ever set.
    async fn password_hash(&self, name: &UserName) -> StoreResult<Option<String>>;

    /// Tokens, newest first: one user's, or everyone's when `user` is `None`.
    async fn tokens(&self, user: Option<&UserName>) -> StoreResult<Vec<ApiToken>>;

    async fn token(&self, id: &str) -> StoreResult<Option<ApiToken>>;

    /// The token whose secret hashes to `secret_hash` (hex SHA-256), live or not.
    async fn token_by_hash(&self, secret_hash: &str) -> StoreResult<Option<ApiToken>>;

    /// The token whose secret hashes to `secret_hash`, with its user (if the user exists):
    /// all that authenticating a token request reads. Backends answer it in one query, since
    /// every token request pays for it.
    async fn token_with_user(&self, secret_hash: &str) -> StoreResult<Option<(ApiToken, Option<User>)>> {
        let Some(token) = self.token_by_hash(secret_hash).await? else {
            return Ok(None);
        };
        let user = self.user(&token.fields.user).await?;
        Ok(Some((token, user)))
    }

    /// A token's secret hash, for copying a database whole (`riskreg migrate`).
    async fn token_secret_hash(&self, id: &str) -> StoreResult<Option<String>>;
}

/// The row primitives of user and token writes, inside a write transaction (so they share
/// the chain head's lock with every other change).
#[async_trait]
pub trait UserTx: Send {
    async fn user(&mut self, name: &UserName) -> StoreResult<Option<User>>;
    /// Inserts a new user with its password hash.
    async fn insert_user(&mut self, user: &User, password_hash: Option<&str>) -> StoreResult<()>;
    /// Updates a user's fields and revision; the password hash is kept unless given.
    async fn update_user(&mut self, user: &User, password_hash: Option<&str>) -> StoreResult<()>;

    async fn token(&mut self, id: &str) -> StoreResult<Option<ApiToken>>;
    async fn insert_token(&mut self, token: &ApiToken, secret_hash: &str) -> StoreResult<()>;
    async fn update_token(&mut self, token: &ApiToken) -> StoreResult<()>;

    /// Ends every session of the user, in the same transaction as the change that
    /// requires it (a disabled account or a new password).
    async fn delete_user_sessions(&mut self, name: &UserName) -> StoreResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_folded() {
        assert_eq!(UserName::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(UserName::parse("a").is_err());
        assert!(UserName::parse("-alice").is_err());
        assert!(UserName::parse("al ice").is_err());
        assert_eq!(UserName::parse("j.smith@secas").unwrap().as_str(), "j.smith@secas");
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Viewer < Role::Member && Role::Member < Role::Secretariat && Role::Secretariat < Role::Admin);
        assert_eq!(Role::parse("Secretariat").unwrap(), Role::Secretariat);
        assert_eq!(Role::parse("root").unwrap_err().field, "role");
    }
}

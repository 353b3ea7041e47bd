//! The audited user and token use cases on `dyn Store`: each writes its row and a
//! hash-chained event in one transaction, so the audit trail shows who created a user,
//! changed a role, disabled an account, granted a membership, set a password, or created or
//! revoked a token. Password and token hashes never enter the history.

use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use serde::Serialize;
use serde_json::Value;

use crate::chain::{canonical_json, event_hash};
use crate::engine::WriteContext;
use crate::error::{StoreError, StoreResult};
use crate::event::{Event, RecordType, truncate};
use crate::store::{Store, WriteTx};
use crate::users::{ApiToken, TokenFields, User, UserFields, UserName};

fn to_value<T: Serialize>(v: &T) -> StoreResult<Value> {
    serde_json::to_value(v).map_err(StoreError::other)
}

struct Draft {
    kind: &'static str,
    record_type: RecordType,
    key: String,
    version: u32,
    before: Option<Value>,
    after: Value,
}

/// Appends one event at the chain head held by `tx`.
async fn append(tx: &mut dyn WriteTx, ctx: &WriteContext, now: DateTime<Utc>, d: Draft) -> StoreResult<()> {
    if ctx.actor.trim().is_empty() {
        return Err(StoreError::invalid("actor", "must not be empty"));
    }
    let head = tx.chain_head().await?;
    let mut event = Event {
        seq: head.seq + 1,
        at: now,
        recorded_at: now,
        actor: ctx.actor.trim().to_owned(),
        reason: ctx
            .reason
            .as_ref()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        kind: d.kind.to_owned(),
        record_type: d.record_type,
        record_key: d.key,
        register: None,
        version: d.version,
        before: d.before.as_ref().map(canonical_json),
        after: Some(canonical_json(&d.after)),
        prev_hash: head.hash,
        hash: String::new(),
    };
    event.hash = event_hash(&event);
    tx.append_event(event).await
}

fn check_version(what: &str, expected: Option<u32>, actual: u32) -> StoreResult<()> {
    match expected {
        Some(e) if e != actual => Err(StoreError::Conflict(format!(
            "{what} is at version {actual}, not the expected version {e}; it was changed since you read it"
        ))),
        _ => Ok(()),
    }
}

impl dyn Store {
    /// Creates a user with an (already hashed) password.
    pub async fn create_user(
        &self,
        name: UserName,
        fields: UserFields,
        password_hash: Option<&str>,
        ctx: WriteContext,
    ) -> StoreResult<User> {
        let fields = fields.normalised();
        let mut tx = self.begin().await?;
        let now = truncate(Utc::now());
        if tx.user(&name).await?.is_some() {
            return Err(StoreError::Conflict(format!("user {name} already exists")));
        }
        for code in &fields.registers {
            if tx.register(code).await?.is_none() {
                return Err(StoreError::invalid("registers", format!("names no register: {code}")));
            }
        }
        let user = User {
            name: name.clone(),
            fields,
            revision: Revision {
                version: 1,
                updated_at: now,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        tx.insert_user(&user, password_hash).await?;
        let draft = Draft {
            kind: "created",
            record_type: RecordType::User,
            key: name.to_string(),
            version: 1,
            before: None,
            after: to_value(&user.fields)?,
        };
        append(tx.as_mut(), &ctx, now, draft).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Replaces a user's role, disabled flag and memberships. Disabling ends the user's
    /// sessions in the same transaction.
    pub async fn amend_user(
        &self,
        name: &UserName,
        expected_version: Option<u32>,
        fields: UserFields,
        ctx: WriteContext,
    ) -> StoreResult<User> {
        let fields = fields.normalised();
        let mut tx = self.begin().await?;
        let now = truncate(Utc::now());
        let current = tx
            .user(name)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {name}")))?;
        check_version(&format!("user {name}"), expected_version, current.revision.version)?;
        if fields == current.fields {
            return Err(StoreError::invalid(
                "change",
                "changes nothing: the user already reads so",
            ));
        }
        for code in fields.registers.iter().filter(|c| !current.fields.is_member(c)) {
            if tx.register(code).await?.is_none() {
                return Err(StoreError::invalid("registers", format!("names no register: {code}")));
            }
        }
        let kind = match (current.fields.disabled, fields.disabled) {
            (false, true) => "disabled",
            (true, false) => "enabled",
            _ => "amended",
        };
        let user = User {
            name: name.clone(),
            fields,
            revision: Revision {
                version: current.revision.version + 1,
                updated_at: now,
                updated_by: ctx.actor.trim().to_owned(),
            },
        };
        tx.update_user(&user, None).await?;
        if user.fields.disabled {
            tx.delete_user_sessions(name).await?;
        }
        let draft = Draft {
            kind,
            record_type: RecordType::User,
            key: name.to_string(),
            version: user.revision.version,
            before: Some(to_value(&current.fields)?),
            after: to_value(&user.fields)?,
        };
        append(tx.as_mut(), &ctx, now, draft).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a user's password (already hashed) and ends all of their sessions. The event
    /// records that the password changed, never the hash.
    pub async fn set_password(&self, name: &UserName, password_hash: &str, ctx: WriteContext) -> StoreResult<User> {
        let mut tx = self.begin().await?;
        let now = truncate(Utc::now());
        let current = tx
            .user(name)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {name}")))?;
        let user = User {
            revision: Revision {
                version: current.revision.version + 1,
                updated_at: now,
                updated_by: ctx.actor.trim().to_owned(),
            },
            ..current.clone()
        };
        tx.update_user(&user, Some(password_hash)).await?;
        tx.delete_user_sessions(name).await?;
        let body = to_value(&user.fields)?;
        let draft = Draft {
            kind: "password_set",
            record_type: RecordType::User,
            key: name.to_string(),
            version: user.revision.version,
            before: Some(body.clone()),
            after: body,
        };
        append(tx.as_mut(), &ctx, now, draft).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Records a new token for `fields.user`; `secret_hash` is the SHA-256 of its secret.
    pub async fn create_token(
        &self,
        id: String,
        fields: TokenFields,
        secret_hash: &str,
        ctx: WriteContext,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.begin().await?;
        let now = truncate(Utc::now());
        let user = tx
            .user(&fields.user)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {}", fields.user)))?;
        if fields.role > user.fields.role {
            return Err(StoreError::invalid(
                "role",
                format!("must not exceed the user's own role ({})", user.fields.role),
            ));
        }
        if tx.token(&id).await?.is_some() {
            return Err(StoreError::Conflict(format!("token {id} already exists")));
        }
        let token = ApiToken {
            id: id.clone(),
            fields: TokenFields {
                created_at: now,
                ..fields
            },
            version: 1,
        };
        tx.insert_token(&token, secret_hash).await?;
        let draft = Draft {
            kind: "created",
            record_type: RecordType::Token,
            key: id,
            version: 1,
            before: None,
            after: to_value(&token.fields)?,
        };
        append(tx.as_mut(), &ctx, now, draft).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Revokes a token; revoking a revoked token is an error naming it.
    pub async fn revoke_token(&self, id: &str, ctx: WriteContext) -> StoreResult<ApiToken> {
        let mut tx = self.begin().await?;
        let now = truncate(Utc::now());
        let current = tx
            .token(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {id}")))?;
        if current.fields.revoked_at.is_some() {
            return Err(StoreError::invalid("token", format!("token {id} is already revoked")));
        }
        let token = ApiToken {
            id: id.to_owned(),
            fields: TokenFields {
                revoked_at: Some(now),
                ..current.fields.clone()
            },
            version: current.version + 1,
        };
        tx.update_token(&token).await?;
        let draft = Draft {
            kind: "revoked",
            record_type: RecordType::Token,
            key: id.to_owned(),
            version: token.version,
            before: Some(to_value(&current.fields)?),
            after: to_value(&token.fields)?,
        };
        append(tx.as_mut(), &ctx, now, draft).await?;
        tx.commit().await?;
        Ok(token)
    }
}

//! Users, tokens, sessions and login throttling on PostgreSQL. Throttle counts are bumped
//! with one atomic upsert, so concurrent failures from several server processes are all
//! counted.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riskreg_domain::register::Revision;
use riskreg_store::sessions::{SessionRecord, SessionStore, Throttle, ThrottleStore};
use riskreg_store::users::{ApiToken, User, UserName, UserStore, UserTx};
use riskreg_store::{StoreError, StoreResult};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, Row};

use crate::PgStore;
use crate::rows::db_err;
use crate::tx::PgTx;

fn user_from_row(r: &PgRow) -> StoreResult<User> {
    let body: Value = r.try_get("body").map_err(db_err)?;
    Ok(User {
        name: UserName::parse(&r.try_get::<String, _>("name").map_err(db_err)?)?,
        fields: serde_json::from_value(body).map_err(StoreError::other)?,
        revision: Revision {
            version: r.try_get::<i64, _>("version").map_err(db_err)? as u32,
            updated_at: r.try_get("updated_at").map_err(db_err)?,
            updated_by: r.try_get("updated_by").map_err(db_err)?,
        },
    })
}

fn token_from_row(r: &PgRow) -> StoreResult<ApiToken> {
    let body: Value = r.try_get("body").map_err(db_err)?;
    Ok(ApiToken {
        id: r.try_get("id").map_err(db_err)?,
        fields: serde_json::from_value(body).map_err(StoreError::other)?,
        version: r.try_get::<i64, _>("version").map_err(db_err)? as u32,
    })
}

fn session_from_row(r: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: r.try_get("id_hash").map_err(db_err)?,
        user: UserName::parse(&r.try_get::<String, _>("user_name").map_err(db_err)?)?,
        csrf_token: r.try_get("csrf_token").map_err(db_err)?,
        created_at: r.try_get("created_at").map_err(db_err)?,
        expires_at: r.try_get("expires_at").map_err(db_err)?,
    })
}

fn body<T: serde::Serialize>(value: &T) -> StoreResult<Value> {
    serde_json::to_value(value).map_err(StoreError::other)
}

async fn user_in(conn: &mut PgConnection, name: &UserName) -> StoreResult<Option<User>> {
    sqlx::query("SELECT name, body, version, updated_at, updated_by FROM users WHERE name = $1")
        .bind(name.as_str())
        .fetch_optional(conn)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

async fn token_in(conn: &mut PgConnection, id: &str) -> StoreResult<Option<ApiToken>> {
    sqlx::query("SELECT id, body, version FROM tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(token_from_row)
        .transpose()
}

#[async_trait]
impl UserStore for PgStore {
    async fn users(&self) -> StoreResult<Vec<User>> {
        sqlx::query("SELECT name, body, version, updated_at, updated_by FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(user_from_row)
            .collect()
    }

    async fn user(&self, name: &UserName) -> StoreResult<Option<User>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        user_in(&mut conn, name).await
    }

    async fn password_hash(&self, name: &UserName) -> StoreResult<Option<String>> {
        let hash: Option<Option<String>> = sqlx::query_scalar("SELECT password_hash FROM users WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(hash.flatten())
    }

    async fn tokens(&self, user: Option<&UserName>) -> StoreResult<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, body, version FROM tokens WHERE ($1::text IS NULL OR user_name = $1)
             ORDER BY body->>'created_at' DESC, id",
        )
        .bind(user.map(UserName::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn token(&self, id: &str) -> StoreResult<Option<ApiToken>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        token_in(&mut conn, id).await
    }

    async fn token_by_hash(&self, secret_hash: &str) -> StoreResult<Option<ApiToken>> {
        sqlx::query("SELECT id, body, version FROM tokens WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(token_from_row)
            .transpose()
    }

    async fn token_with_user(&self, secret_hash: &str) -> StoreResult<Option<(ApiToken, Option<User>)>> {
        let Some(row) = sqlx::query(
            "SELECT t.id, t.body, t.version, u.name AS user_name, u.body AS user_body,
                    u.version AS user_version, u.updated_at AS user_updated_at, u.updated_by AS user_updated_by
             FROM tokens AS t LEFT JOIN users AS u ON u.name = t.user_name
             WHERE t.secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        else {
            return Ok(None);
        };
        let user = match row.try_get::<Option<String>, _>("user_name").map_err(db_err)? {
            None => None,
            Some(name) => Some(User {
                name: UserName::parse(&name)?,
                fields: serde_json::from_value(row.try_get("user_body").map_err(db_err)?).map_err(StoreError::other)?,
                revision: Revision {
                    version: row.try_get::<i64, _>("user_version").map_err(db_err)? as u32,
                    updated_at: row.try_get("user_updated_at").map_err(db_err)?,
                    updated_by: row.try_get("user_updated_by").map_err(db_err)?,
                },
            }),
        };
        Ok(Some((token_from_row(&row)?, user)))
    }

    async fn token_secret_hash(&self, id: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT secret_hash FROM tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }
}

#[async_trait]
impl UserTx for PgTx {
    async fn user(&mut self, name: &UserName) -> StoreResult<Option<User>> {
        user_in(self.conn().await?, name).await
    }

    async fn insert_user(&mut self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (name, body, password_hash, version, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user.name.as_str())
        .bind(Json(body(&user.fields)?))
        .bind(password_hash)
        .bind(i64::from(user.revision.version))
        .bind(user.revision.updated_at)
        .bind(&user.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_user(&mut self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET body = $2, password_hash = COALESCE($3, password_hash), version = $4,
                              updated_at = $5, updated_by = $6
             WHERE name = $1",
        )
        .bind(user.name.as_str())
        .bind(Json(body(&user.fields)?))
        .bind(password_hash)
        .bind(i64::from(user.revision.version))
        .bind(user.revision.updated_at)
        .bind(&user.revision.updated_by)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn token(&mut self, id: &str) -> StoreResult<Option<ApiToken>> {
        token_in(self.conn().await?, id).await
    }

    async fn insert_token(&mut self, token: &ApiToken, secret_hash: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO tokens (id, user_name, secret_hash, body, version) VALUES ($1, $2, $3, $4, $5)")
            .bind(&token.id)
            .bind(token.fields.user.as_str())
            .bind(secret_hash)
            .bind(Json(body(&token.fields)?))
            .bind(i64::from(token.version))
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_token(&mut self, token: &ApiToken) -> StoreResult<()> {
        sqlx::query("UPDATE tokens SET body = $2, version = $3 WHERE id = $1")
            .bind(&token.id)
            .bind(Json(body(&token.fields)?))
            .bind(i64::from(token.version))
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_user_sessions(&mut self, name: &UserName) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(name.as_str())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

#[async_trait]
impl SessionStore for PgStore {
    async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(s.user.as_str())
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionRecord>> {
        sqlx::query(
            "SELECT id_hash, user_name, csrf_token, created_at, expires_at FROM sessions
             WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_sessions_of(&self, user: &UserName) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl ThrottleStore for PgStore {
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>> {
        let row = sqlx::query("SELECT failures, last_failure_at FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(Throttle {
                failures: r.try_get::<i64, _>("failures").map_err(db_err)? as u32,
                last_failure_at: r.try_get("last_failure_at").map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn record_failure(&self, key: &str, now: DateTime<Utc>, window_start: DateTime<Utc>) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle AS t (key, failures, last_failure_at) VALUES ($1, 1, $2)
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN t.last_failure_at < $3 THEN 1 ELSE t.failures + 1 END,
                 last_failure_at = EXCLUDED.last_failure_at
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(n as u32)
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn record_success(&self, key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 0, $2)
             ON CONFLICT (key) DO UPDATE SET failures = 0, last_failure_at = EXCLUDED.last_failure_at",
        )
        .bind(key)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE last_failure_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

//! The connection URL: PostgreSQL's own parameters go to sqlx, riskreg's pool settings are
//! taken out of the query string first, and a URL shown to anyone has its password hidden.

use std::str::FromStr;
use std::time::Duration;

use riskreg_store::{StoreError, StoreResult};
use sqlx::postgres::PgConnectOptions;
use url::Url;

/// The pool's limits, set with query parameters on the URL:
/// `postgres://user@host/db?max_connections=20&acquire_timeout=10&lock_timeout=30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections this process holds open at most (`max_connections`, default 10).
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing (`acquire_timeout`,
    /// seconds, default 30).
    pub acquire_timeout: Duration,
    /// How long a write waits for another process's write to finish before failing
    /// (`lock_timeout`, seconds, default 30): PostgreSQL's `lock_timeout`, the counterpart
    /// of SQLite's busy timeout.
    pub lock_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(30),
        }
    }
}

/// A parsed connection URL.
pub struct Target {
    /// The URL without riskreg's own parameters, as sqlx reads it.
    pub url: String,
    pub options: PgConnectOptions,
    pub pool: PoolSettings,
    /// The URL with its password hidden, for messages.
    pub shown: String,
}

/// Parses `postgres://` or `postgresql://` URLs, naming the parameter and the rule when
/// one of riskreg's pool settings is wrong.
pub fn parse(url: &str) -> StoreResult<Target> {
    let shown = redact(url);
    let mut parsed = Url::parse(url)
        .map_err(|e| StoreError::invalid("db", format!("{shown} is not a valid PostgreSQL URL: {e}")))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(StoreError::invalid(
            "db",
            format!("{shown} must start with postgres:// or postgresql://"),
        ));
    }
    let mut pool = PoolSettings::default();
    let mut kept: Vec<(String, String)> = Vec::new();
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "max_connections" => pool.max_connections = whole(&key, &value, 1)? as u32,
            "acquire_timeout" => pool.acquire_timeout = Duration::from_secs(whole(&key, &value, 1)?),
            "lock_timeout" => pool.lock_timeout = Duration::from_secs(whole(&key, &value, 1)?),
            _ => kept.push((key.into_owned(), value.into_owned())),
        }
    }
    if kept.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(kept.iter());
    }
    let has_app_name = kept.iter().any(|(k, _)| k == "application_name");
    let url = parsed.to_string();
    let mut options = PgConnectOptions::from_str(&url)
        .map_err(|e| StoreError::invalid("db", format!("{shown} is not a valid PostgreSQL URL: {e}")))?
        .options([
            // Every statement, the chain lock included, gives up after the lock timeout
            // rather than queueing forever behind a stuck writer.
            ("lock_timeout", format!("{}s", pool.lock_timeout.as_secs())),
            // No JIT compilation: the server compiles a query when its estimated cost is
            // high, as a large register's as-at read is, and riskreg's queries are index
            // walks that gain nothing from it (it took 150 ms of a 570 ms as-at read of
            // 50,000 risks over 1,000,000 events).
            ("jit", "off".to_owned()),
        ]);
    if !has_app_name {
        // So that an operator can tell riskreg's sessions apart in pg_stat_activity.
        options = options.application_name("riskreg");
    }
    Ok(Target {
        url,
        options,
        pool,
        shown,
    })
}

/// A whole number of at least `min`, from a URL parameter.
fn whole(key: &str, value: &str, min: u64) -> StoreResult<u64> {
    match value.parse::<u64>() {
        Ok(n) if n >= min && n <= u64::from(u32::MAX) => Ok(n),
        _ => Err(StoreError::invalid(
            &format!("db.{key}"),
            format!("must be a whole number from {min} up, not {value:?}"),
        )),
    }
}

/// The URL with any password replaced by `***`, so that it can be printed and logged.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Only fails for URLs that cannot have a password, which this one has.
                let _ = parsed.set_password(Some("***"));
            }
            let mut pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(k, v)| {
                    let hidden = if k == "password" {
                        "***".to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), hidden)
                })
                .collect();
            if pairs.iter().any(|(k, _)| k == "password") {
                parsed.query_pairs_mut().clear().extend_pairs(pairs.drain(..));
            }
            parsed.to_string()
        }
        Err(_) => "(an unparseable PostgreSQL URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_settings_come_off_the_url() {
        let t = parse("postgres://u:secret@db.example/reg?max_connections=20&sslmode=disable&acquire_timeout=5")
            .expect("parses");
        assert_eq!(t.pool.max_connections, 20);
        assert_eq!(t.pool.acquire_timeout, Duration::from_secs(5));
        assert_eq!(t.pool.lock_timeout, Duration::from_secs(30));
        assert_eq!(t.url, "postgres://u:secret@db.example/reg?sslmode=disable");
        assert_eq!(
            t.shown,
            "postgres://u:***@db.example/reg?max_connections=20&sslmode=disable&acquire_timeout=5"
        );
        assert_eq!(parse("postgresql://h/d").expect("parses").pool, PoolSettings::default());
    }

    #[test]
    fn bad_settings_name_the_parameter_and_rule() {
        for bad in ["max_connections=0", "acquire_timeout=soon", "lock_timeout=-1"] {
            match parse(&format!("postgres://h/d?{bad}")) {
                Err(StoreError::Invalid(e)) => {
                    assert!(e.0[0].field.starts_with("db."), "{:?}", e.0);
                    assert!(e.0[0].rule.contains("whole number"), "{:?}", e.0);
                }
                _ => panic!("{bad} should be refused"),
            }
        }
        assert!(matches!(parse("mysql://h/d"), Err(StoreError::Invalid(_))));
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://u:pw@h:5432/d"), "postgres://u:***@h:5432/d");
        assert_eq!(
            redact("postgres://h/d?password=pw&x=1"),
            "postgres://h/d?password=***&x=1"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert!(!redact("postgres://u:pw@[bad").contains("pw"));
    }
}

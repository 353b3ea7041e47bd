//! Login throttling, kept in the database so every server process counts the same
//! failures. Three counts are kept: per client address, per account from that client, and
//! per account from clients that have never logged in to it. Each allows a few failures,
//! then doubles the wait after every further one, up to a cap; a success clears the
//! account's counts. No count ever locks an account: a client that has logged in to an
//! account before is exempt from that account's count, so an attacker hammering a name
//! from elsewhere slows only themselves and other strangers, never the account's owner.

use chrono::{DateTime, Duration, Utc};
use riskreg_store::Store;
use riskreg_store::users::UserName;

use crate::error::Error;

/// Failures before waiting starts, and the longest wait, per kind of count.
struct Rule {
    free: u32,
    cap_secs: i64,
}

const CLIENT: Rule = Rule {
    free: 20,
    cap_secs: 15 * 60,
};
const ACCOUNT_FROM_CLIENT: Rule = Rule {
    free: 5,
    cap_secs: 15 * 60,
};
const ACCOUNT_FROM_STRANGERS: Rule = Rule { free: 10, cap_secs: 60 };

/// Counts older than this start again.
const WINDOW_HOURS: i64 = 24;

fn wait(rule: &Rule, failures: u32) -> i64 {
    if failures < rule.free {
        return 0;
    }
    let doublings = (failures - rule.free).min(20);
    (1i64 << doublings).min(rule.cap_secs)
}

/// The keys one login attempt is counted under.
#[derive(Debug)]
pub struct Keys {
    client: String,
    account_from_client: String,
    account: String,
    known: String,
}

impl Keys {
    pub fn new(name: &str, client: &str) -> Self {
        let name = UserName::parse(name)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| name.to_owned());
        Self {
            client: format!("client:{client}"),
            account_from_client: format!("account:{name}|client:{client}"),
            account: format!("account:{name}"),
            known: format!("known:{name}|client:{client}"),
        }
    }

    fn counted(&self, known: bool) -> Vec<(&str, &Rule)> {
        let mut keys = vec![
            (self.client.as_str(), &CLIENT),
            (self.account_from_client.as_str(), &ACCOUNT_FROM_CLIENT),
        ];
        if !known {
            keys.push((self.account.as_str(), &ACCOUNT_FROM_STRANGERS));
        }
        keys
    }
}

async fn is_known(store: &dyn Store, keys: &Keys) -> Result<bool, Error> {
    Ok(store.throttle(&keys.known).await?.is_some())
}

/// 429 with the wait, if any count says this attempt must wait.
pub async fn check(store: &dyn Store, keys: &Keys, now: DateTime<Utc>) -> Result<(), Error> {
    let known = is_known(store, keys).await?;
    let mut longest = 0i64;
    for (key, rule) in keys.counted(known) {
        if let Some(t) = store.throttle(key).await? {
            if t.last_failure_at < now - Duration::hours(WINDOW_HOURS) {
                continue;
            }
            let until = t.last_failure_at + Duration::seconds(wait(rule, t.failures));
            longest = longest.max((until - now).num_seconds() + i64::from((until - now).subsec_millis() > 0));
        }
    }
    if longest > 0 {
        return Err(Error::TooManyAttempts {
            retry_after_secs: longest.unsigned_abs(),
        });
    }
    Ok(())
}

/// Counts a failed attempt under every applicable key.
pub async fn failed(store: &dyn Store, keys: &Keys, now: DateTime<Utc>) -> Result<(), Error> {
    let known = is_known(store, keys).await?;
    let window_start = now - Duration::hours(WINDOW_HOURS);
    for (key, _) in keys.counted(known) {
        store.record_failure(key, now, window_start).await?;
    }
    Ok(())
}

/// Clears the account's counts and remembers this client as one the account's owner uses.
/// The client's own count is left to expire, so logging in to one's own account cannot
/// buy an attacker more guesses at others.
pub async fn succeeded(store: &dyn Store, keys: &Keys, now: DateTime<Utc>) -> Result<(), Error> {
    store.clear_throttle(&keys.account_from_client).await?;
    store.clear_throttle(&keys.account).await?;
    store.record_success(&keys.known, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        assert_eq!(wait(&ACCOUNT_FROM_CLIENT, 4), 0);
        assert_eq!(wait(&ACCOUNT_FROM_CLIENT, 5), 1);
        assert_eq!(wait(&ACCOUNT_FROM_CLIENT, 8), 8);
        assert_eq!(wait(&ACCOUNT_FROM_CLIENT, 100), 15 * 60);
        assert_eq!(wait(&ACCOUNT_FROM_STRANGERS, 30), 60);
    }
}

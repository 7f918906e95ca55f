//! The brakes on password guessing, after OWASP's advice: failures are counted
//! per (attempted username, client address), a hard lock holds only that pair,
//! and an address failing under many usernames is slowed down with a delay
//! that doubles. A stranger's guesses therefore never keep a librarian at
//! another address out, and each address gets few guesses per hour.

use chrono::Duration;
use kitap_db::login_failures::{self, AddressLoad};
use kitap_db::DbConnection;
use kitap_domain::{Timestamp, Username};

use crate::config::AuthConfig;
use crate::AppError;

/// Told about lock and throttle events (the API meters them).
pub trait LoginMonitor: Send + Sync {
    /// A failed login was counted.
    fn failure(&self);
    /// A (username, address) pair was locked.
    fn pair_locked(&self);
    /// An attempt was refused because its address must wait.
    fn throttled(&self);
}

/// Where the failures of one attempt are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoginKey {
    /// The normalised username; '' for a malformed one (no account has it).
    pub username: String,
    pub client_addr: String,
}

impl LoginKey {
    pub fn new(username: Option<&Username>, client_addr: Option<&str>) -> Self {
        LoginKey {
            username: username.map(|u| u.as_str().to_owned()).unwrap_or_default(),
            client_addr: client_addr.unwrap_or("unknown").to_owned(),
        }
    }
}

/// Why an attempt is refused before its password is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Barrier {
    Locked(Timestamp),
    Throttled(u64),
}

impl From<Barrier> for AppError {
    fn from(barrier: Barrier) -> Self {
        match barrier {
            Barrier::Locked(until) => AppError::AccountLocked { until },
            Barrier::Throttled(retry_after_seconds) => AppError::LoginThrottled {
                retry_after_seconds,
            },
        }
    }
}

/// Failures older than this are no longer held against a pair or an address.
pub(crate) fn forget_before(auth: &AuthConfig, now: Timestamp) -> Timestamp {
    Timestamp::from_utc(now.utc() - Duration::minutes(i64::from(auth.failure_memory_minutes)))
}

/// The pair's lock, else the address's wait, at `now`.
pub(crate) fn barrier(
    conn: &mut DbConnection,
    auth: &AuthConfig,
    key: &LoginKey,
    now: Timestamp,
) -> Result<Option<Barrier>, AppError> {
    let pair = login_failures::pair(conn, &key.username, &key.client_addr)?;
    if let Some(until) = pair
        .and_then(|p| p.locked_until)
        .filter(|until| *until > now)
    {
        return Ok(Some(Barrier::Locked(until)));
    }
    if auth.login_throttle_after == 0 {
        return Ok(None);
    }
    let load = login_failures::address_load(conn, &key.client_addr, forget_before(auth, now))?;
    Ok(throttle_wait(load, auth, now).map(Barrier::Throttled))
}

/// Seconds an address must still wait: none below `login_throttle_after`
/// failures, then 1 s after the last failure, doubling with each further one
/// up to `login_throttle_max_seconds`.
pub(crate) fn throttle_wait(load: AddressLoad, auth: &AuthConfig, now: Timestamp) -> Option<u64> {
    let after = i64::from(auth.login_throttle_after);
    if after == 0 || load.failures < after {
        return None;
    }
    let cap = u64::from(auth.login_throttle_max_seconds);
    let doublings = u32::try_from(load.failures - after).unwrap_or(u32::MAX);
    let delay = 1u64.checked_shl(doublings).unwrap_or(u64::MAX).min(cap);
    let delay = Duration::seconds(i64::try_from(delay).unwrap_or(i64::MAX));
    let wait_until = load.last_failed_at?.utc() + delay;
    let remaining_ms = (wait_until - now.utc()).num_milliseconds();
    (remaining_ms > 0).then(|| u64::try_from(remaining_ms).map_or(1, |ms| ms.div_ceil(1000)))
}

/// Whether this failure count locks the pair, and until when.
pub(crate) fn lock_after(auth: &AuthConfig, failures: i32, now: Timestamp) -> Option<Timestamp> {
    let max = i32::try_from(auth.max_failed_logins).unwrap_or(i32::MAX);
    (failures >= max).then(|| {
        Timestamp::from_utc(now.utc() + Duration::minutes(i64::from(auth.lockout_minutes)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(after: u32, cap: u32) -> AuthConfig {
        AuthConfig {
            login_throttle_after: after,
            login_throttle_max_seconds: cap,
            ..AuthConfig::default()
        }
    }

    fn load(failures: i64, seconds_ago: i64, now: Timestamp) -> AddressLoad {
        AddressLoad {
            failures,
            last_failed_at: Some(Timestamp::from_utc(
                now.utc() - Duration::seconds(seconds_ago),
            )),
        }
    }

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let now = Timestamp::now();
        let policy = auth(3, 60);
        assert_eq!(throttle_wait(load(2, 0, now), &policy, now), None);
        assert_eq!(throttle_wait(load(3, 0, now), &policy, now), Some(1));
        assert_eq!(throttle_wait(load(4, 0, now), &policy, now), Some(2));
        assert_eq!(throttle_wait(load(6, 0, now), &policy, now), Some(8));
        assert_eq!(throttle_wait(load(9, 0, now), &policy, now), Some(60));
        assert_eq!(throttle_wait(load(900, 0, now), &policy, now), Some(60));
    }

    #[test]
    fn the_wait_counts_from_the_last_failure() {
        let now = Timestamp::now();
        let policy = auth(3, 60);
        assert_eq!(throttle_wait(load(6, 5, now), &policy, now), Some(3));
        assert_eq!(throttle_wait(load(6, 8, now), &policy, now), None);
        assert_eq!(throttle_wait(load(6, 5, now), &auth(0, 60), now), None);
    }

    #[test]
    fn a_pair_locks_at_the_configured_count() {
        let now = Timestamp::now();
        let policy = AuthConfig::default();
        assert_eq!(lock_after(&policy, 4, now), None);
        let until = lock_after(&policy, 5, now).unwrap();
        assert_eq!((until.utc() - now.utc()).num_minutes(), 15);
    }

    #[test]
    fn malformed_usernames_and_missing_addresses_have_a_key() {
        let key = LoginKey::new(None, None);
        assert_eq!(
            (key.username.as_str(), key.client_addr.as_str()),
            ("", "unknown")
        );
    }
}

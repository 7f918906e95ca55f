//! Failed logins per (attempted username, client address).
//!
//! The counter of a pair is bumped with one upsert ... RETURNING, so
//! concurrent attempts cannot undercount on either backend. A pair whose last
//! failure is older than the caller's memory starts again from one.

use std::collections::HashMap;

use diesel::dsl::{max, sum};
use diesel::prelude::*;
use kitap_domain::Timestamp;

use crate::conn::per_backend;
use crate::schema::login_failures;
use crate::{DbConnection, DbError};

/// One (username, address) pair's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairState {
    pub failures: i32,
    pub locked_until: Option<Timestamp>,
}

/// An address's recent failures over all usernames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressLoad {
    pub failures: i64,
    pub last_failed_at: Option<Timestamp>,
}

/// What the staff list shows of a username: its failures at every address
/// and the latest end of a lock on any of its pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UsernameSummary {
    pub failures: i32,
    pub locked_until: Option<Timestamp>,
}

fn pair_filter(
    username: &str,
    addr: &str,
) -> diesel::dsl::And<
    diesel::dsl::Eq<login_failures::username, String>,
    diesel::dsl::Eq<login_failures::client_addr, String>,
> {
    login_failures::username
        .eq(username.to_owned())
        .and(login_failures::client_addr.eq(addr.to_owned()))
}

pub fn pair(
    conn: &mut DbConnection,
    username: &str,
    addr: &str,
) -> Result<Option<PairState>, DbError> {
    let row: Option<(i32, Option<chrono::NaiveDateTime>)> = login_failures::table
        .filter(pair_filter(username, addr))
        .select((login_failures::failures, login_failures::locked_until))
        .first(conn)
        .optional()?;
    Ok(row.map(|(failures, locked_until)| PairState {
        failures,
        locked_until: locked_until.map(Timestamp::from_naive),
    }))
}

/// Failures from `addr` on pairs that failed at or after `since`.
pub fn address_load(
    conn: &mut DbConnection,
    addr: &str,
    since: Timestamp,
) -> Result<AddressLoad, DbError> {
    let (failures, last): (Option<i64>, Option<chrono::NaiveDateTime>) = login_failures::table
        .filter(login_failures::client_addr.eq(addr))
        .filter(login_failures::last_failed_at.ge(since.naive()))
        .select((
            sum(login_failures::failures),
            max(login_failures::last_failed_at),
        ))
        .first(conn)?;
    Ok(AddressLoad {
        failures: failures.unwrap_or(0),
        last_failed_at: last.map(Timestamp::from_naive),
    })
}

/// Counts one more failure of the pair at `now`; failures before `forget_before`
/// (with no lock still running) are forgotten first. Returns the new count.
pub fn count_failure(
    conn: &mut DbConnection,
    username: &str,
    addr: &str,
    now: Timestamp,
    forget_before: Timestamp,
) -> Result<i32, DbError> {
    diesel::delete(
        login_failures::table
            .filter(pair_filter(username, addr))
            .filter(login_failures::last_failed_at.lt(forget_before.naive()))
            .filter(
                login_failures::locked_until
                    .is_null()
                    .or(login_failures::locked_until.lt(now.naive())),
            ),
    )
    .execute(conn)?;
    let count: i32 = per_backend!(conn, |c| diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::client_addr.eq(addr),
            login_failures::failures.eq(1),
            login_failures::first_failed_at.eq(now.naive()),
            login_failures::last_failed_at.eq(now.naive()),
        ))
        .on_conflict((login_failures::username, login_failures::client_addr))
        .do_update()
        .set((
            login_failures::failures.eq(login_failures::failures + 1),
            login_failures::last_failed_at.eq(now.naive()),
        ))
        .returning(login_failures::failures)
        .get_result(c)?);
    Ok(count)
}

pub fn lock(
    conn: &mut DbConnection,
    username: &str,
    addr: &str,
    until: Timestamp,
) -> Result<(), DbError> {
    diesel::update(login_failures::table.filter(pair_filter(username, addr)))
        .set(login_failures::locked_until.eq(Some(until.naive())))
        .execute(conn)?;
    Ok(())
}

/// After a good login from `addr`: that pair starts again.
pub fn clear_pair(conn: &mut DbConnection, username: &str, addr: &str) -> Result<(), DbError> {
    diesel::delete(login_failures::table.filter(pair_filter(username, addr))).execute(conn)?;
    Ok(())
}

/// An administrator's unlock or password reset: every address starts again.
pub fn clear_username(conn: &mut DbConnection, username: &str) -> Result<usize, DbError> {
    Ok(
        diesel::delete(login_failures::table.filter(login_failures::username.eq(username)))
            .execute(conn)?,
    )
}

/// Drops pairs that failed last before `forget_before` and are not locked at `now`.
pub fn purge(
    conn: &mut DbConnection,
    forget_before: Timestamp,
    now: Timestamp,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        login_failures::table
            .filter(login_failures::last_failed_at.lt(forget_before.naive()))
            .filter(
                login_failures::locked_until
                    .is_null()
                    .or(login_failures::locked_until.lt(now.naive())),
            ),
    )
    .execute(conn)?)
}

/// Per username, the failures and latest lock over all its addresses.
pub fn summaries(
    conn: &mut DbConnection,
    usernames: &[String],
) -> Result<HashMap<String, UsernameSummary>, DbError> {
    let rows: Vec<(String, i32, Option<chrono::NaiveDateTime>)> = login_failures::table
        .filter(login_failures::username.eq_any(usernames))
        .select((
            login_failures::username,
            login_failures::failures,
            login_failures::locked_until,
        ))
        .load(conn)?;
    let mut by_name: HashMap<String, UsernameSummary> = HashMap::new();
    for (username, failures, locked_until) in rows {
        let entry = by_name.entry(username).or_default();
        entry.failures = entry.failures.saturating_add(failures);
        let locked_until = locked_until.map(Timestamp::from_naive);
        entry.locked_until = entry.locked_until.max(locked_until);
    }
    Ok(by_name)
}

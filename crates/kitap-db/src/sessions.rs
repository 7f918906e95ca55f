//! Login sessions. The table holds a SHA-256 of each bearer token, never the token.

use diesel::prelude::*;
use kitap_domain::{SessionId, StaffId, Timestamp};

use crate::schema::sessions;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id: SessionId,
    pub staff_id: StaffId,
    pub token_hash: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub staff_id: StaffId,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

pub fn insert(conn: &mut DbConnection, new: &NewSession<'_>) -> Result<(), DbError> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(new.id.to_string()),
            sessions::staff_id.eq(new.staff_id.to_string()),
            sessions::token_hash.eq(new.token_hash),
            sessions::created_at.eq(new.created_at.naive()),
            sessions::expires_at.eq(new.expires_at.naive()),
            sessions::client_addr.eq(new.client_addr),
            sessions::user_agent.eq(new.user_agent),
        ))
        .execute(conn)?;
    Ok(())
}

type SessionRow = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

/// The session a token hash belongs to, whatever its state: the caller
/// decides between expired, revoked and valid.
pub fn find_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<Session>, DbError> {
    let row: Option<SessionRow> = sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select((
            sessions::id,
            sessions::staff_id,
            sessions::token_hash,
            sessions::created_at,
            sessions::expires_at,
            sessions::revoked_at,
        ))
        .first(conn)
        .optional()?;
    row.map(
        |(id, staff_id, token_hash, created_at, expires_at, revoked_at)| {
            let corrupt =
                |err: kitap_domain::ValueError| DbError::Corrupt(format!("session {id}: {err}"));
            Ok(Session {
                id: id.parse().map_err(corrupt)?,
                staff_id: staff_id.parse().map_err(corrupt)?,
                token_hash,
                created_at: Timestamp::from_naive(created_at),
                expires_at: Timestamp::from_naive(expires_at),
                revoked_at: revoked_at.map(Timestamp::from_naive),
            })
        },
    )
    .transpose()
}

pub fn revoke(conn: &mut DbConnection, id: SessionId, at: Timestamp) -> Result<(), DbError> {
    diesel::update(
        sessions::table
            .find(id.to_string())
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(at.naive())))
    .execute(conn)?;
    Ok(())
}

/// Ends every open session of an account (password change, deactivation),
/// except `keep` (the session that changed its own password).
pub fn revoke_all_for(
    conn: &mut DbConnection,
    staff_id: StaffId,
    keep: Option<SessionId>,
    at: Timestamp,
) -> Result<usize, DbError> {
    let keep = keep.map(|id| id.to_string()).unwrap_or_default();
    Ok(diesel::update(
        sessions::table
            .filter(sessions::staff_id.eq(staff_id.to_string()))
            .filter(sessions::id.ne(keep))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(at.naive())))
    .execute(conn)?)
}

/// Drops sessions that expired before `cutoff`; they can never authenticate again.
pub fn delete_expired(conn: &mut DbConnection, cutoff: Timestamp) -> Result<usize, DbError> {
    Ok(
        diesel::delete(sessions::table.filter(sessions::expires_at.lt(cutoff.naive())))
            .execute(conn)?,
    )
}

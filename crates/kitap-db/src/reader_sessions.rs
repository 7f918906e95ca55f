//! Reader self-service sessions, apart from staff sessions (`sessions`): a
//! token is looked up in one table only, so a reader's token never opens a
//! staff route nor a staff token a reader's. Only a SHA-256 of each token
//! is stored.

use diesel::prelude::*;
use kitap_domain::{ReaderId, SessionId, Timestamp};

use crate::schema::reader_sessions;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone)]
pub struct NewReaderSession<'a> {
    pub id: SessionId,
    pub reader_id: ReaderId,
    pub token_hash: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderSession {
    pub id: SessionId,
    pub reader_id: ReaderId,
    pub token_hash: String,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

pub fn insert(conn: &mut DbConnection, new: &NewReaderSession<'_>) -> Result<(), DbError> {
    diesel::insert_into(reader_sessions::table)
        .values((
            reader_sessions::id.eq(new.id.to_string()),
            reader_sessions::reader_id.eq(new.reader_id.to_string()),
            reader_sessions::token_hash.eq(new.token_hash),
            reader_sessions::created_at.eq(new.created_at.naive()),
            reader_sessions::expires_at.eq(new.expires_at.naive()),
            reader_sessions::client_addr.eq(new.client_addr),
            reader_sessions::user_agent.eq(new.user_agent),
        ))
        .execute(conn)?;
    Ok(())
}

type Row = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

/// The session a token hash belongs to, whatever its state: the caller
/// decides between expired, revoked and valid.
pub fn find_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<ReaderSession>, DbError> {
    let row: Option<Row> = reader_sessions::table
        .filter(reader_sessions::token_hash.eq(token_hash))
        .select((
            reader_sessions::id,
            reader_sessions::reader_id,
            reader_sessions::token_hash,
            reader_sessions::expires_at,
            reader_sessions::revoked_at,
        ))
        .first(conn)
        .optional()?;
    row.map(|(id, reader_id, token_hash, expires_at, revoked_at)| {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("reader session {id}: {err}"));
        Ok(ReaderSession {
            id: id.parse().map_err(corrupt)?,
            reader_id: reader_id.parse().map_err(corrupt)?,
            token_hash,
            expires_at: Timestamp::from_naive(expires_at),
            revoked_at: revoked_at.map(Timestamp::from_naive),
        })
    })
    .transpose()
}

pub fn revoke(conn: &mut DbConnection, id: SessionId, at: Timestamp) -> Result<(), DbError> {
    diesel::update(
        reader_sessions::table
            .find(id.to_string())
            .filter(reader_sessions::revoked_at.is_null()),
    )
    .set(reader_sessions::revoked_at.eq(Some(at.naive())))
    .execute(conn)?;
    Ok(())
}

/// Ends every open session of a reader (a new PIN), except `keep` (the
/// session that changed its own PIN).
pub fn revoke_all_for(
    conn: &mut DbConnection,
    reader: ReaderId,
    keep: Option<SessionId>,
    at: Timestamp,
) -> Result<usize, DbError> {
    let keep = keep.map(|id| id.to_string()).unwrap_or_default();
    Ok(diesel::update(
        reader_sessions::table
            .filter(reader_sessions::reader_id.eq(reader.to_string()))
            .filter(reader_sessions::id.ne(keep))
            .filter(reader_sessions::revoked_at.is_null()),
    )
    .set(reader_sessions::revoked_at.eq(Some(at.naive())))
    .execute(conn)?)
}

/// Drops sessions that expired before `cutoff`; they can never authenticate again.
pub fn delete_expired(conn: &mut DbConnection, cutoff: Timestamp) -> Result<usize, DbError> {
    Ok(diesel::delete(
        reader_sessions::table.filter(reader_sessions::expires_at.lt(cutoff.naive())),
    )
    .execute(conn)?)
}

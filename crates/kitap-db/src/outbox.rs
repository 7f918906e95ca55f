//! The outbox: one row per change to a record or copy, written in the same
//! transaction as the change. The search index consumes it in id order.
//!
//! On PostgreSQL ids are handed out before commit, so a reader must not assume
//! that "no row with id N yet" means "never": the consumer re-reads a short
//! window behind its cursor (issue #4 owns that).

use diesel::prelude::*;
use kitap_domain::Timestamp;

use crate::conn::per_backend;
use crate::schema::outbox;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub at: Timestamp,
    pub entity_type: String,
    pub entity_id: String,
    pub op: String,
}

/// One change to announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub op: &'static str,
}

pub fn push_many(
    conn: &mut DbConnection,
    at: Timestamp,
    changes: &[Change],
) -> Result<(), DbError> {
    for chunk in changes.chunks(2000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|c| {
                (
                    outbox::at.eq(at.naive()),
                    outbox::entity_type.eq(c.entity_type),
                    outbox::entity_id.eq(c.entity_id),
                    outbox::op.eq(c.op),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(outbox::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

/// Entries after `after_id`, oldest first.
pub fn after(
    conn: &mut DbConnection,
    after_id: i64,
    limit: i64,
) -> Result<Vec<OutboxEntry>, DbError> {
    let rows: Vec<(i64, chrono::NaiveDateTime, String, String, String)> = outbox::table
        .filter(outbox::id.gt(after_id))
        .order(outbox::id.asc())
        .limit(limit)
        .select((
            outbox::id,
            outbox::at,
            outbox::entity_type,
            outbox::entity_id,
            outbox::op,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, at, entity_type, entity_id, op)| OutboxEntry {
            id,
            at: Timestamp::from_naive(at),
            entity_type,
            entity_id,
            op,
        })
        .collect())
}

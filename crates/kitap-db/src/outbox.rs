//! The outbox: one row per change to a record or copy, written in the same
//! transaction as the change. The search index consumes it in id order.
//!
//! On PostgreSQL ids are handed out before commit, so a reader must not assume
//! that "no row with id N yet" means "never": the consumer re-reads a short
//! window behind its cursor (issue #4 owns that).

use diesel::prelude::*;
use kitap_domain::Timestamp;

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

#[derive(Insertable)]
#[diesel(table_name = outbox)]
#[diesel(treat_none_as_default_value = false)]
struct NewRow<'a> {
    at: chrono::NaiveDateTime,
    entity_type: &'a str,
    entity_id: &'a str,
    op: &'a str,
}

pub fn push_many(
    conn: &mut DbConnection,
    at: Timestamp,
    changes: &[Change],
) -> Result<(), DbError> {
    let rows: Vec<NewRow> = changes
        .iter()
        .map(|c| NewRow {
            at: at.naive(),
            entity_type: c.entity_type,
            entity_id: c.entity_id,
            op: c.op,
        })
        .collect();
    match conn {
        DbConnection::Postgres(c) => {
            diesel::copy_from(outbox::table)
                .from_insertable(&rows)
                .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(2000) {
                diesel::insert_into(outbox::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
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

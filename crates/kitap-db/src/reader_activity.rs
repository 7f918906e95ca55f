//! The append-only log of readers' self-service actions (OPAC login,
//! online renewal, a hold placed or cancelled by the reader), which the
//! readers report counts as remote use. Rows are never updated or deleted.

use diesel::prelude::*;
use kitap_domain::{BranchId, ReaderActivityId, ReaderId, Timestamp};

use crate::schema::reader_activity;
use crate::{DbConnection, DbError};

/// What the reader did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Login,
    Renewal,
    HoldPlaced,
    HoldCancelled,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Login => "login",
            ActivityKind::Renewal => "renewal",
            ActivityKind::HoldPlaced => "hold_placed",
            ActivityKind::HoldCancelled => "hold_cancelled",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = reader_activity)]
struct Row<'a> {
    id: String,
    at: chrono::NaiveDateTime,
    reader_id: String,
    branch_id: String,
    kind: &'a str,
}

/// Logs one action of `reader`, with `home` the reader's home library now.
pub fn log(
    conn: &mut DbConnection,
    reader: ReaderId,
    home: BranchId,
    kind: ActivityKind,
    at: Timestamp,
) -> Result<(), DbError> {
    diesel::insert_into(reader_activity::table)
        .values(Row {
            id: ReaderActivityId::new().to_string(),
            at: at.naive(),
            reader_id: reader.to_string(),
            branch_id: home.to_string(),
            kind: kind.as_str(),
        })
        .execute(conn)?;
    Ok(())
}

/// One logged action as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFact {
    pub id: ReaderActivityId,
    pub at: Timestamp,
    pub reader_id: ReaderId,
    pub branch_id: BranchId,
}

/// The actions at or after `from` and before `until` of readers whose home
/// library (then) is one of `libraries`, in id order after `after`, at
/// most `limit`.
pub fn facts(
    conn: &mut DbConnection,
    (from, until): (Timestamp, Timestamp),
    libraries: &[BranchId],
    after: Option<ReaderActivityId>,
    limit: i64,
) -> Result<Vec<ActivityFact>, DbError> {
    use reader_activity as a;
    let ids: Vec<String> = libraries.iter().map(ToString::to_string).collect();
    let mut q = a::table
        .filter(a::at.ge(from.naive()))
        .filter(a::at.lt(until.naive()))
        .filter(a::branch_id.eq_any(ids))
        .select((a::id, a::at, a::reader_id, a::branch_id))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(a::id.gt(after.to_string()));
    }
    q.order(a::id.asc())
        .limit(limit)
        .load::<(String, chrono::NaiveDateTime, String, String)>(conn)?
        .into_iter()
        .map(|(id, at, reader, branch)| {
            let bad = |e: kitap_domain::ValueError| {
                DbError::Corrupt(format!("reader activity {id}: {e}"))
            };
            Ok(ActivityFact {
                id: id.parse().map_err(bad)?,
                at: Timestamp::from_naive(at),
                reader_id: reader.parse().map_err(bad)?,
                branch_id: branch.parse().map_err(bad)?,
            })
        })
        .collect()
}

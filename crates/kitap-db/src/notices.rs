//! Notices to readers. The `dedupe_key` is unique: a notice the policy
//! already produced (same loan, kind, level, channel...) is never stored or
//! sent twice, even when two schedulers run at once.

use diesel::prelude::*;
use kitap_domain::{
    HoldId, LoanId, NoticeChannel, NoticeId, NoticeKind, NoticeStatus, ReaderId, Timestamp,
};

use crate::conn::per_backend;
use crate::schema::notices;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    pub id: NoticeId,
    pub reader_id: ReaderId,
    pub loan_id: Option<LoanId>,
    pub hold_id: Option<HoldId>,
    pub kind: NoticeKind,
    pub level: i32,
    pub channel: NoticeChannel,
    pub dedupe_key: String,
    pub status: NoticeStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    reader_id: String,
    loan_id: Option<String>,
    hold_id: Option<String>,
    kind: String,
    level: i32,
    channel: String,
    dedupe_key: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: chrono::NaiveDateTime,
    sent_at: Option<chrono::NaiveDateTime>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredNotice {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("notice {}: {err}", row.id));
        Ok(StoredNotice {
            id: row.id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            loan_id: opt(row.loan_id.as_deref()).map_err(corrupt)?,
            hold_id: opt(row.hold_id.as_deref()).map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            channel: row.channel.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            level: row.level,
            dedupe_key: row.dedupe_key,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: Timestamp::from_naive(row.created_at),
            sent_at: row.sent_at.map(Timestamp::from_naive),
        })
    }
}

impl From<&StoredNotice> for Row {
    fn from(n: &StoredNotice) -> Self {
        Row {
            id: n.id.to_string(),
            reader_id: n.reader_id.to_string(),
            loan_id: n.loan_id.map(|id| id.to_string()),
            hold_id: n.hold_id.map(|id| id.to_string()),
            kind: n.kind.as_str().to_owned(),
            level: n.level,
            channel: n.channel.as_str().to_owned(),
            dedupe_key: n.dedupe_key.clone(),
            status: n.status.as_str().to_owned(),
            attempts: n.attempts,
            last_error: n.last_error.clone(),
            created_at: n.created_at.naive(),
            sent_at: n.sent_at.map(Timestamp::naive),
        }
    }
}

/// Stores the notice unless its `dedupe_key` is already there: `true` when
/// it was inserted. One `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`, so
/// a duplicate neither fails nor aborts a PostgreSQL transaction.
pub fn insert_new(conn: &mut DbConnection, notice: &StoredNotice) -> Result<bool, DbError> {
    let row = Row::from(notice);
    let inserted = per_backend!(conn, |c| diesel::insert_into(notices::table)
        .values(&row)
        .on_conflict(notices::dedupe_key)
        .do_nothing()
        .execute(c)?);
    Ok(inserted == 1)
}

/// Pending notices, oldest first.
pub fn pending(conn: &mut DbConnection, limit: i64) -> Result<Vec<StoredNotice>, DbError> {
    notices::table
        .filter(notices::status.eq(NoticeStatus::Pending.as_str()))
        .order((notices::created_at.asc(), notices::id.asc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredNotice::try_from)
        .collect()
}

pub fn find(conn: &mut DbConnection, id: NoticeId) -> Result<StoredNotice, DbError> {
    notices::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

fn finish(
    conn: &mut DbConnection,
    id: NoticeId,
    status: NoticeStatus,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(notices::table.find(id.to_string()))
        .set((
            notices::status.eq(status.as_str()),
            notices::sent_at.eq(Some(at.naive())),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The notice went out.
pub fn mark_sent(conn: &mut DbConnection, id: NoticeId, at: Timestamp) -> Result<(), DbError> {
    finish(conn, id, NoticeStatus::Sent, at)
}

/// The notice was printed for staff to post or hand over.
pub fn mark_printed(conn: &mut DbConnection, id: NoticeId, at: Timestamp) -> Result<(), DbError> {
    finish(conn, id, NoticeStatus::Printed, at)
}

/// A delivery attempt failed: counts the attempt and keeps the error; the
/// notice stays pending for another try when `retry`, else it is `failed`.
/// Returns the attempts so far.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: NoticeId,
    error: &str,
    retry: bool,
) -> Result<i32, DbError> {
    let status = if retry {
        NoticeStatus::Pending
    } else {
        NoticeStatus::Failed
    };
    let changed = diesel::update(notices::table.find(id.to_string()))
        .set((
            notices::status.eq(status.as_str()),
            notices::last_error.eq(Some(error)),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(find(conn, id)?.attempts)
}

//! Holds (reservations) on a title or one copy. Partial unique indexes allow
//! one open hold per reader and title (`holds_open_reader_record`) and one
//! hold per trapped copy (`holds_trapped_copy`).

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{BranchId, CopyId, HoldId, HoldStatus, ReaderId, RecordId, Timestamp};

use crate::schema::holds;
use crate::{DbConnection, DbError};

/// A second open hold of a reader on a title fails with
/// `DbError::UniqueViolation(OPEN_HOLD_INDEX)` on both backends.
pub const OPEN_HOLD_INDEX: &str = "holds_open_reader_record";
/// Trapping a copy already trapped for another hold fails with
/// `DbError::UniqueViolation(TRAPPED_COPY_INDEX)`.
pub const TRAPPED_COPY_INDEX: &str = "holds_trapped_copy";

const OPEN: [&str; 3] = ["waiting", "in_transit", "ready"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHold {
    pub id: HoldId,
    pub reader_id: ReaderId,
    pub record_id: RecordId,
    /// A copy-level hold names its copy.
    pub copy_id: Option<CopyId>,
    pub pickup_branch_id: BranchId,
    pub status: HoldStatus,
    pub placed_at: Timestamp,
    pub trapped_copy_id: Option<CopyId>,
    pub ready_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = holds)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    reader_id: String,
    record_id: String,
    copy_id: Option<String>,
    pickup_branch_id: String,
    status: String,
    placed_at: chrono::NaiveDateTime,
    trapped_copy_id: Option<String>,
    ready_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    closed_at: Option<chrono::NaiveDateTime>,
    version: i64,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredHold {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("hold {}: {err}", row.id));
        Ok(StoredHold {
            id: row.id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            record_id: row.record_id.parse().map_err(corrupt)?,
            copy_id: opt(row.copy_id.as_deref()).map_err(corrupt)?,
            pickup_branch_id: row.pickup_branch_id.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            trapped_copy_id: opt(row.trapped_copy_id.as_deref()).map_err(corrupt)?,
            placed_at: Timestamp::from_naive(row.placed_at),
            ready_on: row.ready_on,
            expires_on: row.expires_on,
            closed_at: row.closed_at.map(Timestamp::from_naive),
            version: row.version,
        })
    }
}

impl From<&StoredHold> for Row {
    fn from(h: &StoredHold) -> Self {
        Row {
            id: h.id.to_string(),
            reader_id: h.reader_id.to_string(),
            record_id: h.record_id.to_string(),
            copy_id: h.copy_id.map(|id| id.to_string()),
            pickup_branch_id: h.pickup_branch_id.to_string(),
            status: h.status.as_str().to_owned(),
            placed_at: h.placed_at.naive(),
            trapped_copy_id: h.trapped_copy_id.map(|id| id.to_string()),
            ready_on: h.ready_on,
            expires_on: h.expires_on,
            closed_at: h.closed_at.map(Timestamp::naive),
            version: h.version,
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredHold>, DbError> {
    rows.into_iter().map(StoredHold::try_from).collect()
}

/// PostgreSQL names the index; SQLite names its columns, which no other
/// unique index of `holds` has.
fn classify(err: diesel::result::Error) -> DbError {
    match DbError::from(err) {
        DbError::UniqueViolation(detail)
            if detail.contains(OPEN_HOLD_INDEX)
                || detail.ends_with("holds.reader_id, holds.record_id") =>
        {
            DbError::UniqueViolation(OPEN_HOLD_INDEX.to_owned())
        }
        DbError::UniqueViolation(detail)
            if detail.contains(TRAPPED_COPY_INDEX) || detail.ends_with("holds.trapped_copy_id") =>
        {
            DbError::UniqueViolation(TRAPPED_COPY_INDEX.to_owned())
        }
        other => other,
    }
}

pub fn insert(conn: &mut DbConnection, hold: &StoredHold) -> Result<(), DbError> {
    diesel::insert_into(holds::table)
        .values(Row::from(hold))
        .execute(conn)
        .map_err(classify)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: HoldId) -> Result<StoredHold, DbError> {
    holds::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The open holds on a title in queue order: placed first, then by id.
pub fn queue(conn: &mut DbConnection, record: RecordId) -> Result<Vec<StoredHold>, DbError> {
    load(
        holds::table
            .filter(holds::record_id.eq(record.to_string()))
            .filter(holds::status.eq_any(OPEN))
            .order((holds::placed_at.asc(), holds::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// A reader's holds, newest first; only open ones when `open_only`.
pub fn of_reader(
    conn: &mut DbConnection,
    reader: ReaderId,
    open_only: bool,
) -> Result<Vec<StoredHold>, DbError> {
    let mut q = holds::table
        .filter(holds::reader_id.eq(reader.to_string()))
        .select(Row::as_select())
        .into_boxed();
    if open_only {
        q = q.filter(holds::status.eq_any(OPEN));
    }
    load(q.order(holds::id.desc()).load(conn)?)
}

/// The open hold a copy is trapped for, if any.
pub fn trapped_for_copy(
    conn: &mut DbConnection,
    copy: CopyId,
) -> Result<Option<StoredHold>, DbError> {
    holds::table
        .filter(holds::trapped_copy_id.eq(copy.to_string()))
        .filter(holds::status.eq_any(["in_transit", "ready"]))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredHold::try_from)
        .transpose()
}

/// Writes status, trapped copy, ready and expiry dates and `closed_at` of
/// `hold` if it is still at `expected_version`: `Ok(false)` when someone
/// else changed it first, `Err(NotFound)` when it is gone. The caller sets
/// `hold.version` to the new version.
pub fn update(
    conn: &mut DbConnection,
    hold: &StoredHold,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(hold);
    let changed = diesel::update(
        holds::table
            .filter(holds::id.eq(&row.id))
            .filter(holds::version.eq(expected_version)),
    )
    .set((
        holds::version.eq(row.version),
        holds::status.eq(&row.status),
        holds::pickup_branch_id.eq(&row.pickup_branch_id),
        holds::trapped_copy_id.eq(&row.trapped_copy_id),
        holds::ready_on.eq(row.ready_on),
        holds::expires_on.eq(row.expires_on),
        holds::closed_at.eq(row.closed_at),
    ))
    .execute(conn)
    .map_err(classify)?;
    if changed == 0 {
        find(conn, hold.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Cancels an open hold: `Ok(false)` when it is no longer open.
pub fn cancel(conn: &mut DbConnection, id: HoldId, at: Timestamp) -> Result<bool, DbError> {
    let changed = diesel::update(
        holds::table
            .filter(holds::id.eq(id.to_string()))
            .filter(holds::status.eq_any(OPEN)),
    )
    .set((
        holds::status.eq(HoldStatus::Cancelled.as_str()),
        holds::closed_at.eq(Some(at.naive())),
        holds::version.eq(holds::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Ready holds whose pickup time ran out before `today`, oldest first.
pub fn expired_ready(
    conn: &mut DbConnection,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<StoredHold>, DbError> {
    load(
        holds::table
            .filter(holds::status.eq(HoldStatus::Ready.as_str()))
            .filter(holds::expires_on.lt(today))
            .order((holds::expires_on.asc(), holds::id.asc()))
            .limit(limit)
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The open holds (or those of `status`) to be picked up at a library, in
/// queue order, at most `limit`.
pub fn at_pickup(
    conn: &mut DbConnection,
    branch: BranchId,
    status: Option<HoldStatus>,
    limit: i64,
) -> Result<Vec<StoredHold>, DbError> {
    let mut q = holds::table
        .filter(holds::pickup_branch_id.eq(branch.to_string()))
        .select(Row::as_select())
        .into_boxed();
    q = match status {
        Some(s) => q.filter(holds::status.eq(s.as_str())),
        None => q.filter(holds::status.eq_any(OPEN)),
    };
    load(
        q.order((holds::placed_at.asc(), holds::id.asc()))
            .limit(limit)
            .load(conn)?,
    )
}

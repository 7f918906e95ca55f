//! Record merges: the merge rows (with what undo needs), the redirects from
//! merged ids, the row locks a merge takes and the moves of what hangs on a
//! record (copies, holds, circulation events).
//!
//! Lock order, on PostgreSQL: a merge locks the merged record's copies first,
//! then both records (by id). A checkout holds its copy's row lock before it
//! touches the record (its event's foreign key), so both take copy before
//! record and never wait on each other in a circle. On SQLite `BEGIN
//! IMMEDIATE` serialises every writer and the locks are plain reads.

use diesel::prelude::*;
use kitap_domain::{CopyId, HoldId, HoldStatus, MergeId, RecordId, StaffId, Timestamp};

use crate::schema::{
    circulation_events, copies, exchange_events, holds, record_merges, record_redirects, records,
};
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMerge {
    pub id: MergeId,
    pub survivor_id: RecordId,
    pub merged_id: RecordId,
    /// JSON: what moved, for people.
    pub moved: String,
    /// JSON: what undo restores.
    pub snapshot: String,
    pub note: Option<String>,
    pub merged_by: Option<StaffId>,
    pub merged_at: Timestamp,
    pub undone_at: Option<Timestamp>,
    pub undone_by: Option<StaffId>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = record_merges)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    survivor_id: String,
    merged_id: String,
    moved: String,
    snapshot: String,
    note: Option<String>,
    merged_by: Option<String>,
    merged_at: chrono::NaiveDateTime,
    undone_at: Option<chrono::NaiveDateTime>,
    undone_by: Option<String>,
}

fn corrupt(id: &str) -> impl Fn(kitap_domain::ValueError) -> DbError + '_ {
    move |err| DbError::Corrupt(format!("record merge {id}: {err}"))
}

fn parse_all<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Vec<String>,
    what: &str,
) -> Result<Vec<T>, DbError> {
    raw.iter()
        .map(|s| {
            s.parse()
                .map_err(|e| DbError::Corrupt(format!("{what} {s}: {e}")))
        })
        .collect()
}

fn strings<T: ToString>(ids: &[T]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

impl TryFrom<Row> for StoredMerge {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let c = corrupt(&row.id);
        Ok(StoredMerge {
            id: row.id.parse().map_err(&c)?,
            survivor_id: row.survivor_id.parse().map_err(&c)?,
            merged_id: row.merged_id.parse().map_err(&c)?,
            merged_by: row
                .merged_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(&c)?,
            undone_by: row
                .undone_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(&c)?,
            moved: row.moved,
            snapshot: row.snapshot,
            note: row.note,
            merged_at: Timestamp::from_naive(row.merged_at),
            undone_at: row.undone_at.map(Timestamp::from_naive),
        })
    }
}

pub fn insert(conn: &mut DbConnection, m: &StoredMerge) -> Result<(), DbError> {
    let row = Row {
        id: m.id.to_string(),
        survivor_id: m.survivor_id.to_string(),
        merged_id: m.merged_id.to_string(),
        moved: m.moved.clone(),
        snapshot: m.snapshot.clone(),
        note: m.note.clone(),
        merged_by: m.merged_by.map(|s| s.to_string()),
        merged_at: m.merged_at.naive(),
        undone_at: m.undone_at.map(|t| t.naive()),
        undone_by: m.undone_by.map(|s| s.to_string()),
    };
    diesel::insert_into(record_merges::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: MergeId) -> Result<StoredMerge, DbError> {
    record_merges::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The merge, its row locked until the transaction ends (two undos of one
/// merge run one after the other).
pub fn find_for_update(conn: &mut DbConnection, id: MergeId) -> Result<StoredMerge, DbError> {
    let q = record_merges::table.find(id.to_string());
    let row: Row = match conn {
        DbConnection::Postgres(c) => q.select(Row::as_select()).for_update().first(c)?,
        DbConnection::Sqlite(c) => q.select(Row::as_select()).first(c)?,
    };
    row.try_into()
}

/// Merges newest first (ids are time-ordered), after the cursor `before`.
pub fn list(
    conn: &mut DbConnection,
    record: Option<RecordId>,
    before: Option<MergeId>,
    limit: i64,
) -> Result<Vec<StoredMerge>, DbError> {
    let mut q = record_merges::table.select(Row::as_select()).into_boxed();
    if let Some(record) = record {
        let id = record.to_string();
        q = q.filter(
            record_merges::survivor_id
                .eq(id.clone())
                .or(record_merges::merged_id.eq(id)),
        );
    }
    if let Some(before) = before {
        q = q.filter(record_merges::id.lt(before.to_string()));
    }
    q.order(record_merges::id.desc())
        .limit(limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(StoredMerge::try_from)
        .collect()
}

/// Marks the merge undone; `Ok(false)` when it already was.
pub fn mark_undone(
    conn: &mut DbConnection,
    id: MergeId,
    at: Timestamp,
    by: Option<StaffId>,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        record_merges::table
            .filter(record_merges::id.eq(id.to_string()))
            .filter(record_merges::undone_at.is_null()),
    )
    .set((
        record_merges::undone_at.eq(Some(at.naive())),
        record_merges::undone_by.eq(by.map(|s| s.to_string())),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The live record an old id now is, if it was merged away.
pub fn redirect(conn: &mut DbConnection, old: RecordId) -> Result<Option<RecordId>, DbError> {
    let found: Option<String> = record_redirects::table
        .find(old.to_string())
        .select(record_redirects::new_id)
        .first(conn)
        .optional()?;
    found
        .map(|id| {
            id.parse()
                .map_err(|e| DbError::Corrupt(format!("record redirect {old}: {e}")))
        })
        .transpose()
}

pub fn add_redirect(
    conn: &mut DbConnection,
    old: RecordId,
    new: RecordId,
    merge: MergeId,
) -> Result<(), DbError> {
    diesel::insert_into(record_redirects::table)
        .values((
            record_redirects::old_id.eq(old.to_string()),
            record_redirects::new_id.eq(new.to_string()),
            record_redirects::merge_id.eq(merge.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Points every redirect to `from` at `to` (flattening a chain); returns the
/// old ids re-pointed.
pub fn repoint_redirects(
    conn: &mut DbConnection,
    from: RecordId,
    to: RecordId,
) -> Result<Vec<RecordId>, DbError> {
    let olds: Vec<String> = record_redirects::table
        .filter(record_redirects::new_id.eq(from.to_string()))
        .select(record_redirects::old_id)
        .load(conn)?;
    set_redirect_targets(conn, &olds, to)?;
    parse_all(olds, "record redirect")
}

/// Points the redirects of `olds` (those still there) at `to`.
pub fn repoint_these(
    conn: &mut DbConnection,
    olds: &[RecordId],
    to: RecordId,
) -> Result<(), DbError> {
    set_redirect_targets(conn, &strings(olds), to)
}

fn set_redirect_targets(
    conn: &mut DbConnection,
    olds: &[String],
    to: RecordId,
) -> Result<(), DbError> {
    for chunk in olds.chunks(500) {
        diesel::update(record_redirects::table.filter(record_redirects::old_id.eq_any(chunk)))
            .set(record_redirects::new_id.eq(to.to_string()))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove_redirect(conn: &mut DbConnection, old: RecordId) -> Result<(), DbError> {
    diesel::delete(record_redirects::table.find(old.to_string())).execute(conn)?;
    Ok(())
}

/// Locks the record's copies (PostgreSQL `FOR UPDATE`, in id order) and
/// returns their ids: a checkout of one of them waits for the merge, or the
/// merge waits for the checkout.
pub fn lock_copies_of(conn: &mut DbConnection, record: RecordId) -> Result<Vec<CopyId>, DbError> {
    let q = copies::table
        .filter(copies::record_id.eq(record.to_string()))
        .order(copies::id.asc())
        .select(copies::id);
    let ids: Vec<String> = match conn {
        DbConnection::Postgres(c) => q.for_update().load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    };
    parse_all(ids, "copy")
}

/// Locks the records (PostgreSQL `FOR UPDATE`, in id order) and returns the
/// ids that exist. Holding the lock keeps new holds and copies off them until
/// the merge commits.
pub fn lock_records(conn: &mut DbConnection, ids: &[RecordId]) -> Result<Vec<RecordId>, DbError> {
    let q = records::table
        .filter(records::id.eq_any(strings(ids)))
        .order(records::id.asc())
        .select(records::id);
    let found: Vec<String> = match conn {
        DbConnection::Postgres(c) => q.for_update().load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    };
    parse_all(found, "record")
}

/// The current record of a copy, its row share-locked on PostgreSQL: what a
/// circulation event names, even when a merge moved the copy since the
/// caller read it.
pub fn record_of_copy(conn: &mut DbConnection, copy: CopyId) -> Result<RecordId, DbError> {
    let q = copies::table
        .find(copy.to_string())
        .select(copies::record_id);
    let id: String = match conn {
        DbConnection::Postgres(c) => q.for_share().first(c)?,
        DbConnection::Sqlite(c) => q.first(c)?,
    };
    id.parse()
        .map_err(|e| DbError::Corrupt(format!("copy {copy}: {e}")))
}

/// Gives the copies `ids` (those still there) to `to`, bumping their
/// versions so an edit made on the old view is refused.
pub fn move_copies(
    conn: &mut DbConnection,
    ids: &[CopyId],
    to: RecordId,
    at: Timestamp,
) -> Result<usize, DbError> {
    let mut moved = 0;
    for chunk in strings(ids).chunks(500) {
        moved += diesel::update(copies::table.filter(copies::id.eq_any(chunk)))
            .set((
                copies::record_id.eq(to.to_string()),
                copies::version.eq(copies::version + 1),
                copies::updated_at.eq(at.naive()),
            ))
            .execute(conn)?;
    }
    Ok(moved)
}

/// Re-files the circulation events of the copies `ids` under `to`: an
/// event names the record its copy belongs to.
pub fn move_events_of_copies(
    conn: &mut DbConnection,
    ids: &[CopyId],
    to: RecordId,
) -> Result<usize, DbError> {
    let mut moved = 0;
    for chunk in strings(ids).chunks(500) {
        moved += diesel::update(
            circulation_events::table.filter(circulation_events::copy_id.eq_any(chunk)),
        )
        .set(circulation_events::record_id.eq(to.to_string()))
        .execute(conn)?;
        // The exchange log names the record too (not counted: the merge
        // reports circulation events).
        diesel::update(exchange_events::table.filter(exchange_events::copy_id.eq_any(chunk)))
            .set(exchange_events::record_id.eq(to.to_string()))
            .execute(conn)?;
    }
    Ok(moved)
}

/// Re-files every circulation event of `from` under `to`.
pub fn move_events_of_record(
    conn: &mut DbConnection,
    from: RecordId,
    to: RecordId,
) -> Result<usize, DbError> {
    diesel::update(exchange_events::table.filter(exchange_events::record_id.eq(from.to_string())))
        .set(exchange_events::record_id.eq(to.to_string()))
        .execute(conn)?;
    Ok(diesel::update(
        circulation_events::table.filter(circulation_events::record_id.eq(from.to_string())),
    )
    .set(circulation_events::record_id.eq(to.to_string()))
    .execute(conn)?)
}

type HoldRow = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<String>,
);

/// Every hold on the record, open or closed, in queue order.
pub fn holds_of(conn: &mut DbConnection, record: RecordId) -> Result<Vec<HoldRef>, DbError> {
    let rows: Vec<HoldRow> = holds::table
        .filter(holds::record_id.eq(record.to_string()))
        .order((holds::placed_at.asc(), holds::id.asc()))
        .select((
            holds::id,
            holds::reader_id,
            holds::status,
            holds::placed_at,
            holds::trapped_copy_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, reader, status, placed_at, trapped)| {
            let c = |e: kitap_domain::ValueError| DbError::Corrupt(format!("hold {id}: {e}"));
            Ok(HoldRef {
                id: id.parse().map_err(c)?,
                reader_id: reader.parse().map_err(c)?,
                status: status.parse().map_err(c)?,
                placed_at: Timestamp::from_naive(placed_at),
                trapped_copy_id: trapped.as_deref().map(str::parse).transpose().map_err(c)?,
            })
        })
        .collect()
}

/// A hold as a merge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRef {
    pub id: HoldId,
    pub reader_id: kitap_domain::ReaderId,
    pub status: HoldStatus,
    pub placed_at: Timestamp,
    /// The copy in transit or on the hold shelf for it.
    pub trapped_copy_id: Option<CopyId>,
}

/// Gives the holds `ids` (those still there) to `to`.
pub fn move_holds(conn: &mut DbConnection, ids: &[HoldId], to: RecordId) -> Result<usize, DbError> {
    let mut moved = 0;
    for chunk in strings(ids).chunks(500) {
        moved += diesel::update(holds::table.filter(holds::id.eq_any(chunk)))
            .set((
                holds::record_id.eq(to.to_string()),
                holds::version.eq(holds::version + 1),
            ))
            .execute(conn)?;
    }
    Ok(moved)
}

/// Reopens a waiting hold a merge cancelled, if nothing touched it since
/// (still cancelled at `closed_at`); `Ok(false)` otherwise.
pub fn reopen_waiting(
    conn: &mut DbConnection,
    id: HoldId,
    closed_at: Timestamp,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        holds::table
            .filter(holds::id.eq(id.to_string()))
            .filter(holds::status.eq(HoldStatus::Cancelled.as_str()))
            .filter(holds::closed_at.eq(closed_at.naive())),
    )
    .set((
        holds::status.eq(HoldStatus::Waiting.as_str()),
        holds::closed_at.eq(None::<chrono::NaiveDateTime>),
        holds::version.eq(holds::version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Loans (open and returned) of the copies `ids`: the loan history that
/// moves with them.
pub fn count_loans_of_copies(conn: &mut DbConnection, ids: &[CopyId]) -> Result<i64, DbError> {
    let mut total = 0;
    for chunk in strings(ids).chunks(500) {
        let n: i64 = crate::schema::loans::table
            .filter(crate::schema::loans::copy_id.eq_any(chunk))
            .count()
            .get_result(conn)?;
        total += n;
    }
    Ok(total)
}

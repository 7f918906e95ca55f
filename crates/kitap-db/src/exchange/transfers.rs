//! Movements of copies between libraries. The partial unique index
//! `transfers_open_copy` allows one open (requested or travelling) movement
//! per copy on both backends.

use diesel::prelude::*;
use kitap_domain::{
    BranchId, CopyId, HoldId, SelectionId, StaffId, Timestamp, TransferActId, TransferId,
    TransferReason, TransferStatus,
};

use crate::schema::transfers;
use crate::{DbConnection, DbError};

/// A second open movement of one copy fails with
/// `DbError::UniqueViolation(OPEN_TRANSFER_INDEX)` on both backends.
pub const OPEN_TRANSFER_INDEX: &str = "transfers_open_copy";

const OPEN: [&str; 2] = ["requested", "in_transit"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    pub id: TransferId,
    pub copy_id: CopyId,
    pub from_branch_id: BranchId,
    pub to_branch_id: BranchId,
    pub reason: TransferReason,
    pub hold_id: Option<HoldId>,
    pub selection_id: Option<SelectionId>,
    pub act_id: Option<TransferActId>,
    pub status: TransferStatus,
    pub requested_at: Timestamp,
    pub requested_by: Option<StaffId>,
    pub dispatched_at: Option<Timestamp>,
    pub dispatched_by: Option<StaffId>,
    pub received_at: Option<Timestamp>,
    pub received_by: Option<StaffId>,
    pub closed_note: Option<String>,
    pub version: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = transfers)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    copy_id: String,
    from_branch_id: String,
    to_branch_id: String,
    reason: String,
    hold_id: Option<String>,
    selection_id: Option<String>,
    act_id: Option<String>,
    status: String,
    requested_at: chrono::NaiveDateTime,
    requested_by: Option<String>,
    dispatched_at: Option<chrono::NaiveDateTime>,
    dispatched_by: Option<String>,
    received_at: Option<chrono::NaiveDateTime>,
    received_by: Option<String>,
    closed_note: Option<String>,
    version: i64,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredTransfer {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("transfer {}: {err}", row.id));
        Ok(StoredTransfer {
            id: row.id.parse().map_err(corrupt)?,
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            from_branch_id: row.from_branch_id.parse().map_err(corrupt)?,
            to_branch_id: row.to_branch_id.parse().map_err(corrupt)?,
            reason: row.reason.parse().map_err(corrupt)?,
            hold_id: opt(row.hold_id.as_deref()).map_err(corrupt)?,
            selection_id: opt(row.selection_id.as_deref()).map_err(corrupt)?,
            act_id: opt(row.act_id.as_deref()).map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            requested_at: Timestamp::from_naive(row.requested_at),
            requested_by: opt(row.requested_by.as_deref()).map_err(corrupt)?,
            dispatched_at: row.dispatched_at.map(Timestamp::from_naive),
            dispatched_by: opt(row.dispatched_by.as_deref()).map_err(corrupt)?,
            received_at: row.received_at.map(Timestamp::from_naive),
            received_by: opt(row.received_by.as_deref()).map_err(corrupt)?,
            closed_note: row.closed_note,
            version: row.version,
        })
    }
}

impl From<&StoredTransfer> for Row {
    fn from(t: &StoredTransfer) -> Self {
        let s = |v: Option<StaffId>| v.map(|id| id.to_string());
        Row {
            id: t.id.to_string(),
            copy_id: t.copy_id.to_string(),
            from_branch_id: t.from_branch_id.to_string(),
            to_branch_id: t.to_branch_id.to_string(),
            reason: t.reason.as_str().to_owned(),
            hold_id: t.hold_id.map(|id| id.to_string()),
            selection_id: t.selection_id.map(|id| id.to_string()),
            act_id: t.act_id.map(|id| id.to_string()),
            status: t.status.as_str().to_owned(),
            requested_at: t.requested_at.naive(),
            requested_by: s(t.requested_by),
            dispatched_at: t.dispatched_at.map(Timestamp::naive),
            dispatched_by: s(t.dispatched_by),
            received_at: t.received_at.map(Timestamp::naive),
            received_by: s(t.received_by),
            closed_note: t.closed_note.clone(),
            version: t.version,
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredTransfer>, DbError> {
    rows.into_iter().map(StoredTransfer::try_from).collect()
}

/// PostgreSQL names the index; SQLite names its column.
fn classify(err: diesel::result::Error) -> DbError {
    match DbError::from(err) {
        DbError::UniqueViolation(detail)
            if detail.contains(OPEN_TRANSFER_INDEX) || detail.ends_with("transfers.copy_id") =>
        {
            DbError::UniqueViolation(OPEN_TRANSFER_INDEX.to_owned())
        }
        other => other,
    }
}

pub fn insert(conn: &mut DbConnection, t: &StoredTransfer) -> Result<(), DbError> {
    diesel::insert_into(transfers::table)
        .values(Row::from(t))
        .execute(conn)
        .map_err(classify)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: TransferId) -> Result<StoredTransfer, DbError> {
    transfers::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The copy's open movement (requested or travelling), if any.
pub fn open_for_copy(
    conn: &mut DbConnection,
    copy: CopyId,
) -> Result<Option<StoredTransfer>, DbError> {
    transfers::table
        .filter(transfers::copy_id.eq(copy.to_string()))
        .filter(transfers::status.eq_any(OPEN))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredTransfer::try_from)
        .transpose()
}

/// The open movements of many copies (a selection's), in no order.
pub fn open_for_copies(
    conn: &mut DbConnection,
    copies: &[CopyId],
) -> Result<Vec<StoredTransfer>, DbError> {
    let keys: Vec<String> = copies.iter().map(ToString::to_string).collect();
    let mut out = Vec::new();
    for chunk in keys.chunks(1_000) {
        out.extend(load(
            transfers::table
                .filter(transfers::copy_id.eq_any(chunk))
                .filter(transfers::status.eq_any(OPEN))
                .select(Row::as_select())
                .load(conn)?,
        )?);
    }
    Ok(out)
}

/// The hold's open movement (a copy requested or travelling for it).
pub fn open_for_hold(
    conn: &mut DbConnection,
    hold: HoldId,
) -> Result<Option<StoredTransfer>, DbError> {
    transfers::table
        .filter(transfers::hold_id.eq(hold.to_string()))
        .filter(transfers::status.eq_any(OPEN))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredTransfer::try_from)
        .transpose()
}

/// Every movement of a hold, oldest first (a hold may be re-routed).
pub fn of_hold(conn: &mut DbConnection, hold: HoldId) -> Result<Vec<StoredTransfer>, DbError> {
    load(
        transfers::table
            .filter(transfers::hold_id.eq(hold.to_string()))
            .order((transfers::requested_at.asc(), transfers::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// Every movement of a copy, oldest first.
pub fn of_copy(conn: &mut DbConnection, copy: CopyId) -> Result<Vec<StoredTransfer>, DbError> {
    load(
        transfers::table
            .filter(transfers::copy_id.eq(copy.to_string()))
            .order((transfers::requested_at.asc(), transfers::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

#[derive(Debug, Clone, Default)]
pub struct TransferFilter {
    pub status: Option<TransferStatus>,
    /// Only open movements (requested or travelling).
    pub open: bool,
    pub from: Option<BranchId>,
    pub to: Option<BranchId>,
    pub reason: Option<TransferReason>,
    pub selection: Option<SelectionId>,
    /// Travelling since before this moment (overdue transits).
    pub dispatched_before: Option<Timestamp>,
    pub limit: i64,
}

/// Movements by the filter, oldest first.
pub fn list(conn: &mut DbConnection, f: &TransferFilter) -> Result<Vec<StoredTransfer>, DbError> {
    let mut q = transfers::table.select(Row::as_select()).into_boxed();
    if let Some(s) = f.status {
        q = q.filter(transfers::status.eq(s.as_str()));
    }
    if f.open {
        q = q.filter(transfers::status.eq_any(OPEN));
    }
    if let Some(b) = f.from {
        q = q.filter(transfers::from_branch_id.eq(b.to_string()));
    }
    if let Some(b) = f.to {
        q = q.filter(transfers::to_branch_id.eq(b.to_string()));
    }
    if let Some(r) = f.reason {
        q = q.filter(transfers::reason.eq(r.as_str()));
    }
    if let Some(s) = f.selection {
        q = q.filter(transfers::selection_id.eq(s.to_string()));
    }
    if let Some(t) = f.dispatched_before {
        q = q.filter(transfers::dispatched_at.lt(t.naive()));
    }
    load(
        q.order((transfers::requested_at.asc(), transfers::id.asc()))
            .limit(f.limit.max(1))
            .load(conn)?,
    )
}

/// Writes status, reason, destination, the dispatch/receipt stamps and the
/// note of `t` if it is still at `expected_version`: `Ok(false)` when
/// someone else changed it first. The caller sets `t.version`.
pub fn update(
    conn: &mut DbConnection,
    t: &StoredTransfer,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(t);
    let changed = diesel::update(
        transfers::table
            .filter(transfers::id.eq(&row.id))
            .filter(transfers::version.eq(expected_version)),
    )
    .set((
        transfers::version.eq(row.version),
        transfers::status.eq(&row.status),
        transfers::reason.eq(&row.reason),
        transfers::to_branch_id.eq(&row.to_branch_id),
        transfers::dispatched_at.eq(row.dispatched_at),
        transfers::dispatched_by.eq(&row.dispatched_by),
        transfers::received_at.eq(row.received_at),
        transfers::received_by.eq(&row.received_by),
        transfers::closed_note.eq(&row.closed_note),
    ))
    .execute(conn)
    .map_err(classify)?;
    if changed == 0 {
        find(conn, t.id)?;
        return Ok(false);
    }
    Ok(true)
}

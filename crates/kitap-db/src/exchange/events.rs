//! The exchange event log: one row per movement step, never updated.

use diesel::prelude::*;
use kitap_domain::{
    BranchId, CopyId, ExchangeEventId, ExchangeEventKind, HoldId, ReaderId, RecordId, SelectionId,
    StaffId, Timestamp, TransferActId, TransferId,
};

use crate::schema::exchange_events;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: ExchangeEventId,
    pub at: Timestamp,
    pub kind: ExchangeEventKind,
    pub copy_id: CopyId,
    pub record_id: RecordId,
    pub transfer_id: Option<TransferId>,
    pub from_branch_id: Option<BranchId>,
    pub to_branch_id: Option<BranchId>,
    /// Where it happened (the acting library).
    pub branch_id: BranchId,
    /// The movement's reason code, when there is a movement.
    pub reason: Option<String>,
    pub hold_id: Option<HoldId>,
    /// The reader a hold's movement serves.
    pub reader_id: Option<ReaderId>,
    pub selection_id: Option<SelectionId>,
    pub act_id: Option<TransferActId>,
    pub staff_id: Option<StaffId>,
    pub detail: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = exchange_events)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    at: chrono::NaiveDateTime,
    kind: String,
    copy_id: String,
    record_id: String,
    transfer_id: Option<String>,
    from_branch_id: Option<String>,
    to_branch_id: Option<String>,
    branch_id: String,
    reason: Option<String>,
    hold_id: Option<String>,
    reader_id: Option<String>,
    selection_id: Option<String>,
    act_id: Option<String>,
    staff_id: Option<String>,
    detail: Option<String>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

fn text<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

impl TryFrom<Row> for StoredEvent {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |err: kitap_domain::ValueError| {
            DbError::Corrupt(format!("exchange event {}: {err}", row.id))
        };
        Ok(StoredEvent {
            id: row.id.parse().map_err(corrupt)?,
            at: Timestamp::from_naive(row.at),
            kind: row.kind.parse().map_err(corrupt)?,
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            record_id: row.record_id.parse().map_err(corrupt)?,
            transfer_id: opt(row.transfer_id.as_deref()).map_err(corrupt)?,
            from_branch_id: opt(row.from_branch_id.as_deref()).map_err(corrupt)?,
            to_branch_id: opt(row.to_branch_id.as_deref()).map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            reason: row.reason,
            hold_id: opt(row.hold_id.as_deref()).map_err(corrupt)?,
            reader_id: opt(row.reader_id.as_deref()).map_err(corrupt)?,
            selection_id: opt(row.selection_id.as_deref()).map_err(corrupt)?,
            act_id: opt(row.act_id.as_deref()).map_err(corrupt)?,
            staff_id: opt(row.staff_id.as_deref()).map_err(corrupt)?,
            detail: row.detail,
        })
    }
}

impl From<&StoredEvent> for Row {
    fn from(e: &StoredEvent) -> Self {
        Row {
            id: e.id.to_string(),
            at: e.at.naive(),
            kind: e.kind.as_str().to_owned(),
            copy_id: e.copy_id.to_string(),
            record_id: e.record_id.to_string(),
            transfer_id: text(e.transfer_id),
            from_branch_id: text(e.from_branch_id),
            to_branch_id: text(e.to_branch_id),
            branch_id: e.branch_id.to_string(),
            reason: e.reason.clone(),
            hold_id: text(e.hold_id),
            reader_id: text(e.reader_id),
            selection_id: text(e.selection_id),
            act_id: text(e.act_id),
            staff_id: text(e.staff_id),
            detail: e.detail.clone(),
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredEvent>, DbError> {
    rows.into_iter().map(StoredEvent::try_from).collect()
}

pub fn insert(conn: &mut DbConnection, e: &StoredEvent) -> Result<(), DbError> {
    diesel::insert_into(exchange_events::table)
        .values(Row::from(e))
        .execute(conn)?;
    Ok(())
}

/// A copy's exchange history, oldest first.
pub fn of_copy(conn: &mut DbConnection, copy: CopyId) -> Result<Vec<StoredEvent>, DbError> {
    load(
        exchange_events::table
            .filter(exchange_events::copy_id.eq(copy.to_string()))
            .order((exchange_events::at.asc(), exchange_events::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The events of `[from, to)`, oldest first: the statistics aggregate them.
pub fn between(
    conn: &mut DbConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<StoredEvent>, DbError> {
    load(
        exchange_events::table
            .filter(exchange_events::at.ge(from.naive()))
            .filter(exchange_events::at.lt(to.naive()))
            .order((exchange_events::at.asc(), exchange_events::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The events of `kind` at or after `since`, in time order: the changes of
/// owning library after a day, for the fund held on that day.
pub fn of_kind_since(
    conn: &mut DbConnection,
    kind: ExchangeEventKind,
    since: Timestamp,
) -> Result<Vec<StoredEvent>, DbError> {
    load(
        exchange_events::table
            .filter(exchange_events::kind.eq(kind.as_str()))
            .filter(exchange_events::at.ge(since.naive()))
            .order((exchange_events::at.asc(), exchange_events::id.asc()))
            .select(Row::as_select())
            .load(conn)?,
    )
}

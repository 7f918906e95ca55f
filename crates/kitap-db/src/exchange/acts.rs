//! Redistribution (transfer) acts: numbered documents that give copies for
//! good to another library. An act and its lines are written once and never
//! changed, like the accession and write-off acts.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{BranchId, CopyId, StaffId, Timestamp, TransferActId, ValueError};

use crate::conn::per_backend;
use crate::counters;
use crate::schema::{transfer_act_lines, transfer_acts};
use crate::{DbConnection, DbError};

/// The document series of transfer act numbers, one per year
/// ("transfer/2026"), kept by [`crate::counters`].
pub const NUMBER_SERIES: &str = "transfer";

/// Rows per multi-row INSERT: far below SQLite's 32,766 bound parameters.
const CHUNK: usize = 2000;

/// The next number of [`NUMBER_SERIES`] in `year`; the caller formats it.
/// Call it inside the transaction that inserts the act, so a rolled back act
/// gives its number back.
pub fn next_number(conn: &mut DbConnection, year: i32) -> Result<i32, DbError> {
    counters::next(conn, &format!("{NUMBER_SERIES}/{year}"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransferAct {
    pub id: TransferActId,
    pub number: String,
    /// The giving library.
    pub from_branch_id: BranchId,
    /// The receiving library, the copies' new home.
    pub to_branch_id: BranchId,
    pub act_date: NaiveDate,
    pub note: Option<String>,
    /// `i32` like the accession and write-off acts' column.
    pub copy_count: i32,
    /// The sum of the lines' known prices, in minor units.
    pub total_minor: i64,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = transfer_acts)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    number: String,
    from_branch_id: String,
    to_branch_id: String,
    act_date: NaiveDate,
    note: Option<String>,
    copy_count: i32,
    total_minor: i64,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
}

fn opt<T: std::str::FromStr<Err = ValueError>>(raw: Option<&str>) -> Result<Option<T>, ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredTransferAct {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |err: ValueError| DbError::Corrupt(format!("transfer act {}: {err}", row.id));
        Ok(StoredTransferAct {
            id: row.id.parse().map_err(corrupt)?,
            number: row.number,
            from_branch_id: row.from_branch_id.parse().map_err(corrupt)?,
            to_branch_id: row.to_branch_id.parse().map_err(corrupt)?,
            act_date: row.act_date,
            note: row.note,
            copy_count: row.copy_count,
            total_minor: row.total_minor,
            created_by: opt(row.created_by.as_deref()).map_err(corrupt)?,
            created_at: Timestamp::from_naive(row.created_at),
        })
    }
}

impl From<&StoredTransferAct> for Row {
    fn from(a: &StoredTransferAct) -> Self {
        Row {
            id: a.id.to_string(),
            number: a.number.clone(),
            from_branch_id: a.from_branch_id.to_string(),
            to_branch_id: a.to_branch_id.to_string(),
            act_date: a.act_date,
            note: a.note.clone(),
            copy_count: a.copy_count,
            total_minor: a.total_minor,
            created_by: a.created_by.map(|id| id.to_string()),
            created_at: a.created_at.naive(),
        }
    }
}

/// One copy given by an act, with its price on the act when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredActLine {
    pub copy_id: CopyId,
    pub price_minor: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = transfer_act_lines)]
#[diesel(treat_none_as_default_value = false)]
struct LineRow {
    act_id: String,
    copy_id: String,
    price_minor: Option<i64>,
}

impl TryFrom<LineRow> for StoredActLine {
    type Error = DbError;

    fn try_from(row: LineRow) -> Result<Self, DbError> {
        Ok(StoredActLine {
            copy_id: row.copy_id.parse().map_err(|err: ValueError| {
                DbError::Corrupt(format!("line of transfer act {}: {err}", row.act_id))
            })?,
            price_minor: row.price_minor,
        })
    }
}

/// Inserts the act and its lines (multi-row INSERTs in chunks, which the
/// multi-backend connection cannot express, hence `per_backend!`). Run it in
/// a transaction: the lines name copies that must exist.
pub fn insert(
    conn: &mut DbConnection,
    act: &StoredTransferAct,
    lines: &[StoredActLine],
) -> Result<(), DbError> {
    diesel::insert_into(transfer_acts::table)
        .values(Row::from(act))
        .execute(conn)?;
    let id = act.id.to_string();
    for chunk in lines.chunks(CHUNK) {
        let rows: Vec<LineRow> = chunk
            .iter()
            .map(|line| LineRow {
                act_id: id.clone(),
                copy_id: line.copy_id.to_string(),
                price_minor: line.price_minor,
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(transfer_act_lines::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: TransferActId) -> Result<StoredTransferAct, DbError> {
    transfer_acts::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The lines of an act, by copy id.
pub fn lines(conn: &mut DbConnection, id: TransferActId) -> Result<Vec<StoredActLine>, DbError> {
    transfer_act_lines::table
        .filter(transfer_act_lines::act_id.eq(id.to_string()))
        .order(transfer_act_lines::copy_id.asc())
        .select(LineRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredActLine::try_from)
        .collect()
}

/// Acts given by `from` and/or received by `to`, newest first (by act date,
/// then number), at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    from: Option<BranchId>,
    to: Option<BranchId>,
    limit: i64,
) -> Result<Vec<StoredTransferAct>, DbError> {
    let mut q = transfer_acts::table.select(Row::as_select()).into_boxed();
    if let Some(b) = from {
        q = q.filter(transfer_acts::from_branch_id.eq(b.to_string()));
    }
    if let Some(b) = to {
        q = q.filter(transfer_acts::to_branch_id.eq(b.to_string()));
    }
    q.order((transfer_acts::act_date.desc(), transfer_acts::number.desc()))
        .limit(limit.max(1))
        .load(conn)?
        .into_iter()
        .map(StoredTransferAct::try_from)
        .collect()
}

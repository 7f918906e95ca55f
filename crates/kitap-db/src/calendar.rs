//! Closed days: dates (holidays) and ISO weekdays (Monday = 1) a library, or
//! the whole system when no library is named, does not open.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{BranchId, ClosedDayId};

use crate::schema::closed_days;
use crate::{DbConnection, DbError};

/// Either a date or a weekday: the table's CHECK allows exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedOn {
    Date(NaiveDate),
    /// ISO weekday, Monday = 1 .. Sunday = 7.
    Weekday(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClosedDay {
    pub id: ClosedDayId,
    /// `None`: closed in every library.
    pub branch_id: Option<BranchId>,
    pub on: ClosedOn,
    pub reason: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = closed_days)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    branch_id: Option<String>,
    on_date: Option<NaiveDate>,
    weekday: Option<i32>,
    reason: Option<String>,
}

impl TryFrom<Row> for StoredClosedDay {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |what: String| DbError::Corrupt(format!("closed day {}: {what}", row.id));
        let on = match (row.on_date, row.weekday) {
            (Some(date), None) => ClosedOn::Date(date),
            (None, Some(day @ 1..=7)) => ClosedOn::Weekday(day as u8),
            _ => {
                return Err(corrupt(
                    "needs exactly one of a date or a weekday 1..=7".into(),
                ))
            }
        };
        Ok(StoredClosedDay {
            branch_id: row
                .branch_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: kitap_domain::ValueError| corrupt(e.to_string()))?,
            id: row
                .id
                .parse()
                .map_err(|e: kitap_domain::ValueError| corrupt(e.to_string()))?,
            on,
            reason: row.reason,
        })
    }
}

/// The days `branch` is closed: its own and the system-wide ones.
pub fn for_branch(
    conn: &mut DbConnection,
    branch: BranchId,
) -> Result<Vec<StoredClosedDay>, DbError> {
    closed_days::table
        .filter(
            closed_days::branch_id
                .is_null()
                .or(closed_days::branch_id.eq(branch.to_string())),
        )
        .order(closed_days::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredClosedDay::try_from)
        .collect()
}

/// Every closed day of every library.
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredClosedDay>, DbError> {
    closed_days::table
        .order(closed_days::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredClosedDay::try_from)
        .collect()
}

/// Adds a closed day; the same day twice for one library (or system-wide) is
/// a `UniqueViolation`. A weekday outside 1..=7 is a `CheckViolation`.
pub fn insert(conn: &mut DbConnection, day: &StoredClosedDay) -> Result<(), DbError> {
    let (on_date, weekday) = match day.on {
        ClosedOn::Date(date) => (Some(date), None),
        ClosedOn::Weekday(w) => (None, Some(i32::from(w))),
    };
    diesel::insert_into(closed_days::table)
        .values(Row {
            id: day.id.to_string(),
            branch_id: day.branch_id.map(|id| id.to_string()),
            on_date,
            weekday,
            reason: day.reason.clone(),
        })
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: ClosedDayId) -> Result<(), DbError> {
    let deleted = diesel::delete(closed_days::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

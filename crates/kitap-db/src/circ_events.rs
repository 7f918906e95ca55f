//! The circulation event log: one immutable row per checkout, renewal,
//! return, loss or override, carrying the facts statistics count by.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AgeBand, BranchId, CirculationEventId, CirculationEventKind, CopyId, LoanId, LoanKind,
    ReaderCategory, ReaderId, RecordId, StaffId, Timestamp,
};

use crate::schema::circulation_events;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CirculationEvent {
    pub id: CirculationEventId,
    pub at: Timestamp,
    pub kind: CirculationEventKind,
    pub loan_id: Option<LoanId>,
    pub copy_id: CopyId,
    pub record_id: RecordId,
    pub reader_id: ReaderId,
    /// The library where it happened.
    pub branch_id: BranchId,
    pub staff_id: Option<StaffId>,
    pub loan_kind: Option<LoanKind>,
    pub reader_category: ReaderCategory,
    pub age_band: AgeBand,
    pub material_type: String,
    pub language: Option<String>,
    pub kazakh: bool,
    pub knowledge_area: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The refusal codes staff overrode (stored comma-separated).
    pub overridden: Vec<String>,
    pub detail: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = circulation_events)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    at: chrono::NaiveDateTime,
    kind: String,
    loan_id: Option<String>,
    copy_id: String,
    record_id: String,
    reader_id: String,
    branch_id: String,
    staff_id: Option<String>,
    loan_kind: Option<String>,
    reader_category: String,
    age_band: String,
    material_type: String,
    language: Option<String>,
    kazakh: bool,
    knowledge_area: Option<String>,
    due_on: Option<NaiveDate>,
    overridden: Option<String>,
    detail: Option<String>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for CirculationEvent {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |err: kitap_domain::ValueError| {
            DbError::Corrupt(format!("circulation event {}: {err}", row.id))
        };
        Ok(CirculationEvent {
            id: row.id.parse().map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            loan_id: opt(row.loan_id.as_deref()).map_err(corrupt)?,
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            record_id: row.record_id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            staff_id: opt(row.staff_id.as_deref()).map_err(corrupt)?,
            loan_kind: opt(row.loan_kind.as_deref()).map_err(corrupt)?,
            reader_category: row.reader_category.parse().map_err(corrupt)?,
            age_band: row.age_band.parse().map_err(corrupt)?,
            at: Timestamp::from_naive(row.at),
            material_type: row.material_type,
            language: row.language,
            kazakh: row.kazakh,
            knowledge_area: row.knowledge_area,
            due_on: row.due_on,
            overridden: row
                .overridden
                .map(|codes| {
                    codes
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            detail: row.detail,
        })
    }
}

impl From<&CirculationEvent> for Row {
    fn from(e: &CirculationEvent) -> Self {
        Row {
            id: e.id.to_string(),
            at: e.at.naive(),
            kind: e.kind.as_str().to_owned(),
            loan_id: e.loan_id.map(|id| id.to_string()),
            copy_id: e.copy_id.to_string(),
            record_id: e.record_id.to_string(),
            reader_id: e.reader_id.to_string(),
            branch_id: e.branch_id.to_string(),
            staff_id: e.staff_id.map(|id| id.to_string()),
            loan_kind: e.loan_kind.map(|k| k.as_str().to_owned()),
            reader_category: e.reader_category.as_str().to_owned(),
            age_band: e.age_band.as_str().to_owned(),
            material_type: e.material_type.clone(),
            language: e.language.clone(),
            kazakh: e.kazakh,
            knowledge_area: e.knowledge_area.clone(),
            due_on: e.due_on,
            overridden: (!e.overridden.is_empty()).then(|| e.overridden.join(",")),
            detail: e.detail.clone(),
        }
    }
}

pub fn insert(conn: &mut DbConnection, event: &CirculationEvent) -> Result<(), DbError> {
    diesel::insert_into(circulation_events::table)
        .values(Row::from(event))
        .execute(conn)?;
    Ok(())
}

/// Events at or after `from` and before `until`, optionally of one library,
/// in id (UUIDv7, so creation) order; `after` is the seek cursor.
pub fn in_period(
    conn: &mut DbConnection,
    from: Timestamp,
    until: Timestamp,
    branch: Option<BranchId>,
    after: Option<CirculationEventId>,
    limit: i64,
) -> Result<Vec<CirculationEvent>, DbError> {
    let mut q = circulation_events::table
        .filter(circulation_events::at.ge(from.naive()))
        .filter(circulation_events::at.lt(until.naive()))
        .select(Row::as_select())
        .into_boxed();
    if let Some(branch) = branch {
        q = q.filter(circulation_events::branch_id.eq(branch.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(circulation_events::id.gt(after.to_string()));
    }
    q.order(circulation_events::id.asc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(CirculationEvent::try_from)
        .collect()
}

/// A copy's events, oldest first.
pub fn of_copy(conn: &mut DbConnection, copy: CopyId) -> Result<Vec<CirculationEvent>, DbError> {
    circulation_events::table
        .filter(circulation_events::copy_id.eq(copy.to_string()))
        .order(circulation_events::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(CirculationEvent::try_from)
        .collect()
}

//! What the statistics load (issue #8): the circulation facts of a period,
//! the readers registered in it and the event attendance staff entered, each
//! for a set of libraries and in seek-paginated chunks so a year of a whole
//! system never sits in one result set. Also the attendance entries
//! themselves.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AgeBand, AttendanceId, BranchId, CirculationEventKind, LoanId, LoanKind, ReaderCategory,
    ReaderId, RecordId, RecordStatus, StaffId, Timestamp,
};

use crate::schema::{circulation_events, event_attendance, loans, readers, records};
use crate::{DbConnection, DbError};

/// One circulation event, the columns statistics count by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFact {
    pub at: Timestamp,
    pub kind: CirculationEventKind,
    pub branch_id: BranchId,
    pub reader_id: ReaderId,
    pub loan_kind: Option<LoanKind>,
    pub reader_category: ReaderCategory,
    pub age_band: AgeBand,
    pub material_type: String,
    pub language: Option<String>,
    pub kazakh: bool,
    pub knowledge_area: Option<String>,
}

type FactRow = (
    chrono::NaiveDateTime,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    bool,
    Option<String>,
);

fn corrupt(what: &str, id: &str, err: kitap_domain::ValueError) -> DbError {
    DbError::Corrupt(format!("{what} {id}: {err}"))
}

fn fact(row: FactRow) -> Result<EventFact, DbError> {
    let (at, kind, branch, reader, loan_kind, category, band, material, language, kazakh, area) =
        row;
    let bad = |err| corrupt("circulation event of reader", &reader, err);
    Ok(EventFact {
        at: Timestamp::from_naive(at),
        kind: kind.parse().map_err(bad)?,
        branch_id: branch.parse().map_err(bad)?,
        reader_id: reader.parse().map_err(bad)?,
        loan_kind: loan_kind
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(bad)?,
        reader_category: category.parse().map_err(bad)?,
        age_band: band.parse().map_err(bad)?,
        material_type: material,
        language,
        kazakh,
        knowledge_area: area,
    })
}

fn ids(libraries: &[BranchId]) -> Vec<String> {
    libraries.iter().map(ToString::to_string).collect()
}

/// The events at `libraries` at or after `from` and before `until`, in no
/// particular order. Callers read a long period window by window: a range
/// of the `at` index per query, where seek pages in id order made the
/// database range over the whole period again for every page.
pub fn event_facts(
    conn: &mut DbConnection,
    from: Timestamp,
    until: Timestamp,
    libraries: &[BranchId],
) -> Result<Vec<EventFact>, DbError> {
    use circulation_events as e;
    e::table
        .filter(e::at.ge(from.naive()))
        .filter(e::at.lt(until.naive()))
        .filter(e::branch_id.eq_any(ids(libraries)))
        .select((
            e::at,
            e::kind,
            e::branch_id,
            e::reader_id,
            e::loan_kind,
            e::reader_category,
            e::age_band,
            e::material_type,
            e::language,
            e::kazakh,
            e::knowledge_area,
        ))
        .load::<FactRow>(conn)?
        .into_iter()
        .map(fact)
        .collect()
}

/// A reader's registration as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub reader_id: ReaderId,
    pub home_branch_id: BranchId,
    pub registered_on: NaiveDate,
    pub registered_until: NaiveDate,
    pub category: ReaderCategory,
    pub birth_date: NaiveDate,
    /// When the reader was first registered.
    pub created_at: Timestamp,
}

type RegistrationRow = (
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
    NaiveDate,
    chrono::NaiveDateTime,
);

/// Readers of `libraries` whose registration covers a day of `from..=to`,
/// in id order after `after`, at most `limit`.
pub fn registrations(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    libraries: &[BranchId],
    after: Option<ReaderId>,
    limit: i64,
) -> Result<Vec<Registration>, DbError> {
    let mut q = readers::table
        .filter(readers::registered_on.le(to))
        .filter(readers::registered_until.ge(from))
        .filter(readers::home_branch_id.eq_any(ids(libraries)))
        .select((
            readers::id,
            readers::home_branch_id,
            readers::registered_on,
            readers::registered_until,
            readers::category,
            readers::birth_date,
            readers::created_at,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(readers::id.gt(after.to_string()));
    }
    q.order(readers::id.asc())
        .limit(limit)
        .load::<RegistrationRow>(conn)?
        .into_iter()
        .map(|(id, branch, on, until, category, birth, created)| {
            let bad = |err| corrupt("reader", &id, err);
            Ok(Registration {
                reader_id: id.parse().map_err(bad)?,
                home_branch_id: branch.parse().map_err(bad)?,
                registered_on: on,
                registered_until: until,
                category: category.parse().map_err(bad)?,
                birth_date: birth,
                created_at: Timestamp::from_naive(created),
            })
        })
        .collect()
}

/// Attendance of one library event, entered by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub id: AttendanceId,
    pub branch_id: BranchId,
    pub held_on: NaiveDate,
    pub name: String,
    pub attendees: u32,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = event_attendance)]
#[diesel(treat_none_as_default_value = false)]
struct AttendanceRow {
    id: String,
    branch_id: String,
    held_on: NaiveDate,
    name: String,
    attendees: i32,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
}

impl TryFrom<AttendanceRow> for Attendance {
    type Error = DbError;

    fn try_from(row: AttendanceRow) -> Result<Self, DbError> {
        let bad = |err| corrupt("event attendance", &row.id, err);
        Ok(Attendance {
            id: row.id.parse().map_err(bad)?,
            branch_id: row.branch_id.parse().map_err(bad)?,
            held_on: row.held_on,
            name: row.name.clone(),
            attendees: u32::try_from(row.attendees)
                .map_err(|_| DbError::Corrupt(format!("event attendance {}: attendees", row.id)))?,
            created_by: row
                .created_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(bad)?,
            created_at: Timestamp::from_naive(row.created_at),
        })
    }
}

pub fn insert_attendance(conn: &mut DbConnection, a: &Attendance) -> Result<(), DbError> {
    let attendees = i32::try_from(a.attendees)
        .map_err(|_| DbError::Corrupt("event attendance: attendees out of range".to_owned()))?;
    diesel::insert_into(event_attendance::table)
        .values(AttendanceRow {
            id: a.id.to_string(),
            branch_id: a.branch_id.to_string(),
            held_on: a.held_on,
            name: a.name.clone(),
            attendees,
            created_by: a.created_by.map(|s| s.to_string()),
            created_at: a.created_at.naive(),
        })
        .execute(conn)?;
    Ok(())
}

/// The attendance entries of `libraries` held in `from..=to`, in entry
/// (id) order after `after`, at most `limit`.
pub fn attendance(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    libraries: &[BranchId],
    after: Option<AttendanceId>,
    limit: i64,
) -> Result<Vec<Attendance>, DbError> {
    let mut q = event_attendance::table
        .filter(event_attendance::held_on.ge(from))
        .filter(event_attendance::held_on.le(to))
        .filter(event_attendance::branch_id.eq_any(ids(libraries)))
        .select(AttendanceRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(event_attendance::id.gt(after.to_string()));
    }
    q.order(event_attendance::id.asc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(Attendance::try_from)
        .collect()
}

/// A loan as the debtors report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanRow {
    pub id: LoanId,
    pub reader_id: ReaderId,
    pub branch_id: BranchId,
    pub issued_at: Timestamp,
    pub due_on: NaiveDate,
    pub returned_at: Option<Timestamp>,
    pub lost_at: Option<Timestamp>,
}

type LoanTuple = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    NaiveDate,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

/// Loans issued by `libraries` that are overdue at the end of `day`:
/// issued before `day_end` (the instant `day` ends), due before `day`, and
/// neither returned nor declared lost before `day_end`. A day's overdue
/// loans are a small set (debts), read in one query.
pub fn overdue_at(
    conn: &mut DbConnection,
    day: NaiveDate,
    day_end: Timestamp,
    libraries: &[BranchId],
) -> Result<Vec<LoanRow>, DbError> {
    let end = day_end.naive();
    loans::table
        .filter(loans::issued_at.lt(end))
        .filter(loans::due_on.lt(day))
        .filter(loans::returned_at.is_null().or(loans::returned_at.ge(end)))
        .filter(loans::lost_at.is_null().or(loans::lost_at.ge(end)))
        .filter(loans::branch_id.eq_any(ids(libraries)))
        .select((
            loans::id,
            loans::reader_id,
            loans::branch_id,
            loans::issued_at,
            loans::due_on,
            loans::returned_at,
            loans::lost_at,
        ))
        .load::<LoanTuple>(conn)?
        .into_iter()
        .map(|(id, reader, branch, issued, due, returned, lost)| {
            let bad = |err| corrupt("loan", &id, err);
            Ok(LoanRow {
                id: id.parse().map_err(bad)?,
                reader_id: reader.parse().map_err(bad)?,
                branch_id: branch.parse().map_err(bad)?,
                issued_at: Timestamp::from_naive(issued),
                due_on: due,
                returned_at: returned.map(Timestamp::from_naive),
                lost_at: lost.map(Timestamp::from_naive),
            })
        })
        .collect()
}

/// A catalogue record, the columns the e-catalogue report counts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: RecordId,
    pub created_at: Timestamp,
    pub record_type: String,
    pub language: Option<String>,
    pub kazakh: bool,
}

/// Active (not withdrawn) records created before `until`, in id order
/// after `after`, at most `limit`.
pub fn catalogue_records(
    conn: &mut DbConnection,
    until: Timestamp,
    after: Option<RecordId>,
    limit: i64,
) -> Result<Vec<RecordRow>, DbError> {
    let mut q = records::table
        .filter(records::created_at.lt(until.naive()))
        .filter(records::status.eq(RecordStatus::Active.as_str()))
        .select((
            records::id,
            records::created_at,
            records::record_type,
            records::language,
            records::kazakh,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(records::id.gt(after.to_string()));
    }
    q.order(records::id.asc())
        .limit(limit)
        .load::<(String, chrono::NaiveDateTime, String, Option<String>, bool)>(conn)?
        .into_iter()
        .map(|(id, at, record_type, language, kazakh)| {
            Ok(RecordRow {
                id: id.parse().map_err(|err| corrupt("record", &id, err))?,
                created_at: Timestamp::from_naive(at),
                record_type,
                language,
                kazakh,
            })
        })
        .collect()
}

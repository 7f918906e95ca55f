//! Libraries' requests to the unified fund: titles (with how many copies of
//! each) or a topic, answered by the library asked. A request is numbered
//! like the acts, from [`crate::counters`].

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    BranchId, LibraryRequestId, LibraryRequestStatus, RecordId, StaffId, Timestamp, ValueError,
};

use crate::conn::per_backend;
use crate::counters;
use crate::schema::{library_request_titles, library_requests};
use crate::{DbConnection, DbError};

/// The document series of request numbers, one per year
/// ("library_request/2026"), kept by [`crate::counters`].
pub const NUMBER_SERIES: &str = "library_request";

/// Rows per multi-row INSERT: far below SQLite's 32,766 bound parameters.
const CHUNK: usize = 2000;

/// The next number of [`NUMBER_SERIES`] in `year`; the caller formats it.
/// Call it inside the transaction that inserts the request, so a rolled back
/// request gives its number back.
pub fn next_number(conn: &mut DbConnection, year: i32) -> Result<i32, DbError> {
    counters::next(conn, &format!("{NUMBER_SERIES}/{year}"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLibraryRequest {
    pub id: LibraryRequestId,
    pub number: String,
    /// The requesting library.
    pub from_branch_id: BranchId,
    /// The library asked.
    pub to_branch_id: BranchId,
    /// What is wanted when no titles are named.
    pub topic: Option<String>,
    pub needed_by: Option<NaiveDate>,
    pub status: LibraryRequestStatus,
    pub note: Option<String>,
    pub answer_note: Option<String>,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub version: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = library_requests)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    number: String,
    from_branch_id: String,
    to_branch_id: String,
    topic: Option<String>,
    needed_by: Option<NaiveDate>,
    status: String,
    note: Option<String>,
    answer_note: Option<String>,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    answered_at: Option<chrono::NaiveDateTime>,
    version: i64,
}

fn opt<T: std::str::FromStr<Err = ValueError>>(raw: Option<&str>) -> Result<Option<T>, ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredLibraryRequest {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: ValueError| DbError::Corrupt(format!("library request {}: {err}", row.id));
        Ok(StoredLibraryRequest {
            id: row.id.parse().map_err(corrupt)?,
            number: row.number,
            from_branch_id: row.from_branch_id.parse().map_err(corrupt)?,
            to_branch_id: row.to_branch_id.parse().map_err(corrupt)?,
            topic: row.topic,
            needed_by: row.needed_by,
            status: row.status.parse().map_err(corrupt)?,
            note: row.note,
            answer_note: row.answer_note,
            created_by: opt(row.created_by.as_deref()).map_err(corrupt)?,
            created_at: Timestamp::from_naive(row.created_at),
            answered_at: row.answered_at.map(Timestamp::from_naive),
            version: row.version,
        })
    }
}

impl From<&StoredLibraryRequest> for Row {
    fn from(r: &StoredLibraryRequest) -> Self {
        Row {
            id: r.id.to_string(),
            number: r.number.clone(),
            from_branch_id: r.from_branch_id.to_string(),
            to_branch_id: r.to_branch_id.to_string(),
            topic: r.topic.clone(),
            needed_by: r.needed_by,
            status: r.status.as_str().to_owned(),
            note: r.note.clone(),
            answer_note: r.answer_note.clone(),
            created_by: r.created_by.map(|id| id.to_string()),
            created_at: r.created_at.naive(),
            answered_at: r.answered_at.map(Timestamp::naive),
            version: r.version,
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredLibraryRequest>, DbError> {
    rows.into_iter()
        .map(StoredLibraryRequest::try_from)
        .collect()
}

/// One requested title and how many copies of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRequestTitle {
    pub record_id: RecordId,
    pub copies: u32,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = library_request_titles)]
#[diesel(treat_none_as_default_value = false)]
struct TitleRow {
    request_id: String,
    record_id: String,
    copies: i32,
}

impl TryFrom<TitleRow> for StoredRequestTitle {
    type Error = DbError;

    fn try_from(row: TitleRow) -> Result<Self, DbError> {
        let corrupt =
            |err: String| DbError::Corrupt(format!("requested title {}: {err}", row.record_id));
        Ok(StoredRequestTitle {
            record_id: row
                .record_id
                .parse()
                .map_err(|e: ValueError| corrupt(e.to_string()))?,
            copies: u32::try_from(row.copies).map_err(|e| corrupt(e.to_string()))?,
        })
    }
}

/// Inserts the request and its titles; run it in a transaction. A count of
/// copies beyond the column's range is refused like the CHECK refuses zero.
pub fn insert(
    conn: &mut DbConnection,
    request: &StoredLibraryRequest,
    titles: &[StoredRequestTitle],
) -> Result<(), DbError> {
    let id = request.id.to_string();
    let mut rows = Vec::with_capacity(titles.len());
    for t in titles {
        let copies = i32::try_from(t.copies).map_err(|_| {
            DbError::CheckViolation(format!(
                "library_request_titles.copies: {} is too many",
                t.copies
            ))
        })?;
        rows.push(TitleRow {
            request_id: id.clone(),
            record_id: t.record_id.to_string(),
            copies,
        });
    }
    diesel::insert_into(library_requests::table)
        .values(Row::from(request))
        .execute(conn)?;
    for chunk in rows.chunks(CHUNK) {
        per_backend!(conn, |c| diesel::insert_into(library_request_titles::table)
            .values(chunk)
            .execute(c)?);
    }
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: LibraryRequestId,
) -> Result<StoredLibraryRequest, DbError> {
    library_requests::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The titles of a request, by record id.
pub fn titles(
    conn: &mut DbConnection,
    id: LibraryRequestId,
) -> Result<Vec<StoredRequestTitle>, DbError> {
    library_request_titles::table
        .filter(library_request_titles::request_id.eq(id.to_string()))
        .order(library_request_titles::record_id.asc())
        .select(TitleRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredRequestTitle::try_from)
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// The requesting library.
    pub from: Option<BranchId>,
    /// The library asked.
    pub to: Option<BranchId>,
    pub status: Option<LibraryRequestStatus>,
    pub limit: i64,
}

/// Requests by the filter, newest first.
pub fn list(
    conn: &mut DbConnection,
    f: &RequestFilter,
) -> Result<Vec<StoredLibraryRequest>, DbError> {
    let mut q = library_requests::table
        .select(Row::as_select())
        .into_boxed();
    if let Some(b) = f.from {
        q = q.filter(library_requests::from_branch_id.eq(b.to_string()));
    }
    if let Some(b) = f.to {
        q = q.filter(library_requests::to_branch_id.eq(b.to_string()));
    }
    if let Some(s) = f.status {
        q = q.filter(library_requests::status.eq(s.as_str()));
    }
    load(
        q.order((
            library_requests::created_at.desc(),
            library_requests::id.desc(),
        ))
        .limit(f.limit.max(1))
        .load(conn)?,
    )
}

/// Writes status, answer note, answer stamp, note and version of `request`
/// if it is still at `expected_version`: `Ok(false)` when someone else
/// changed it first, `Err(NotFound)` when it is gone. The caller sets
/// `request.version` to the new version.
pub fn update(
    conn: &mut DbConnection,
    request: &StoredLibraryRequest,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(request);
    let changed = diesel::update(
        library_requests::table
            .filter(library_requests::id.eq(&row.id))
            .filter(library_requests::version.eq(expected_version)),
    )
    .set((
        library_requests::version.eq(row.version),
        library_requests::status.eq(&row.status),
        library_requests::answer_note.eq(&row.answer_note),
        library_requests::answered_at.eq(row.answered_at),
        library_requests::note.eq(&row.note),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, request.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// The request lines naming `record`: (request, copies), by request id.
/// A merge moves them to the survivor before the record is deleted (the
/// lines cascade with their record).
pub fn lines_of_record(
    conn: &mut DbConnection,
    record: RecordId,
) -> Result<Vec<(LibraryRequestId, u32)>, DbError> {
    let rows: Vec<TitleRow> = library_request_titles::table
        .filter(library_request_titles::record_id.eq(record.to_string()))
        .order(library_request_titles::request_id.asc())
        .select(TitleRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let request: LibraryRequestId = row.request_id.parse().map_err(|e: ValueError| {
                DbError::Corrupt(format!("request line {}: {e}", row.request_id))
            })?;
            let t = StoredRequestTitle::try_from(row)?;
            Ok((request, t.copies))
        })
        .collect()
}

/// How many copies a request asks of `record`, if it names it.
pub fn line_copies(
    conn: &mut DbConnection,
    request: LibraryRequestId,
    record: RecordId,
) -> Result<Option<u32>, DbError> {
    let found: Option<i32> = library_request_titles::table
        .find((request.to_string(), record.to_string()))
        .select(library_request_titles::copies)
        .first(conn)
        .optional()?;
    found
        .map(|n| u32::try_from(n).map_err(|e| DbError::Corrupt(format!("request line: {e}"))))
        .transpose()
}

/// Re-points a request's line from one record to another: `Ok(false)` when
/// the request does not name `from`.
pub fn move_line(
    conn: &mut DbConnection,
    request: LibraryRequestId,
    from: RecordId,
    to: RecordId,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        library_request_titles::table
            .filter(library_request_titles::request_id.eq(request.to_string()))
            .filter(library_request_titles::record_id.eq(from.to_string())),
    )
    .set(library_request_titles::record_id.eq(to.to_string()))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Sets how many copies a request asks of `record`: inserts the line when
/// missing, deletes it at zero.
pub fn set_line(
    conn: &mut DbConnection,
    request: LibraryRequestId,
    record: RecordId,
    copies: u32,
) -> Result<(), DbError> {
    let line = library_request_titles::table
        .filter(library_request_titles::request_id.eq(request.to_string()))
        .filter(library_request_titles::record_id.eq(record.to_string()));
    if copies == 0 {
        diesel::delete(line).execute(conn)?;
        return Ok(());
    }
    let n = i32::try_from(copies).map_err(|_| {
        DbError::CheckViolation(format!(
            "library_request_titles.copies: {copies} is too many"
        ))
    })?;
    let changed = diesel::update(line)
        .set(library_request_titles::copies.eq(n))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(library_request_titles::table)
            .values(TitleRow {
                request_id: request.to_string(),
                record_id: record.to_string(),
                copies: n,
            })
            .execute(conn)?;
    }
    Ok(())
}

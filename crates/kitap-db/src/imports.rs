//! Import jobs and their reject reports. A job's progress is written in the
//! same transaction as each batch of records, so after a crash the job
//! resumes exactly after the last committed batch.

use diesel::prelude::*;
use kitap_domain::{BranchId, ImportId, ImportStatus, RecordId, StaffId, Timestamp};

use crate::conn::per_backend;
use crate::schema::{import_duplicates, import_rejects, imports};
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: ImportId,
    pub status: ImportStatus,
    pub file_name: String,
    pub file_path: String,
    pub file_size: i64,
    pub format: String,
    pub encoding: Option<String>,
    pub on_match: String,
    /// `add`, `skip` or `attach`: what to do with a likely duplicate.
    pub on_duplicate: String,
    pub branch_id: Option<BranchId>,
    pub progress: Progress,
    /// Why a failed job failed: a stable code and a message.
    pub error: Option<JobError>,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

/// Where a job is in its file and what it has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub next_offset: i64,
    pub next_index: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub copies: i64,
    /// Records not stored because their copies went to a duplicate.
    pub attached: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    /// `not_marc`, `internal_error`, ...
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub record_index: i64,
    pub byte_offset: i64,
    pub code: String,
    pub message: String,
    pub control_number: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = imports)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    status: String,
    file_name: String,
    file_path: String,
    file_size: i64,
    format: String,
    encoding: Option<String>,
    on_match: String,
    branch_id: Option<String>,
    next_offset: i64,
    next_index: i64,
    created_count: i64,
    updated_count: i64,
    skipped_count: i64,
    rejected_count: i64,
    copies_count: i64,
    error: Option<String>,
    error_code: Option<String>,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    started_at: Option<chrono::NaiveDateTime>,
    finished_at: Option<chrono::NaiveDateTime>,
    on_duplicate: String,
    attached_count: i64,
}

impl TryFrom<Row> for ImportJob {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("import {}: {err}", row.id));
        Ok(ImportJob {
            id: row.id.parse().map_err(corrupt)?,
            branch_id: row
                .branch_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            created_by: row
                .created_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            file_name: row.file_name,
            file_path: row.file_path,
            file_size: row.file_size,
            format: row.format,
            encoding: row.encoding,
            on_match: row.on_match,
            on_duplicate: row.on_duplicate,
            progress: Progress {
                next_offset: row.next_offset,
                next_index: row.next_index,
                created: row.created_count,
                updated: row.updated_count,
                skipped: row.skipped_count,
                rejected: row.rejected_count,
                copies: row.copies_count,
                attached: row.attached_count,
            },
            error: match (row.error_code, row.error) {
                (None, None) => None,
                (code, message) => Some(JobError {
                    code: code.unwrap_or_else(|| "internal_error".to_owned()),
                    message: message.unwrap_or_default(),
                }),
            },
            created_at: Timestamp::from_naive(row.created_at),
            started_at: row.started_at.map(Timestamp::from_naive),
            finished_at: row.finished_at.map(Timestamp::from_naive),
        })
    }
}

impl From<&ImportJob> for Row {
    fn from(j: &ImportJob) -> Self {
        Row {
            id: j.id.to_string(),
            status: j.status.as_str().to_owned(),
            file_name: j.file_name.clone(),
            file_path: j.file_path.clone(),
            file_size: j.file_size,
            format: j.format.clone(),
            encoding: j.encoding.clone(),
            on_match: j.on_match.clone(),
            on_duplicate: j.on_duplicate.clone(),
            attached_count: j.progress.attached,
            branch_id: j.branch_id.map(|id| id.to_string()),
            next_offset: j.progress.next_offset,
            next_index: j.progress.next_index,
            created_count: j.progress.created,
            updated_count: j.progress.updated,
            skipped_count: j.progress.skipped,
            rejected_count: j.progress.rejected,
            copies_count: j.progress.copies,
            error: j.error.as_ref().map(|e| e.message.clone()),
            error_code: j.error.as_ref().map(|e| e.code.clone()),
            created_by: j.created_by.map(|id| id.to_string()),
            created_at: j.created_at.naive(),
            started_at: j.started_at.map(|t| t.naive()),
            finished_at: j.finished_at.map(|t| t.naive()),
        }
    }
}

pub fn insert(conn: &mut DbConnection, job: &ImportJob) -> Result<(), DbError> {
    diesel::insert_into(imports::table)
        .values(Row::from(job))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: ImportId) -> Result<ImportJob, DbError> {
    imports::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// Newest first; `before` is the seek cursor.
pub fn list(
    conn: &mut DbConnection,
    before: Option<ImportId>,
    limit: i64,
) -> Result<Vec<ImportJob>, DbError> {
    let mut q = imports::table.select(Row::as_select()).into_boxed();
    if let Some(before) = before {
        q = q.filter(imports::id.lt(before.to_string()));
    }
    q.order(imports::id.desc())
        .limit(limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(ImportJob::try_from)
        .collect()
}

/// Jobs a worker should (re)start: queued ones and those left running by a
/// process that died.
pub fn unfinished(conn: &mut DbConnection) -> Result<Vec<ImportJob>, DbError> {
    imports::table
        .filter(imports::status.eq_any([
            ImportStatus::Queued.as_str(),
            ImportStatus::Running.as_str(),
        ]))
        .order(imports::id.asc())
        .select(Row::as_select())
        .load::<Row>(conn)?
        .into_iter()
        .map(ImportJob::try_from)
        .collect()
}

pub fn set_status(
    conn: &mut DbConnection,
    id: ImportId,
    status: ImportStatus,
    error: Option<&JobError>,
    at: Timestamp,
) -> Result<(), DbError> {
    let target = imports::table.find(id.to_string());
    let changed = match status {
        ImportStatus::Running => diesel::update(target)
            .set((
                imports::status.eq(status.as_str()),
                imports::started_at.eq(at.naive()),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                imports::status.eq(status.as_str()),
                imports::error.eq(error.map(|e| e.message.as_str())),
                imports::error_code.eq(error.map(|e| e.code.as_str())),
                imports::finished_at.eq(at.naive()),
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Records a committed batch: call in the batch's transaction.
pub fn save_progress(conn: &mut DbConnection, id: ImportId, p: &Progress) -> Result<(), DbError> {
    diesel::update(imports::table.find(id.to_string()))
        .set((
            imports::next_offset.eq(p.next_offset),
            imports::next_index.eq(p.next_index),
            imports::created_count.eq(p.created),
            imports::updated_count.eq(p.updated),
            imports::skipped_count.eq(p.skipped),
            imports::rejected_count.eq(p.rejected),
            imports::copies_count.eq(p.copies),
            imports::attached_count.eq(p.attached),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_rejects(
    conn: &mut DbConnection,
    id: ImportId,
    rejects: &[Reject],
) -> Result<(), DbError> {
    let job = id.to_string();
    for chunk in rejects.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    import_rejects::import_id.eq(&job),
                    import_rejects::record_index.eq(r.record_index),
                    import_rejects::byte_offset.eq(r.byte_offset),
                    import_rejects::code.eq(&r.code),
                    import_rejects::message.eq(&r.message),
                    import_rejects::control_number.eq(&r.control_number),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(import_rejects::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

/// The rejects of a job in file order, from `from_index` on.
pub fn rejects(
    conn: &mut DbConnection,
    id: ImportId,
    from_index: i64,
    limit: i64,
) -> Result<Vec<Reject>, DbError> {
    let rows: Vec<(i64, i64, String, String, Option<String>)> = import_rejects::table
        .filter(import_rejects::import_id.eq(id.to_string()))
        .filter(import_rejects::record_index.ge(from_index))
        .order(import_rejects::record_index.asc())
        .limit(limit)
        .select((
            import_rejects::record_index,
            import_rejects::byte_offset,
            import_rejects::code,
            import_rejects::message,
            import_rejects::control_number,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(record_index, byte_offset, code, message, control_number)| Reject {
                record_index,
                byte_offset,
                code,
                message,
                control_number,
            },
        )
        .collect())
}

/// An imported record that had a likely duplicate, and what the import did.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateOutcome {
    pub record_index: i64,
    pub byte_offset: i64,
    /// `added`, `skipped` or `attached`.
    pub action: String,
    /// The record stored (only when added).
    pub record_id: Option<RecordId>,
    /// The best candidate: the catalog record (or earlier record of the file).
    pub duplicate_of: RecordId,
    pub score: f64,
    /// `possible` or `probable`.
    pub level: String,
    /// Copies attached to `duplicate_of`.
    pub copies: i32,
    /// JSON array of every candidate with its explanation.
    pub candidates: String,
}

pub fn insert_duplicates(
    conn: &mut DbConnection,
    id: ImportId,
    outcomes: &[DuplicateOutcome],
) -> Result<(), DbError> {
    let job = id.to_string();
    for chunk in outcomes.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|o| {
                (
                    import_duplicates::import_id.eq(&job),
                    import_duplicates::record_index.eq(o.record_index),
                    import_duplicates::byte_offset.eq(o.byte_offset),
                    import_duplicates::action.eq(&o.action),
                    import_duplicates::record_id.eq(o.record_id.map(|r| r.to_string())),
                    import_duplicates::duplicate_of.eq(o.duplicate_of.to_string()),
                    import_duplicates::score.eq(o.score),
                    import_duplicates::level.eq(&o.level),
                    import_duplicates::copies.eq(o.copies),
                    import_duplicates::candidates.eq(&o.candidates),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(import_duplicates::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

type DuplicateTuple = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    f64,
    String,
    i32,
    String,
);

/// The duplicate outcomes of a job in file order, from `from_index` on.
pub fn duplicates(
    conn: &mut DbConnection,
    id: ImportId,
    from_index: i64,
    limit: i64,
) -> Result<Vec<DuplicateOutcome>, DbError> {
    let rows: Vec<DuplicateTuple> = import_duplicates::table
        .filter(import_duplicates::import_id.eq(id.to_string()))
        .filter(import_duplicates::record_index.ge(from_index))
        .order(import_duplicates::record_index.asc())
        .limit(limit)
        .select((
            import_duplicates::record_index,
            import_duplicates::byte_offset,
            import_duplicates::action,
            import_duplicates::record_id,
            import_duplicates::duplicate_of,
            import_duplicates::score,
            import_duplicates::level,
            import_duplicates::copies,
            import_duplicates::candidates,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                record_index,
                byte_offset,
                action,
                record_id,
                duplicate_of,
                score,
                level,
                copies,
                candidates,
            )| {
                let corrupt = |e: kitap_domain::ValueError| {
                    DbError::Corrupt(format!("import {id} duplicate {record_index}: {e}"))
                };
                Ok(DuplicateOutcome {
                    record_index,
                    byte_offset,
                    action,
                    record_id: record_id
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(corrupt)?,
                    duplicate_of: duplicate_of.parse().map_err(corrupt)?,
                    score,
                    level,
                    copies,
                    candidates,
                })
            },
        )
        .collect()
}

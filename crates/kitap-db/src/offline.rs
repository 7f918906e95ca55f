//! Offline circulation uploads and the outcome of each of their lines. The
//! partial unique index `offline_lines_once` (library, time, action,
//! barcode over lines that were acted on) is what makes a re-uploaded file
//! harmless: the second insert of the same line fails, and the caller
//! records it as `duplicate` instead.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kitap_domain::{BranchId, LoanId, OfflineUploadId, StaffId, Timestamp};

use crate::schema::{offline_lines, offline_uploads};
use crate::{DbConnection, DbError};

/// The index behind "each offline action once per library".
pub const ONCE_INDEX: &str = "offline_lines_once";

/// Outcomes that occupy the line's key: a re-upload of such a line is a
/// duplicate. (`invalid` and `duplicate` lines did nothing.)
pub const ACTED_ON: [&str; 3] = ["applied", "already_done", "conflict"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: OfflineUploadId,
    pub branch_id: BranchId,
    pub file_name: String,
    /// `lines` or `json`.
    pub format: String,
    pub line_count: i32,
    pub uploaded_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub upload_id: OfflineUploadId,
    pub line_no: i32,
    pub branch_id: BranchId,
    pub raw: String,
    pub at: Option<Timestamp>,
    pub action: Option<String>,
    pub card_number: Option<String>,
    pub item_barcode: Option<String>,
    pub outcome: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub loan_id: Option<LoanId>,
    pub processed_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = offline_uploads)]
#[diesel(treat_none_as_default_value = false)]
struct UploadRow {
    id: String,
    branch_id: String,
    file_name: String,
    format: String,
    line_count: i32,
    uploaded_by: Option<String>,
    created_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = offline_lines)]
#[diesel(treat_none_as_default_value = false)]
struct LineRow {
    upload_id: String,
    line_no: i32,
    branch_id: String,
    raw: String,
    at: Option<NaiveDateTime>,
    action: Option<String>,
    card_number: Option<String>,
    item_barcode: Option<String>,
    outcome: String,
    code: Option<String>,
    message: Option<String>,
    loan_id: Option<String>,
    processed_at: NaiveDateTime,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<UploadRow> for Upload {
    type Error = DbError;

    fn try_from(row: UploadRow) -> Result<Self, DbError> {
        let corrupt = |err: kitap_domain::ValueError| {
            DbError::Corrupt(format!("offline upload {}: {err}", row.id))
        };
        Ok(Upload {
            id: row.id.parse().map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            uploaded_by: opt(row.uploaded_by.as_deref()).map_err(corrupt)?,
            file_name: row.file_name,
            format: row.format,
            line_count: row.line_count,
            created_at: Timestamp::from_naive(row.created_at),
            finished_at: row.finished_at.map(Timestamp::from_naive),
        })
    }
}

impl TryFrom<LineRow> for Line {
    type Error = DbError;

    fn try_from(row: LineRow) -> Result<Self, DbError> {
        let corrupt = |err: kitap_domain::ValueError| {
            DbError::Corrupt(format!(
                "offline upload {} line {}: {err}",
                row.upload_id, row.line_no
            ))
        };
        Ok(Line {
            upload_id: row.upload_id.parse().map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            loan_id: opt(row.loan_id.as_deref()).map_err(corrupt)?,
            line_no: row.line_no,
            raw: row.raw,
            at: row.at.map(Timestamp::from_naive),
            action: row.action,
            card_number: row.card_number,
            item_barcode: row.item_barcode,
            outcome: row.outcome,
            code: row.code,
            message: row.message,
            processed_at: Timestamp::from_naive(row.processed_at),
        })
    }
}

pub fn insert_upload(conn: &mut DbConnection, u: &Upload) -> Result<(), DbError> {
    diesel::insert_into(offline_uploads::table)
        .values(UploadRow {
            id: u.id.to_string(),
            branch_id: u.branch_id.to_string(),
            file_name: u.file_name.clone(),
            format: u.format.clone(),
            line_count: u.line_count,
            uploaded_by: u.uploaded_by.map(|s| s.to_string()),
            created_at: u.created_at.naive(),
            finished_at: u.finished_at.map(Timestamp::naive),
        })
        .execute(conn)?;
    Ok(())
}

pub fn finish_upload(
    conn: &mut DbConnection,
    id: OfflineUploadId,
    at: Timestamp,
) -> Result<(), DbError> {
    diesel::update(offline_uploads::table.find(id.to_string()))
        .set(offline_uploads::finished_at.eq(Some(at.naive())))
        .execute(conn)?;
    Ok(())
}

/// Inserts a line's outcome. A second acted-on line with the same key
/// fails with `DbError::UniqueViolation(ONCE_INDEX)` on both backends (the
/// primary key cannot clash: line numbers are unique in a file).
pub fn insert_line(conn: &mut DbConnection, l: &Line) -> Result<(), DbError> {
    let row = LineRow {
        upload_id: l.upload_id.to_string(),
        line_no: l.line_no,
        branch_id: l.branch_id.to_string(),
        raw: l.raw.clone(),
        at: l.at.map(Timestamp::naive),
        action: l.action.clone(),
        card_number: l.card_number.clone(),
        item_barcode: l.item_barcode.clone(),
        outcome: l.outcome.clone(),
        code: l.code.clone(),
        message: l.message.clone(),
        loan_id: l.loan_id.map(|id| id.to_string()),
        processed_at: l.processed_at.naive(),
    };
    match diesel::insert_into(offline_lines::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(err) => Err(match DbError::from(err) {
            DbError::UniqueViolation(_) => DbError::UniqueViolation(ONCE_INDEX.to_owned()),
            other => other,
        }),
    }
}

/// Whether this library already acted on this line (in any upload).
pub fn acted_on(
    conn: &mut DbConnection,
    branch: BranchId,
    at: Timestamp,
    action: &str,
    barcode: &str,
) -> Result<bool, DbError> {
    let found: Option<String> = offline_lines::table
        .filter(offline_lines::branch_id.eq(branch.to_string()))
        .filter(offline_lines::at.eq(Some(at.naive())))
        .filter(offline_lines::action.eq(Some(action)))
        .filter(offline_lines::item_barcode.eq(Some(barcode)))
        .filter(offline_lines::outcome.eq_any(ACTED_ON))
        .select(offline_lines::upload_id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

pub fn find_upload(conn: &mut DbConnection, id: OfflineUploadId) -> Result<Upload, DbError> {
    offline_uploads::table
        .find(id.to_string())
        .select(UploadRow::as_select())
        .first(conn)?
        .try_into()
}

/// A library's uploads, newest first; `before` is the seek cursor.
pub fn list_uploads(
    conn: &mut DbConnection,
    branch: BranchId,
    before: Option<OfflineUploadId>,
    limit: i64,
) -> Result<Vec<Upload>, DbError> {
    let mut q = offline_uploads::table
        .filter(offline_uploads::branch_id.eq(branch.to_string()))
        .select(UploadRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(offline_uploads::id.lt(before.to_string()));
    }
    q.order(offline_uploads::id.desc())
        .limit(limit)
        .load::<UploadRow>(conn)?
        .into_iter()
        .map(Upload::try_from)
        .collect()
}

/// An upload's lines in file order, optionally of one outcome.
pub fn lines(
    conn: &mut DbConnection,
    upload: OfflineUploadId,
    outcome: Option<&str>,
) -> Result<Vec<Line>, DbError> {
    let mut q = offline_lines::table
        .filter(offline_lines::upload_id.eq(upload.to_string()))
        .select(LineRow::as_select())
        .into_boxed();
    if let Some(outcome) = outcome {
        q = q.filter(offline_lines::outcome.eq(outcome.to_owned()));
    }
    q.order(offline_lines::line_no.asc())
        .load::<LineRow>(conn)?
        .into_iter()
        .map(Line::try_from)
        .collect()
}

/// Lines per outcome for each of `uploads`.
pub fn outcome_counts(
    conn: &mut DbConnection,
    uploads: &[OfflineUploadId],
) -> Result<HashMap<OfflineUploadId, HashMap<String, i64>>, DbError> {
    let ids: Vec<String> = uploads.iter().map(|id| id.to_string()).collect();
    let rows: Vec<(String, String, i64)> = offline_lines::table
        .filter(offline_lines::upload_id.eq_any(&ids))
        .group_by((offline_lines::upload_id, offline_lines::outcome))
        .select((
            offline_lines::upload_id,
            offline_lines::outcome,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut out: HashMap<OfflineUploadId, HashMap<String, i64>> = HashMap::new();
    for (upload, outcome, n) in rows {
        let id: OfflineUploadId = upload
            .parse()
            .map_err(|e| DbError::Corrupt(format!("offline line of upload {upload}: {e}")))?;
        out.entry(id).or_default().insert(outcome, n);
    }
    Ok(out)
}

//! What the redistribution finder reads: copies nobody borrowed for a long
//! time, and per title and library how many copies there are and how many
//! holds readers placed. Plain data; the policy is in `kitap-exchange`.

use chrono::NaiveDate;
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use kitap_domain::{BranchId, CopyId, CopyStatus, RecordId, Timestamp, ValueError};

use crate::schema::{copies, holds, loans, records};
use crate::{DbConnection, DbError};

/// A copy on the shelf that nobody borrowed since the finder's cut-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedCopy {
    pub copy_id: CopyId,
    pub record_id: RecordId,
    /// The copy's home library.
    pub branch_id: BranchId,
    pub barcode: String,
    pub inventory_number: String,
    pub shelf: Option<String>,
    /// The record's derived title.
    pub title: String,
    /// When it was last issued; `None` = never.
    pub last_loan_at: Option<Timestamp>,
    pub acquired_on: Option<NaiveDate>,
}

type UnusedRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
);

fn unused(row: UnusedRow) -> Result<UnusedCopy, DbError> {
    let (copy_id, record_id, branch_id, barcode, inventory_number, shelf, acquired_on, title, last) =
        row;
    let corrupt = |err: ValueError| DbError::Corrupt(format!("copy {copy_id}: {err}"));
    Ok(UnusedCopy {
        copy_id: copy_id.parse().map_err(corrupt)?,
        record_id: record_id.parse().map_err(corrupt)?,
        branch_id: branch_id.parse().map_err(corrupt)?,
        barcode,
        inventory_number,
        shelf,
        // The inner join to `records` always finds the title; MAX only makes
        // it valid in the grouped select on PostgreSQL.
        title: title.unwrap_or_default(),
        last_loan_at: last.map(Timestamp::from_naive),
        acquired_on,
    })
}

/// Available copies (of `library`'s fund, or of all libraries) with no loan
/// issued at or after `not_since` and acquired before it (or on an unknown
/// day), never-borrowed ones first, then by oldest last loan, at most
/// `limit`. Grouped by the copy's primary key, so PostgreSQL accepts the
/// copy's other columns; the record's title goes through MAX for the same
/// reason.
pub fn unused_copies(
    conn: &mut DbConnection,
    library: Option<BranchId>,
    not_since: Timestamp,
    limit: i64,
) -> Result<Vec<UnusedCopy>, DbError> {
    let cut = not_since.naive();
    let last_loan = max(loans::issued_at.nullable());
    let mut q = copies::table
        .inner_join(records::table)
        .left_join(loans::table)
        .filter(copies::status.eq(CopyStatus::Available.as_str()))
        .filter(
            copies::acquired_on
                .lt(cut.date())
                .or(copies::acquired_on.is_null()),
        )
        .group_by(copies::id)
        .having(last_loan.lt(cut).or(last_loan.is_null()))
        .select((
            copies::id,
            copies::record_id,
            copies::branch_id,
            copies::barcode,
            copies::inventory_number,
            copies::shelf,
            copies::acquired_on,
            max(records::title),
            last_loan,
        ))
        .into_boxed();
    if let Some(b) = library {
        q = q.filter(copies::branch_id.eq(b.to_string()));
    }
    // NULLs sort first on SQLite and last on PostgreSQL: order on the test.
    q.order((
        last_loan.is_null().desc(),
        last_loan.asc(),
        copies::id.asc(),
    ))
    .limit(limit.max(1))
    .load::<UnusedRow>(conn)?
    .into_iter()
    .map(unused)
    .collect()
}

fn counted(
    what: &str,
    rows: Vec<(String, String, i64)>,
) -> Result<Vec<(RecordId, BranchId, i64)>, DbError> {
    rows.into_iter()
        .map(|(record, branch, n)| {
            let corrupt =
                |err: ValueError| DbError::Corrupt(format!("{what} of record {record}: {err}"));
            Ok((
                record.parse().map_err(corrupt)?,
                branch.parse().map_err(corrupt)?,
                n,
            ))
        })
        .collect()
}

/// Copies in the fund (not withdrawn, not lost) per title and home library.
pub fn holdings_by_library(
    conn: &mut DbConnection,
) -> Result<Vec<(RecordId, BranchId, i64)>, DbError> {
    let gone = [CopyStatus::Withdrawn.as_str(), CopyStatus::Lost.as_str()];
    let rows: Vec<(String, String, i64)> = copies::table
        .filter(copies::status.ne_all(gone))
        .group_by((copies::record_id, copies::branch_id))
        .select((copies::record_id, copies::branch_id, count_star()))
        .order((copies::record_id.asc(), copies::branch_id.asc()))
        .load(conn)?;
    counted("copies", rows)
}

/// Holds placed since `since` (whatever became of them) per title and pickup
/// library: the readers' demand.
pub fn demand_by_library(
    conn: &mut DbConnection,
    since: Timestamp,
) -> Result<Vec<(RecordId, BranchId, i64)>, DbError> {
    let rows: Vec<(String, String, i64)> = holds::table
        .filter(holds::placed_at.ge(since.naive()))
        .group_by((holds::record_id, holds::pickup_branch_id))
        .select((holds::record_id, holds::pickup_branch_id, count_star()))
        .order((holds::record_id.asc(), holds::pickup_branch_id.asc()))
        .load(conn)?;
    counted("holds", rows)
}

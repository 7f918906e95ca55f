//! What the fund report loads (issue #8): the lines of the accession and
//! write-off acts of a period with the class each line kept, and the
//! copies of the fund with the dates of their life. Seek-paginated by copy
//! id (unique in both line tables and in copies).

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{BranchId, CopyId, RecordId, Timestamp};

use crate::schema::{
    accession_acts, accession_lines, copies, records, write_off_acts, write_off_lines,
};
use crate::{DbConnection, DbError};

/// The class of a copy (on an act line: as on the act's day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyClassRow {
    pub record_id: RecordId,
    pub material_type: String,
    pub language: Option<String>,
    pub kazakh: bool,
    pub knowledge_area: Option<String>,
    pub price_minor: Option<i64>,
}

/// A line of an act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActLineRow {
    pub copy_id: CopyId,
    pub act_date: NaiveDate,
    pub branch_id: BranchId,
    /// The source (accession) or reason (write-off) code.
    pub key: String,
    pub class: CopyClassRow,
}

type LineTuple = (
    String,
    NaiveDate,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<String>,
    // The copy's record and material now, for lines older than the
    // classes kept on lines.
    String,
    String,
);

fn corrupt(what: &str, id: &str, err: kitap_domain::ValueError) -> DbError {
    DbError::Corrupt(format!("{what} {id}: {err}"))
}

fn line(row: LineTuple) -> Result<ActLineRow, DbError> {
    let (
        copy,
        date,
        branch,
        key,
        price,
        record,
        material,
        language,
        kazakh,
        area,
        now_record,
        now_material,
    ) = row;
    let bad = |err| corrupt("act line of copy", &copy, err);
    let record = record.unwrap_or(now_record);
    Ok(ActLineRow {
        copy_id: copy.parse().map_err(bad)?,
        act_date: date,
        branch_id: branch.parse().map_err(bad)?,
        key,
        class: CopyClassRow {
            record_id: record.parse().map_err(bad)?,
            material_type: material.unwrap_or(now_material),
            language,
            kazakh: kazakh.unwrap_or(false),
            knowledge_area: area,
            price_minor: price,
        },
    })
}

fn ids(libraries: &[BranchId]) -> Vec<String> {
    libraries.iter().map(ToString::to_string).collect()
}

/// Line loaders for both act kinds: the same query on different tables.
macro_rules! act_lines {
    ($name:ident, $acts:ident, $lines:ident, $key:ident) => {
        /// The lines of the acts of `libraries` dated `from..=to`, by copy
        /// id after `after`, at most `limit`.
        pub fn $name(
            conn: &mut DbConnection,
            from: NaiveDate,
            to: NaiveDate,
            libraries: &[BranchId],
            after: Option<CopyId>,
            limit: i64,
        ) -> Result<Vec<ActLineRow>, DbError> {
            let mut q = $lines::table
                .inner_join($acts::table)
                .inner_join(copies::table)
                .filter($acts::act_date.ge(from))
                .filter($acts::act_date.le(to))
                .filter($acts::branch_id.eq_any(ids(libraries)))
                .select((
                    $lines::copy_id,
                    $acts::act_date,
                    $acts::branch_id,
                    $acts::$key,
                    $lines::price_minor,
                    $lines::record_id,
                    $lines::material_type,
                    $lines::language,
                    $lines::kazakh,
                    $lines::knowledge_area,
                    copies::record_id,
                    copies::material_type,
                ))
                .into_boxed();
            if let Some(after) = after {
                q = q.filter($lines::copy_id.gt(after.to_string()));
            }
            q.order($lines::copy_id.asc())
                .limit(limit)
                .load::<LineTuple>(conn)?
                .into_iter()
                .map(line)
                .collect()
        }
    };
}

act_lines!(
    accession_lines_between,
    accession_acts,
    accession_lines,
    source
);
act_lines!(
    write_off_lines_between,
    write_off_acts,
    write_off_lines,
    reason
);

/// A copy of the fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingRow {
    pub copy_id: CopyId,
    /// The owning library now.
    pub branch_id: BranchId,
    pub acquired_on: Option<NaiveDate>,
    pub created_at: Timestamp,
    pub written_off_on: Option<NaiveDate>,
    pub accessioned: bool,
    pub class: CopyClassRow,
}

type HoldingTuple = (
    String,
    String,
    Option<NaiveDate>,
    chrono::NaiveDateTime,
    Option<NaiveDate>,
    Option<String>,
    String,
    String,
    Option<i64>,
    Option<String>,
    bool,
    Option<String>,
);

/// Every copy not written off before `since` (its record's class now), by
/// id after `after`, at most `limit`.
pub fn holdings(
    conn: &mut DbConnection,
    since: NaiveDate,
    after: Option<CopyId>,
    limit: i64,
) -> Result<Vec<HoldingRow>, DbError> {
    let mut q = copies::table
        .inner_join(records::table)
        .left_join(write_off_acts::table)
        .filter(
            write_off_acts::act_date
                .is_null()
                .or(write_off_acts::act_date.ge(since)),
        )
        .select((
            copies::id,
            copies::branch_id,
            copies::acquired_on,
            copies::created_at,
            write_off_acts::act_date.nullable(),
            copies::accession_act_id,
            copies::record_id,
            copies::material_type,
            copies::price_minor,
            records::language,
            records::kazakh,
            records::knowledge_area,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(copies::id.gt(after.to_string()));
    }
    q.order(copies::id.asc())
        .limit(limit)
        .load::<HoldingTuple>(conn)?
        .into_iter()
        .map(
            |(
                id,
                branch,
                acquired,
                created,
                off,
                act,
                record,
                material,
                price,
                language,
                kazakh,
                area,
            )| {
                let bad = |err| corrupt("copy", &id, err);
                Ok(HoldingRow {
                    copy_id: id.parse().map_err(bad)?,
                    branch_id: branch.parse().map_err(bad)?,
                    acquired_on: acquired,
                    created_at: Timestamp::from_naive(created),
                    written_off_on: off,
                    accessioned: act.is_some(),
                    class: CopyClassRow {
                        record_id: record.parse().map_err(bad)?,
                        material_type: material,
                        language,
                        kazakh,
                        knowledge_area: area,
                        price_minor: price,
                    },
                })
            },
        )
        .collect()
}

//! What the fund report loads (issue #8): the lines of the accession and
//! write-off acts of a period with the class each line kept, and the
//! copies of the fund with the dates of their life. No seek pages over a
//! join: a page in copy-id order of a join made PostgreSQL join the whole
//! tables again for every page (quadratic over a city's fund).

use std::collections::HashMap;

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

/// Line loaders for both act kinds: the same query on different tables.
macro_rules! act_lines {
    ($name:ident, $acts:ident, $lines:ident, $key:ident) => {
        /// The lines of the acts of `libraries` dated `from..=to`, in one
        /// query: a period's acts are bounded (a city's year is tens of
        /// thousands of lines), and one join beats one per library.
        pub fn $name(
            conn: &mut DbConnection,
            from: NaiveDate,
            to: NaiveDate,
            libraries: &[BranchId],
        ) -> Result<Vec<ActLineRow>, DbError> {
            $lines::table
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

fn ids(libraries: &[BranchId]) -> Vec<String> {
    libraries.iter().map(ToString::to_string).collect()
}

type CopyTuple = (
    String,
    String,
    Option<NaiveDate>,
    chrono::NaiveDateTime,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<i64>,
);

/// Rows read per query of the fund's copies and records.
const PAGE: i64 = 10_000;

/// Every copy not written off before `since`, with its record's class now.
///
/// Copies, records and write-off acts are each read alone (copies and
/// records in id pages, which both backends walk along the primary key)
/// and joined here: a page of the three-table join in id order made
/// PostgreSQL join the whole tables again for every page.
pub fn holdings(conn: &mut DbConnection, since: NaiveDate) -> Result<Vec<HoldingRow>, DbError> {
    let written_off: HashMap<String, NaiveDate> = write_off_acts::table
        .select((write_off_acts::id, write_off_acts::act_date))
        .load::<(String, NaiveDate)>(conn)?
        .into_iter()
        .collect();
    let classes = record_classes(conn)?;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = copies::table
            .select((
                copies::id,
                copies::branch_id,
                copies::acquired_on,
                copies::created_at,
                copies::write_off_act_id,
                copies::accession_act_id,
                copies::record_id,
                copies::material_type,
                copies::price_minor,
            ))
            .into_boxed();
        if let Some(after) = &after {
            q = q.filter(copies::id.gt(after.clone()));
        }
        let page = q
            .order(copies::id.asc())
            .limit(PAGE)
            .load::<CopyTuple>(conn)?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map(|c| c.0.clone());
        for (id, branch, acquired, created, off_act, act, record, material, price) in page {
            let off = off_act.and_then(|a| written_off.get(&a).copied());
            if off.is_some_and(|d| d < since) {
                continue;
            }
            let bad = |err| corrupt("copy", &id, err);
            let record_id: RecordId = record.parse().map_err(bad)?;
            let Some((language, kazakh, area)) = classes.get(&record_id) else {
                return Err(DbError::Corrupt(format!(
                    "copy {id}: no record {record_id}"
                )));
            };
            out.push(HoldingRow {
                copy_id: id.parse().map_err(bad)?,
                branch_id: branch.parse().map_err(bad)?,
                acquired_on: acquired,
                created_at: Timestamp::from_naive(created),
                written_off_on: off,
                accessioned: act.is_some(),
                class: CopyClassRow {
                    record_id,
                    material_type: material,
                    language: language.clone(),
                    kazakh: *kazakh,
                    knowledge_area: area.clone(),
                    price_minor: price,
                },
            });
        }
        if !full {
            return Ok(out);
        }
    }
}

type RecordClass = (Option<String>, bool, Option<String>);

/// Every record's language, Kazakh flag and knowledge group, by id.
fn record_classes(conn: &mut DbConnection) -> Result<HashMap<RecordId, RecordClass>, DbError> {
    let mut out = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = records::table
            .select((
                records::id,
                records::language,
                records::kazakh,
                records::knowledge_area,
            ))
            .into_boxed();
        if let Some(after) = &after {
            q = q.filter(records::id.gt(after.clone()));
        }
        let page =
            q.order(records::id.asc())
                .limit(PAGE)
                .load::<(String, Option<String>, bool, Option<String>)>(conn)?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map(|r| r.0.clone());
        for (id, language, kazakh, area) in page {
            let record: RecordId = id.parse().map_err(|err| corrupt("record", &id, err))?;
            out.insert(record, (language, kazakh, area));
        }
        if !full {
            return Ok(out);
        }
    }
}

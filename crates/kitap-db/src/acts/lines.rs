//! The lines of acts (one per copy, with its price on the act) and what an
//! act does to its copies.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AccessionActId, AcquisitionSource, BranchId, CopyId, CopyStatus, Money, Timestamp,
    WriteOffActId,
};

use crate::conn::per_backend;
use crate::copies::{Row as CopyRow, StoredCopy};
use crate::schema::{accession_lines, copies, records, write_off_lines};
use crate::{DbConnection, DbError};

/// Rows per multi-row INSERT, and ids per `IN (...)` list: far below
/// SQLite's 32,766 bound parameters.
const CHUNK: usize = 2000;

/// One line of an act as printed: the copy, its price on the act, and what
/// the record says about the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActLine {
    pub copy: StoredCopy,
    pub price: Option<Money>,
    pub title: String,
    pub author: Option<String>,
    pub year: Option<i32>,
}

type LineRow = (Option<i64>, CopyRow, String, Option<String>, Option<i32>);

fn line(row: LineRow) -> Result<ActLine, DbError> {
    let (price, copy, title, author, year) = row;
    let copy = copy.into_copy()?;
    let price = price
        .map(Money::try_from)
        .transpose()
        .map_err(|e| DbError::Corrupt(format!("act line of copy {}: {e}", copy.id)))?;
    Ok(ActLine {
        copy,
        price,
        title,
        author,
        year,
    })
}

/// Printed order: by inventory number, numerically when the numbers are
/// digits of different lengths ("99" before "100").
fn in_print_order(mut lines: Vec<ActLine>) -> Vec<ActLine> {
    lines.sort_by(|a, b| {
        let (a, b) = (
            a.copy.inventory_number.as_str(),
            b.copy.inventory_number.as_str(),
        );
        (a.len(), a).cmp(&(b.len(), b))
    });
    lines
}

/// How a copy is classed on the act's day: record, material type,
/// language, Kazakh flag and knowledge group.
type LineClass = (String, String, Option<String>, bool, Option<String>);

/// The classes of `copies` as their records stand now.
fn classes(
    conn: &mut DbConnection,
    copies_of: &[String],
) -> Result<std::collections::HashMap<String, LineClass>, DbError> {
    let rows: Vec<(String, LineClass)> = copies::table
        .inner_join(records::table)
        .filter(copies::id.eq_any(copies_of))
        .select((
            copies::id,
            (
                copies::record_id,
                copies::material_type,
                records::language,
                records::kazakh,
                records::knowledge_area,
            ),
        ))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Line inserts for both act tables (same columns, different diesel
/// types). Each line keeps its copy's class on the act's day, so re-classing
/// a record later does not move last year's fund figures.
macro_rules! insert_lines {
    ($name:ident, $id:ty, $table:ident) => {
        pub fn $name(
            conn: &mut DbConnection,
            act: $id,
            lines: &[(CopyId, Option<Money>)],
        ) -> Result<(), DbError> {
            let act = act.to_string();
            for chunk in lines.chunks(CHUNK) {
                let keys: Vec<String> = chunk.iter().map(|(c, _)| c.to_string()).collect();
                let classes = classes(conn, &keys)?;
                let values: Vec<_> = chunk
                    .iter()
                    .zip(keys)
                    .map(|((_, price), copy)| {
                        let class = classes.get(&copy).cloned();
                        let (record, material, language, kazakh, area) = match class {
                            Some((r, m, l, k, a)) => (Some(r), Some(m), l, Some(k), a),
                            None => (None, None, None, None, None),
                        };
                        (
                            $table::act_id.eq(act.clone()),
                            $table::copy_id.eq(copy),
                            $table::price_minor.eq(price.map(Money::minor)),
                            $table::record_id.eq(record),
                            $table::material_type.eq(material),
                            $table::language.eq(language),
                            $table::kazakh.eq(kazakh),
                            $table::knowledge_area.eq(area),
                        )
                    })
                    .collect();
                per_backend!(conn, |c| diesel::insert_into($table::table)
                    .values(&values)
                    .execute(c)?);
            }
            Ok(())
        }
    };
}

insert_lines!(insert_accession_lines, AccessionActId, accession_lines);
insert_lines!(insert_write_off_lines, WriteOffActId, write_off_lines);

/// The lines of an accession act, in printed order.
pub fn accession_lines(
    conn: &mut DbConnection,
    id: AccessionActId,
) -> Result<Vec<ActLine>, DbError> {
    let rows: Vec<LineRow> = accession_lines::table
        .inner_join(copies::table.inner_join(records::table))
        .filter(accession_lines::act_id.eq(id.to_string()))
        .select((
            accession_lines::price_minor,
            CopyRow::as_select(),
            records::title,
            records::main_author,
            records::year,
        ))
        .load(conn)?;
    Ok(in_print_order(
        rows.into_iter().map(line).collect::<Result<_, _>>()?,
    ))
}

/// The lines of a write-off act, in printed order.
pub fn write_off_lines(
    conn: &mut DbConnection,
    id: WriteOffActId,
) -> Result<Vec<ActLine>, DbError> {
    let rows: Vec<LineRow> = write_off_lines::table
        .inner_join(copies::table.inner_join(records::table))
        .filter(write_off_lines::act_id.eq(id.to_string()))
        .select((
            write_off_lines::price_minor,
            CopyRow::as_select(),
            records::title,
            records::main_author,
            records::year,
        ))
        .load(conn)?;
    Ok(in_print_order(
        rows.into_iter().map(line).collect::<Result<_, _>>()?,
    ))
}

/// Puts copies of `branch` on an accession act, with the act's acquisition
/// facts. Only copies not yet on an act and not withdrawn are changed; the
/// count of changed copies tells the caller whether all of them were.
pub fn accession_copies(
    conn: &mut DbConnection,
    ids: &[CopyId],
    branch: BranchId,
    act: AccessionActId,
    facts: (NaiveDate, AcquisitionSource, Option<&str>),
    at: Timestamp,
) -> Result<usize, DbError> {
    let (date, source, supplier) = facts;
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut changed = 0;
    for chunk in keys.chunks(CHUNK) {
        changed += diesel::update(
            copies::table
                .filter(copies::id.eq_any(chunk))
                .filter(copies::branch_id.eq(branch.to_string()))
                .filter(copies::accession_act_id.is_null())
                .filter(copies::status.ne(CopyStatus::Withdrawn.as_str())),
        )
        .set((
            copies::accession_act_id.eq(act.to_string()),
            copies::acquired_on.eq(date),
            copies::acquisition_source.eq(source.as_str()),
            copies::supplier.eq(supplier),
            copies::version.eq(copies::version + 1),
            copies::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    }
    Ok(changed)
}

/// Withdraws copies of `branch` by a write-off act. The condition is in the
/// UPDATE itself, so a copy lent or written off by a concurrent transaction
/// is not touched; the count tells the caller whether every copy was.
pub fn withdraw_copies(
    conn: &mut DbConnection,
    ids: &[CopyId],
    branch: BranchId,
    act: WriteOffActId,
    at: Timestamp,
) -> Result<usize, DbError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let refused = [
        CopyStatus::OnLoan,
        CopyStatus::Withdrawn,
        CopyStatus::InTransit,
    ]
    .map(CopyStatus::as_str);
    let mut changed = 0;
    for chunk in keys.chunks(CHUNK) {
        changed += diesel::update(
            copies::table
                .filter(copies::id.eq_any(chunk))
                .filter(copies::branch_id.eq(branch.to_string()))
                .filter(copies::status.ne_all(refused)),
        )
        .set((
            copies::status.eq(CopyStatus::Withdrawn.as_str()),
            copies::write_off_act_id.eq(act.to_string()),
            copies::version.eq(copies::version + 1),
            copies::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    }
    Ok(changed)
}

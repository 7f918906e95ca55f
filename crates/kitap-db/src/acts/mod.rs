//! Accession and write-off acts: numbered documents that move copies into and
//! out of the fund. An act and its lines are written once and never changed.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AccessionActId, AcquisitionSource, BranchId, Money, StaffId, Timestamp, WriteOffActId,
    WriteOffReason,
};

use crate::schema::{accession_acts, write_off_acts};
use crate::{DbConnection, DbError};

mod lines;

pub use lines::{
    accession_copies, accession_lines, insert_accession_lines, insert_write_off_lines,
    withdraw_copies, write_off_lines, ActLine,
};

/// What every act has, whatever it does to its copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActHeader {
    pub number: String,
    pub branch_id: BranchId,
    pub act_date: NaiveDate,
    pub note: Option<String>,
    pub copy_count: i32,
    /// The sum of the lines' known prices.
    pub total: Money,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessionAct {
    pub id: AccessionActId,
    pub header: ActHeader,
    pub source: AcquisitionSource,
    pub supplier: Option<String>,
    /// The supplier's invoice or waybill, the gift letter, ...
    pub document_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOffAct {
    pub id: WriteOffActId,
    pub header: ActHeader,
    pub reason: WriteOffReason,
}

/// Acts of one library and/or a date range, in id (creation) order.
#[derive(Debug, Clone, Default)]
pub struct ActFilter {
    pub branch_id: Option<BranchId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Seek cursor: the id of the last act of the previous page.
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = accession_acts)]
#[diesel(treat_none_as_default_value = false)]
struct AccessionRow {
    id: String,
    number: String,
    branch_id: String,
    act_date: NaiveDate,
    source: String,
    supplier: Option<String>,
    document_ref: Option<String>,
    note: Option<String>,
    copy_count: i32,
    total_minor: i64,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = write_off_acts)]
#[diesel(treat_none_as_default_value = false)]
struct WriteOffRow {
    id: String,
    number: String,
    branch_id: String,
    act_date: NaiveDate,
    reason: String,
    note: Option<String>,
    copy_count: i32,
    total_minor: i64,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
}

type HeaderParts = (
    String,
    String,
    NaiveDate,
    Option<String>,
    i32,
    i64,
    Option<String>,
    chrono::NaiveDateTime,
);

fn header(id: &str, parts: HeaderParts) -> Result<ActHeader, DbError> {
    let (number, branch_id, act_date, note, copy_count, total_minor, created_by, created_at) =
        parts;
    let corrupt = |err: kitap_domain::ValueError| DbError::Corrupt(format!("act {id}: {err}"));
    Ok(ActHeader {
        number,
        branch_id: branch_id.parse().map_err(corrupt)?,
        act_date,
        note,
        copy_count,
        total: Money::try_from(total_minor).map_err(corrupt)?,
        created_by: created_by
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?,
        created_at: Timestamp::from_naive(created_at),
    })
}

impl TryFrom<AccessionRow> for AccessionAct {
    type Error = DbError;

    fn try_from(r: AccessionRow) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("act {}: {err}", r.id));
        let parts = (
            r.number,
            r.branch_id,
            r.act_date,
            r.note,
            r.copy_count,
            r.total_minor,
            r.created_by,
            r.created_at,
        );
        Ok(AccessionAct {
            id: r.id.parse().map_err(corrupt)?,
            source: r.source.parse().map_err(corrupt)?,
            header: header(&r.id, parts)?,
            supplier: r.supplier,
            document_ref: r.document_ref,
        })
    }
}

impl TryFrom<WriteOffRow> for WriteOffAct {
    type Error = DbError;

    fn try_from(r: WriteOffRow) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("act {}: {err}", r.id));
        let parts = (
            r.number,
            r.branch_id,
            r.act_date,
            r.note,
            r.copy_count,
            r.total_minor,
            r.created_by,
            r.created_at,
        );
        Ok(WriteOffAct {
            id: r.id.parse().map_err(corrupt)?,
            reason: r.reason.parse().map_err(corrupt)?,
            header: header(&r.id, parts)?,
        })
    }
}

/// Inserts the act itself; its lines follow with [`insert_accession_lines`]
/// once the copies they name exist.
pub fn insert_accession(conn: &mut DbConnection, act: &AccessionAct) -> Result<(), DbError> {
    let h = &act.header;
    let row = AccessionRow {
        id: act.id.to_string(),
        number: h.number.clone(),
        branch_id: h.branch_id.to_string(),
        act_date: h.act_date,
        source: act.source.as_str().to_owned(),
        supplier: act.supplier.clone(),
        document_ref: act.document_ref.clone(),
        note: h.note.clone(),
        copy_count: h.copy_count,
        total_minor: h.total.minor(),
        created_by: h.created_by.map(|s| s.to_string()),
        created_at: h.created_at.naive(),
    };
    diesel::insert_into(accession_acts::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_write_off(conn: &mut DbConnection, act: &WriteOffAct) -> Result<(), DbError> {
    let h = &act.header;
    let row = WriteOffRow {
        id: act.id.to_string(),
        number: h.number.clone(),
        branch_id: h.branch_id.to_string(),
        act_date: h.act_date,
        reason: act.reason.as_str().to_owned(),
        note: h.note.clone(),
        copy_count: h.copy_count,
        total_minor: h.total.minor(),
        created_by: h.created_by.map(|s| s.to_string()),
        created_at: h.created_at.naive(),
    };
    diesel::insert_into(write_off_acts::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn find_accession(
    conn: &mut DbConnection,
    id: AccessionActId,
) -> Result<AccessionAct, DbError> {
    accession_acts::table
        .find(id.to_string())
        .select(AccessionRow::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_write_off(conn: &mut DbConnection, id: WriteOffActId) -> Result<WriteOffAct, DbError> {
    write_off_acts::table
        .find(id.to_string())
        .select(WriteOffRow::as_select())
        .first(conn)?
        .try_into()
}

/// One listing function per act table: the two tables have the same
/// filterable columns, and diesel's table types differ, so a macro writes both.
macro_rules! list_acts {
    ($name:ident, $table:ident, $row:ident, $act:ident) => {
        pub fn $name(conn: &mut DbConnection, f: &ActFilter) -> Result<Vec<$act>, DbError> {
            let mut q = $table::table.select($row::as_select()).into_boxed();
            if let Some(branch) = f.branch_id {
                q = q.filter($table::branch_id.eq(branch.to_string()));
            }
            if let Some(from) = f.from {
                q = q.filter($table::act_date.ge(from));
            }
            if let Some(to) = f.to {
                q = q.filter($table::act_date.le(to));
            }
            if let Some(after) = &f.after {
                q = q.filter($table::id.gt(after.clone()));
            }
            q.order($table::id.asc())
                .limit(f.limit)
                .load::<$row>(conn)?
                .into_iter()
                .map($act::try_from)
                .collect()
        }
    };
}

list_acts!(list_accession, accession_acts, AccessionRow, AccessionAct);
list_acts!(list_write_off, write_off_acts, WriteOffRow, WriteOffAct);

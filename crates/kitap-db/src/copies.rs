//! Copies (items): one physical book of a record, held by one library.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AccessionActId, AcquisitionSource, Barcode, BranchId, CopyId, CopyStatus, InventoryNumber,
    Money, RecordId, RecordStatus, Timestamp, WriteOffActId,
};

use crate::conn::per_backend;
use crate::schema::{copies, records};
use crate::{DbConnection, DbError};

/// A stored copy. Inventory number and barcode never change once given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCopy {
    pub id: CopyId,
    pub record_id: RecordId,
    pub branch_id: BranchId,
    pub inventory_number: InventoryNumber,
    pub barcode: Barcode,
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: String,
    pub status: CopyStatus,
    pub price: Option<Money>,
    pub acquired_on: Option<NaiveDate>,
    pub acquisition_source: Option<AcquisitionSource>,
    pub supplier: Option<String>,
    pub accession_act_id: Option<AccessionActId>,
    pub write_off_act_id: Option<WriteOffActId>,
    pub kazakh: bool,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = copies)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct Row {
    id: String,
    record_id: String,
    branch_id: String,
    inventory_number: String,
    barcode: String,
    location: Option<String>,
    shelf: Option<String>,
    material_type: String,
    status: String,
    price_minor: Option<i64>,
    acquired_on: Option<NaiveDate>,
    acquisition_source: Option<String>,
    supplier: Option<String>,
    accession_act_id: Option<String>,
    write_off_act_id: Option<String>,
    kazakh: bool,
    note: Option<String>,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

fn opt_parse<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredCopy {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("copy {}: {err}", row.id));
        Ok(StoredCopy {
            id: row.id.parse().map_err(corrupt)?,
            record_id: row.record_id.parse().map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            inventory_number: row.inventory_number.parse().map_err(corrupt)?,
            barcode: row.barcode.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            price: row
                .price_minor
                .map(Money::try_from)
                .transpose()
                .map_err(corrupt)?,
            acquisition_source: opt_parse(row.acquisition_source.as_deref()).map_err(corrupt)?,
            accession_act_id: opt_parse(row.accession_act_id.as_deref()).map_err(corrupt)?,
            write_off_act_id: opt_parse(row.write_off_act_id.as_deref()).map_err(corrupt)?,
            location: row.location,
            shelf: row.shelf,
            material_type: row.material_type,
            acquired_on: row.acquired_on,
            supplier: row.supplier,
            kazakh: row.kazakh,
            note: row.note,
            version: row.version,
            created_at: Timestamp::from_naive(row.created_at),
            updated_at: Timestamp::from_naive(row.updated_at),
        })
    }
}

impl From<&StoredCopy> for Row {
    fn from(c: &StoredCopy) -> Self {
        Row {
            id: c.id.to_string(),
            record_id: c.record_id.to_string(),
            branch_id: c.branch_id.to_string(),
            inventory_number: c.inventory_number.to_string(),
            barcode: c.barcode.to_string(),
            location: c.location.clone(),
            shelf: c.shelf.clone(),
            material_type: c.material_type.clone(),
            status: c.status.as_str().to_owned(),
            price_minor: c.price.map(Money::minor),
            acquired_on: c.acquired_on,
            acquisition_source: c.acquisition_source.map(|s| s.as_str().to_owned()),
            supplier: c.supplier.clone(),
            accession_act_id: c.accession_act_id.map(|id| id.to_string()),
            write_off_act_id: c.write_off_act_id.map(|id| id.to_string()),
            kazakh: c.kazakh,
            note: c.note.clone(),
            version: c.version,
            created_at: c.created_at.naive(),
            updated_at: c.updated_at.naive(),
        }
    }
}

impl Row {
    pub(crate) fn into_copy(self) -> Result<StoredCopy, DbError> {
        self.try_into()
    }
}

/// 20 columns x 400 rows stays far inside SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 400;

/// Inserts copies, one multi-row statement per chunk (the multi-backend cannot
/// batch, hence `per_backend!`).
pub fn insert_many(conn: &mut DbConnection, batch: &[StoredCopy]) -> Result<(), DbError> {
    for chunk in batch.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<Row> = chunk.iter().map(Row::from).collect();
        per_backend!(conn, |c| diesel::insert_into(copies::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: CopyId) -> Result<StoredCopy, DbError> {
    copies::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_many(conn: &mut DbConnection, ids: &[CopyId]) -> Result<Vec<StoredCopy>, DbError> {
    let mut found = Vec::with_capacity(ids.len());
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    for chunk in keys.chunks(ROWS_PER_STATEMENT * 5) {
        let rows: Vec<Row> = copies::table
            .filter(copies::id.eq_any(chunk))
            .select(Row::as_select())
            .load(conn)?;
        for row in rows {
            found.push(row.try_into()?);
        }
    }
    Ok(found)
}

pub fn find_by_barcode(conn: &mut DbConnection, barcode: &Barcode) -> Result<StoredCopy, DbError> {
    copies::table
        .filter(copies::barcode.eq(barcode.as_str()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The copy by barcode, its row locked until the transaction ends
/// (PostgreSQL `FOR UPDATE`; on SQLite the write transaction already keeps
/// other writers out): a merge moving the copy waits for the desk, or the
/// desk sees the copy where the merge put it.
pub fn find_by_barcode_for_update(
    conn: &mut DbConnection,
    barcode: &Barcode,
) -> Result<StoredCopy, DbError> {
    let q = copies::table.filter(copies::barcode.eq(barcode.as_str()));
    let row: Row = match conn {
        DbConnection::Postgres(c) => q.select(Row::as_select()).for_update().first(c)?,
        DbConnection::Sqlite(c) => q.select(Row::as_select()).first(c)?,
    };
    row.try_into()
}

/// The copy, its row locked like [`find_by_barcode_for_update`].
pub fn find_for_update(conn: &mut DbConnection, id: CopyId) -> Result<StoredCopy, DbError> {
    let q = copies::table.find(id.to_string());
    let row: Row = match conn {
        DbConnection::Postgres(c) => q.select(Row::as_select()).for_update().first(c)?,
        DbConnection::Sqlite(c) => q.select(Row::as_select()).first(c)?,
    };
    row.try_into()
}

pub fn find_by_inventory_number(
    conn: &mut DbConnection,
    number: &InventoryNumber,
) -> Result<StoredCopy, DbError> {
    copies::table
        .filter(copies::inventory_number.eq(number.as_str()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// Which of `values` are already someone's barcode.
pub fn taken_barcodes(conn: &mut DbConnection, values: &[String]) -> Result<Vec<String>, DbError> {
    let mut taken = Vec::new();
    for chunk in values.chunks(ROWS_PER_STATEMENT * 5) {
        let found: Vec<String> = copies::table
            .filter(copies::barcode.eq_any(chunk))
            .select(copies::barcode)
            .load(conn)?;
        taken.extend(found);
    }
    Ok(taken)
}

/// Which of `values` are already someone's inventory number.
pub fn taken_inventory_numbers(
    conn: &mut DbConnection,
    values: &[String],
) -> Result<Vec<String>, DbError> {
    let mut taken = Vec::new();
    for chunk in values.chunks(ROWS_PER_STATEMENT * 5) {
        let found: Vec<String> = copies::table
            .filter(copies::inventory_number.eq_any(chunk))
            .select(copies::inventory_number)
            .load(conn)?;
        taken.extend(found);
    }
    Ok(taken)
}

/// What a copy needs to know about its record: the Kazakh-language flag it
/// carries, and whether the record still takes copies.
pub fn record_facts(
    conn: &mut DbConnection,
    record: RecordId,
) -> Result<(bool, RecordStatus), DbError> {
    let (kazakh, status): (bool, String) = records::table
        .find(record.to_string())
        .select((records::kazakh, records::status))
        .first(conn)?;
    let status = status
        .parse()
        .map_err(|e| DbError::Corrupt(format!("record {record}: {e}")))?;
    Ok((kazakh, status))
}

/// What to list; every filter is optional. Pages are in id (creation) order.
#[derive(Debug, Clone, Default)]
pub struct CopyFilter {
    pub record_id: Option<RecordId>,
    pub branch_id: Option<BranchId>,
    pub status: Option<CopyStatus>,
    pub inventory_number: Option<String>,
    pub barcode: Option<String>,
    pub accession_act_id: Option<AccessionActId>,
    pub write_off_act_id: Option<WriteOffActId>,
    /// Seek cursor: copies after this one.
    pub after: Option<CopyId>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &CopyFilter) -> Result<Vec<StoredCopy>, DbError> {
    let mut q = copies::table.select(Row::as_select()).into_boxed();
    if let Some(record) = f.record_id {
        q = q.filter(copies::record_id.eq(record.to_string()));
    }
    if let Some(branch) = f.branch_id {
        q = q.filter(copies::branch_id.eq(branch.to_string()));
    }
    if let Some(status) = f.status {
        q = q.filter(copies::status.eq(status.as_str()));
    }
    if let Some(number) = &f.inventory_number {
        q = q.filter(copies::inventory_number.eq(number.clone()));
    }
    if let Some(barcode) = &f.barcode {
        q = q.filter(copies::barcode.eq(barcode.clone()));
    }
    if let Some(act) = f.accession_act_id {
        q = q.filter(copies::accession_act_id.eq(act.to_string()));
    }
    if let Some(act) = f.write_off_act_id {
        q = q.filter(copies::write_off_act_id.eq(act.to_string()));
    }
    if let Some(after) = f.after {
        q = q.filter(copies::id.gt(after.to_string()));
    }
    q.order(copies::id.asc())
        .limit(f.limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(StoredCopy::try_from)
        .collect()
}

/// Writes the mutable columns of `copy` if it is still at `expected_version`:
/// `Ok(false)` when someone else changed it first, `Err(NotFound)` when it is
/// gone. The caller sets `copy.version` to the new version.
pub fn update(
    conn: &mut DbConnection,
    copy: &StoredCopy,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(copy);
    let changed = diesel::update(
        copies::table
            .filter(copies::id.eq(&row.id))
            .filter(copies::version.eq(expected_version)),
    )
    .set((
        copies::version.eq(row.version),
        copies::location.eq(&row.location),
        copies::shelf.eq(&row.shelf),
        copies::material_type.eq(&row.material_type),
        copies::status.eq(&row.status),
        copies::price_minor.eq(row.price_minor),
        copies::acquired_on.eq(row.acquired_on),
        copies::acquisition_source.eq(&row.acquisition_source),
        copies::supplier.eq(&row.supplier),
        copies::accession_act_id.eq(&row.accession_act_id),
        copies::kazakh.eq(row.kazakh),
        copies::note.eq(&row.note),
        copies::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, copy.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Sets one copy's status (loans and returns will use this; tests too) and
/// bumps its version. Withdrawal goes through [`withdraw`], which needs an act.
pub fn set_status(
    conn: &mut DbConnection,
    id: CopyId,
    status: CopyStatus,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(copies::table.find(id.to_string()))
        .set((
            copies::status.eq(status.as_str()),
            copies::version.eq(copies::version + 1),
            copies::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// [`set_status`] that also moves the copy to `branch` (a return elsewhere
/// that keeps the copy there, a transfer arriving), in one statement.
pub fn set_status_and_branch(
    conn: &mut DbConnection,
    id: CopyId,
    status: CopyStatus,
    branch: BranchId,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(copies::table.find(id.to_string()))
        .set((
            copies::status.eq(status.as_str()),
            copies::branch_id.eq(branch.to_string()),
            copies::version.eq(copies::version + 1),
            copies::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The Kazakh-language flag follows the record (reports count Kazakh copies).
pub fn set_kazakh_for_record(
    conn: &mut DbConnection,
    record: RecordId,
    kazakh: bool,
) -> Result<(), DbError> {
    diesel::update(copies::table.filter(copies::record_id.eq(record.to_string())))
        .filter(copies::kazakh.ne(kazakh))
        .set(copies::kazakh.eq(kazakh))
        .execute(conn)?;
    Ok(())
}

/// Copies of the record still in the fund (anything but withdrawn).
pub fn count_in_fund(conn: &mut DbConnection, record: RecordId) -> Result<i64, DbError> {
    Ok(copies::table
        .filter(copies::record_id.eq(record.to_string()))
        .filter(copies::status.ne(CopyStatus::Withdrawn.as_str()))
        .count()
        .get_result(conn)?)
}

/// The library whose shelf the copy belongs on when that is not its home
/// (floated there, lent there in a selection); `None` = its home.
pub fn location_of(conn: &mut DbConnection, id: CopyId) -> Result<Option<BranchId>, DbError> {
    let raw: Option<String> = copies::table
        .find(id.to_string())
        .select(copies::location_branch_id)
        .first(conn)?;
    raw.map(|b| {
        b.parse()
            .map_err(|e| DbError::Corrupt(format!("copy {id}: {e}")))
    })
    .transpose()
}

/// Sets where the copy belongs now (`None` = its home), and its home when
/// `home` is given (redistribution), bumping its version.
pub fn set_location(
    conn: &mut DbConnection,
    id: CopyId,
    location: Option<BranchId>,
    home: Option<BranchId>,
    at: Timestamp,
) -> Result<(), DbError> {
    let target = copies::table.find(id.to_string());
    let location = location.map(|b| b.to_string());
    let changed = match home {
        Some(home) => diesel::update(target)
            .set((
                copies::location_branch_id.eq(location),
                copies::branch_id.eq(home.to_string()),
                copies::version.eq(copies::version + 1),
                copies::updated_at.eq(at.naive()),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                copies::location_branch_id.eq(location),
                copies::version.eq(copies::version + 1),
                copies::updated_at.eq(at.naive()),
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

//! The libraries of the system.

use diesel::prelude::*;
use kitap_domain::{BranchCode, BranchId, BranchKind, Timestamp};

use crate::schema::branches;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub id: BranchId,
    pub code: BranchCode,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: BranchKind,
    pub address: String,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = branches)]
struct Row {
    id: String,
    code: String,
    name_kk: String,
    name_ru: String,
    kind: String,
    address: String,
    phone: Option<String>,
    active: bool,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl TryFrom<Row> for Branch {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("branch {}: {err}", row.id));
        Ok(Branch {
            id: row.id.parse().map_err(corrupt)?,
            code: row.code.parse().map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            name_kk: row.name_kk,
            name_ru: row.name_ru,
            address: row.address,
            phone: row.phone,
            active: row.active,
            created_at: Timestamp::from_naive(row.created_at),
            updated_at: Timestamp::from_naive(row.updated_at),
        })
    }
}

impl From<&Branch> for Row {
    fn from(b: &Branch) -> Self {
        Row {
            id: b.id.to_string(),
            code: b.code.to_string(),
            name_kk: b.name_kk.clone(),
            name_ru: b.name_ru.clone(),
            kind: b.kind.as_str().to_owned(),
            address: b.address.clone(),
            phone: b.phone.clone(),
            active: b.active,
            created_at: b.created_at.naive(),
            updated_at: b.updated_at.naive(),
        }
    }
}

pub fn insert(conn: &mut DbConnection, branch: &Branch) -> Result<(), DbError> {
    diesel::insert_into(branches::table)
        .values(Row::from(branch))
        .execute(conn)?;
    Ok(())
}

/// Writes every mutable column of `branch` (matched by id).
pub fn update(conn: &mut DbConnection, branch: &Branch) -> Result<(), DbError> {
    let row = Row::from(branch);
    let changed = diesel::update(branches::table.find(&row.id))
        .set((
            branches::code.eq(&row.code),
            branches::name_kk.eq(&row.name_kk),
            branches::name_ru.eq(&row.name_ru),
            branches::kind.eq(&row.kind),
            branches::address.eq(&row.address),
            branches::phone.eq(&row.phone),
            branches::active.eq(row.active),
            branches::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Deletes a library. Foreign keys (`ON DELETE RESTRICT` from staff, audit and
/// later copies and loans) refuse this for a library with any history.
pub fn delete(conn: &mut DbConnection, id: BranchId) -> Result<(), DbError> {
    let deleted = diesel::delete(branches::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Branch>, DbError> {
    branches::table
        .order(branches::code.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Branch::try_from)
        .collect()
}

pub fn find(conn: &mut DbConnection, id: BranchId) -> Result<Branch, DbError> {
    branches::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_by_code(conn: &mut DbConnection, code: &BranchCode) -> Result<Branch, DbError> {
    branches::table
        .filter(branches::code.eq(code.as_str()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_many(conn: &mut DbConnection, ids: &[BranchId]) -> Result<Vec<Branch>, DbError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    branches::table
        .filter(branches::id.eq_any(keys))
        .order(branches::code.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Branch::try_from)
        .collect()
}

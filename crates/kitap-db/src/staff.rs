//! Staff accounts and the libraries they may act for.

use std::collections::HashMap;

use diesel::prelude::*;
use kitap_domain::{BranchId, Role, StaffId, Timestamp, Username};

use crate::login_failures::{self, UsernameSummary};
use crate::schema::{staff_branches, staff_users};
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub home_branch_id: BranchId,
    /// May act for every library (system administrators, central managers).
    pub all_branches: bool,
    /// Libraries besides the home library this account may act for.
    pub extra_branch_ids: Vec<BranchId>,
    pub active: bool,
    /// Failed logins under this username still remembered, over every client
    /// address (read from `login_failures`; not stored with the account).
    pub failed_logins: i32,
    /// The latest end of a lock on this username at some address; other
    /// addresses may still log in.
    pub locked_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_users)]
struct Row {
    id: String,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    home_branch_id: String,
    all_branches: bool,
    active: bool,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl Row {
    fn into_staff(
        self,
        extra_branch_ids: Vec<BranchId>,
        failures: UsernameSummary,
    ) -> Result<(Staff, String), DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("staff {}: {err}", self.id));
        let staff = Staff {
            id: self.id.parse().map_err(corrupt)?,
            username: self.username.parse().map_err(corrupt)?,
            role: self.role.parse().map_err(corrupt)?,
            home_branch_id: self.home_branch_id.parse().map_err(corrupt)?,
            display_name: self.display_name,
            all_branches: self.all_branches,
            extra_branch_ids,
            active: self.active,
            failed_logins: failures.failures,
            locked_until: failures.locked_until,
            created_at: Timestamp::from_naive(self.created_at),
            updated_at: Timestamp::from_naive(self.updated_at),
        };
        Ok((staff, self.password_hash))
    }
}

pub fn insert(conn: &mut DbConnection, staff: &Staff, password_hash: &str) -> Result<(), DbError> {
    let row = Row {
        id: staff.id.to_string(),
        username: staff.username.to_string(),
        display_name: staff.display_name.clone(),
        password_hash: password_hash.to_owned(),
        role: staff.role.as_str().to_owned(),
        home_branch_id: staff.home_branch_id.to_string(),
        all_branches: staff.all_branches,
        active: staff.active,
        created_at: staff.created_at.naive(),
        updated_at: staff.updated_at.naive(),
    };
    diesel::insert_into(staff_users::table)
        .values(row)
        .execute(conn)?;
    replace_branches(conn, staff.id, &staff.extra_branch_ids)
}

/// Writes the profile (name, role, libraries, active) of an existing account.
pub fn update_profile(conn: &mut DbConnection, staff: &Staff) -> Result<(), DbError> {
    let changed = diesel::update(staff_users::table.find(staff.id.to_string()))
        .set((
            staff_users::display_name.eq(&staff.display_name),
            staff_users::role.eq(staff.role.as_str()),
            staff_users::home_branch_id.eq(staff.home_branch_id.to_string()),
            staff_users::all_branches.eq(staff.all_branches),
            staff_users::active.eq(staff.active),
            staff_users::updated_at.eq(staff.updated_at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    replace_branches(conn, staff.id, &staff.extra_branch_ids)
}

fn replace_branches(
    conn: &mut DbConnection,
    id: StaffId,
    branches: &[BranchId],
) -> Result<(), DbError> {
    let staff_key = id.to_string();
    diesel::delete(staff_branches::table.filter(staff_branches::staff_id.eq(&staff_key)))
        .execute(conn)?;
    for branch in branches {
        diesel::insert_into(staff_branches::table)
            .values((
                staff_branches::staff_id.eq(&staff_key),
                staff_branches::branch_id.eq(branch.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets a new password hash (the caller clears the username's login failures).
pub fn set_password(
    conn: &mut DbConnection,
    id: StaffId,
    hash: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(staff_users::table.find(id.to_string()))
        .set((
            staff_users::password_hash.eq(hash),
            staff_users::updated_at.eq(now.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: StaffId) -> Result<Staff, DbError> {
    let row: Row = staff_users::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?;
    Ok(complete(conn, row)?.0)
}

/// The account and its password hash, for login.
pub fn find_credentials(
    conn: &mut DbConnection,
    username: &Username,
) -> Result<Option<(Staff, String)>, DbError> {
    let row: Option<Row> = staff_users::table
        .filter(staff_users::username.eq(username.as_str()))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| complete(conn, row)).transpose()
}

/// One account with its libraries and login-failure summary.
fn complete(conn: &mut DbConnection, row: Row) -> Result<(Staff, String), DbError> {
    let extra = branches_of(conn, std::slice::from_ref(&row.id))?
        .remove(&row.id)
        .unwrap_or_default();
    let failures = login_failures::summaries(conn, std::slice::from_ref(&row.username))?
        .remove(&row.username)
        .unwrap_or_default();
    row.into_staff(extra, failures)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Accounts whose home library this is.
    pub home_branch: Option<BranchId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Seek cursor: accounts created after this one.
    pub after: Option<StaffId>,
    pub limit: i64,
}

/// One page of accounts in creation order (ids are UUIDv7).
pub fn list(conn: &mut DbConnection, filter: &ListFilter) -> Result<Vec<Staff>, DbError> {
    let mut query = staff_users::table.select(Row::as_select()).into_boxed();
    if let Some(branch) = filter.home_branch {
        query = query.filter(staff_users::home_branch_id.eq(branch.to_string()));
    }
    if let Some(role) = filter.role {
        query = query.filter(staff_users::role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(staff_users::active.eq(active));
    }
    if let Some(after) = filter.after {
        query = query.filter(staff_users::id.gt(after.to_string()));
    }
    let rows: Vec<Row> = query
        .order(staff_users::id.asc())
        .limit(filter.limit)
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let names: Vec<String> = rows.iter().map(|row| row.username.clone()).collect();
    let mut extra = branches_of(conn, &ids)?;
    let mut failures = login_failures::summaries(conn, &names)?;
    rows.into_iter()
        .map(|row| {
            let branches = extra.remove(&row.id).unwrap_or_default();
            let failed = failures.remove(&row.username).unwrap_or_default();
            row.into_staff(branches, failed).map(|(staff, _)| staff)
        })
        .collect()
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(staff_users::table.count().get_result(conn)?)
}

fn branches_of(
    conn: &mut DbConnection,
    staff_ids: &[String],
) -> Result<HashMap<String, Vec<BranchId>>, DbError> {
    let pairs: Vec<(String, String)> = staff_branches::table
        .filter(staff_branches::staff_id.eq_any(staff_ids))
        .order((staff_branches::staff_id, staff_branches::branch_id))
        .load(conn)?;
    let mut by_staff: HashMap<String, Vec<BranchId>> = HashMap::new();
    for (staff_id, branch_id) in pairs {
        let branch = branch_id
            .parse()
            .map_err(|err| DbError::Corrupt(format!("staff_branches {staff_id}: {err}")))?;
        by_staff.entry(staff_id).or_default().push(branch);
    }
    Ok(by_staff)
}

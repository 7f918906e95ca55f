//! Staff accounts: created and changed by administrators (or at the command line).

use kitap_db::staff::{self, ListFilter, Staff};
use kitap_db::{branches, login_failures, sessions, DbConnection, DbError};
use kitap_domain::{
    BranchCode, BranchId, DisplayName, NewPassword, Role, StaffId, Timestamp, Username,
};
use serde_json::{json, Value};

use crate::audit::record;
use crate::passwords::generate_password;
use crate::{Actor, App, AppError, Principal};

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub home_library: String,
    /// Codes of further libraries the account may act for.
    pub libraries: Vec<String>,
    pub all_libraries: bool,
    /// `None` generates a password, returned once to the creator.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct StaffPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub home_library: Option<String>,
    pub libraries: Option<Vec<String>>,
    pub all_libraries: Option<bool>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct StaffQuery {
    pub home_library: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub after: Option<StaffId>,
    pub limit: u32,
}

impl App {
    /// Creates an account; returns it and the generated password, if one was made.
    pub fn create_staff(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewStaff,
    ) -> Result<(Staff, Option<String>), AppError> {
        who.require_role(&[Role::Admin])?;
        self.insert_staff(actor, new, Some(who))
    }

    /// The same without a logged-in administrator: `kitap user add` and seeding.
    pub fn create_staff_as_operator(
        &self,
        actor: &Actor,
        new: NewStaff,
    ) -> Result<(Staff, Option<String>), AppError> {
        self.insert_staff(actor, new, None)
    }

    fn insert_staff(
        &self,
        actor: &Actor,
        new: NewStaff,
        who: Option<&Principal>,
    ) -> Result<(Staff, Option<String>), AppError> {
        let username: Username = new.username.parse()?;
        let display_name = DisplayName::parse(&new.display_name)?;
        let role: Role = new.role.parse()?;
        let (password, generated) = match new.password {
            Some(given) => (NewPassword::parse(&given)?, None),
            None => {
                let made = generate_password();
                (NewPassword::parse(&made)?, Some(made))
            }
        };
        let hash = self.hashing.hash(password.expose())?;
        let created = self.db.write(|conn| {
            let (home, extra) = resolve_libraries(conn, who, &new.home_library, &new.libraries)?;
            let now = Timestamp::now();
            let account = Staff {
                id: StaffId::new(),
                username: username.clone(),
                display_name: display_name.as_str().to_owned(),
                role,
                home_branch_id: home,
                all_branches: new.all_libraries,
                extra_branch_ids: extra,
                active: true,
                failed_logins: 0,
                locked_until: None,
                created_at: now,
                updated_at: now,
            };
            staff::insert(conn, &account, &hash).map_err(|err| match err {
                DbError::UniqueViolation(_) => AppError::conflict(
                    "username_taken",
                    format!("the username {username} is taken"),
                ),
                other => other.into(),
            })?;
            record(
                conn,
                actor,
                "create",
                ("staff", &account.id),
                None,
                Some(snapshot(&account)),
            )?;
            Ok::<_, AppError>(account)
        })?;
        Ok((created, generated))
    }

    pub fn update_staff(
        &self,
        who: &Principal,
        actor: &Actor,
        id: StaffId,
        patch: StaffPatch,
    ) -> Result<Staff, AppError> {
        who.require_role(&[Role::Admin])?;
        self.db.write(|conn| {
            let before = staff::find(conn, id).map_err(staff_missing)?;
            let after = apply_patch(conn, who, &before, patch)?;
            if after.id == who.staff.id && (after.role != Role::Admin || !after.active) {
                return Err(AppError::conflict(
                    "cannot_demote_self",
                    "an administrator cannot remove their own admin role or deactivate themselves",
                ));
            }
            staff::update_profile(conn, &after)?;
            if before.active && !after.active {
                sessions::revoke_all_for(conn, after.id, None, after.updated_at)?;
            }
            record(
                conn,
                actor,
                "update",
                ("staff", &after.id),
                Some(snapshot(&before)),
                Some(snapshot(&after)),
            )?;
            Ok(after)
        })
    }

    /// Sets an account's password (generated when `None`), clears its failed
    /// logins and locks at every address, and ends its sessions. Returns the generated password, if any.
    pub fn reset_staff_password(
        &self,
        who: Option<&Principal>,
        actor: &Actor,
        id: StaffId,
        password: Option<String>,
    ) -> Result<Option<String>, AppError> {
        if let Some(who) = who {
            who.require_role(&[Role::Admin])?;
        }
        let (password, generated) = match password {
            Some(given) => (NewPassword::parse(&given)?, None),
            None => {
                let made = generate_password();
                (NewPassword::parse(&made)?, Some(made))
            }
        };
        let hash = self.hashing.hash(password.expose())?;
        self.db.write(|conn| {
            let account = staff::find(conn, id).map_err(staff_missing)?;
            if let Some(who) = who {
                require_scope(who, &account)?;
            }
            let now = Timestamp::now();
            staff::set_password(conn, id, &hash, now)?;
            login_failures::clear_username(conn, account.username.as_str())?;
            sessions::revoke_all_for(conn, id, None, now)?;
            record(conn, actor, "password_reset", ("staff", &id), None, None)?;
            Ok::<_, AppError>(())
        })?;
        Ok(generated)
    }

    /// Lifts the username's locks at every address before they run out.
    pub fn unlock_staff(
        &self,
        who: &Principal,
        actor: &Actor,
        id: StaffId,
    ) -> Result<Staff, AppError> {
        who.require_role(&[Role::Admin])?;
        self.db.write(|conn| {
            let before = staff::find(conn, id).map_err(staff_missing)?;
            require_scope(who, &before)?;
            login_failures::clear_username(conn, before.username.as_str())?;
            let after = staff::find(conn, id)?;
            record(
                conn,
                actor,
                "unlock",
                ("staff", &id),
                Some(snapshot(&before)),
                Some(snapshot(&after)),
            )?;
            Ok(after)
        })
    }

    /// Administrators see anyone; others only themselves.
    pub fn staff_by_id(&self, who: &Principal, id: StaffId) -> Result<Staff, AppError> {
        if who.staff.id != id {
            who.require_role(&[Role::Admin])?;
        }
        self.db
            .read(|conn| staff::find(conn, id))
            .map_err(staff_missing)
    }

    pub fn list_staff(
        &self,
        who: Option<&Principal>,
        query: StaffQuery,
    ) -> Result<Vec<Staff>, AppError> {
        if let Some(who) = who {
            who.require_role(&[Role::Admin])?;
        }
        let role = query.role.as_deref().map(str::parse::<Role>).transpose()?;
        let home_code = query
            .home_library
            .as_deref()
            .map(str::parse::<BranchCode>)
            .transpose()?;
        self.db.read(|conn| {
            let home_branch = match &home_code {
                Some(code) => Some(
                    branches::find_by_code(conn, code)
                        .map_err(library_missing)?
                        .id,
                ),
                None => None,
            };
            let filter = ListFilter {
                home_branch,
                role,
                active: query.active,
                after: query.after,
                limit: i64::from(query.limit.clamp(1, 500)),
            };
            Ok(staff::list(conn, &filter)?)
        })
    }
}

fn apply_patch(
    conn: &mut DbConnection,
    who: &Principal,
    before: &Staff,
    patch: StaffPatch,
) -> Result<Staff, AppError> {
    require_scope(who, before)?;
    let mut after = before.clone();
    if let Some(name) = patch.display_name {
        after.display_name = DisplayName::parse(&name)?.as_str().to_owned();
    }
    if let Some(role) = patch.role {
        after.role = role.parse()?;
    }
    if let Some(all) = patch.all_libraries {
        after.all_branches = all;
    }
    if let Some(active) = patch.active {
        after.active = active;
    }
    if patch.home_library.is_some() || patch.libraries.is_some() {
        let home_code = match patch.home_library {
            Some(code) => code,
            None => branches::find(conn, before.home_branch_id)?
                .code
                .to_string(),
        };
        let extra_codes = match patch.libraries {
            Some(codes) => codes,
            None => codes_of(conn, &before.extra_branch_ids)?,
        };
        let (home, extra) = resolve_libraries(conn, Some(who), &home_code, &extra_codes)?;
        after.home_branch_id = home;
        after.extra_branch_ids = extra;
    }
    after.updated_at = Timestamp::now();
    Ok(after)
}

/// Turns library codes into ids, checking each exists and that the acting
/// administrator (if any) may act for it. The home library is not repeated
/// among the extra ones.
fn resolve_libraries(
    conn: &mut DbConnection,
    who: Option<&Principal>,
    home_code: &str,
    extra_codes: &[String],
) -> Result<(BranchId, Vec<BranchId>), AppError> {
    let home_code: BranchCode = home_code.parse()?;
    let home = branches::find_by_code(conn, &home_code).map_err(library_missing)?;
    if let Some(who) = who {
        who.require_branch(&home)?;
    }
    let mut extra = Vec::new();
    for code in extra_codes {
        let code: BranchCode = code.parse()?;
        let branch = branches::find_by_code(conn, &code).map_err(library_missing)?;
        if let Some(who) = who {
            who.require_branch(&branch)?;
        }
        if branch.id != home.id && !extra.contains(&branch.id) {
            extra.push(branch.id);
        }
    }
    Ok((home.id, extra))
}

fn codes_of(conn: &mut DbConnection, ids: &[BranchId]) -> Result<Vec<String>, AppError> {
    Ok(branches::find_many(conn, ids)?
        .into_iter()
        .map(|b| b.code.to_string())
        .collect())
}

/// An administrator limited to some libraries manages only accounts at home there.
fn require_scope(who: &Principal, account: &Staff) -> Result<(), AppError> {
    if who.staff.all_branches || crate::actor::may_act_for(&who.staff, account.home_branch_id) {
        return Ok(());
    }
    Err(AppError::LibraryDenied {
        library: account.home_branch_id.to_string(),
    })
}

fn staff_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "staff account",
        },
        other => other.into(),
    }
}

fn library_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    }
}

pub(crate) fn snapshot(account: &Staff) -> Value {
    json!({
        "id": account.id.to_string(),
        "username": account.username.as_str(),
        "display_name": account.display_name,
        "role": account.role.as_str(),
        "home_branch_id": account.home_branch_id.to_string(),
        "extra_branch_ids": account.extra_branch_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "all_branches": account.all_branches,
        "active": account.active,
        "failed_logins": account.failed_logins,
        "locked_until": account.locked_until.map(|at| at.to_string()),
    })
}

impl App {
    /// For operator commands (`kitap user passwd NAME`).
    pub fn staff_by_username(&self, username: &str) -> Result<Staff, AppError> {
        let username: Username = username.parse()?;
        let found = self
            .db
            .read(|conn| staff::find_credentials(conn, &username))?;
        found.map(|(account, _)| account).ok_or(AppError::NotFound {
            entity: "staff account",
        })
    }
}

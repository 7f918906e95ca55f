//! The libraries of the system: listed to everyone, changed by administrators.

use kitap_db::branches::{self, Branch};
use kitap_db::DbError;
use kitap_domain::{BranchCode, BranchId, BranchKind, BranchName, Role, Timestamp, ValueError};
use serde_json::{json, Value};

use crate::audit::record;
use crate::{Actor, App, AppError, Principal};

#[derive(Debug, Clone)]
pub struct NewBranch {
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A partial change: `None` leaves a field as it is; an empty phone clears it.
#[derive(Debug, Clone, Default)]
pub struct BranchPatch {
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub kind: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: Option<bool>,
}

impl App {
    pub fn list_branches(&self, include_inactive: bool) -> Result<Vec<Branch>, AppError> {
        let all = self.db.read(branches::list)?;
        Ok(all
            .into_iter()
            .filter(|b| include_inactive || b.active)
            .collect())
    }

    pub fn branch_by_code(&self, code: &str) -> Result<Branch, AppError> {
        let code: BranchCode = code.parse()?;
        self.db
            .read(|conn| branches::find_by_code(conn, &code))
            .map_err(branch_missing)
    }

    pub fn create_branch(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewBranch,
    ) -> Result<Branch, AppError> {
        who.require_role(&[Role::Admin])?;
        let now = Timestamp::now();
        let branch = Branch {
            id: BranchId::new(),
            code: new.code.parse()?,
            name_kk: BranchName::parse("name_kk", &new.name_kk)?.into_string(),
            name_ru: BranchName::parse("name_ru", &new.name_ru)?.into_string(),
            kind: new.kind.parse()?,
            address: clean_address(new.address.as_deref())?,
            phone: clean_phone(new.phone.as_deref())?,
            active: true,
            created_at: now,
            updated_at: now,
        };
        if branch.kind == BranchKind::Central {
            return Err(AppError::conflict(
                "central_library_exists",
                "the system has one central library; a new library is an adult or children's branch",
            ));
        }
        self.db.write(|conn| {
            branches::insert(conn, &branch).map_err(|err| duplicate_code(err, &branch.code))?;
            record(
                conn,
                actor,
                "create",
                ("branch", &branch.id),
                None,
                Some(snapshot(&branch)),
            )?;
            Ok(branch)
        })
    }

    /// Renames, re-describes, deactivates or reactivates a library.
    pub fn update_branch(
        &self,
        who: &Principal,
        actor: &Actor,
        code: &str,
        patch: BranchPatch,
    ) -> Result<Branch, AppError> {
        who.require_role(&[Role::Admin])?;
        let code: BranchCode = code.parse()?;
        self.db.write(|conn| {
            let before = branches::find_by_code(conn, &code).map_err(branch_missing)?;
            who.require_branch(&before)?;
            let after = apply_patch(&before, patch)?;
            branches::update(conn, &after)?;
            record(
                conn,
                actor,
                "update",
                ("branch", &after.id),
                Some(snapshot(&before)),
                Some(snapshot(&after)),
            )?;
            Ok(after)
        })
    }

    /// Removes a library created by mistake. A library with any history
    /// (staff, audit entries, later copies and loans) is protected by foreign
    /// keys and must be deactivated instead.
    pub fn delete_branch(
        &self,
        who: &Principal,
        actor: &Actor,
        code: &str,
    ) -> Result<(), AppError> {
        who.require_role(&[Role::Admin])?;
        let code: BranchCode = code.parse()?;
        self.db.write(|conn| {
            let branch = branches::find_by_code(conn, &code).map_err(branch_missing)?;
            if branch.kind == BranchKind::Central {
                return Err(AppError::conflict("central_library_required", "the central library cannot be deleted"));
            }
            branches::delete(conn, branch.id).map_err(|err| match err {
                DbError::ForeignKeyViolation(_) => AppError::conflict(
                    "branch_has_history",
                    format!("library {code} has history (staff, audit entries, copies or loans); deactivate it instead"),
                ),
                other => other.into(),
            })?;
            record(conn, actor, "delete", ("branch", &branch.id), Some(snapshot(&branch)), None)?;
            Ok(())
        })
    }
}

fn apply_patch(before: &Branch, patch: BranchPatch) -> Result<Branch, AppError> {
    let mut after = before.clone();
    if let Some(name) = patch.name_kk {
        after.name_kk = BranchName::parse("name_kk", &name)?.into_string();
    }
    if let Some(name) = patch.name_ru {
        after.name_ru = BranchName::parse("name_ru", &name)?.into_string();
    }
    if let Some(kind) = patch.kind {
        after.kind = kind.parse()?;
    }
    if let Some(address) = patch.address {
        after.address = clean_address(Some(&address))?;
    }
    if let Some(phone) = patch.phone {
        after.phone = clean_phone(Some(&phone))?;
    }
    if let Some(active) = patch.active {
        after.active = active;
    }
    let central_changed =
        (before.kind == BranchKind::Central) != (after.kind == BranchKind::Central);
    if central_changed {
        return Err(AppError::conflict(
            "central_library_required",
            "the central library stays the central library",
        ));
    }
    if after.kind == BranchKind::Central && !after.active {
        return Err(AppError::conflict(
            "central_library_required",
            "the central library cannot be deactivated",
        ));
    }
    after.updated_at = Timestamp::now();
    Ok(after)
}

fn clean_address(raw: Option<&str>) -> Result<String, ValueError> {
    let address = raw.unwrap_or_default().trim();
    if address.chars().count() > 500 {
        return Err(ValueError::new("address", "must be at most 500 characters"));
    }
    Ok(address.to_owned())
}

fn clean_phone(raw: Option<&str>) -> Result<Option<String>, ValueError> {
    let phone = raw.unwrap_or_default().trim();
    if phone.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-()".contains(c);
    if phone.chars().count() > 40 || !phone.chars().all(allowed) {
        return Err(ValueError::new(
            "phone",
            "must be digits, spaces, '+', '-', '(' or ')', at most 40",
        ));
    }
    Ok(Some(phone.to_owned()))
}

fn branch_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    }
}

fn duplicate_code(err: DbError, code: &BranchCode) -> AppError {
    match err {
        DbError::UniqueViolation(_) => AppError::conflict(
            "branch_code_taken",
            format!("a library with code {code} exists"),
        ),
        other => other.into(),
    }
}

pub(crate) fn snapshot(branch: &Branch) -> Value {
    json!({
        "id": branch.id.to_string(),
        "code": branch.code.as_str(),
        "name_kk": branch.name_kk,
        "name_ru": branch.name_ru,
        "kind": branch.kind.as_str(),
        "address": branch.address,
        "phone": branch.phone,
        "active": branch.active,
    })
}

//! JSON shapes of the API. Timestamps are RFC 3339 UTC strings, ids UUID strings.

use std::collections::HashMap;

use kitap_app::{AuditEntry, Branch, Staff};
use kitap_domain::BranchId;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchDto {
    pub id: String,
    /// Short code staff type and print ("C00", "F07").
    #[schema(example = "F07")]
    pub code: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// central, adult or children.
    #[schema(example = "adult")]
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Branch> for BranchDto {
    fn from(b: &Branch) -> Self {
        BranchDto {
            id: b.id.to_string(),
            code: b.code.to_string(),
            name_kk: b.name_kk.clone(),
            name_ru: b.name_ru.clone(),
            kind: b.kind.as_str().to_owned(),
            address: b.address.clone(),
            phone: b.phone.clone(),
            active: b.active,
            created_at: b.created_at.to_string(),
            updated_at: b.updated_at.to_string(),
        }
    }
}

/// Library codes by id, to show codes instead of ids.
pub struct LibraryCodes(HashMap<BranchId, String>);

impl LibraryCodes {
    pub fn new(branches: &[Branch]) -> Self {
        LibraryCodes(
            branches
                .iter()
                .map(|b| (b.id, b.code.to_string()))
                .collect(),
        )
    }

    pub fn code(&self, id: BranchId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    pub id: String,
    #[schema(example = "aigerim.k")]
    pub username: String,
    pub display_name: String,
    /// admin, cataloger, librarian, exchange or manager.
    #[schema(example = "librarian")]
    pub role: String,
    /// Code of the library the account belongs to.
    #[schema(example = "F01")]
    pub home_library: String,
    /// Codes of further libraries the account may act for.
    pub libraries: Vec<String>,
    /// May act for every library.
    pub all_libraries: bool,
    pub active: bool,
    /// The latest end of a lock on this username at some client address after
    /// failed logins there (may be past); other addresses can still log in.
    pub locked_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl StaffDto {
    pub fn new(staff: &Staff, codes: &LibraryCodes) -> Self {
        StaffDto {
            id: staff.id.to_string(),
            username: staff.username.to_string(),
            display_name: staff.display_name.clone(),
            role: staff.role.as_str().to_owned(),
            home_library: codes.code(staff.home_branch_id),
            libraries: staff
                .extra_branch_ids
                .iter()
                .map(|id| codes.code(*id))
                .collect(),
            all_libraries: staff.all_branches,
            active: staff.active,
            locked_until: staff.locked_until.map(|at| at.to_string()),
            created_at: staff.created_at.to_string(),
            updated_at: staff.updated_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// Increasing; pass the last one as `before` for the next page.
    pub id: i64,
    pub at: String,
    pub actor_id: Option<String>,
    /// Username (or "kitap serve", "cli" for operator actions).
    pub actor_name: String,
    /// Code of the library the actor acted for.
    pub library: Option<String>,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "branch")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// The entity before the change (JSON), when there was one.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The entity after the change (JSON), when there is one.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

impl AuditEntryDto {
    pub fn new(entry: AuditEntry, codes: &LibraryCodes) -> Self {
        let parse = |text: Option<String>| text.and_then(|json| serde_json::from_str(&json).ok());
        let entry_id = entry.id.0;
        let entry = entry.record;
        AuditEntryDto {
            id: entry_id,
            at: entry.at.to_string(),
            actor_id: entry.actor_id.map(|id| id.to_string()),
            actor_name: entry.actor_name,
            library: entry.branch_id.map(|id| codes.code(id)),
            action: entry.action,
            entity_type: entry.entity_type,
            entity_id: entry.entity_id,
            before: parse(entry.before_json),
            after: parse(entry.after_json),
            request_id: entry.request_id,
        }
    }
}

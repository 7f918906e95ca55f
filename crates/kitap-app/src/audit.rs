use kitap_db::audit::{self, AuditEntry, AuditFilter, NewAuditEntry};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{AuditId, BranchId, StaffId, Timestamp};
use serde_json::Value;

use crate::{Actor, App, AppError, Principal};

/// Writes one audit row in the caller's transaction: the row commits or rolls
/// back together with the change it describes.
pub(crate) fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    entity: (&str, &dyn ToString),
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), DbError> {
    let (entity_type, entity_id) = entity;
    audit::insert(
        conn,
        &NewAuditEntry {
            at: Timestamp::now(),
            actor_id: actor.staff_id,
            actor_name: actor.name.clone(),
            branch_id: actor.branch_id,
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: Some(entity_id.to_string()),
            before_json: before.map(|value| value.to_string()),
            after_json: after.map(|value| value.to_string()),
            request_id: actor.request_id.clone(),
        },
    )
}

/// Filters for `GET /api/v1/audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<StaffId>,
    pub branch_id: Option<BranchId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub request_id: Option<String>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub before: Option<AuditId>,
    pub limit: u32,
}

impl App {
    /// A page of the audit log, newest first. Administrators only.
    pub fn audit_log(
        &self,
        who: &Principal,
        query: AuditQuery,
    ) -> Result<Vec<AuditEntry>, AppError> {
        who.require_role(&[kitap_domain::Role::Admin])?;
        let filter = AuditFilter {
            actor_id: query.actor_id,
            branch_id: query.branch_id,
            entity_type: query.entity_type,
            entity_id: query.entity_id,
            action: query.action,
            request_id: query.request_id,
            from: query.from,
            until: query.until,
            before: query.before,
            limit: i64::from(query.limit.clamp(1, 500)),
        };
        Ok(self.db.read(|conn| audit::list(conn, &filter))?)
    }
}

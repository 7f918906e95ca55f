use kitap_db::audit::{self, AuditEntry, AuditFilter, AuditRecord};
use kitap_db::{DbConnection, DbError};
use kitap_domain::Timestamp;
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
        &AuditRecord {
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

impl App {
    /// A page of the audit log, newest first. Administrators only.
    pub fn audit_log(
        &self,
        who: &Principal,
        mut filter: AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError> {
        who.require_role(&[kitap_domain::Role::Admin])?;
        filter.limit = filter.limit.clamp(1, 500);
        Ok(self.db.read(|conn| audit::list(conn, &filter))?)
    }
}

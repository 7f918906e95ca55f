//! The audit log: who changed what, when, for which library, before and after.

use diesel::prelude::*;
use kitap_domain::{AuditId, BranchId, StaffId, Timestamp};

use crate::schema::audit_log;
use crate::{DbConnection, DbError};

/// A stored entry: its number and what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub record: AuditRecord,
}

/// What one audit entry says: who, when, for which library, what, before, after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub actor_id: Option<StaffId>,
    pub actor_name: String,
    pub branch_id: Option<BranchId>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: i64,
    at: chrono::NaiveDateTime,
    actor_id: Option<String>,
    actor_name: String,
    branch_id: Option<String>,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    request_id: Option<String>,
}

impl TryFrom<Row> for AuditEntry {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("audit {}: {err}", row.id));
        let record = AuditRecord {
            at: Timestamp::from_naive(row.at),
            actor_id: row
                .actor_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            branch_id: row
                .branch_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            actor_name: row.actor_name,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            before_json: row.before_json,
            after_json: row.after_json,
            request_id: row.request_id,
        };
        Ok(AuditEntry {
            id: AuditId(row.id),
            record,
        })
    }
}

pub fn insert(conn: &mut DbConnection, entry: &AuditRecord) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(entry.at.naive()),
            audit_log::actor_id.eq(entry.actor_id.map(|id| id.to_string())),
            audit_log::actor_name.eq(&entry.actor_name),
            audit_log::branch_id.eq(entry.branch_id.map(|id| id.to_string())),
            audit_log::action.eq(&entry.action),
            audit_log::entity_type.eq(&entry.entity_type),
            audit_log::entity_id.eq(&entry.entity_id),
            audit_log::before_json.eq(&entry.before_json),
            audit_log::after_json.eq(&entry.after_json),
            audit_log::request_id.eq(&entry.request_id),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<StaffId>,
    pub branch_id: Option<BranchId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub request_id: Option<String>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Seek cursor: entries older than this one.
    pub before: Option<AuditId>,
    pub limit: i64,
}

/// One page of entries, newest first.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter) -> Result<Vec<AuditEntry>, DbError> {
    let mut query = audit_log::table.select(Row::as_select()).into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor.to_string()));
    }
    if let Some(branch) = filter.branch_id {
        query = query.filter(audit_log::branch_id.eq(branch.to_string()));
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_log::entity_type.eq(entity_type.clone()));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(entity_id.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(request_id) = &filter.request_id {
        query = query.filter(audit_log::request_id.eq(request_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from.naive()));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until.naive()));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_log::id.lt(before.0));
    }
    query
        .order(audit_log::id.desc())
        .limit(filter.limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect()
}

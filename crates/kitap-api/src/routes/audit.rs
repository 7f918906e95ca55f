use actix_web::{get, web};
use chrono::{DateTime, Utc};
use kitap_app::AuditFilter;
use kitap_domain::{AuditId, StaffId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::{AdminOnly, Staff};
use crate::dto::{AuditEntryDto, LibraryCodes};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};

use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Staff account id of the actor.
    pub actor_id: Option<String>,
    /// Code of the library acted for.
    pub library: Option<String>,
    /// branch, staff, ...
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// create, update, delete, login, login_failed, ...
    pub action: Option<String>,
    pub request_id: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Cursor: the `next` of the previous page.
    pub before: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntryDto>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next: Option<i64>,
}

/// The audit log: every write with who, when, library, before and after (administrators).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorEnvelope))
)]
#[get("/audit")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let query = query.into_inner();
    let limit = page_limit(query.limit, 100, 500)?;
    let actor_id = query
        .actor_id
        .as_deref()
        .map(str::parse::<StaffId>)
        .transpose()
        .map_err(|err| ApiError::bad_request("invalid_query_parameter", err.to_string()))?;
    let (entries, branches) = run(&state, move |app| {
        let branch_id = match &query.library {
            Some(code) => Some(app.branch_by_code(code)?.id),
            None => None,
        };
        let filter = AuditFilter {
            actor_id,
            branch_id,
            entity_type: query.entity_type,
            entity_id: query.entity_id,
            action: query.action,
            request_id: query.request_id,
            from: query.from.map(Timestamp::from_utc),
            until: query.until.map(Timestamp::from_utc),
            before: query.before.map(AuditId),
            limit: i64::from(limit),
        };
        Ok((
            app.audit_log(&staff.principal, filter)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id.0))
        .flatten();
    Ok(web::Json(AuditPage {
        entries: entries
            .into_iter()
            .map(|e| AuditEntryDto::new(e, &codes))
            .collect(),
        next,
    }))
}

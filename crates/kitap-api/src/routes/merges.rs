//! Merging duplicate records, undoing a merge, and the merge history.

use actix_web::{get, post, web};
use kitap_app::catalog::{MergeQuery, MergeView, Moved};
use kitap_domain::{MergeId, RecordId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The duplicate to merge into the record of the path; it disappears
    /// and its id redirects to the survivor.
    pub merged_id: String,
    /// Why, for the history.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedDto {
    pub copies: usize,
    /// Loans (open and returned) of the moved copies.
    pub loans: i64,
    pub holds: usize,
    /// Duplicate holds cancelled by the merge (a reader held both records),
    /// or reopened by its undo.
    pub holds_cancelled: usize,
    pub circulation_events: usize,
    /// Source versions of the merged record given to the survivor.
    pub sources: usize,
    /// Older redirects re-pointed.
    pub redirects: usize,
}

impl From<&Moved> for MovedDto {
    fn from(m: &Moved) -> Self {
        MovedDto {
            copies: m.copies,
            loans: m.loans,
            holds: m.holds,
            holds_cancelled: m.holds_cancelled,
            circulation_events: m.circulation_events,
            sources: m.sources,
            redirects: m.redirects,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeDto {
    pub id: String,
    pub survivor_id: String,
    pub merged_id: String,
    /// The merged record's title when it was merged.
    pub merged_title: String,
    /// What the merge moved to the survivor.
    pub moved: MovedDto,
    pub note: Option<String>,
    pub merged_by: Option<String>,
    pub merged_at: String,
    /// The merge can be undone until then (`[dedup] merge_undo_hours`).
    pub undo_until: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

impl From<&MergeView> for MergeDto {
    fn from(v: &MergeView) -> Self {
        let m = &v.merge;
        MergeDto {
            id: m.id.to_string(),
            survivor_id: m.survivor_id.to_string(),
            merged_id: m.merged_id.to_string(),
            merged_title: v.merged_title.clone(),
            moved: MovedDto::from(&v.moved),
            note: m.note.clone(),
            merged_by: m.merged_by.map(|s| s.to_string()),
            merged_at: m.merged_at.to_string(),
            undo_until: v.undo_until.to_string(),
            undone_at: m.undone_at.map(|t| t.to_string()),
            undone_by: m.undone_by.map(|s| s.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UndoDto {
    /// The merge, now undone.
    pub merge: MergeDto,
    /// What the undo moved back to the restored record (holds_cancelled:
    /// cancelled duplicate holds reopened).
    pub moved_back: MovedDto,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MergeListQuery {
    /// Only merges where this record survived or was merged.
    pub record: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub before: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergePage {
    /// Newest first.
    pub merges: Vec<MergeDto>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Merge a duplicate into this record (catalogers), in one transaction:
/// copies with their loans and circulation events, holds and source versions
/// move here; the duplicate's MARC is kept as a source version (kind merged);
/// its id answers 308 to this record. A reader holding both records keeps
/// the hold further along (else the earlier one); the other is cancelled.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the surviving record's id")),
    request_body = MergeBody,
    responses(
        (status = 200, body = MergeDto),
        (status = 404, description = "record_not_found", body = ErrorEnvelope),
        (status = 409, description = "merge_same_record, record_already_merged", body = ErrorEnvelope),
    )
)]
#[post("/records/{id}/merge")]
pub async fn merge(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<MergeBody>,
) -> Result<web::Json<MergeDto>, ApiError> {
    let survivor: RecordId = parse_id(&id)?;
    let body = body.into_inner();
    let merged: RecordId = body.merged_id.parse().map_err(|_| {
        kitap_app::AppError::from(kitap_domain::ValueError::new(
            "merged_id",
            "must be a record id (UUID)",
        ))
    })?;
    let view = run(&state, move |app| {
        app.merge_records(&staff.principal, &staff.actor, survivor, merged, body.note)
    })
    .await?;
    Ok(web::Json(MergeDto::from(&view)))
}

/// Undo a merge within `[dedup] merge_undo_hours` (catalogers): the merged
/// record comes back under its id with what the merge moved.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "merge id")),
    responses(
        (status = 200, body = UndoDto),
        (status = 404, description = "merge_not_found", body = ErrorEnvelope),
        (status = 409, description = "merge_undo_expired, merge_already_undone, merge_survivor_merged (undo the later merge first), merge_survivor_gone", body = ErrorEnvelope),
    )
)]
#[post("/merges/{id}/undo")]
pub async fn undo(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<UndoDto>, ApiError> {
    let id: MergeId = parse_id(&id)?;
    let (view, back) = run(&state, move |app| {
        app.undo_merge(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(UndoDto {
        merge: MergeDto::from(&view),
        moved_back: MovedDto::from(&back),
    }))
}

/// Merges, newest first (any staff).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(MergeListQuery),
    responses((status = 200, body = MergePage), (status = 422, body = ErrorEnvelope))
)]
#[get("/merges")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<MergeListQuery>,
) -> Result<web::Json<MergePage>, ApiError> {
    let q = query.into_inner();
    let limit = i64::from(page_limit(q.limit, 100, 500)?);
    let page = run(&state, move |app| {
        let query = MergeQuery {
            record: q.record.as_deref().map(str::parse).transpose()?,
            before: q.before.as_deref().map(str::parse).transpose()?,
            limit,
        };
        app.merges(&staff.principal, query)
    })
    .await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|m| m.merge.id.to_string()))
        .flatten();
    Ok(web::Json(MergePage {
        merges: page.iter().map(MergeDto::from).collect(),
        next,
    }))
}

/// One merge (any staff).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "merge id")),
    responses((status = 200, body = MergeDto), (status = 404, description = "merge_not_found", body = ErrorEnvelope))
)]
#[get("/merges/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<MergeDto>, ApiError> {
    let id: MergeId = parse_id(&id)?;
    let view = run(&state, move |app| app.merge(&staff.principal, id)).await?;
    Ok(web::Json(MergeDto::from(&view)))
}

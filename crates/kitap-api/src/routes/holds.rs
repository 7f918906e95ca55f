//! Holds: place, list, cancel, the hold shelf, and the expiry job.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::circulation::{HoldPlacer, HoldQuery, HoldView, PlaceHoldRequest, StoredHold};
use kitap_app::AppError;
use kitap_domain::{CopyId, HoldId, HoldStatus, RecordId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldDto {
    pub id: String,
    /// Reader id.
    pub reader: String,
    pub card_number: String,
    pub reader_name: String,
    pub record_id: String,
    pub title: String,
    /// Set for a copy-level hold.
    pub copy_id: Option<String>,
    /// Code of the pickup library.
    pub pickup_library: String,
    /// waiting, in_transit, ready, fulfilled, cancelled or expired.
    pub status: String,
    pub placed_at: String,
    /// The copy trapped for the hold (in transit or on the hold shelf).
    pub trapped_copy_id: Option<String>,
    pub trapped_barcode: Option<String>,
    pub ready_on: Option<NaiveDate>,
    /// Last day on the hold shelf.
    pub expires_on: Option<NaiveDate>,
    pub closed_at: Option<String>,
    /// A copy stood on the shelf at the pickup library when it was placed:
    /// the desk pulls it.
    pub pull_from_shelf: bool,
    /// The copy on its way: on another library's pick list for this hold,
    /// or travelling to the pickup library.
    pub transfer: Option<super::exchange::MovementDto>,
    pub version: i64,
}

impl HoldDto {
    fn new(v: &HoldView, codes: &LibraryCodes) -> Self {
        let h = &v.hold;
        HoldDto {
            id: h.id.to_string(),
            reader: h.reader_id.to_string(),
            card_number: v.card_number.clone(),
            reader_name: v.reader_name.clone(),
            record_id: h.record_id.to_string(),
            title: v.title.clone(),
            copy_id: h.copy_id.map(|c| c.to_string()),
            pickup_library: codes.code(h.pickup_branch_id),
            status: h.status.as_str().to_owned(),
            placed_at: h.placed_at.to_string(),
            trapped_copy_id: h.trapped_copy_id.map(|c| c.to_string()),
            trapped_barcode: v.trapped_barcode.as_ref().map(ToString::to_string),
            ready_on: h.ready_on,
            expires_on: h.expires_on,
            closed_at: h.closed_at.map(|t| t.to_string()),
            pull_from_shelf: v.pull_from_shelf,
            transfer: v
                .transfer
                .as_ref()
                .map(|t| super::exchange::MovementDto::new(t, codes)),
            version: h.version,
        }
    }
}

/// A hold as the return answer names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrappedHold {
    pub id: String,
    pub reader: String,
    /// in_transit or ready.
    pub status: String,
    pub pickup_library: String,
    pub expires_on: Option<NaiveDate>,
}

impl TrappedHold {
    pub(crate) fn new(h: &StoredHold, codes: &LibraryCodes) -> Self {
        TrappedHold {
            id: h.id.to_string(),
            reader: h.reader_id.to_string(),
            status: h.status.as_str().to_owned(),
            pickup_library: codes.code(h.pickup_branch_id),
            expires_on: h.expires_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldOne {
    pub hold: HoldDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldList {
    pub holds: Vec<HoldDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHold {
    /// Reader id or card number.
    pub reader: String,
    pub record_id: String,
    /// For a copy-level hold: the copy wanted.
    pub copy_id: Option<String>,
    /// Code of the pickup library.
    pub pickup_library: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HoldListQuery {
    /// The queue of a title.
    pub record_id: Option<String>,
    /// A reader's holds (id or card number).
    pub reader: Option<String>,
    /// Pickup library code.
    pub library: Option<String>,
    /// waiting, in_transit, ready, fulfilled, cancelled or expired (default: open ones).
    pub status: Option<String>,
    /// 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ShelfQuery {
    /// Library code.
    pub library: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldExpiryDto {
    pub expired: u32,
    pub retrapped: u32,
    pub released: u32,
}

async fn listed<F>(state: &web::Data<ApiState>, work: F) -> Result<HoldList, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<Vec<HoldView>, AppError> + Send + 'static,
{
    let (holds, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    let codes = LibraryCodes::new(&branches);
    Ok(HoldList {
        holds: holds.iter().map(|h| HoldDto::new(h, &codes)).collect(),
    })
}

async fn one<F>(state: &web::Data<ApiState>, work: F) -> Result<HoldOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<HoldView, AppError> + Send + 'static,
{
    let (hold, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(HoldOne {
        hold: HoldDto::new(&hold, &LibraryCodes::new(&branches)),
    })
}

const PLACE_REFUSALS: &str = "a refusal: code = reader_not_active, reader_blocked, holds_not_allowed, \
already_holding (also a second hold that lost a race) (details: overridable, message_ru, message_kk, refusals); library_inactive";

/// Place a hold on a title, or on one copy, for pickup at a library
/// (librarians, administrators).
#[utoipa::path(
    tag = "holds",
    security(("bearer" = [])),
    request_body = NewHold,
    responses(
        (status = 201, body = HoldOne),
        (status = 404, description = "reader_not_found, record_not_found, copy_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = PLACE_REFUSALS, body = ErrorEnvelope),
    )
)]
#[post("/holds")]
pub async fn place(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewHold>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let record_id: RecordId = b.record_id.parse().map_err(AppError::from)?;
    let copy_id: Option<CopyId> = b
        .copy_id
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let req = PlaceHoldRequest {
        reader: b.reader,
        record_id,
        copy_id,
        pickup_library: b.pickup_library,
    };
    let hold = one(&state, move |app| {
        app.place_hold(HoldPlacer::Staff(&staff.principal), &staff.actor, req)
    })
    .await?;
    Ok(HttpResponse::Created().json(hold))
}

/// Holds of a title (queue order), of a reader or to be picked up at a
/// library; open ones unless `status` says otherwise.
#[utoipa::path(
    tag = "holds",
    security(("bearer" = [])),
    params(HoldListQuery),
    responses(
        (status = 200, body = HoldList),
        (status = 404, description = "reader_not_found, library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/holds")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<HoldListQuery>,
) -> Result<web::Json<HoldList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let status: Option<HoldStatus> = q
        .status
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let record: Option<RecordId> = q
        .record_id
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let query = HoldQuery {
        record,
        reader: q.reader,
        library: q.library,
        status,
        limit: i64::from(limit),
    };
    Ok(web::Json(
        listed(&state, move |app| app.holds(&staff.principal, query)).await?,
    ))
}

/// The hold shelf of a library: ready holds with reader, copy and last
/// pickup day, first to expire first.
#[utoipa::path(
    tag = "holds",
    security(("bearer" = [])),
    params(ShelfQuery),
    responses(
        (status = 200, body = HoldList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/holds/shelf")]
pub async fn shelf(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ShelfQuery>,
) -> Result<web::Json<HoldList>, ApiError> {
    let library = query.into_inner().library;
    Ok(web::Json(
        listed(&state, move |app| {
            app.hold_shelf(&staff.principal, &library)
        })
        .await?,
    ))
}

/// Cancel an open hold; a ready hold's copy goes to the next hold or back
/// to the shelf.
#[utoipa::path(
    tag = "holds",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "hold id")),
    responses(
        (status = 200, body = HoldOne),
        (status = 404, description = "hold_not_found", body = ErrorEnvelope),
        (status = 409, description = "hold_closed, version_conflict, copy_already_trapped", body = ErrorEnvelope),
    )
)]
#[delete("/holds/{id}")]
pub async fn cancel(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<HoldOne>, ApiError> {
    let id: HoldId = parse_id(&id)?;
    Ok(web::Json(
        one(&state, move |app| {
            app.cancel_hold(&staff.principal, &staff.actor, id)
        })
        .await?,
    ))
}

/// Expire ready holds past their last pickup day and trap their copies
/// again (administrators; the server also runs it every hour).
#[utoipa::path(
    tag = "holds",
    security(("bearer" = [])),
    responses(
        (status = 200, body = HoldExpiryDto),
        (status = 409, description = "version_conflict, copy_already_trapped", body = ErrorEnvelope),
    )
)]
#[post("/holds/expire")]
pub async fn expire(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<HoldExpiryDto>, ApiError> {
    let out = run(&state, move |app| {
        app.expire_holds(&staff.principal, &staff.actor)
    })
    .await?;
    Ok(web::Json(HoldExpiryDto {
        expired: out.expired,
        retrapped: out.retrapped,
        released: out.released,
    }))
}

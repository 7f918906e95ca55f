//! Inter-branch exchange: dispatch and receive scans, pick lists, the
//! transit board, a copy's position, the distance table.

use actix_web::{get, post, put, web};
use kitap_app::exchange::{
    Distance, Place, PositionView, ReceiveView, TransferQuery, TransferView, TransitReason,
};
use kitap_app::AppError;
use kitap_domain::{CopyId, TransferId, TransferReason, TransferStatus};
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
pub struct TransferDto {
    pub id: String,
    pub copy_id: String,
    pub barcode: String,
    pub inventory_number: String,
    pub title: String,
    /// Where the copy stands in the lending library (pick list order).
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub from_library: String,
    pub to_library: String,
    /// hold, hold_cancelled, return_home, selection, selection_return or redistribution.
    pub reason: String,
    /// requested (on the pick list), in_transit, received or cancelled.
    pub status: String,
    pub hold_id: Option<String>,
    /// The reader a hold's copy travels for.
    pub reader_name: Option<String>,
    pub selection_id: Option<String>,
    pub act_id: Option<String>,
    pub requested_at: String,
    pub dispatched_at: Option<String>,
    pub received_at: Option<String>,
    pub note: Option<String>,
    /// Travelling longer than `[exchange] transit_overdue_days`.
    pub overdue: bool,
}

impl TransferDto {
    pub(crate) fn new(v: &TransferView, codes: &LibraryCodes) -> Self {
        let t = &v.transfer;
        TransferDto {
            id: t.id.to_string(),
            copy_id: t.copy_id.to_string(),
            barcode: v.barcode.clone(),
            inventory_number: v.inventory_number.clone(),
            title: v.title.clone(),
            location: v.location.clone(),
            shelf: v.shelf.clone(),
            from_library: codes.code(t.from_branch_id),
            to_library: codes.code(t.to_branch_id),
            reason: t.reason.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            hold_id: t.hold_id.map(|h| h.to_string()),
            reader_name: v.reader_name.clone(),
            selection_id: t.selection_id.map(|s| s.to_string()),
            act_id: t.act_id.map(|a| a.to_string()),
            requested_at: t.requested_at.to_string(),
            dispatched_at: t.dispatched_at.map(|d| d.to_string()),
            received_at: t.received_at.map(|d| d.to_string()),
            note: t.closed_note.clone(),
            overdue: v.overdue,
        }
    }
}

/// A hold's or a position's movement, briefly.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementDto {
    pub id: String,
    pub from_library: String,
    pub to_library: String,
    pub reason: String,
    pub status: String,
    pub requested_at: String,
    pub dispatched_at: Option<String>,
    pub received_at: Option<String>,
    pub note: Option<String>,
}

impl MovementDto {
    pub(crate) fn new(t: &kitap_app::exchange::StoredTransfer, codes: &LibraryCodes) -> Self {
        MovementDto {
            id: t.id.to_string(),
            from_library: codes.code(t.from_branch_id),
            to_library: codes.code(t.to_branch_id),
            reason: t.reason.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            requested_at: t.requested_at.to_string(),
            dispatched_at: t.dispatched_at.map(|d| d.to_string()),
            received_at: t.received_at.map(|d| d.to_string()),
            note: t.closed_note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferOne {
    pub transfer: TransferDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferList {
    pub transfers: Vec<TransferDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancelledTransfer {
    pub transfer: TransferDto,
    /// A hold's next pick-list line, when another library has a free copy.
    pub rerouted: Option<TransferDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scan {
    /// The copy's barcode.
    pub barcode: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTransfer {
    /// Why (not found on the shelf, damaged...).
    pub note: Option<String>,
    /// The copy was not on its shelf: mark it missing.
    #[serde(default)]
    pub missing: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedDto {
    pub copy_id: String,
    pub barcode: String,
    /// shelf, hold_shelf or in_transit (a cancelled hold's copy sent on home).
    pub destination: String,
    pub to_library: Option<String>,
    /// The movement that ended here; null for a copy imported "in transit".
    pub transfer: Option<MovementDto>,
    /// The hold the copy now serves.
    pub hold: Option<super::holds::TrappedHold>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransferListQuery {
    /// requested, in_transit, received or cancelled.
    pub status: Option<String>,
    /// Only open movements (requested or in transit).
    pub open: Option<bool>,
    /// Code of the sending library.
    pub from: Option<String>,
    /// Code of the receiving library.
    pub to: Option<String>,
    pub reason: Option<String>,
    /// Only copies travelling longer than `[exchange] transit_overdue_days`.
    pub overdue: Option<bool>,
    /// 1 to 1000 (default 200).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PickListQuery {
    /// Code of the lending library (default: the acting library).
    pub library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PickList {
    pub library: String,
    /// What to pull from the shelves and send, by location and shelf.
    pub lines: Vec<TransferDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceDto {
    /// shelf, on_loan, in_transit or hold_shelf.
    pub code: String,
    /// The library whose shelf or hold shelf it is on, or that lent it.
    pub library: Option<String>,
    pub from_library: Option<String>,
    pub to_library: Option<String>,
    pub reason: Option<String>,
    pub hold_id: Option<String>,
    pub reader: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionDto {
    pub copy_id: String,
    pub barcode: String,
    /// The copy's status (available, on_loan, in_transit...).
    pub status: String,
    /// The owning library.
    pub home_library: String,
    /// The library whose shelf it belongs on now (home, floated, lent).
    pub shelf_library: String,
    pub place: PlaceDto,
    /// The thematic selection it is lent in.
    pub lent_in_selection: Option<String>,
    /// On a pick list: to be sent to this library.
    pub requested_to: Option<String>,
    pub movements: Vec<MovementDto>,
    pub events: Vec<ExchangeEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeEventDto {
    pub at: String,
    /// requested, dispatched, received, cancelled, rerouted, floated, selection_returned, redistributed.
    pub kind: String,
    /// Where it happened.
    pub library: String,
    pub from_library: Option<String>,
    pub to_library: Option<String>,
    pub reason: Option<String>,
    pub staff_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistanceDto {
    pub from: String,
    pub to: String,
    /// Kilometres or any cost; the nearest library with a free copy serves a hold.
    pub distance: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistanceTable {
    pub distances: Vec<DistanceDto>,
}

fn distance_table(table: Vec<Distance>) -> DistanceTable {
    DistanceTable {
        distances: table
            .into_iter()
            .map(|d| DistanceDto {
                from: d.from,
                to: d.to,
                distance: d.distance,
            })
            .collect(),
    }
}

fn reason_code(r: &TransitReason) -> String {
    r.code().to_owned()
}

fn place_dto(p: &Place, codes: &LibraryCodes) -> PlaceDto {
    let none = PlaceDto {
        code: p.code().to_owned(),
        library: None,
        from_library: None,
        to_library: None,
        reason: None,
        hold_id: None,
        reader: None,
    };
    match *p {
        Place::Shelf { at } => PlaceDto {
            library: Some(codes.code(at)),
            ..none
        },
        Place::OnLoan { from, reader } => PlaceDto {
            library: Some(codes.code(from)),
            reader: Some(reader.to_string()),
            ..none
        },
        Place::InTransit { from, to, reason } => PlaceDto {
            from_library: Some(codes.code(from)),
            to_library: Some(codes.code(to)),
            reason: Some(reason_code(&reason)),
            hold_id: match reason {
                TransitReason::Hold(h) => Some(h.to_string()),
                _ => None,
            },
            ..none
        },
        Place::HoldShelf { at, hold, reader } => PlaceDto {
            library: Some(codes.code(at)),
            hold_id: Some(hold.to_string()),
            reader: Some(reader.to_string()),
            ..none
        },
    }
}

fn position_dto(v: &PositionView, codes: &LibraryCodes) -> PositionDto {
    PositionDto {
        copy_id: v.copy.id.to_string(),
        barcode: v.copy.barcode.to_string(),
        status: v.copy.status.as_str().to_owned(),
        home_library: codes.code(v.position.home),
        shelf_library: codes.code(v.position.base),
        place: place_dto(&v.position.place, codes),
        lent_in_selection: v.position.lent.map(|l| l.selection.to_string()),
        requested_to: v.position.pending.map(|p| codes.code(p.to)),
        movements: v
            .movements
            .iter()
            .map(|t| MovementDto::new(t, codes))
            .collect(),
        events: v
            .events
            .iter()
            .map(|e| ExchangeEventDto {
                at: e.at.to_string(),
                kind: e.kind.as_str().to_owned(),
                library: codes.code(e.branch_id),
                from_library: e.from_branch_id.map(|b| codes.code(b)),
                to_library: e.to_branch_id.map(|b| codes.code(b)),
                reason: e.reason.clone(),
                staff_id: e.staff_id.map(|s| s.to_string()),
                detail: e.detail.clone(),
            })
            .collect(),
    }
}

fn received_dto(v: &ReceiveView, codes: &LibraryCodes) -> ReceivedDto {
    let (destination, to_library) = match v.destination {
        kitap_app::circulation::Returned::Shelf => ("shelf", None),
        kitap_app::circulation::Returned::HoldShelf => ("hold_shelf", None),
        kitap_app::circulation::Returned::InTransit { to } => ("in_transit", Some(codes.code(to))),
    };
    ReceivedDto {
        copy_id: v.copy.id.to_string(),
        barcode: v.copy.barcode.to_string(),
        destination: destination.to_owned(),
        to_library,
        transfer: v.transfer.as_ref().map(|t| MovementDto::new(t, codes)),
        hold: v
            .hold
            .as_ref()
            .map(|h| super::holds::TrappedHold::new(h, codes)),
    }
}

const SCAN_CONFLICTS: &str = "the copy cannot move so (code from the exchange state machine): \
in_transit, on_loan, on_hold_shelf, on_hold_for_another, not_on_loan, not_on_shelf, not_at_this_library, \
requested_for_transfer, no_request, already_requested, same_library, not_requestable, not_in_transit, \
wrong_destination, hold_mismatch, not_lent, already_lent, lent_elsewhere, selection_to_home; transfer_already_open, version_conflict";

/// Scan a copy out at the acting library: it leaves on its pick-list line
/// (librarians, the exchange department, administrators).
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = Scan,
    responses(
        (status = 200, body = TransferOne),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
        (status = 409, description = SCAN_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/transfers/dispatch")]
pub async fn dispatch(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<Scan>,
) -> Result<web::Json<TransferOne>, ApiError> {
    let barcode = body.into_inner().barcode;
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.dispatch(&staff.principal, &staff.actor, &barcode)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(TransferOne {
        transfer: TransferDto::new(&v, &LibraryCodes::new(&branches)),
    }))
}

/// Scan a copy in at the acting library: a hold's copy goes on the hold
/// shelf (the reader is notified), a selection's stays lent here, a
/// redistributed one becomes this library's; anything else is offered to
/// the hold queue, then shelved.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = Scan,
    responses(
        (status = 200, body = ReceivedDto),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
        (status = 409, description = SCAN_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/transfers/receive")]
pub async fn receive(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<Scan>,
) -> Result<web::Json<ReceivedDto>, ApiError> {
    let barcode = body.into_inner().barcode;
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.receive(&staff.principal, &staff.actor, &barcode)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(received_dto(&v, &LibraryCodes::new(&branches))))
}

/// Call off a pick-list line (the copy is not on the shelf, or the library
/// keeps it); `missing` marks the copy missing. A hold's line moves to the
/// next best copy elsewhere.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "transfer id")),
    request_body = CancelTransfer,
    responses(
        (status = 200, body = CancelledTransfer),
        (status = 404, description = "transfer_not_found", body = ErrorEnvelope),
        (status = 409, description = "transfer_not_requested, version_conflict", body = ErrorEnvelope),
    )
)]
#[post("/transfers/{id}/cancel")]
pub async fn cancel(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<CancelTransfer>,
) -> Result<web::Json<CancelledTransfer>, ApiError> {
    let id: TransferId = parse_id(&id)?;
    let b = body.into_inner();
    let ((closed, next), branches) = run(&state, move |app| {
        Ok((
            app.cancel_transfer(&staff.principal, &staff.actor, id, b.note, b.missing)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(CancelledTransfer {
        transfer: TransferDto::new(&closed, &codes),
        rerouted: next.as_ref().map(|n| TransferDto::new(n, &codes)),
    }))
}

/// The transit board: movements by status, library and reason, oldest
/// first; `overdue=true` lists copies travelling too long.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(TransferListQuery),
    responses(
        (status = 200, body = TransferList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/transfers")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<TransferListQuery>,
) -> Result<web::Json<TransferList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 200, 1000)?;
    let status: Option<TransferStatus> = q
        .status
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let reason: Option<TransferReason> = q
        .reason
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let (from, to) = (q.from, q.to);
    let (open, overdue) = (q.open.unwrap_or(false), q.overdue.unwrap_or(false));
    let (found, branches) = run(&state, move |app| {
        let from = from.map(|c| app.library_id(&c)).transpose()?;
        let to = to.map(|c| app.library_id(&c)).transpose()?;
        let query = TransferQuery {
            status,
            open,
            from,
            to,
            reason,
            overdue,
            limit: i64::from(limit),
        };
        Ok((
            app.transfers(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(TransferList {
        transfers: found.iter().map(|t| TransferDto::new(t, &codes)).collect(),
    }))
}

/// One movement.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "transfer id")),
    responses(
        (status = 200, body = TransferOne),
        (status = 404, description = "transfer_not_found", body = ErrorEnvelope),
    )
)]
#[get("/transfers/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<TransferOne>, ApiError> {
    let id: TransferId = parse_id(&id)?;
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.transfer(&staff.principal, id)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(TransferOne {
        transfer: TransferDto::new(&v, &LibraryCodes::new(&branches)),
    }))
}

/// A library's pick list: what to pull from its shelves today and send,
/// with shelf marks.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(PickListQuery),
    responses(
        (status = 200, body = PickList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/exchange/pick-list")]
pub async fn pick_list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<PickListQuery>,
) -> Result<web::Json<PickList>, ApiError> {
    let library = query.into_inner().library;
    let acting = staff.principal.acting_branch.id;
    let ((lib, lines), branches) = run(&state, move |app| {
        let lib = match library {
            Some(code) => app.library_id(&code)?,
            None => acting,
        };
        Ok((
            (lib, app.pick_list(&staff.principal, lib)?),
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(PickList {
        library: codes.code(lib),
        lines: lines.iter().map(|t| TransferDto::new(t, &codes)).collect(),
    }))
}

/// Where a copy is (exactly one place: a shelf, a reader, in transit, a
/// hold shelf), what it belongs to, and its movements and exchange events.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "copy id")),
    responses(
        (status = 200, body = PositionDto),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
    )
)]
#[get("/copies/{id}/position")]
pub async fn position(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<PositionDto>, ApiError> {
    let id: CopyId = parse_id(&id)?;
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.copy_position(&staff.principal, id)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(position_dto(&v, &LibraryCodes::new(&branches))))
}

/// The distance table between libraries, by code.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    responses((status = 200, body = DistanceTable))
)]
#[get("/exchange/distances")]
pub async fn distances(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<DistanceTable>, ApiError> {
    let table = run(&state, move |app| app.distances(&staff.principal)).await?;
    Ok(web::Json(distance_table(table)))
}

/// Replace the distance table (administrators). A pair given one way holds
/// both ways unless the other way is given too.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = DistanceTable,
    responses(
        (status = 200, body = DistanceTable),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[put("/exchange/distances")]
pub async fn set_distances(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<DistanceTable>,
) -> Result<web::Json<DistanceTable>, ApiError> {
    let rows: Vec<Distance> = body
        .into_inner()
        .distances
        .into_iter()
        .map(|d| Distance {
            from: d.from,
            to: d.to,
            distance: d.distance,
        })
        .collect();
    let table = run(&state, move |app| {
        app.set_distances(&staff.principal, &staff.actor, rows)
    })
    .await?;
    Ok(web::Json(distance_table(table)))
}

//! The circulation desk: checkout, renewal, return. The desk is the acting
//! library (X-Kitap-Library).

use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::circulation::{CheckoutRequest, LoanView, RenewRequest, ReturnView, Returned};
use kitap_domain::LoanId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanDto {
    pub id: String,
    /// Copy id.
    pub copy: String,
    pub barcode: String,
    pub record_id: String,
    pub title: String,
    /// Reader id.
    pub reader: String,
    pub card_number: String,
    /// home or reading_room.
    pub kind: String,
    pub issued_at: String,
    pub due_on: NaiveDate,
    pub renewals: i32,
    /// Code of the issuing library.
    pub library: String,
    pub returned_at: Option<String>,
    /// Refusal codes overridden by this action.
    pub overridden: Vec<String>,
    pub version: i64,
}

impl LoanDto {
    fn new(v: &LoanView, codes: &LibraryCodes) -> Self {
        LoanDto {
            id: v.loan.id.to_string(),
            copy: v.loan.copy_id.to_string(),
            barcode: v.barcode.to_string(),
            record_id: v.record_id.to_string(),
            title: v.title.clone(),
            reader: v.loan.reader_id.to_string(),
            card_number: v.card_number.clone(),
            kind: v.loan.kind.as_str().to_owned(),
            issued_at: v.loan.issued_at.to_string(),
            due_on: v.loan.due_on,
            renewals: v.loan.renewals,
            library: codes.code(v.loan.branch_id),
            returned_at: v.loan.returned_at.map(|t| t.to_string()),
            overridden: v.overridden.iter().map(|c| (*c).to_owned()).collect(),
            version: v.loan.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanOne {
    pub loan: LoanDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLoan {
    /// Reader id or card number.
    pub reader: String,
    pub item_barcode: String,
    /// home (default) or reading_room (due today).
    pub kind: Option<String>,
    /// Refusal codes to override (administrators and managers only).
    #[serde(default, rename = "override")]
    pub overrides: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewLoan {
    /// Refusal codes to override (administrators and managers only).
    #[serde(default, rename = "override")]
    pub overrides: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewByBarcode {
    pub item_barcode: String,
    #[serde(default, rename = "override")]
    pub overrides: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    pub item_barcode: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnDto {
    /// The closed loan; null when a copy in transit was received home.
    pub loan: Option<ReturnedLoan>,
    pub overdue_days: u32,
    /// In tiyn, recorded on the loan; 0 when fines are off (the default) or
    /// the rule has no fine.
    pub fine_minor: i64,
    /// The copy had been marked lost and is back after all.
    pub was_lost: bool,
    /// `lost_copy` blocks lifted by this return (nothing else lost).
    pub lost_blocks_lifted: u32,
    /// What an amnesty campaign cleared; null outside a campaign.
    pub amnesty: Option<AmnestyDto>,
    /// shelf, hold_shelf or in_transit.
    pub destination: String,
    /// Where an in-transit copy goes (its home library, or a hold's pickup library).
    pub to_library: Option<String>,
    /// The hold the copy was trapped for (destination hold_shelf, or
    /// in_transit to its pickup library).
    pub hold: Option<super::holds::TrappedHold>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AmnestyDto {
    pub campaign_id: String,
    /// In tiyn: the fine of this return, not charged.
    pub fine_waived_minor: i64,
    /// Overdue blocks lifted (nothing else overdue).
    pub blocks_lifted: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnedLoan {
    pub id: String,
    pub copy: String,
    pub reader: String,
    pub kind: String,
    pub issued_at: String,
    pub due_on: NaiveDate,
    pub returned_at: Option<String>,
    /// Code of the library it was returned at.
    pub return_library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnOne {
    #[serde(rename = "return")]
    pub returned: ReturnDto,
}

const REFUSALS: &str = "a refusal: code = reader_not_active, registration_expired, reader_blocked, reader_has_overdue, \
copy_not_available, copy_on_hold_for_other, copy_reading_room_only, rule_forbids_home_loan, loan_limit_reached, \
no_open_day (details: overridable, message_ru, message_kk, refusals)";

async fn loan_one<F>(state: &web::Data<ApiState>, work: F) -> Result<LoanOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<LoanView, kitap_app::AppError> + Send + 'static,
{
    let (loan, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(LoanOne {
        loan: LoanDto::new(&loan, &LibraryCodes::new(&branches)),
    })
}

/// Check a copy out to a reader at the acting library (librarians,
/// administrators). A refusal answers 409 with the refusal's code; only
/// administrators and managers may pass `override`.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    request_body = NewLoan,
    responses(
        (status = 201, body = LoanOne),
        (status = 403, description = "override_denied", body = ErrorEnvelope),
        (status = 404, description = "reader_not_found, copy_not_found", body = ErrorEnvelope),
        (status = 409, description = REFUSALS, body = ErrorEnvelope),
    )
)]
#[post("/loans")]
pub async fn checkout(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewLoan>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let req = CheckoutRequest {
        reader: b.reader,
        item_barcode: b.item_barcode,
        kind: b.kind,
        overrides: b.overrides,
    };
    let loan = loan_one(&state, move |app| {
        app.checkout(&staff.principal, &staff.actor, req)
    })
    .await?;
    Ok(HttpResponse::Created().json(loan))
}

const RENEWAL_REFUSALS: &str = "not_on_loan, version_conflict, or a refusal: code = loan_is_reading_room, reader_not_active, \
reader_blocked, reader_has_overdue, renewal_limit_reached, title_on_hold, no_open_day (details: overridable, message_ru, message_kk, refusals)";

/// Renew a loan at the desk.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan id")),
    request_body = RenewLoan,
    responses(
        (status = 200, body = LoanOne),
        (status = 403, description = "override_denied", body = ErrorEnvelope),
        (status = 404, description = "loan_not_found", body = ErrorEnvelope),
        (status = 409, description = RENEWAL_REFUSALS, body = ErrorEnvelope),
    )
)]
#[post("/loans/{id}/renew")]
pub async fn renew(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<RenewLoan>,
) -> Result<web::Json<LoanOne>, ApiError> {
    let id: LoanId = parse_id(&id)?;
    let req = RenewRequest {
        loan: Some(id),
        item_barcode: None,
        overrides: body.into_inner().overrides,
    };
    Ok(web::Json(
        loan_one(&state, move |app| {
            app.renew(&staff.principal, &staff.actor, req)
        })
        .await?,
    ))
}

/// Renew the open loan of a scanned copy.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    request_body = RenewByBarcode,
    responses(
        (status = 200, body = LoanOne),
        (status = 403, description = "override_denied", body = ErrorEnvelope),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
        (status = 409, description = RENEWAL_REFUSALS, body = ErrorEnvelope),
    )
)]
#[post("/renewals")]
pub async fn renew_by_barcode(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<RenewByBarcode>,
) -> Result<web::Json<LoanOne>, ApiError> {
    let b = body.into_inner();
    let req = RenewRequest {
        loan: None,
        item_barcode: Some(b.item_barcode),
        overrides: b.overrides,
    };
    Ok(web::Json(
        loan_one(&state, move |app| {
            app.renew(&staff.principal, &staff.actor, req)
        })
        .await?,
    ))
}

/// Take a copy back at the acting library: to a waiting hold (onto the hold
/// shelf here, or in transit to its pickup library), else back on the shelf
/// at its home library, else in transit home. A copy in transit scanned at
/// its home library, or at the pickup library of its hold, is received (no
/// loan).
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    request_body = ReturnBody,
    responses(
        (status = 200, body = ReturnOne),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
        (status = 409, description = "not_on_loan", body = ErrorEnvelope),
    )
)]
#[post("/returns")]
pub async fn return_copy(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<ReturnBody>,
) -> Result<web::Json<ReturnOne>, ApiError> {
    let barcode = body.into_inner().item_barcode;
    let (view, branches): (ReturnView, _) = run(&state, move |app| {
        Ok((
            app.return_copy(&staff.principal, &staff.actor, &barcode)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let (destination, to_library) = match view.destination {
        Returned::Shelf => ("shelf", None),
        Returned::InTransit { to } => ("in_transit", Some(codes.code(to))),
        Returned::HoldShelf => ("hold_shelf", None),
    };
    let hold = view
        .hold
        .as_ref()
        .map(|h| super::holds::TrappedHold::new(h, &codes));
    let loan = view.loan.as_ref().map(|l| ReturnedLoan {
        id: l.id.to_string(),
        copy: l.copy_id.to_string(),
        reader: l.reader_id.to_string(),
        kind: l.kind.as_str().to_owned(),
        issued_at: l.issued_at.to_string(),
        due_on: l.due_on,
        returned_at: l.returned_at.map(|t| t.to_string()),
        return_library: l.return_branch_id.map(|b| codes.code(b)),
    });
    Ok(web::Json(ReturnOne {
        returned: ReturnDto {
            loan,
            overdue_days: view.overdue_days,
            fine_minor: view.fine_minor,
            was_lost: view.was_lost,
            lost_blocks_lifted: view.lost_blocks_lifted,
            amnesty: view.amnesty.campaign.map(|c| AmnestyDto {
                campaign_id: c.to_string(),
                fine_waived_minor: view.amnesty.fine_waived_minor,
                blocks_lifted: view.amnesty.blocks_lifted,
            }),
            destination: destination.to_owned(),
            to_library,
            hold,
        },
    }))
}

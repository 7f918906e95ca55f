//! Lost copies and fines at the desk: mark a loan's copy lost, resolve the
//! loss with a replacement copy, waive a fine.

use actix_web::{post, web};
use kitap_app::circulation::{
    FineWaiver, LostView, ReplacementRequest, ReplacementView, StoredLoan,
};
use kitap_domain::{LoanId, RecordId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::copies::CopyDto;
use super::readers_dto::BlockDto;
use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LostLoanDto {
    pub id: String,
    pub reader: String,
    pub due_on: chrono::NaiveDate,
    pub lost_at: Option<String>,
    pub returned_at: Option<String>,
    /// Code of the library it was returned at (or resolved at).
    pub return_library: Option<String>,
    pub version: i64,
}

impl LostLoanDto {
    fn new(l: &StoredLoan, codes: &LibraryCodes) -> Self {
        LostLoanDto {
            id: l.id.to_string(),
            reader: l.reader_id.to_string(),
            due_on: l.due_on,
            lost_at: l.lost_at.map(|t| t.to_string()),
            returned_at: l.returned_at.map(|t| t.to_string()),
            return_library: l.return_branch_id.map(|b| codes.code(b)),
            version: l.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LostOne {
    pub loan: LostLoanDto,
    /// The copy, now `lost`.
    pub copy: CopyDto,
    /// The `lost_copy` block naming the copy.
    pub block: BlockDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceBody {
    /// The barcode the replacement copy gets.
    pub barcode: String,
    /// An equivalent edition's record; the lost copy's record when absent.
    pub record_id: Option<String>,
    /// Generated when absent.
    pub inventory_number: Option<String>,
    /// In tiyn.
    pub price_minor: Option<i64>,
    /// The lost copy's when absent and it belonged to this library.
    pub shelf: Option<String>,
    pub location: Option<String>,
    pub material_type: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplacementOne {
    /// The loan, closed.
    pub loan: LostLoanDto,
    /// The lost copy, written off (`withdrawn`).
    pub lost_copy: CopyDto,
    /// The copy the reader brought, accessioned as `replacement`.
    pub new_copy: CopyDto,
    /// Number of the accession act of the new copy.
    pub accession_act: String,
    /// Number of the write-off act (`lost_by_reader`) of the lost copy.
    pub write_off_act: String,
    /// `lost_copy` blocks lifted (none while other lost loans remain).
    pub blocks_lifted: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiveBody {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaiverDto {
    pub loan_id: String,
    pub amount_minor: i64,
    pub waived_at: String,
    pub reason: String,
    /// The amnesty campaign that waived it, if one did.
    pub campaign_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaiverOne {
    pub waiver: WaiverDto,
}

impl From<&FineWaiver> for WaiverDto {
    fn from(w: &FineWaiver) -> Self {
        WaiverDto {
            loan_id: w.loan_id.to_string(),
            amount_minor: w.amount_minor,
            waived_at: w.waived_at.to_string(),
            reason: w.reason.clone(),
            campaign_id: w.campaign_id.map(|c| c.to_string()),
        }
    }
}

/// Mark the copy of an open loan lost (librarians, administrators; the
/// acting library records it). The loan stays open as the reader's debt
/// until a replacement is brought or the copy is found and returned; the
/// reader gets a `lost_copy` block naming the copy.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan id")),
    responses(
        (status = 200, body = LostOne),
        (status = 404, description = "loan_not_found", body = ErrorEnvelope),
        (status = 409, description = "loan_not_open, loan_already_lost", body = ErrorEnvelope),
    )
)]
#[post("/loans/{id}/lost")]
pub async fn mark_lost(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<LostOne>, ApiError> {
    let id: LoanId = parse_id(&id)?;
    let (view, branches): (LostView, _) = run(&state, move |app| {
        Ok((
            app.mark_lost(&staff.principal, &staff.actor, id)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(LostOne {
        loan: LostLoanDto::new(&view.loan, &codes),
        copy: CopyDto::new(&view.copy, &codes),
        block: BlockDto::from(&view.block),
    }))
}

/// Resolve a lost loan with the book the reader brought (the same title, or
/// an equivalent edition named by `record_id`), in one transaction: the new
/// copy is accessioned at the acting library (source `replacement`, linked
/// to the lost copy), the lost copy is written off (`lost_by_reader`) at its
/// library, the loan is closed, and the `lost_copy` blocks are lifted when
/// the reader has nothing else lost.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan id")),
    request_body = ReplaceBody,
    responses(
        (status = 200, body = ReplacementOne),
        (status = 404, description = "loan_not_found, record_not_found", body = ErrorEnvelope),
        (status = 409, description = "loan_not_open, loan_not_lost, barcode_taken, inventory_number_taken, record_withdrawn", body = ErrorEnvelope),
    )
)]
#[post("/loans/{id}/replace")]
pub async fn replace(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<ReplaceBody>,
) -> Result<web::Json<ReplacementOne>, ApiError> {
    let id: LoanId = parse_id(&id)?;
    let b = body.into_inner();
    let record_id: Option<RecordId> = b
        .record_id
        .as_deref()
        .map(|raw| raw.parse::<RecordId>())
        .transpose()
        .map_err(kitap_app::AppError::from)?;
    let req = ReplacementRequest {
        barcode: b.barcode,
        record_id,
        inventory_number: b.inventory_number,
        price_minor: b.price_minor,
        shelf: b.shelf,
        location: b.location,
        material_type: b.material_type,
        note: b.note,
    };
    let (view, branches): (ReplacementView, _) = run(&state, move |app| {
        Ok((
            app.replace_lost(&staff.principal, &staff.actor, id, req)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(ReplacementOne {
        loan: LostLoanDto::new(&view.loan, &codes),
        lost_copy: CopyDto::new(&view.lost_copy, &codes),
        new_copy: CopyDto::new(&view.new_copy, &codes),
        accession_act: view.accession_act,
        write_off_act: view.write_off_act,
        blocks_lifted: view.blocks_lifted,
    }))
}

/// Waive the fine recorded on a returned loan (administrators, managers),
/// with a reason; audited. Kitap records fines but processes no payments.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan id")),
    request_body = WaiveBody,
    responses(
        (status = 200, body = WaiverOne),
        (status = 404, description = "loan_not_found", body = ErrorEnvelope),
        (status = 409, description = "no_fine, fine_already_waived", body = ErrorEnvelope),
    )
)]
#[post("/loans/{id}/waive-fine")]
pub async fn waive_fine(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<WaiveBody>,
) -> Result<web::Json<WaiverOne>, ApiError> {
    let id: LoanId = parse_id(&id)?;
    let reason = body.into_inner().reason;
    let waiver = run(&state, move |app| {
        app.waive_fine(&staff.principal, &staff.actor, id, &reason)
    })
    .await?;
    Ok(web::Json(WaiverOne {
        waiver: WaiverDto::from(&waiver),
    }))
}

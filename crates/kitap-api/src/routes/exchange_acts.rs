//! Redistribution: transfer acts that give copies for good to another
//! library (made at the giving library, carried by the usual dispatch and
//! receive scans), and their export as CSV or XLSX.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::exchange::{NewTransferAct, StoredTransferAct, TransferActLine, TransferActView};
use kitap_domain::{CopyId, TransferActId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::acts::{download, export_format};
use super::acts_dto::{ExportQuery, XlsxFile};
use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTransferAct {
    /// Code of the receiving library: the copies' new home.
    pub to_library: String,
    /// The act's date (default: today).
    pub date: Option<NaiveDate>,
    /// The copies by id ...
    #[serde(default)]
    pub copy_ids: Vec<String>,
    /// ... and/or by barcode.
    #[serde(default)]
    pub barcodes: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferActDto {
    pub id: String,
    /// "ТА-2026/0001": one series per year for the whole system.
    pub number: String,
    pub date: NaiveDate,
    /// The giving library.
    pub from_library: String,
    /// The receiving library.
    pub to_library: String,
    pub note: Option<String>,
    pub copy_count: i32,
    /// The sum of the lines' known prices, in tiyn.
    pub total_minor: i64,
    pub created_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferActLineDto {
    pub copy_id: String,
    pub barcode: String,
    pub inventory_number: String,
    pub title: String,
    pub price_minor: Option<i64>,
    /// The copy's owner now (the receiving library once received).
    pub home_library: String,
    /// requested (on the giving library's pick list), in_transit, received,
    /// cancelled; given (it already stood at the receiving library and was
    /// given at once).
    pub movement_status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferActOne {
    pub act: TransferActDto,
    pub lines: Vec<TransferActLineDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferActList {
    pub acts: Vec<TransferActDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransferActQuery {
    /// Code of the giving library.
    pub from: Option<String>,
    /// Code of the receiving library.
    pub to: Option<String>,
    /// 1 to 1000 (default 200).
    pub limit: Option<u32>,
}

fn act_dto(a: &StoredTransferAct, codes: &LibraryCodes) -> TransferActDto {
    TransferActDto {
        id: a.id.to_string(),
        number: a.number.clone(),
        date: a.act_date,
        from_library: codes.code(a.from_branch_id),
        to_library: codes.code(a.to_branch_id),
        note: a.note.clone(),
        copy_count: a.copy_count,
        total_minor: a.total_minor,
        created_by: a.created_by.map(|s| s.to_string()),
        created_at: a.created_at.to_string(),
    }
}

fn line_dto(l: &TransferActLine, codes: &LibraryCodes) -> TransferActLineDto {
    let status = match &l.movement {
        Some(t) => t.status.as_str(),
        None => "given",
    };
    TransferActLineDto {
        copy_id: l.copy.id.to_string(),
        barcode: l.copy.barcode.to_string(),
        inventory_number: l.copy.inventory_number.to_string(),
        title: l.title.clone(),
        price_minor: l.price.map(|p| p.minor()),
        home_library: codes.code(l.copy.branch_id),
        movement_status: status.to_owned(),
    }
}

fn one(v: &TransferActView, codes: &LibraryCodes) -> TransferActOne {
    TransferActOne {
        act: act_dto(&v.act, codes),
        lines: v.lines.iter().map(|l| line_dto(l, codes)).collect(),
    }
}

/// Make a transfer act at the acting (giving) library (the exchange
/// department, administrators): its copies go on this library's pick list
/// for the receiving library with reason `redistribution`; receipt there
/// makes it their home. All or nothing: a copy that cannot be given
/// refuses the act, its inventory number named.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = CreateTransferAct,
    responses(
        (status = 201, body = TransferActOne),
        (status = 404, description = "copy_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = "copy_in_other_library, copy_not_available, on_loan, in_transit, on_hold_shelf, requested_for_transfer, lent_elsewhere, transfer_already_open", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/transfer-acts")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<CreateTransferAct>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let copy_ids = b
        .copy_ids
        .iter()
        .map(|raw| raw.parse::<CopyId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(kitap_app::AppError::from)?;
    let new = NewTransferAct {
        to_library: b.to_library,
        date: b.date,
        copy_ids,
        barcodes: b.barcodes,
        note: b.note,
    };
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.create_transfer_act(&staff.principal, &staff.actor, new)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(HttpResponse::Created().json(one(&v, &LibraryCodes::new(&branches))))
}

/// Transfer acts, newest first, by giving and/or receiving library.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(TransferActQuery),
    responses(
        (status = 200, body = TransferActList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/transfer-acts")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<TransferActQuery>,
) -> Result<web::Json<TransferActList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 200, 1000)?;
    let (from, to) = (q.from, q.to);
    let (acts, branches) = run(&state, move |app| {
        let from = from.map(|c| app.library_id(&c)).transpose()?;
        let to = to.map(|c| app.library_id(&c)).transpose()?;
        Ok((
            app.transfer_acts(&staff.principal, from, to, i64::from(limit))?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(TransferActList {
        acts: acts.iter().map(|a| act_dto(a, &codes)).collect(),
    }))
}

/// One transfer act: its lines with barcode, inventory number, title,
/// price and where each copy's movement stands.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id")),
    responses(
        (status = 200, body = TransferActOne),
        (status = 404, description = "transfer_act_not_found", body = ErrorEnvelope),
    )
)]
#[get("/transfer-acts/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<TransferActOne>, ApiError> {
    let id: TransferActId = parse_id(&id)?;
    let (v, branches) = run(&state, move |app| {
        Ok((
            app.transfer_act(&staff.principal, id)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(one(&v, &LibraryCodes::new(&branches))))
}

/// A transfer act as a file: number, date, giving and receiving library,
/// one line per copy, the total.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id"), ExportQuery),
    responses(
        (status = 200, description = "the act as CSV or XLSX", content(
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "transfer_act_not_found", body = ErrorEnvelope),
    )
)]
#[get("/transfer-acts/{id}/export")]
pub async fn export(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id: TransferActId = parse_id(&id)?;
    let format = export_format(&query)?;
    let file = run(&state, move |app| {
        app.export_transfer_act(&staff.principal, id, format)
    })
    .await?;
    Ok(download(file))
}

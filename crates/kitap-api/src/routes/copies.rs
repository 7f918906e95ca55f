//! Copies (items) of records: bulk add, read, find by barcode, list, change.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::catalog::{CopyPatch, CopyQuery, NewCopies, StoredCopy};
use kitap_domain::{Barcode, CopyId, Money, RecordId};
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
pub struct CopyDto {
    pub id: String,
    pub record_id: String,
    /// Code of the library holding the copy.
    #[schema(example = "F07")]
    pub library: String,
    /// Unique in the system.
    #[schema(example = "F07-000123")]
    pub inventory_number: String,
    /// Unique in the system; generated ones are EAN-13.
    #[schema(example = "2000000001234")]
    pub barcode: String,
    /// Department or place in the library.
    pub location: Option<String>,
    /// Shelving code.
    pub shelf: Option<String>,
    #[schema(example = "book")]
    pub material_type: String,
    /// available, on_loan, in_transit, reading_room_only, lost, withdrawn, in_repair, missing.
    #[schema(example = "available")]
    pub status: String,
    /// In tiyn (1/100 tenge).
    pub price_minor: Option<i64>,
    pub acquired_on: Option<NaiveDate>,
    /// budget, state_order, gift, replacement, exchange or other.
    pub acquisition_source: Option<String>,
    pub supplier: Option<String>,
    pub accession_act_id: Option<String>,
    /// Set when the copy was written off (status withdrawn).
    pub write_off_act_id: Option<String>,
    /// The record is in Kazakh (follows the record).
    pub kazakh: bool,
    pub note: Option<String>,
    /// Send it back with a change.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl CopyDto {
    pub fn new(c: &StoredCopy, codes: &LibraryCodes) -> Self {
        CopyDto {
            id: c.id.to_string(),
            record_id: c.record_id.to_string(),
            library: codes.code(c.branch_id),
            inventory_number: c.inventory_number.to_string(),
            barcode: c.barcode.to_string(),
            location: c.location.clone(),
            shelf: c.shelf.clone(),
            material_type: c.material_type.clone(),
            status: c.status.as_str().to_owned(),
            price_minor: c.price.map(Money::minor),
            acquired_on: c.acquired_on,
            acquisition_source: c.acquisition_source.map(|s| s.as_str().to_owned()),
            supplier: c.supplier.clone(),
            accession_act_id: c.accession_act_id.map(|id| id.to_string()),
            write_off_act_id: c.write_off_act_id.map(|id| id.to_string()),
            kazakh: c.kazakh,
            note: c.note.clone(),
            version: c.version,
            created_at: c.created_at.to_string(),
            updated_at: c.updated_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CopyOne {
    pub copy: CopyDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CopyList {
    pub copies: Vec<CopyDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCopies {
    /// Library code; the library acted for (X-Kitap-Library) when absent.
    #[schema(example = "F07")]
    pub library: Option<String>,
    /// How many copies, 1 to 1000 (default: as many as numbers given, else 1).
    pub count: Option<u32>,
    /// One per copy; generated (`<library>-<nnnnnn>`) when absent.
    #[serde(default)]
    pub inventory_numbers: Vec<String>,
    /// One per copy; generated as EAN-13 when absent.
    #[serde(default)]
    pub barcodes: Vec<String>,
    pub location: Option<String>,
    pub shelf: Option<String>,
    /// Default book.
    pub material_type: Option<String>,
    /// Default available; on_loan and withdrawn are not allowed here.
    pub status: Option<String>,
    /// Price of each copy in tiyn (1/100 tenge).
    pub price_minor: Option<i64>,
    pub acquired_on: Option<NaiveDate>,
    /// budget, state_order, gift, replacement, exchange or other.
    pub source: Option<String>,
    pub supplier: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCopy {
    /// The version read; a copy changed since answers version_conflict.
    pub version: i64,
    /// An empty string clears it (also shelf and note).
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: Option<String>,
    /// Any status but on_loan (loans) and withdrawn (write-off acts).
    pub status: Option<String>,
    pub price_minor: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Library code.
    pub library: Option<String>,
    /// Record id.
    pub record: Option<String>,
    pub status: Option<String>,
    /// Exact inventory number.
    pub inventory_number: Option<String>,
    /// Exact barcode.
    pub barcode: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RecordCopiesQuery {
    pub library: Option<String>,
    pub status: Option<String>,
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

fn query_id<T: std::str::FromStr>(name: &str, raw: Option<&str>) -> Result<Option<T>, ApiError> {
    raw.map(|r| {
        r.parse::<T>().map_err(|_| {
            ApiError::bad_request("invalid_query_parameter", format!("{name} must be an id"))
        })
    })
    .transpose()
}

async fn page(
    state: &web::Data<ApiState>,
    staff: Staff,
    query: CopyQuery,
) -> Result<CopyList, ApiError> {
    let limit = query.limit as usize;
    let (copies, branches) = run(state, move |app| {
        Ok((
            app.list_copies(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let next = (copies.len() == limit)
        .then(|| copies.last().map(|c| c.id.to_string()))
        .flatten();
    Ok(CopyList {
        copies: copies.iter().map(|c| CopyDto::new(c, &codes)).collect(),
        next,
    })
}

/// Runs `work` and shows the copy it returns with its library's code.
async fn one<F>(state: &web::Data<ApiState>, work: F) -> Result<web::Json<CopyOne>, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<StoredCopy, kitap_app::AppError> + Send + 'static,
{
    let (copy, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(web::Json(CopyOne {
        copy: CopyDto::new(&copy, &LibraryCodes::new(&branches)),
    }))
}

/// Copies of a record, in the order they were added.
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id"), RecordCopiesQuery),
    responses((status = 200, body = CopyList), (status = 400, body = ErrorEnvelope))
)]
#[get("/records/{id}/copies")]
pub async fn list_for_record(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<RecordCopiesQuery>,
) -> Result<web::Json<CopyList>, ApiError> {
    let record: RecordId = parse_id(&id)?;
    let q = query.into_inner();
    let query = CopyQuery {
        library: q.library,
        record_id: Some(record),
        status: q.status,
        after: query_id("after", q.after.as_deref())?,
        limit: page_limit(q.limit, 100, 500)?,
        ..CopyQuery::default()
    };
    Ok(web::Json(page(&state, staff, query).await?))
}

/// Add one copy or many (`count`) of a record to a library (catalogers, for
/// a library they may act for). Missing inventory numbers and barcodes are generated.
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id")),
    request_body = AddCopies,
    responses(
        (status = 201, body = CopyList),
        (status = 404, description = "record_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = "inventory_number_taken, barcode_taken, record_withdrawn, library_inactive", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/records/{id}/copies")]
pub async fn add(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<AddCopies>,
) -> Result<HttpResponse, ApiError> {
    let record: RecordId = parse_id(&id)?;
    let b = body.into_inner();
    let new = NewCopies {
        library: b.library,
        count: b.count,
        inventory_numbers: b.inventory_numbers,
        barcodes: b.barcodes,
        location: b.location,
        shelf: b.shelf,
        material_type: b.material_type,
        status: b.status,
        price_minor: b.price_minor,
        acquired_on: b.acquired_on,
        source: b.source,
        supplier: b.supplier,
        note: b.note,
    };
    let (copies, branches) = run(&state, move |app| {
        let copies = app.add_copies(&staff.principal, &staff.actor, record, new)?;
        Ok((copies, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(HttpResponse::Created().json(CopyList {
        copies: copies.iter().map(|c| CopyDto::new(c, &codes)).collect(),
        next: None,
    }))
}

/// Copies of all records, filtered by library, record, status, number.
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = CopyList), (status = 400, body = ErrorEnvelope))
)]
#[get("/copies")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<CopyList>, ApiError> {
    let q = query.into_inner();
    let query = CopyQuery {
        library: q.library,
        record_id: query_id("record", q.record.as_deref())?,
        status: q.status,
        inventory_number: q.inventory_number,
        barcode: q.barcode,
        after: query_id("after", q.after.as_deref())?,
        limit: page_limit(q.limit, 100, 500)?,
    };
    Ok(web::Json(page(&state, staff, query).await?))
}

/// The copy a scanner read.
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(("barcode" = String, Path, description = "barcode as scanned")),
    responses((status = 200, body = CopyOne), (status = 404, description = "copy_not_found", body = ErrorEnvelope))
)]
#[get("/copies/by-barcode/{barcode}")]
pub async fn by_barcode(
    state: web::Data<ApiState>,
    staff: Staff,
    barcode: web::Path<String>,
) -> Result<web::Json<CopyOne>, ApiError> {
    let barcode: Barcode = parse_id(&barcode)?;
    one(&state, move |app| {
        app.copy_by_barcode(&staff.principal, barcode.as_str())
    })
    .await
}

/// One copy; a written-off one too (status withdrawn, with its act).
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "copy id")),
    responses((status = 200, body = CopyOne), (status = 404, description = "copy_not_found", body = ErrorEnvelope))
)]
#[get("/copies/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<CopyOne>, ApiError> {
    let id: CopyId = parse_id(&id)?;
    one(&state, move |app| app.copy(&staff.principal, id)).await
}

/// Change a copy's location, shelf, material type, status, price or note
/// (catalogers of its library). `version` must be the current one.
#[utoipa::path(
    tag = "copies",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "copy id")),
    request_body = UpdateCopy,
    responses(
        (status = 200, body = CopyOne),
        (status = 404, description = "copy_not_found", body = ErrorEnvelope),
        (status = 409, description = "version_conflict (details.current_version), copy_on_loan, copy_withdrawn", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[patch("/copies/{id}")]
pub async fn update(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<UpdateCopy>,
) -> Result<web::Json<CopyOne>, ApiError> {
    let id: CopyId = parse_id(&id)?;
    let b = body.into_inner();
    let patch = CopyPatch {
        location: b.location,
        shelf: b.shelf,
        material_type: b.material_type,
        status: b.status,
        price_minor: b.price_minor,
        note: b.note,
    };
    one(&state, move |app| {
        app.update_copy(&staff.principal, &staff.actor, id, b.version, patch)
    })
    .await
}

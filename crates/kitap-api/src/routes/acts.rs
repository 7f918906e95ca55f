//! Accession and write-off acts: create, read, list, download as CSV or XLSX.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, post, web, HttpResponse};
use kitap_app::catalog::{
    ActFile, ActNewCopies, ActQuery, ExportFormat, NewAccessionAct, NewCopies, NewWriteOffAct,
};
use kitap_domain::{AccessionActId, CopyId, RecordId, WriteOffActId};

use super::acts_dto::{
    accession_dto, page, with_lines, write_off_dto, ActList, ActOne, CreateAccessionAct,
    CreateWriteOffAct, ExportQuery, ListQuery, XlsxFile,
};
use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

fn invalid(err: kitap_domain::ValueError) -> ApiError {
    ApiError::from(kitap_app::AppError::from(err))
}

fn ids<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: &[String],
) -> Result<Vec<T>, ApiError> {
    raw.iter()
        .map(|r| r.parse::<T>().map_err(invalid))
        .collect()
}

fn act_query(q: ListQuery) -> Result<(ActQuery, usize), ApiError> {
    let limit = page_limit(q.limit, 100, 500)?;
    let query = ActQuery {
        library: q.library,
        from: q.from,
        to: q.to,
        after: q.after,
        limit,
    };
    Ok((query, limit as usize))
}

pub(crate) fn download(file: ActFile) -> HttpResponse {
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: file.file_name.into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(disposition)
        .body(file.bytes)
}

pub(crate) fn export_format(q: &ExportQuery) -> Result<ExportFormat, ApiError> {
    let format = q
        .format
        .as_deref()
        .unwrap_or("csv")
        .parse()
        .map_err(kitap_app::AppError::from)?;
    Ok(format)
}

/// Make an accession act (catalogers): its copies, existing and new, enter the fund.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    request_body = CreateAccessionAct,
    responses(
        (status = 201, body = ActOne),
        (status = 404, description = "copy_not_found, record_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = "copy_already_accessioned, copy_in_other_library, copy_withdrawn, copy_changed, inventory_number_taken, barcode_taken, record_withdrawn, library_inactive", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/accession-acts")]
pub async fn create_accession(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<CreateAccessionAct>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut new_copies = Vec::with_capacity(b.new_copies.len());
    for group in b.new_copies {
        let record_id: RecordId = group.record_id.parse().map_err(invalid)?;
        let copies = NewCopies {
            count: group.count,
            inventory_numbers: group.inventory_numbers,
            barcodes: group.barcodes,
            location: group.location,
            shelf: group.shelf,
            material_type: group.material_type,
            status: group.status,
            price_minor: group.price_minor,
            note: group.note,
            ..NewCopies::default()
        };
        new_copies.push(ActNewCopies { record_id, copies });
    }
    let new = NewAccessionAct {
        library: b.library,
        date: b.date,
        source: b.source,
        supplier: b.supplier,
        document_ref: b.document_ref,
        note: b.note,
        copy_ids: ids::<CopyId>(&b.copy_ids)?,
        new_copies,
    };
    let details = run(&state, move |app| {
        app.create_accession_act(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(with_lines(&details, accession_dto)))
}

/// Accession acts, oldest first, by library and date.
#[utoipa::path(tag = "acts", security(("bearer" = [])), params(ListQuery), responses((status = 200, body = ActList)))]
#[get("/accession-acts")]
pub async fn list_accession(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<ActList>, ApiError> {
    let (query, limit) = act_query(query.into_inner())?;
    let (acts, branches) = run(&state, move |app| {
        Ok((
            app.list_accession_acts(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let dtos = acts
        .iter()
        .map(|a| accession_dto(a, codes.code(a.header.branch_id)))
        .collect();
    Ok(web::Json(page(dtos, limit)))
}

/// One accession act with its lines.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id")),
    responses((status = 200, body = ActOne), (status = 404, description = "act_not_found", body = ErrorEnvelope))
)]
#[get("/accession-acts/{id}")]
pub async fn get_accession(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ActOne>, ApiError> {
    let id: AccessionActId = parse_id(&id)?;
    let details = run(&state, move |app| app.accession_act(&staff.principal, id)).await?;
    Ok(web::Json(with_lines(&details, accession_dto)))
}

/// An accession act as a file: header lines, one line per copy, totals.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id"), ExportQuery),
    responses(
        (status = 200, description = "the act as CSV or XLSX", content(
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "act_not_found", body = ErrorEnvelope),
    )
)]
#[get("/accession-acts/{id}/export")]
pub async fn export_accession(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id: AccessionActId = parse_id(&id)?;
    let format = export_format(&query)?;
    let file = run(&state, move |app| {
        app.export_accession_act(&staff.principal, id, format)
    })
    .await?;
    Ok(download(file))
}

/// Make a write-off act (catalogers): its copies are withdrawn, and stay
/// readable with the act as their history.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    request_body = CreateWriteOffAct,
    responses(
        (status = 201, body = ActOne),
        (status = 404, description = "copy_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = "copy_on_loan, copy_in_transit, copy_withdrawn, copy_in_other_library, copy_changed, library_inactive", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/write-off-acts")]
pub async fn create_write_off(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<CreateWriteOffAct>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewWriteOffAct {
        library: b.library,
        date: b.date,
        reason: b.reason,
        note: b.note,
        copy_ids: ids::<CopyId>(&b.copy_ids)?,
    };
    let details = run(&state, move |app| {
        app.create_write_off_act(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(with_lines(&details, write_off_dto)))
}

/// Write-off acts, oldest first, by library and date.
#[utoipa::path(tag = "acts", security(("bearer" = [])), params(ListQuery), responses((status = 200, body = ActList)))]
#[get("/write-off-acts")]
pub async fn list_write_off(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<ActList>, ApiError> {
    let (query, limit) = act_query(query.into_inner())?;
    let (acts, branches) = run(&state, move |app| {
        Ok((
            app.list_write_off_acts(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let dtos = acts
        .iter()
        .map(|a| write_off_dto(a, codes.code(a.header.branch_id)))
        .collect();
    Ok(web::Json(page(dtos, limit)))
}

/// One write-off act with its lines.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id")),
    responses((status = 200, body = ActOne), (status = 404, description = "act_not_found", body = ErrorEnvelope))
)]
#[get("/write-off-acts/{id}")]
pub async fn get_write_off(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ActOne>, ApiError> {
    let id: WriteOffActId = parse_id(&id)?;
    let details = run(&state, move |app| app.write_off_act(&staff.principal, id)).await?;
    Ok(web::Json(with_lines(&details, write_off_dto)))
}

/// A write-off act as a file: header lines, one line per copy, totals.
#[utoipa::path(
    tag = "acts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "act id"), ExportQuery),
    responses(
        (status = 200, description = "the act as CSV or XLSX", content(
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "act_not_found", body = ErrorEnvelope),
    )
)]
#[get("/write-off-acts/{id}/export")]
pub async fn export_write_off(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id: WriteOffActId = parse_id(&id)?;
    let format = export_format(&query)?;
    let file = run(&state, move |app| {
        app.export_write_off_act(&staff.principal, id, format)
    })
    .await?;
    Ok(download(file))
}

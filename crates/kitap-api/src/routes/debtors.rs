//! Debtors: readers with overdue loans (JSON, CSV, XLSX) and the automatic
//! overdue block.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::catalog::ExportFormat;
use kitap_app::circulation::{debtors_file, Debtor};
use kitap_domain::ReaderId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::acts_dto::XlsxFile;
use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorCopyDto {
    pub barcode: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    /// The fine so far in tiyn (days overdue × the rule's fine per day); 0
    /// when fines are off (`[circulation] fines_enabled`, the default).
    pub fine_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorDto {
    /// Reader id.
    pub reader: String,
    pub name: String,
    pub card_number: String,
    /// Left out for roles other than librarian and administrator.
    pub phone: Option<String>,
    pub copies: Vec<DebtorCopyDto>,
    pub max_days_overdue: i64,
    /// The fines of the overdue copies so far, in tiyn.
    pub fines_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorList {
    pub debtors: Vec<DebtorDto>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockRefreshDto {
    pub placed: u32,
    pub lifted: u32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DebtorQuery {
    /// Issuing library code; all libraries without it.
    pub library: Option<String>,
    /// Cursor: the `next` of the previous page (a reader id).
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

fn dto(d: &Debtor) -> DebtorDto {
    DebtorDto {
        reader: d.reader.to_string(),
        name: d.name.clone(),
        card_number: d.card_number.clone(),
        phone: d.phone.clone(),
        copies: d
            .copies
            .iter()
            .map(|c| DebtorCopyDto {
                barcode: c.barcode.clone(),
                title: c.title.clone(),
                due_on: c.due_on,
                days_overdue: c.days_overdue,
                fine_minor: c.fine_minor,
            })
            .collect(),
        max_days_overdue: d.max_days_overdue,
        fines_minor: d.fines_minor,
    }
}

/// Readers with overdue loans, of one library or of the system, with their
/// overdue copies; as JSON, CSV or XLSX (`format`).
#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    params(DebtorQuery),
    responses(
        (status = 200, description = "the debtors as JSON, CSV or XLSX", content(
            (DebtorList = "application/json"),
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/debtors")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<DebtorQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let format: Option<ExportFormat> = match q.format.as_deref() {
        None | Some("json") => None,
        Some(other) => Some(other.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_query_parameter",
                "format must be json, csv or xlsx",
            )
        })?),
    };
    let after: Option<ReaderId> = q
        .after
        .as_deref()
        .map(|r| {
            r.parse().map_err(|_| {
                ApiError::bad_request("invalid_query_parameter", "after must be a reader id")
            })
        })
        .transpose()?;
    let library = q.library;
    let debtors = run(&state, move |app| {
        app.debtors(
            &staff.principal,
            library.as_deref(),
            after,
            usize::try_from(limit).unwrap_or(usize::MAX),
        )
    })
    .await?;
    if let Some(format) = format {
        let file = debtors_file(&debtors, format).map_err(ApiError::from)?;
        return Ok(HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", file.file_name),
            ))
            .body(file.bytes));
    }
    let next = (debtors.len() == limit as usize)
        .then(|| debtors.last().map(|d| d.reader.to_string()))
        .flatten();
    Ok(HttpResponse::Ok().json(DebtorList {
        debtors: debtors.iter().map(dto).collect(),
        next,
    }))
}

/// Place the automatic overdue block on readers whose oldest overdue loan
/// reached the threshold, lift it where nothing is that late (administrators).
#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    responses((status = 200, body = BlockRefreshDto))
)]
#[post("/debtors/refresh")]
pub async fn refresh(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<BlockRefreshDto>, ApiError> {
    let out = run(&state, move |app| {
        app.refresh_overdue_blocks(&staff.principal, &staff.actor)
    })
    .await?;
    Ok(web::Json(BlockRefreshDto {
        placed: out.placed,
        lifted: out.lifted,
    }))
}

//! Amnesty campaigns: declare, list, read, and the report of what came back.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::circulation::{campaign_csv, CampaignReport, NewCampaign, StoredCampaign};
use kitap_domain::AmnestyCampaignId;
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
pub struct CampaignDto {
    pub id: String,
    pub name: String,
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
    /// Code of the library whose returns it covers; null: every library.
    pub library: Option<String>,
    pub created_at: String,
}

impl CampaignDto {
    fn new(c: &StoredCampaign, codes: &LibraryCodes) -> Self {
        CampaignDto {
            id: c.id.to_string(),
            name: c.name.clone(),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            library: c.branch_id.map(|b| codes.code(b)),
            created_at: c.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOne {
    pub campaign: CampaignDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub campaigns: Vec<CampaignDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaignBody {
    pub name: String,
    pub starts_on: NaiveDate,
    /// Inclusive; not before `starts_on`, at most a year after it.
    pub ends_on: NaiveDate,
    /// Library code: only returns made there; every library when absent.
    pub library: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CampaignQuery {
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// json (default) or csv.
    pub format: Option<String>,
}

/// One return the campaign cleared. The reader is named by name and card
/// only: no contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLineDto {
    pub returned_at: String,
    pub reader_name: String,
    pub card_number: String,
    pub barcode: String,
    pub title: String,
    /// Code of the library it came back to.
    pub library: String,
    pub days_overdue: i32,
    /// The copy had been marked lost and was found.
    pub was_lost: bool,
    pub blocks_lifted: i32,
    /// In tiyn.
    pub fine_waived_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTotals {
    /// Copies that came back.
    pub returned: usize,
    /// Readers who brought them.
    pub readers: usize,
    pub blocks_lifted: i64,
    pub fines_waived_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignReportDto {
    pub campaign: CampaignDto,
    pub returns: Vec<ReportLineDto>,
    pub totals: ReportTotals,
}

async fn codes(state: &web::Data<ApiState>) -> Result<LibraryCodes, ApiError> {
    let branches = run(state, |app| app.list_branches(true)).await?;
    Ok(LibraryCodes::new(&branches))
}

/// Declare an amnesty campaign (administrators, managers). During it, a
/// late or lost-then-found copy returned (at its library, or anywhere for a
/// system-wide campaign) waives the return's fine and lifts the reader's
/// overdue block when nothing else is overdue. Campaigns whose periods and
/// libraries meet are refused.
#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    request_body = NewCampaignBody,
    responses(
        (status = 201, body = CampaignOne),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 409, description = "amnesty_overlap", body = ErrorEnvelope),
    )
)]
#[post("/amnesty-campaigns")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewCampaignBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewCampaign {
        name: b.name,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        library: b.library,
    };
    let campaign = run(&state, move |app| {
        app.create_campaign(&staff.principal, &staff.actor, new)
    })
    .await?;
    let codes = codes(&state).await?;
    Ok(HttpResponse::Created().json(CampaignOne {
        campaign: CampaignDto::new(&campaign, &codes),
    }))
}

/// Amnesty campaigns in creation order (administrators, managers, librarians).
#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    params(CampaignQuery),
    responses((status = 200, body = CampaignList))
)]
#[get("/amnesty-campaigns")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<CampaignQuery>,
) -> Result<web::Json<CampaignList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let after: Option<AmnestyCampaignId> = q
        .after
        .as_deref()
        .map(|raw| {
            raw.parse().map_err(|_| {
                ApiError::bad_request("invalid_query_parameter", "after must be a campaign id")
            })
        })
        .transpose()?;
    let campaigns = run(&state, move |app| {
        app.campaigns(&staff.principal, after, i64::from(limit))
    })
    .await?;
    let codes = codes(&state).await?;
    let next = (campaigns.len() == limit as usize)
        .then(|| campaigns.last().map(|c| c.id.to_string()))
        .flatten();
    Ok(web::Json(CampaignList {
        campaigns: campaigns
            .iter()
            .map(|c| CampaignDto::new(c, &codes))
            .collect(),
        next,
    }))
}

#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "campaign id")),
    responses(
        (status = 200, body = CampaignOne),
        (status = 404, description = "amnesty_campaign_not_found", body = ErrorEnvelope),
    )
)]
#[get("/amnesty-campaigns/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<CampaignOne>, ApiError> {
    let id: AmnestyCampaignId = parse_id(&id)?;
    let campaign = run(&state, move |app| app.campaign(&staff.principal, id)).await?;
    let codes = codes(&state).await?;
    Ok(web::Json(CampaignOne {
        campaign: CampaignDto::new(&campaign, &codes),
    }))
}

/// What came back during the campaign: each cleared return (reader by name
/// and card, copy, library, days overdue, blocks lifted, fine waived) and
/// the totals; JSON or CSV (`format=csv`, a totals line last).
#[utoipa::path(
    tag = "debtors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "campaign id"), ReportQuery),
    responses(
        (status = 200, description = "the report as JSON or CSV", content(
            (CampaignReportDto = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, description = "amnesty_campaign_not_found", body = ErrorEnvelope),
    )
)]
#[get("/amnesty-campaigns/{id}/report")]
pub async fn report(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id: AmnestyCampaignId = parse_id(&id)?;
    let csv = match query.into_inner().format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_query_parameter",
                "format must be json or csv",
            ))
        }
    };
    let report: CampaignReport =
        run(&state, move |app| app.campaign_report(&staff.principal, id)).await?;
    let codes = codes(&state).await?;
    if csv {
        let file = campaign_csv(&report, |b| codes.code(b)).map_err(ApiError::from)?;
        return Ok(HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", file.file_name),
            ))
            .body(file.bytes));
    }
    Ok(HttpResponse::Ok().json(CampaignReportDto {
        campaign: CampaignDto::new(&report.campaign, &codes),
        returns: report
            .rows
            .iter()
            .map(|r| ReportLineDto {
                returned_at: r.at.to_string(),
                reader_name: r.reader_name.clone(),
                card_number: r.card_number.clone(),
                barcode: r.barcode.clone(),
                title: r.title.clone(),
                library: codes.code(r.library),
                days_overdue: r.days_overdue,
                was_lost: r.was_lost,
                blocks_lifted: r.blocks_lifted,
                fine_waived_minor: r.fine_waived_minor,
            })
            .collect(),
        totals: ReportTotals {
            returned: report.returned,
            readers: report.readers,
            blocks_lifted: report.blocks_lifted,
            fines_waived_minor: report.fines_waived_minor,
        },
    }))
}

//! Duplicates: a record's likely duplicates, catalog-wide scans with their
//! reports, and catalogers' decisions on pairs.

use actix_web::{get, post, put, web, HttpResponse};
use kitap_app::dedup::{Decision, PairDecision, ReportFormat, Scan};
use kitap_domain::{DedupScanId, RecordId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::records_dto::DuplicateDto;
use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateList {
    /// Best first; rejected pairs are left out.
    pub duplicates: Vec<DuplicateDto>,
}

/// The likely duplicates of a stored record (staff), best first, with why.
/// Pairs a cataloger rejected are not proposed.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id")),
    responses(
        (status = 200, body = DuplicateList),
        (status = 400, description = "invalid_path_parameter", body = ErrorEnvelope),
        (status = 404, description = "record_not_found", body = ErrorEnvelope),
    )
)]
#[get("/records/{id}/duplicates")]
pub async fn record_duplicates(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<DuplicateList>, ApiError> {
    let id: RecordId = parse_id(&id)?;
    let found = run(&state, move |app| {
        app.record_duplicates(&staff.principal, id)
    })
    .await?;
    Ok(web::Json(DuplicateList {
        duplicates: found.iter().map(DuplicateDto::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanDto {
    pub id: String,
    /// queued, running, done or failed.
    #[schema(example = "done")]
    pub status: String,
    /// Records compared (set when done).
    pub records: i64,
    /// Clusters of likely duplicates found.
    pub clusters: i64,
    /// Scored pairs within the clusters.
    pub pairs: i64,
    /// Why a failed scan failed, for people.
    pub error: Option<String>,
    /// The same as a stable code (internal_error, database_busy).
    pub error_code: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<&Scan> for ScanDto {
    fn from(s: &Scan) -> Self {
        ScanDto {
            id: s.id.to_string(),
            status: s.status.as_str().to_owned(),
            records: s.counts.records,
            clusters: s.counts.clusters,
            pairs: s.counts.pairs,
            error: s.error.as_ref().map(|e| e.message.clone()),
            error_code: s.error.as_ref().map(|e| e.code.clone()),
            created_at: s.created_at.to_string(),
            started_at: s.started_at.map(|t| t.to_string()),
            finished_at: s.finished_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanOne {
    pub scan: ScanDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanPage {
    /// Newest first.
    pub scans: Vec<ScanDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScanPageQuery {
    /// Cursor: the `next` of the previous page.
    pub before: Option<String>,
    pub limit: Option<u32>,
}

fn scan_id(raw: &str) -> Result<DedupScanId, ApiError> {
    parse_id(raw)
}

/// Start a catalog-wide duplicate scan (catalogers): 202 with the job to poll.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    responses((status = 202, body = ScanOne), (status = 403, body = ErrorEnvelope))
)]
#[post("/dedup/scans")]
pub async fn start_scan(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<HttpResponse, ApiError> {
    let queue = state.dedup.clone();
    let scan = run(&state, move |app| {
        app.queue_scan(Some(&staff.principal), &staff.actor)
    })
    .await?;
    queue.notify(scan.id);
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/dedup/scans/{}", scan.id)))
        .json(ScanOne {
            scan: ScanDto::from(&scan),
        }))
}

/// Duplicate scans, newest first.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(ScanPageQuery),
    responses((status = 200, body = ScanPage), (status = 400, body = ErrorEnvelope))
)]
#[get("/dedup/scans")]
pub async fn list_scans(
    state: web::Data<ApiState>,
    _staff: Staff,
    query: QueryParams<ScanPageQuery>,
) -> Result<web::Json<ScanPage>, ApiError> {
    let before = query
        .before
        .as_deref()
        .map(|raw| {
            raw.parse::<DedupScanId>().map_err(|_| {
                ApiError::bad_request("invalid_query_parameter", "before: must be a scan id")
                    .with_details(serde_json::json!({ "parameter": "before" }))
            })
        })
        .transpose()?;
    let limit = i64::from(page_limit(query.limit, 50, 500)?);
    let scans = run(&state, move |app| app.scans(before, limit)).await?;
    let next = (scans.len() as i64 == limit)
        .then(|| scans.last().map(|s| s.id.to_string()))
        .flatten();
    Ok(web::Json(ScanPage {
        scans: scans.iter().map(ScanDto::from).collect(),
        next,
    }))
}

/// One scan: status and counts.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "scan id")),
    responses(
        (status = 200, body = ScanOne),
        (status = 400, description = "invalid_path_parameter", body = ErrorEnvelope),
        (status = 404, description = "scan_not_found", body = ErrorEnvelope),
    )
)]
#[get("/dedup/scans/{id}")]
pub async fn get_scan(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ScanOne>, ApiError> {
    let id = scan_id(&id)?;
    let scan = run(&state, move |app| app.scan(id)).await?;
    Ok(web::Json(ScanOne {
        scan: ScanDto::from(&scan),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// json (default) or csv.
    pub format: Option<String>,
}

/// A finished scan's whole report: JSON (the scan and every cluster with
/// its members and scored pairs, with explanations) or CSV (one line per
/// pair: cluster, records, titles, score, level, evidence and vetoes).
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "scan id"), ReportQuery),
    responses(
        (status = 200, description = "the report: JSON (default) or CSV by `format`",
            content(
                (serde_json::Value = "application/json"),
                (String = "text/csv")
            )),
        (status = 404, description = "scan_not_found", body = ErrorEnvelope),
        (status = 409, description = "scan_not_done", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (format)", body = ErrorEnvelope),
    )
)]
#[get("/dedup/scans/{id}/report")]
pub async fn report(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = scan_id(&id)?;
    let format = ReportFormat::parse(query.format.as_deref().unwrap_or("json"))?;
    let bytes = run(&state, move |app| {
        let mut out = Vec::new();
        app.write_scan_report(id, format, &mut out)?;
        Ok(out)
    })
    .await?;
    let mut response = HttpResponse::Ok();
    match format {
        ReportFormat::Json => response.content_type("application/json"),
        ReportFormat::Csv => response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"dedup-scan-{id}.csv\""),
            )),
    };
    Ok(response.body(bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClusterQuery {
    /// First cluster number to list (1-based).
    pub from: Option<i32>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterPage {
    /// In report order: each `{seq, size, best_score, members: [{record_id,
    /// title, main_author, year}], pairs: [{a, b, score, level, evidence,
    /// vetoes}]}`.
    #[schema(value_type = Vec<Object>)]
    pub clusters: Vec<Value>,
    /// Pass as `from` for the next page.
    pub next: Option<i32>,
}

/// The clusters of a finished scan, page by page, for review.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "scan id"), ClusterQuery),
    responses(
        (status = 200, body = ClusterPage),
        (status = 404, description = "scan_not_found", body = ErrorEnvelope),
        (status = 409, description = "scan_not_done", body = ErrorEnvelope),
    )
)]
#[get("/dedup/scans/{id}/clusters")]
pub async fn clusters(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ClusterQuery>,
) -> Result<web::Json<ClusterPage>, ApiError> {
    let id = scan_id(&id)?;
    let limit = i64::from(page_limit(query.limit, 100, 1000)?);
    let from = query.from.unwrap_or(1).max(1);
    let page = run(&state, move |app| app.scan_clusters(id, from, limit)).await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|c| c.seq + 1))
        .flatten();
    let clusters = page
        .iter()
        .map(|c| serde_json::from_str(&c.cluster).map_err(ApiError::internal))
        .collect::<Result<Vec<Value>, _>>()?;
    Ok(web::Json(ClusterPage { clusters, next }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// confirmed (they are duplicates) or rejected (they are not: never
    /// proposed again).
    #[schema(example = "rejected")]
    pub decision: String,
    /// Why, for the next cataloger (at most 2000 characters).
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairDto {
    /// The smaller record id of the pair.
    pub record_a: String,
    pub record_b: String,
    #[schema(example = "rejected")]
    pub decision: String,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: String,
}

impl From<&PairDecision> for PairDto {
    fn from(d: &PairDecision) -> Self {
        PairDto {
            record_a: d.a.to_string(),
            record_b: d.b.to_string(),
            decision: d.decision.as_str().to_owned(),
            note: d.note.clone(),
            decided_by: d.decided_by.map(|s| s.to_string()),
            decided_at: d.decided_at.to_string(),
        }
    }
}

fn pair_ids(a: &str, b: &str) -> Result<(RecordId, RecordId), ApiError> {
    Ok((parse_id(a)?, parse_id(b)?))
}

/// Decide whether two records are duplicates (catalogers), in either order.
/// A rejected pair is never proposed again (on save, by a record's
/// duplicates, by scans). Deciding again replaces the decision.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("a" = String, Path, description = "record id"), ("b" = String, Path, description = "the other record's id")),
    request_body = DecisionBody,
    responses(
        (status = 200, body = PairDto),
        (status = 400, description = "invalid_path_parameter", body = ErrorEnvelope),
        (status = 404, description = "record_not_found", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (decision, note, record_b: the same record twice)", body = ErrorEnvelope),
    )
)]
#[put("/dedup/pairs/{a}/{b}")]
pub async fn decide(
    state: web::Data<ApiState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    body: JsonBody<DecisionBody>,
) -> Result<web::Json<PairDto>, ApiError> {
    let pair = pair_ids(&path.0, &path.1)?;
    let body = body.into_inner();
    let decision = kitap_app::dedup::parse_decision(&body.decision)?;
    let decided = run(&state, move |app| {
        app.decide_pair(&staff.principal, &staff.actor, pair, decision, body.note)
    })
    .await?;
    Ok(web::Json(PairDto::from(&decided)))
}

/// The decision on one pair, in either order.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(("a" = String, Path, description = "record id"), ("b" = String, Path, description = "the other record's id")),
    responses(
        (status = 200, body = PairDto),
        (status = 400, description = "invalid_path_parameter", body = ErrorEnvelope),
        (status = 404, description = "pair_decision_not_found", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (the same record twice)", body = ErrorEnvelope),
    )
)]
#[get("/dedup/pairs/{a}/{b}")]
pub async fn get_pair(
    state: web::Data<ApiState>,
    _staff: Staff,
    path: web::Path<(String, String)>,
) -> Result<web::Json<PairDto>, ApiError> {
    let (a, b) = pair_ids(&path.0, &path.1)?;
    let decided = run(&state, move |app| app.pair_decision(a, b)).await?;
    Ok(web::Json(PairDto::from(&decided)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PairQuery {
    /// Only confirmed or only rejected pairs.
    pub decision: Option<String>,
    /// Cursor: the `next` of the previous page (`<record_a>,<record_b>`).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairPage {
    /// In pair order.
    pub pairs: Vec<PairDto>,
    pub next: Option<String>,
}

/// Decided pairs, optionally only confirmed or only rejected ones.
#[utoipa::path(
    tag = "dedup",
    security(("bearer" = [])),
    params(PairQuery),
    responses((status = 200, body = PairPage), (status = 400, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope))
)]
#[get("/dedup/pairs")]
pub async fn list_pairs(
    state: web::Data<ApiState>,
    _staff: Staff,
    query: QueryParams<PairQuery>,
) -> Result<web::Json<PairPage>, ApiError> {
    let q = query.into_inner();
    let decision: Option<Decision> = q
        .decision
        .as_deref()
        .map(kitap_app::dedup::parse_decision)
        .transpose()?;
    let after = q
        .after
        .as_deref()
        .map(|raw| {
            raw.split_once(',')
                .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_query_parameter",
                        "after: must be two record ids, comma-separated",
                    )
                    .with_details(serde_json::json!({ "parameter": "after" }))
                })
        })
        .transpose()?;
    let limit = i64::from(page_limit(q.limit, 100, 500)?);
    let page = run(&state, move |app| {
        app.pair_decisions(decision, after, limit)
    })
    .await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|d| format!("{},{}", d.a, d.b)))
        .flatten();
    Ok(web::Json(PairPage {
        pairs: page.iter().map(PairDto::from).collect(),
        next,
    }))
}

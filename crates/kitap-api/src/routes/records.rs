//! Bibliographic records: create, read, update with a version, delete or
//! withdraw, list, validate without saving, convert between MARC families.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, FromRequest, HttpRequest, HttpResponse};
use kitap_app::RecordFilter;
use kitap_domain::{RecordId, RecordStatus};
use kitap_marc::Record;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::records_dto::{issues, IssueDto, RecordDto, RecordFull, RecordSaved};
use super::run;
use crate::auth::{AnyStaff, Staff};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// The record as MARC-in-JSON: `{"leader": "...", "fields": [{"001": "..."},
    /// {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "..."}]}}]}`.
    #[schema(value_type = Object)]
    pub marc: Value,
    /// Save even though the record is probably a duplicate (the 409
    /// `probable_duplicate` listed which). Audited. Ignored by validate.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    /// The version you edited (from the record you read).
    pub version: i64,
    #[schema(value_type = Object)]
    pub marc: Value,
    /// Save even though the record is probably a duplicate of another.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// The version you saw; a newer one answers 409 version_conflict.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Removed {
    /// deleted, or withdrawn (a record whose copies were all written off).
    #[schema(example = "deleted")]
    pub outcome: &'static str,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// active or withdrawn.
    pub status: Option<String>,
    /// Only records in Kazakh (true) or not (false).
    pub kazakh: Option<bool>,
    /// ISO 639-2/B code of the first language.
    pub language: Option<String>,
    /// marc21 or unimarc.
    pub dialect: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Only records with a copy in this library (code, e.g. F07).
    pub library: Option<String>,
    /// Only records created by this import job.
    pub import_id: Option<String>,
    /// Words that must all occur in the title.
    pub q: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordPage {
    /// In creation order.
    pub records: Vec<RecordDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// False when any issue is an error (the record would be refused).
    pub valid: bool,
    pub issues: Vec<IssueDto>,
    #[schema(value_type = Object)]
    pub view: Value,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConvertQuery {
    /// rusmarc (UNIMARC) or marc21.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Converted {
    #[schema(value_type = Object)]
    pub marc: Value,
    /// Tags that have no counterpart in the target format and were left out.
    pub dropped_tags: Vec<String>,
}

pub(crate) fn record_from_body(marc: &Value) -> Result<Record, ApiError> {
    kitap_marc::json::record_from_json(marc).map_err(|e| {
        ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_marc",
            format!("marc is not a MARC-in-JSON record: {e}"),
        )
    })
}

fn record_id(raw: &str) -> Result<RecordId, ApiError> {
    parse_id(raw)
}

/// Catalog a new record (catalogers). Errors refuse it; warnings come back
/// with it, and so do its likely duplicates (`duplicates`, with why). A
/// probable duplicate refuses it (409 `probable_duplicate`, the candidates in
/// `details.candidates`) unless the body says `confirm_duplicate: true`.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = RecordBody,
    responses(
        (status = 201, body = RecordSaved),
        (status = 409, description = "probable_duplicate (details.candidates)", body = ErrorEnvelope),
        (status = 422, description = "invalid_marc, record_invalid (details.issues)", body = ErrorEnvelope),
    )
)]
#[post("/records")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<RecordBody>,
) -> Result<HttpResponse, ApiError> {
    let record = record_from_body(&body.marc)?;
    let confirm = body.confirm_duplicate;
    let saved = run(&state, move |app| {
        app.create_record(&staff.principal, &staff.actor, record, confirm)
    })
    .await?;
    Ok(HttpResponse::Created().json(RecordSaved::from(&saved)))
}

/// Check a record without saving it: the issues a save would report, and its view.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = RecordBody,
    responses((status = 200, body = Validation), (status = 422, body = ErrorEnvelope))
)]
#[post("/records/validate")]
pub async fn validate(
    _staff: Staff,
    body: JsonBody<RecordBody>,
) -> Result<web::Json<Validation>, ApiError> {
    let record = record_from_body(&body.marc)?;
    let found = kitap_catalog::validate::validate(&record);
    let view = kitap_catalog::BibView::from_record(&record);
    Ok(web::Json(Validation {
        valid: !kitap_catalog::validate::has_errors(&found),
        issues: issues(&found),
        view: serde_json::to_value(&view).unwrap_or(Value::Null),
    }))
}

/// One record. With a staff token: summary, bibliographic view, MARC-in-JSON
/// and warnings. Without one (the OPAC record page): the view, subjects as
/// search links, availability and copies by library (no reader data).
#[utoipa::path(
    tag = "records",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "record id")),
    responses(
        (status = 200, description = "RecordFull for staff, the public page otherwise", body = RecordFull),
        (status = 308, description = "the record was merged into another: Location names the survivor"),
        (status = 404, body = ErrorEnvelope)
    )
)]
#[get("/records/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = record_id(&id)?;
    let found = if req.headers().contains_key(header::AUTHORIZATION) {
        let staff = Staff::<AnyStaff>::extract(&req).await?;
        run(&state, move |app| app.record(&staff.principal, id))
            .await
            .map(|details| HttpResponse::Ok().json(RecordFull::from(&details)))
    } else {
        run(&state, move |app| app.opac_record(&id.to_string()))
            .await
            .map(|page| HttpResponse::Ok().json(PublicRecord::from(page)))
    };
    match found {
        Err(err) if err.code == "record_not_found" => redirect_if_merged(&state, id, err).await,
        other => other,
    }
}

/// A record merged into another answers 308 to the survivor, so old links
/// and OPAC bookmarks keep working; any other missing record stays 404.
async fn redirect_if_merged(
    state: &web::Data<ApiState>,
    id: RecordId,
    not_found: ApiError,
) -> Result<HttpResponse, ApiError> {
    match run(state, move |app| app.record_redirect(id)).await? {
        Some(survivor) => Ok(HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, format!("/api/v1/records/{survivor}")))
            .finish()),
        None => Err(not_found),
    }
}

/// A subject heading and the search that lists the catalogue under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectLink {
    pub heading: String,
    /// `/api/v1/search?q=subject:"..."`
    pub search: String,
}

/// The OPAC record page.
#[derive(Debug, Serialize)]
pub struct PublicRecord {
    #[serde(flatten)]
    page: kitap_app::search::OpacRecord,
    subject_links: Vec<SubjectLink>,
}

fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl From<kitap_app::search::OpacRecord> for PublicRecord {
    fn from(page: kitap_app::search::OpacRecord) -> Self {
        let subject_links = page
            .view
            .subjects
            .iter()
            .map(|s| {
                // The heading without its subdivisions finds the whole topic.
                let quoted = s.replace('"', " ");
                SubjectLink {
                    heading: s.clone(),
                    search: format!(
                        "/api/v1/search?q={}",
                        url_encode(&format!("subject:\"{quoted}\""))
                    ),
                }
            })
            .collect();
        PublicRecord {
            page,
            subject_links,
        }
    }
}

/// Replace a record's MARC (catalogers). `version` must be the current one.
/// Its likely duplicates come back as on create; a probable one needs
/// `confirm_duplicate: true`.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id")),
    request_body = UpdateBody,
    responses(
        (status = 200, body = RecordSaved),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "version_conflict (details.current_version), probable_duplicate (details.candidates)", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[put("/records/{id}")]
pub async fn update(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<UpdateBody>,
) -> Result<web::Json<RecordSaved>, ApiError> {
    let id = record_id(&id)?;
    let body = body.into_inner();
    let record = record_from_body(&body.marc)?;
    let saved = run(&state, move |app| {
        app.update_record(
            &staff.principal,
            &staff.actor,
            id,
            body.version,
            record,
            body.confirm_duplicate,
        )
    })
    .await?;
    Ok(web::Json(RecordSaved::from(&saved)))
}

/// Delete a record without copies; one whose copies were all written off is withdrawn.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id"), DeleteQuery),
    responses(
        (status = 200, body = Removed),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "record_has_copies, version_conflict", body = ErrorEnvelope),
    )
)]
#[delete("/records/{id}")]
pub async fn remove(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<DeleteQuery>,
) -> Result<web::Json<Removed>, ApiError> {
    let id = record_id(&id)?;
    let version = query.version;
    let removal = run(&state, move |app| {
        app.delete_record(&staff.principal, &staff.actor, id, version)
    })
    .await?;
    Ok(web::Json(Removed {
        outcome: match removal {
            kitap_app::catalog::Removal::Deleted => "deleted",
            kitap_app::catalog::Removal::Withdrawn => "withdrawn",
        },
    }))
}

/// Records page by page, filtered by language, year, library, import...
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = RecordPage), (status = 422, body = ErrorEnvelope))
)]
#[get("/records")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<RecordPage>, ApiError> {
    let q = query.into_inner();
    let limit = i64::from(page_limit(q.limit, 100, 500)?);
    let page = run(&state, move |app| {
        let filter = RecordFilter {
            status: q
                .status
                .as_deref()
                .map(str::parse::<RecordStatus>)
                .transpose()?,
            kazakh: q.kazakh,
            language: q.language,
            dialect: q.dialect,
            year_from: q.year_from,
            year_to: q.year_to,
            branch_id: match &q.library {
                Some(code) => Some(app.branch_by_code(code)?.id.to_string()),
                None => None,
            },
            import_id: q.import_id.as_deref().map(str::parse).transpose()?,
            after: q.after.as_deref().map(str::parse).transpose()?,
            title_words: q
                .q
                .as_deref()
                .map(|q| q.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            limit,
            ..RecordFilter::default()
        };
        app.list_records(&staff.principal, filter)
    })
    .await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(web::Json(RecordPage {
        records: page.iter().map(RecordDto::from).collect(),
        next,
    }))
}

/// The record converted to the other MARC family (common fields only).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id"), ConvertQuery),
    responses((status = 200, body = Converted), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope))
)]
#[get("/records/{id}/converted")]
pub async fn converted(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ConvertQuery>,
) -> Result<web::Json<Converted>, ApiError> {
    let id = record_id(&id)?;
    let target = kitap_app::catalog::Target::parse(&query.to)?;
    let conversion = run(&state, move |app| {
        app.converted_record(&staff.principal, id, target)
    })
    .await?;
    Ok(web::Json(Converted {
        marc: kitap_marc::json::record_to_json(&conversion.record),
        dropped_tags: conversion.dropped_tags,
    }))
}

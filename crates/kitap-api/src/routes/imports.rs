//! MARC imports: upload a file, poll the job, read the reject report.

use std::io::Write;
use std::path::PathBuf;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use kitap_app::catalog::{Format, ImportRequest, OnDuplicate, OnMatch};
use kitap_app::{ImportJob, ImportReject};
use kitap_domain::ImportId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, shown in the job list.
    pub file_name: Option<String>,
    /// iso2709, marcxml or json; guessed from the name and content when absent.
    pub format: Option<String>,
    /// Force one encoding for every record (utf-8, marc-8, windows-1251,
    /// kz-1048, pt154, cp866, koi8-r); detected per record when absent.
    pub encoding: Option<String>,
    /// What to do with a record already in the catalog (same 003+001 or 035):
    /// skip (default), overlay or add.
    pub on_match: Option<String>,
    /// What to do with a record that is probably a duplicate of a catalog
    /// record, or of an earlier record of the same file: add (default: store
    /// it anyway), skip (do not store it), attach (do not store it; its
    /// copies go to the catalog record and its MARC is kept as a source
    /// version). Possible duplicates are always added. Every duplicate found
    /// is listed in GET /imports/{id}/duplicates.
    pub on_duplicate: Option<String>,
    /// Library (code) that receives copies from 910 fields.
    pub library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    pub id: String,
    /// queued, running, done, failed or cancelled.
    #[schema(example = "running")]
    pub status: String,
    pub file_name: String,
    pub file_size: i64,
    pub format: String,
    pub encoding: Option<String>,
    pub on_match: String,
    /// add, skip or attach.
    pub on_duplicate: String,
    /// Records read so far (the next record's index).
    pub records_read: i64,
    /// Bytes of the file committed so far (ISO 2709).
    pub bytes_done: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub copies: i64,
    /// Probable duplicates whose copies were attached to the catalog record.
    pub attached: i64,
    /// Why a failed import failed, for people.
    pub error: Option<String>,
    /// The same as a stable code: `not_marc` (no record could be read from
    /// the file as the format tried), `internal_error`, `database_busy`.
    pub error_code: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<&ImportJob> for ImportDto {
    fn from(j: &ImportJob) -> Self {
        ImportDto {
            id: j.id.to_string(),
            status: j.status.as_str().to_owned(),
            file_name: j.file_name.clone(),
            file_size: j.file_size,
            format: j.format.clone(),
            encoding: j.encoding.clone(),
            on_match: j.on_match.clone(),
            on_duplicate: j.on_duplicate.clone(),
            records_read: j.progress.next_index,
            bytes_done: j.progress.next_offset,
            created: j.progress.created,
            updated: j.progress.updated,
            skipped: j.progress.skipped,
            rejected: j.progress.rejected,
            copies: j.progress.copies,
            attached: j.progress.attached,
            error: j.error.as_ref().map(|e| e.message.clone()),
            error_code: j.error.as_ref().map(|e| e.code.clone()),
            created_at: j.created_at.to_string(),
            started_at: j.started_at.map(|t| t.to_string()),
            finished_at: j.finished_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOne {
    pub import: ImportDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPage {
    /// Newest first.
    pub imports: Vec<ImportDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub before: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectDto {
    /// 0-based position of the record in the file.
    pub index: i64,
    /// Byte offset of the record in the file.
    pub offset: i64,
    /// Stable reason code (bad_directory, missing_title, xml_syntax, ...).
    pub code: String,
    pub message: String,
    /// 001 of the record, when it could be read.
    pub control_number: Option<String>,
}

impl From<&ImportReject> for RejectDto {
    fn from(r: &ImportReject) -> Self {
        RejectDto {
            index: r.record_index,
            offset: r.byte_offset,
            code: r.code.clone(),
            message: r.message.clone(),
            control_number: r.control_number.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectPage {
    pub rejects: Vec<RejectDto>,
    /// Pass as `from` for the next page.
    pub next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RejectQuery {
    /// json (default) or csv (the whole report).
    pub format: Option<String>,
    /// First record index to list.
    pub from: Option<i64>,
    pub limit: Option<u32>,
}

fn import_id(raw: &str) -> Result<ImportId, ApiError> {
    parse_id(raw)
}

fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// Upload a MARC file (ISO 2709, MARCXML or MARC-in-JSON) as the request body;
/// answers 202 with the job to poll (catalogers).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 202, body = ImportOne),
        (status = 413, description = "upload_too_large", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/imports")]
pub async fn upload(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<UploadQuery>,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff
        .principal
        .require_role(&[kitap_domain::Role::Admin, kitap_domain::Role::Cataloger])?;
    let q = query.into_inner();
    let format = match q.format.as_deref() {
        Some(raw) => Some(Format::parse(raw).ok_or_else(|| {
            bad(
                "validation_failed",
                "format: must be iso2709, marcxml or json".to_owned(),
            )
        })?),
        None => None,
    };
    let encoding = match q.encoding.as_deref() {
        Some(raw) => Some(kitap_marc::Encoding::from_name(raw).ok_or_else(|| {
            bad(
                "validation_failed",
                format!("encoding: {raw:?} is not one Kitap reads"),
            )
        })?),
        None => None,
    };
    let on_match = OnMatch::parse(q.on_match.as_deref().unwrap_or("skip"))
        .map_err(kitap_app::AppError::from)?;
    let on_duplicate = OnDuplicate::parse(q.on_duplicate.as_deref().unwrap_or("add"))
        .map_err(kitap_app::AppError::from)?;

    let dir = state.upload_dir.clone();
    std::fs::create_dir_all(&dir).map_err(ApiError::internal)?;
    let path: PathBuf = dir.join(format!("{}.upload", uuid::Uuid::now_v7()));
    let mut file = std::fs::File::create(&path).map_err(ApiError::internal)?;
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| bad("upload_failed", format!("upload interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > state.max_upload_bytes {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "upload_too_large",
                format!("uploads are limited to {} bytes", state.max_upload_bytes),
            ));
        }
        file.write_all(&chunk).map_err(ApiError::internal)?;
    }
    file.sync_all().map_err(ApiError::internal)?;
    drop(file);
    if size == 0 {
        let _ = std::fs::remove_file(&path);
        return Err(bad(
            "empty_upload",
            "the request body is empty: send the MARC file".to_owned(),
        ));
    }

    let queue = state.imports.clone();
    let job = run(&state, move |app| {
        let library = match &q.library {
            Some(code) => Some(app.branch_by_code(code)?.id),
            None => None,
        };
        let request = ImportRequest {
            file_name: q.file_name.unwrap_or_else(|| "upload".to_owned()),
            file_path: path,
            format,
            encoding,
            on_match,
            on_duplicate,
            library,
        };
        app.queue_import(Some(&staff.principal), &staff.actor, request)
    })
    .await?;
    queue.notify(job.id);
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/imports/{}", job.id)))
        .json(ImportOne {
            import: ImportDto::from(&job),
        }))
}

/// Import jobs, newest first.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = ImportPage))
)]
#[get("/imports")]
pub async fn list(
    state: web::Data<ApiState>,
    _staff: Staff,
    query: QueryParams<PageQuery>,
) -> Result<web::Json<ImportPage>, ApiError> {
    let before = query
        .before
        .as_deref()
        .map(|raw| {
            raw.parse::<ImportId>().map_err(|_| {
                ApiError::bad_request("invalid_query_parameter", "before: must be an import id")
                    .with_details(serde_json::json!({ "parameter": "before" }))
            })
        })
        .transpose()?;
    let limit = i64::from(page_limit(query.limit, 50, 500)?);
    let jobs = run(&state, move |app| app.import_jobs(before, limit)).await?;
    let next = (jobs.len() as i64 == limit)
        .then(|| jobs.last().map(|j| j.id.to_string()))
        .flatten();
    Ok(web::Json(ImportPage {
        imports: jobs.iter().map(ImportDto::from).collect(),
        next,
    }))
}

/// One import job: status and counts so far.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "import id")),
    responses((status = 200, body = ImportOne), (status = 404, body = ErrorEnvelope))
)]
#[get("/imports/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ImportOne>, ApiError> {
    let id = import_id(&id)?;
    let job = run(&state, move |app| app.import_job(id)).await?;
    Ok(web::Json(ImportOne {
        import: ImportDto::from(&job),
    }))
}

/// Stop a queued or running import after its current batch (catalogers).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "import id")),
    responses((status = 200, body = ImportOne), (status = 404, body = ErrorEnvelope), (status = 409, description = "import_finished", body = ErrorEnvelope))
)]
#[post("/imports/{id}/cancel")]
pub async fn cancel(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ImportOne>, ApiError> {
    let id = import_id(&id)?;
    let job = run(&state, move |app| {
        app.cancel_import(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(ImportOne {
        import: ImportDto::from(&job),
    }))
}

/// The records an import did not take: index, byte offset, reason. JSON pages,
/// or the whole report as CSV with `format=csv`.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "import id"), RejectQuery),
    responses(
        (status = 200, body = RejectPage, content_type = "application/json"),
        (status = 404, body = ErrorEnvelope),
    )
)]
#[get("/imports/{id}/rejects")]
pub async fn rejects(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
    query: QueryParams<RejectQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = import_id(&id)?;
    let q = query.into_inner();
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(bad(
                "validation_failed",
                "format: must be json or csv".to_owned(),
            ))
        }
    };
    if csv {
        let all = run(&state, move |app| app.import_rejects(id, 0, i64::MAX)).await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"import-{id}-rejects.csv\""),
            ))
            .body(rejects_csv(&all)));
    }
    let limit = i64::from(page_limit(q.limit, 500, 5000)?);
    let from = q.from.unwrap_or(0);
    let page = run(&state, move |app| app.import_rejects(id, from, limit)).await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|r| r.record_index + 1))
        .flatten();
    Ok(HttpResponse::Ok().json(RejectPage {
        rejects: page.iter().map(RejectDto::from).collect(),
        next,
    }))
}

/// RFC 4180 CSV; a UTF-8 BOM so that Excel, which catalogers open it in,
/// shows Cyrillic correctly.
fn rejects_csv(rows: &[ImportReject]) -> String {
    fn cell(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }
    let mut out = String::from("\u{feff}index,offset,code,control_number,message\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            r.record_index,
            r.byte_offset,
            cell(&r.code),
            cell(r.control_number.as_deref().unwrap_or("")),
            cell(&r.message)
        ));
    }
    out
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateOutcomeDto {
    /// 0-based position of the record in the file.
    pub index: i64,
    pub offset: i64,
    /// added (stored anyway: on_duplicate=add, or only a possible
    /// duplicate), skipped, or attached (its copies went to `duplicate_of`).
    #[schema(example = "attached")]
    pub action: String,
    /// The record stored, when added.
    pub record_id: Option<String>,
    /// The best candidate: a catalog record or an earlier record of the file.
    pub duplicate_of: String,
    pub score: f64,
    /// possible or probable.
    pub level: String,
    /// Copies attached to `duplicate_of`.
    pub copies: i32,
    /// Every candidate, best first, with why.
    pub candidates: Vec<super::records_dto::DuplicateDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatePage {
    pub duplicates: Vec<DuplicateOutcomeDto>,
    /// Pass as `from` for the next page.
    pub next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DuplicateQuery {
    /// First record index to list.
    pub from: Option<i64>,
    pub limit: Option<u32>,
}

/// The imported records that had likely duplicates, what the import did
/// with each (added, skipped, attached) and why, in file order.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "import id"), DuplicateQuery),
    responses(
        (status = 200, body = DuplicatePage),
        (status = 404, body = ErrorEnvelope),
    )
)]
#[get("/imports/{id}/duplicates")]
pub async fn duplicates(
    state: web::Data<ApiState>,
    _staff: Staff,
    id: web::Path<String>,
    query: QueryParams<DuplicateQuery>,
) -> Result<web::Json<DuplicatePage>, ApiError> {
    let id = import_id(&id)?;
    let limit = i64::from(page_limit(query.limit, 500, 5000)?);
    let from = query.from.unwrap_or(0);
    let page = run(&state, move |app| app.import_duplicates(id, from, limit)).await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|r| r.record_index + 1))
        .flatten();
    let duplicates = page
        .iter()
        .map(|o| {
            Ok(DuplicateOutcomeDto {
                index: o.record_index,
                offset: o.byte_offset,
                action: o.action.clone(),
                record_id: o.record_id.map(|r| r.to_string()),
                duplicate_of: o.duplicate_of.to_string(),
                score: o.score,
                level: o.level.clone(),
                copies: o.copies,
                candidates: serde_json::from_str(&o.candidates).map_err(ApiError::internal)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(DuplicatePage { duplicates, next }))
}

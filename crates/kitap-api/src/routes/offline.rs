//! Offline circulation: a branch whose link was down uploads what its desk
//! wrote down; the answer is the per-line report, kept for later reading.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use kitap_app::circulation::{OfflineFile, OfflineLine, OfflineReport, OfflineSummary, Outcome};
use kitap_domain::OfflineUploadId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

/// An offline file is a day or a few of one desk's work: 1 MiB holds some
/// 16,000 lines (or 9,000 JSON objects).
pub const MAX_OFFLINE_BYTES: usize = 1024 * 1024;

const FORMAT: &str =
    "The file, as the raw request body. Line format (`text/tab-separated-values`, \
`text/csv`, `text/plain`, or no Content-Type), UTF-8: one action per line, four fields \
`timestamp`, `action`, `card_number`, `item_barcode`, separated by tabs (or, when a line has no \
tab, by semicolons, else by commas; fields may be in double quotes). `timestamp` is ISO 8601 with \
an offset (`2026-12-01T10:15:00+05:00`; a space for the `T` is fine). `action` is `checkout`, \
`reading_room` (a reading-room issue, due the same day), `return` or `renew`. `card_number` is \
required for checkout and reading_room, optional for renew (checked against the loan when given) \
and ignored for return. Blank lines, lines starting with `#` and a header line whose first field \
is `timestamp` are skipped; trailing empty fields are ignored. Example: \
`2026-12-01T10:15:00+05:00<TAB>checkout<TAB>F01-000123<TAB>2000000001234`. JSON form \
(`application/json`): an array of objects with the same four keys (`card_number` may be null or \
absent). At most 1 MiB.";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, shown in the list of uploads.
    pub file_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Only lines of this outcome: applied, already_done, conflict,
    /// invalid or duplicate.
    pub outcome: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The last upload of the previous page.
    pub before: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfflineUploadDto {
    pub id: String,
    /// Code of the library whose desk recorded the file.
    pub library: String,
    pub file_name: String,
    /// lines or json.
    pub format: String,
    /// Actions and unreadable lines in the file.
    pub lines: i32,
    /// Staff id of the uploader (the staff of every event it wrote).
    pub uploaded_by: Option<String>,
    pub created_at: String,
    /// Null while the upload is being applied, or after it stopped halfway
    /// (upload the file again: applied lines answer duplicate).
    pub finished_at: Option<String>,
    pub applied: i64,
    pub already_done: i64,
    pub conflict: i64,
    pub invalid: i64,
    pub duplicate: i64,
}

impl OfflineUploadDto {
    fn new(s: &OfflineSummary, codes: &LibraryCodes) -> Self {
        let u = &s.upload;
        OfflineUploadDto {
            id: u.id.to_string(),
            library: codes.code(u.branch_id),
            file_name: u.file_name.clone(),
            format: u.format.clone(),
            lines: u.line_count,
            uploaded_by: u.uploaded_by.map(|id| id.to_string()),
            created_at: u.created_at.to_string(),
            finished_at: u.finished_at.map(|t| t.to_string()),
            applied: s.counts.applied,
            already_done: s.counts.already_done,
            conflict: s.counts.conflict,
            invalid: s.counts.invalid,
            duplicate: s.counts.duplicate,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfflineLineDto {
    /// 1-based line number in the file (element number in a JSON array).
    pub line: i32,
    /// The line as written (cut to 300 characters).
    pub raw: String,
    /// The recorded time (UTC); null for an unreadable line.
    pub timestamp: Option<String>,
    pub action: Option<String>,
    pub card_number: Option<String>,
    pub item_barcode: Option<String>,
    /// applied, already_done, conflict, invalid or duplicate.
    pub outcome: String,
    /// Why, when not applied: invalid (`wrong_field_count`, `bad_timestamp`,
    /// `bad_action`, `card_required`, `bad_card_number`, `bad_barcode`,
    /// `not_an_object`, `unknown_field`, `not_a_string`,
    /// `timestamp_in_future`, `timestamp_too_old`); conflict (a desk
    /// refusal code such as `reader_blocked` or `copy_not_available`, or
    /// `reader_not_found`, `copy_not_found`, `not_on_loan`,
    /// `loan_started_later`, `copy_on_loan_to_other_reader`); already_done
    /// (`already_on_loan`, `already_returned`); `duplicate`.
    pub code: Option<String>,
    pub message: Option<String>,
    /// The loan written, returned or renewed.
    pub loan: Option<String>,
}

impl From<&OfflineLine> for OfflineLineDto {
    fn from(l: &OfflineLine) -> Self {
        OfflineLineDto {
            line: l.line_no,
            raw: l.raw.clone(),
            timestamp: l.at.map(|t| t.to_string()),
            action: l.action.clone(),
            card_number: l.card_number.clone(),
            item_barcode: l.item_barcode.clone(),
            outcome: l.outcome.clone(),
            code: l.code.clone(),
            message: l.message.clone(),
            loan: l.loan_id.map(|id| id.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfflineReportDto {
    pub offline_upload: OfflineUploadDto,
    /// In file order.
    pub lines: Vec<OfflineLineDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfflineUploadPage {
    /// Newest first.
    pub offline_uploads: Vec<OfflineUploadDto>,
    pub next: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_too_large",
        format!("an offline circulation file is limited to {MAX_OFFLINE_BYTES} bytes"),
    )
}

/// JSON for `application/json`, lines for text, octets or nothing said.
fn is_json(req: &HttpRequest) -> Result<bool, ApiError> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return Ok(false);
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(true),
        "application/octet-stream" | "" => Ok(false),
        t if t.starts_with("text/") => Ok(false),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file as text/tab-separated-values, text/csv, text/plain or application/json",
        )),
    }
}

async fn read_body(mut body: web::Payload) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "upload_failed",
                format!("upload interrupted: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > MAX_OFFLINE_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn report(
    state: &web::Data<ApiState>,
    work: impl FnOnce(&kitap_app::App) -> Result<OfflineReport, kitap_app::AppError> + Send + 'static,
) -> Result<OfflineReportDto, ApiError> {
    let (r, branches) = run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    let codes = LibraryCodes::new(&branches);
    Ok(OfflineReportDto {
        offline_upload: OfflineUploadDto::new(&r.summary, &codes),
        lines: r.lines.iter().map(OfflineLineDto::from).collect(),
    })
}

/// Upload an offline circulation file for the acting library
/// (X-Kitap-Library; librarians, administrators) and apply it. Every line
/// is read first: unreadable lines and times in the future or older than
/// `circulation.offline_max_age_days` (30) are `invalid`, with their line
/// number and code, and the rest still apply. Actions apply in time order
/// (ties in file order), each in its own savepoint, with the desk's
/// policies as of its recorded time: a loan is issued at that time and due
/// by the rules and calendar from that day; a return closes the loan at
/// that time. A line the server refuses is a `conflict` with the desk's
/// refusal code, never an error of the upload and never overridden. A
/// return closes the copy's open loan whoever holds it (a return always
/// wins) unless that loan began later; a checkout of a copy the server
/// already shows on loan to the same reader is `already_done`; to another
/// reader, a conflict. A line this library uploaded before (same time,
/// action and barcode) is `duplicate`, so uploading a file twice is
/// harmless. Answers 201 with the report (also `GET
/// /offline-circulation/{id}`).
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(UploadQuery),
    request_body(
        description = FORMAT,
        content(
            (String = "text/tab-separated-values"),
            (String = "text/csv"),
            (String = "text/plain"),
            (Vec<OfflineActionJson> = "application/json"),
        ),
    ),
    responses(
        (status = 201, body = OfflineReportDto),
        (status = 413, description = "upload_too_large (over 1 MiB)", body = ErrorEnvelope),
        (status = 415, description = "unsupported_media_type", body = ErrorEnvelope),
        (status = 422, description = "empty_upload, validation_failed (no action in the file; JSON that is not an array), upload_failed", body = ErrorEnvelope),
    )
)]
#[post("/offline-circulation")]
pub async fn upload(
    state: web::Data<ApiState>,
    staff: Staff,
    req: HttpRequest,
    query: QueryParams<UploadQuery>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff
        .principal
        .require_role(&[kitap_domain::Role::Librarian, kitap_domain::Role::Admin])?;
    let json = is_json(&req)?;
    let bytes = read_body(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_upload",
            "the request body is empty: send the offline circulation file",
        ));
    }
    let file = OfflineFile {
        file_name: query
            .into_inner()
            .file_name
            .unwrap_or_else(|| "upload".to_owned()),
        json,
        body: bytes,
    };
    let dto = report(&state, move |app| {
        app.upload_offline(&staff.principal, &staff.actor, file)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/offline-circulation/{}", dto.offline_upload.id),
        ))
        .json(dto))
}

/// One element of the JSON form of the file (the schema only: the
/// elements are read one by one, so that a bad one is a bad line).
#[derive(Debug, Serialize, ToSchema)]
pub struct OfflineActionJson {
    /// ISO 8601 with an offset.
    #[schema(example = "2026-12-01T10:15:00+05:00")]
    pub timestamp: String,
    /// checkout, reading_room, return or renew.
    pub action: String,
    pub card_number: Option<String>,
    pub item_barcode: String,
}

/// The acting library's offline uploads with their counts, newest first.
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = OfflineUploadPage))
)]
#[get("/offline-circulation")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<PageQuery>,
) -> Result<web::Json<OfflineUploadPage>, ApiError> {
    let before = query
        .before
        .as_deref()
        .map(|raw| {
            raw.parse::<OfflineUploadId>().map_err(|_| {
                ApiError::bad_request(
                    "invalid_query_parameter",
                    "before: must be an offline upload id",
                )
                .with_details(serde_json::json!({ "parameter": "before" }))
            })
        })
        .transpose()?;
    let limit = i64::from(page_limit(query.limit, 100, 500)?);
    let (uploads, branches) = run(&state, move |app| {
        Ok((
            app.offline_uploads(&staff.principal, before, limit)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let next = (uploads.len() as i64 == limit)
        .then(|| uploads.last().map(|u| u.upload.id.to_string()))
        .flatten();
    Ok(web::Json(OfflineUploadPage {
        offline_uploads: uploads
            .iter()
            .map(|u| OfflineUploadDto::new(u, &codes))
            .collect(),
        next,
    }))
}

/// One offline upload: its counts and every line's outcome in file order
/// (only one outcome's with `outcome`, e.g. the conflicts to redo at the
/// desk).
#[utoipa::path(
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "offline upload id"), ReportQuery),
    responses(
        (status = 200, body = OfflineReportDto),
        (status = 404, description = "offline_upload_not_found", body = ErrorEnvelope),
    )
)]
#[get("/offline-circulation/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    query: QueryParams<ReportQuery>,
) -> Result<web::Json<OfflineReportDto>, ApiError> {
    let id: OfflineUploadId = parse_id(&id)?;
    let outcome = query
        .into_inner()
        .outcome
        .as_deref()
        .map(Outcome::parse)
        .transpose()?;
    let dto = report(&state, move |app| {
        app.offline_upload(&staff.principal, id, outcome)
    })
    .await?;
    Ok(web::Json(dto))
}

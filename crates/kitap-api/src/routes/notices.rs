//! Reader notices for staff: the outbox list, the desk's list of phone calls
//! and home visits (JSON or CSV), marking a call done, and one run now.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::notices::{CallLine, Notice, NoticeQuery, TickReport};
use kitap_domain::NoticeId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDto {
    pub id: String,
    pub reader_id: String,
    pub loan_id: Option<String>,
    pub hold_id: Option<String>,
    /// courtesy, overdue or hold_ready.
    #[schema(example = "overdue")]
    pub kind: String,
    /// Overdue: the level in days; otherwise 1.
    pub level: i32,
    /// email, sms, phone or visit.
    pub channel: String,
    /// pending, sending, sent, failed or printed (a call or visit done).
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl NoticeDto {
    fn new(n: &Notice) -> Self {
        NoticeDto {
            id: n.id.to_string(),
            reader_id: n.reader_id.to_string(),
            loan_id: n.loan_id.map(|id| id.to_string()),
            hold_id: n.hold_id.map(|id| id.to_string()),
            kind: n.kind.as_str().to_owned(),
            level: n.level,
            channel: n.channel.as_str().to_owned(),
            status: n.status.as_str().to_owned(),
            attempts: n.attempts,
            last_error: n.last_error.clone(),
            created_at: n.created_at.to_string(),
            sent_at: n.sent_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeList {
    pub notices: Vec<NoticeDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOne {
    pub notice: NoticeDto,
}

/// One reader to phone or visit about one loan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDto {
    pub notice_id: String,
    pub kind: String,
    pub level: i32,
    /// phone or visit.
    pub channel: String,
    /// Surname, first name, patronymic.
    pub reader_name: String,
    pub card_number: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub title: Option<String>,
    pub barcode: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub days_overdue: i64,
    /// Code of the library that issued the loan.
    pub library: Option<String>,
}

impl CallDto {
    fn new(c: &CallLine) -> Self {
        CallDto {
            notice_id: c.notice_id.to_string(),
            kind: c.kind.as_str().to_owned(),
            level: c.level,
            channel: c.channel.as_str().to_owned(),
            reader_name: c.reader_name.clone(),
            card_number: c.card_number.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            title: c.title.clone(),
            barcode: c.barcode.clone(),
            due_on: c.due_on,
            days_overdue: c.days_overdue,
            library: c.library.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    pub calls: Vec<CallDto>,
}

/// What one run of the notice job did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunReport {
    /// Another node was running the job: nothing was done.
    pub skipped: bool,
    /// Notices found `sending` (a process stopped mid-send): marked failed, not resent.
    pub interrupted: usize,
    /// Failed notices put back for another attempt.
    pub retried: usize,
    pub scheduled: usize,
    pub sent: usize,
    pub failed: usize,
    /// Automatic overdue blocks placed by this run (as `POST /debtors/refresh`).
    pub blocks_placed: u32,
    /// Automatic overdue blocks lifted by this run.
    pub blocks_lifted: u32,
}

impl From<TickReport> for RunReport {
    fn from(r: TickReport) -> Self {
        RunReport {
            skipped: r.skipped,
            interrupted: r.interrupted,
            retried: r.retried,
            scheduled: r.scheduled,
            sent: r.sent,
            failed: r.failed,
            blocks_placed: r.blocks_placed,
            blocks_lifted: r.blocks_lifted,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// pending, sending, sent, failed or printed.
    pub status: Option<String>,
    /// courtesy, overdue or hold_ready.
    pub kind: Option<String>,
    /// Library code: notices of loans it issued.
    pub library: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    /// Library code: calls about loans it issued.
    pub library: Option<String>,
    /// json (default) or csv.
    pub format: Option<String>,
}

/// Notices to readers, oldest first (librarians, administrators).
#[utoipa::path(
    tag = "notices",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = NoticeList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[get("/notices")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<NoticeList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let after = match q.after.as_deref() {
        Some(raw) => Some(raw.parse::<NoticeId>().map_err(|_| {
            ApiError::bad_request("invalid_query_parameter", "after must be an id")
        })?),
        None => None,
    };
    let query = NoticeQuery {
        status: q.status,
        kind: q.kind,
        library: q.library,
        after,
        limit: i64::from(limit),
    };
    let notices = run(&state, move |app| app.list_notices(&staff.principal, query)).await?;
    let next = (notices.len() == limit as usize)
        .then(|| notices.last().map(|n| n.id.to_string()))
        .flatten();
    Ok(web::Json(NoticeList {
        notices: notices.iter().map(NoticeDto::new).collect(),
        next,
    }))
}

/// The list for phone calls and home visits: pending phone notices with the
/// reader's name, card, phone and address, the title, due date and days
/// overdue (librarians, administrators). `format=csv` gives the printable CSV.
#[utoipa::path(
    tag = "notices",
    security(("bearer" = [])),
    params(CallsQuery),
    responses(
        (status = 200, description = "the calls as JSON or CSV", content(
            (CallList = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/notices/calls")]
pub async fn calls(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<CallsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_query_parameter",
                "format must be json or csv",
            ))
        }
    };
    let library = q.library;
    let lines = run(&state, move |app| {
        app.notice_calls(&staff.principal, library)
    })
    .await?;
    let rows: Vec<CallDto> = lines.iter().map(CallDto::new).collect();
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"notice-calls.csv\"",
            ))
            .body(calls_csv(&rows)));
    }
    Ok(HttpResponse::Ok().json(CallList { calls: rows }))
}

fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn calls_csv(lines: &[CallDto]) -> String {
    let mut out = String::from(
        "library,reader,card,phone,address,title,barcode,due_on,days_overdue,kind,level,channel,notice_id\r\n",
    );
    for c in lines {
        let row = [
            c.library.clone().unwrap_or_default(),
            c.reader_name.clone(),
            c.card_number.clone(),
            c.phone.clone().unwrap_or_default(),
            c.address.clone().unwrap_or_default(),
            c.title.clone().unwrap_or_default(),
            c.barcode.clone().unwrap_or_default(),
            c.due_on.map(|d| d.to_string()).unwrap_or_default(),
            c.days_overdue.to_string(),
            c.kind.clone(),
            c.level.to_string(),
            c.channel.clone(),
            c.notice_id.clone(),
        ];
        let cells: Vec<String> = row.iter().map(|v| cell(v)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A phone call or home visit was made: the notice is done (status
/// `printed`), with an audit row naming who (librarians, administrators).
#[utoipa::path(
    tag = "notices",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "notice id")),
    responses(
        (status = 200, body = NoticeOne),
        (status = 404, description = "notice_not_found", body = ErrorEnvelope),
        (status = 409, description = "notice_not_pending", body = ErrorEnvelope),
    )
)]
#[post("/notices/{id}/done")]
pub async fn done(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<NoticeOne>, ApiError> {
    let id: NoticeId = parse_id(&id)?;
    let notice = run(&state, move |app| {
        app.notice_done(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(NoticeOne {
        notice: NoticeDto::new(&notice),
    }))
}

/// Runs the notice job once now (administrators): schedule, then deliver;
/// the counts say what it did. Skipped when another node is running it.
#[utoipa::path(
    tag = "notices",
    security(("bearer" = [])),
    responses((status = 200, body = RunReport))
)]
#[post("/notices/run")]
pub async fn run_now(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<RunReport>, ApiError> {
    let report = run(&state, move |app| app.run_notices(&staff.principal)).await?;
    Ok(web::Json(report.into()))
}

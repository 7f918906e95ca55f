//! Thematic selections (іріктеу) lent as a unit between libraries, their
//! return report and due-date reminders, and libraries' requests to the
//! unified fund answered by a selection (issue #7 points 3 and 4).

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::exchange::{
    AnswerRequest, CopyPick, LibraryRequestView, NewLibraryRequest, NewSelection, Place,
    ReminderView, RequestAnswer, RequestFilter, SelectionCopyView, SelectionQuery, SelectionReport,
    SelectionView, StoredLibraryRequest, StoredRequestTitle, StoredSelection,
};
use kitap_app::AppError;
use kitap_domain::{
    CopyId, LibraryRequestId, LibraryRequestStatus, RecordId, SelectionId, SelectionStatus,
};
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
pub struct SelectionDto {
    pub id: String,
    /// ІР-2026/0001.
    pub number: String,
    pub name: String,
    /// The lending library (the copies' home).
    pub from_library: String,
    /// The borrowing library.
    pub to_library: String,
    pub request_id: Option<String>,
    pub due_on: NaiveDate,
    /// draft, dispatched, lent, returning, closed or cancelled.
    pub status: String,
    pub note: Option<String>,
    pub created_at: String,
    pub dispatched_at: Option<String>,
    pub received_at: Option<String>,
    pub returned_at: Option<String>,
    pub closed_at: Option<String>,
    pub version: i64,
}

impl SelectionDto {
    fn new(s: &StoredSelection, codes: &LibraryCodes) -> Self {
        SelectionDto {
            id: s.id.to_string(),
            number: s.number.clone(),
            name: s.name.clone(),
            from_library: codes.code(s.from_branch_id),
            to_library: codes.code(s.to_branch_id),
            request_id: s.request_id.map(|r| r.to_string()),
            due_on: s.due_on,
            status: s.status.as_str().to_owned(),
            note: s.note.clone(),
            created_at: s.created_at.to_string(),
            dispatched_at: s.dispatched_at.map(|t| t.to_string()),
            received_at: s.received_at.map(|t| t.to_string()),
            returned_at: s.returned_at.map(|t| t.to_string()),
            closed_at: s.closed_at.map(|t| t.to_string()),
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionCopyDto {
    pub copy_id: String,
    pub record_id: String,
    pub barcode: String,
    pub inventory_number: String,
    pub title: String,
    /// included, lent, returned (let go of by the selection) or missing.
    pub state: String,
    /// When it was received home.
    pub returned_at: Option<String>,
    /// Where it is now: shelf, on_loan, in_transit or hold_shelf.
    pub place: String,
    /// The library of that place (the one travelled to, for in_transit).
    pub place_library: Option<String>,
    /// The reader who has it, or for whom it waits on a hold shelf.
    pub reader_name: Option<String>,
}

fn copy_dto(c: &SelectionCopyView, codes: &LibraryCodes) -> SelectionCopyDto {
    let library = match c.place {
        Place::Shelf { at } | Place::HoldShelf { at, .. } => at,
        Place::OnLoan { from, .. } => from,
        Place::InTransit { to, .. } => to,
    };
    SelectionCopyDto {
        copy_id: c.copy_id.to_string(),
        record_id: c.record_id.to_string(),
        barcode: c.barcode.clone(),
        inventory_number: c.inventory_number.clone(),
        title: c.title.clone(),
        state: c.state.clone(),
        returned_at: c.returned_at.map(|t| t.to_string()),
        place: c.place.code().to_owned(),
        place_library: Some(codes.code(library)),
        reader_name: c.reader_name.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionOne {
    pub selection: SelectionDto,
    pub copies: Vec<SelectionCopyDto>,
}

fn one(v: &SelectionView, codes: &LibraryCodes) -> SelectionOne {
    SelectionOne {
        selection: SelectionDto::new(&v.selection, codes),
        copies: v.copies.iter().map(|c| copy_dto(c, codes)).collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionList {
    pub selections: Vec<SelectionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCounts {
    pub total: usize,
    pub returned: usize,
    pub travelling: usize,
    pub on_loan: usize,
    pub missing: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionReportDto {
    pub selection: SelectionDto,
    pub counts: ReportCounts,
    /// Home on the lending library's shelf.
    pub returned: Vec<SelectionCopyDto>,
    /// On the road (home, or still out).
    pub travelling: Vec<SelectionCopyDto>,
    /// With a reader (or on a hold shelf) at the borrowing library.
    pub on_loan: Vec<SelectionCopyDto>,
    /// Not home, not travelling, with no reader.
    pub missing: Vec<SelectionCopyDto>,
}

fn report_dto(r: &SelectionReport, codes: &LibraryCodes) -> SelectionReportDto {
    let dtos = |v: &[SelectionCopyView]| v.iter().map(|c| copy_dto(c, codes)).collect();
    SelectionReportDto {
        selection: SelectionDto::new(&r.selection, codes),
        counts: ReportCounts {
            total: r.returned.len() + r.travelling.len() + r.on_loan.len() + r.missing.len(),
            returned: r.returned.len(),
            travelling: r.travelling.len(),
            on_loan: r.on_loan.len(),
            missing: r.missing.len(),
        },
        returned: dtos(&r.returned),
        travelling: dtos(&r.travelling),
        on_loan: dtos(&r.on_loan),
        missing: dtos(&r.missing),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSelectionDto {
    pub name: String,
    /// Code of the borrowing library.
    pub to_library: String,
    /// After today.
    pub due_on: NaiveDate,
    pub note: Option<String>,
    /// Copies by id (on the shelf of the acting library).
    #[serde(default)]
    pub copy_ids: Vec<String>,
    /// Copies by barcode.
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// The library request this selection answers.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopiesDto {
    #[serde(default)]
    pub copy_ids: Vec<String>,
    #[serde(default)]
    pub barcodes: Vec<String>,
}

fn pick(ids: Vec<String>, barcodes: Vec<String>) -> Result<CopyPick, ApiError> {
    let ids = ids
        .iter()
        .map(|i| i.parse::<CopyId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::from)?;
    Ok(CopyPick { ids, barcodes })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SelectionListQuery {
    /// Code of a library on either side.
    pub library: Option<String>,
    /// draft, dispatched, lent, returning, closed or cancelled.
    pub status: Option<String>,
    /// Only selections not closed or cancelled.
    pub open: Option<bool>,
    /// Due strictly before this day.
    pub due_before: Option<NaiveDate>,
    /// 1 to 1000 (default 200).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderRunDto {
    /// due_soon reminders written by this run.
    pub due_soon: usize,
    /// overdue reminders written by this run.
    pub overdue: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDto {
    pub selection_id: String,
    pub number: String,
    pub name: String,
    pub due_on: NaiveDate,
    pub from_library: String,
    pub to_library: String,
    /// due_soon or overdue.
    pub kind: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderList {
    pub reminders: Vec<ReminderDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    /// Code of the borrowing library (all when absent).
    pub library: Option<String>,
}

fn reminder_dto(r: &ReminderView, codes: &LibraryCodes) -> ReminderDto {
    ReminderDto {
        selection_id: r.selection.id.to_string(),
        number: r.selection.number.clone(),
        name: r.selection.name.clone(),
        due_on: r.selection.due_on,
        from_library: codes.code(r.selection.from_branch_id),
        to_library: codes.code(r.selection.to_branch_id),
        kind: r.reminder.kind.clone(),
        created_at: r.reminder.created_at.to_string(),
    }
}

const SELECTION_CONFLICTS: &str = "copy_not_on_shelf (the message names the inventory number), \
copy_in_selection, same_library, wrong_library (not the lending or borrowing library), \
selection_wrong_status, selection_empty, version_conflict, and the copy state machine's codes \
(on_loan, in_transit, requested_for_transfer, not_lent...)";

async fn selection_call<F>(state: &web::Data<ApiState>, work: F) -> Result<SelectionOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<SelectionView, AppError> + Send + 'static,
{
    let (v, branches) = run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(one(&v, &LibraryCodes::new(&branches)))
}

/// Create a draft selection lent by the acting library (librarians, the
/// exchange department, administrators): copies free on its shelves.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = NewSelectionDto,
    responses(
        (status = 201, body = SelectionOne),
        (status = 404, description = "library_not_found, copy_not_found, library_request_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
        (status = 422, description = "validation_failed (due_on not after today, empty name)", body = ErrorEnvelope),
    )
)]
#[post("/selections")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewSelectionDto>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let copies = pick(b.copy_ids, b.barcodes)?;
    let request_id: Option<LibraryRequestId> = b
        .request_id
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let (name, to, due_on, note) = (b.name, b.to_library, b.due_on, b.note);
    let out = selection_call(&state, move |app| {
        let to = app.library_id(&to)?;
        let new = NewSelection {
            name,
            to,
            due_on,
            note,
            copies,
            request_id,
        };
        app.create_selection(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Selections by library (either side), status and due date, newest first.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(SelectionListQuery),
    responses(
        (status = 200, body = SelectionList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/selections")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<SelectionListQuery>,
) -> Result<web::Json<SelectionList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 200, 1000)?;
    let status: Option<SelectionStatus> = q
        .status
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let (library, open, due_before) = (q.library, q.open.unwrap_or(false), q.due_before);
    let (found, branches) = run(&state, move |app| {
        let library = library.map(|c| app.library_id(&c)).transpose()?;
        let query = SelectionQuery {
            library,
            status,
            open,
            due_before,
            limit: i64::from(limit),
        };
        Ok((
            app.selections(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(SelectionList {
        selections: found.iter().map(|s| SelectionDto::new(s, &codes)).collect(),
    }))
}

/// One selection with its copies and where each is now.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
    )
)]
#[get("/selections/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| app.selection(&staff.principal, id)).await?;
    Ok(web::Json(out))
}

/// Add copies to a draft (at the lending library).
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    request_body = CopiesDto,
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found, copy_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/copies")]
pub async fn add_copies(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<CopiesDto>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let b = body.into_inner();
    let copies = pick(b.copy_ids, b.barcodes)?;
    let out = selection_call(&state, move |app| {
        app.add_selection_copies(&staff.principal, &staff.actor, id, copies)
    })
    .await?;
    Ok(web::Json(out))
}

/// Take a copy out of a draft.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "selection id"),
        ("copy_id" = String, Path, description = "copy id"),
    ),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found, copy_not_found (not in the selection)", body = ErrorEnvelope),
        (status = 409, description = "wrong_library, selection_wrong_status", body = ErrorEnvelope),
    )
)]
#[delete("/selections/{id}/copies/{copy_id}")]
pub async fn remove_copy(
    state: web::Data<ApiState>,
    staff: Staff,
    path: web::Path<(String, String)>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let (id, copy) = path.into_inner();
    let id: SelectionId = parse_id(&id)?;
    let copy: CopyId = parse_id(&copy)?;
    let out = selection_call(&state, move |app| {
        app.remove_selection_copy(&staff.principal, &staff.actor, id, copy)
    })
    .await?;
    Ok(web::Json(out))
}

/// Cancel a draft at the lending library; its copies are free again.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
        (status = 409, description = "wrong_library, selection_wrong_status, version_conflict", body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/cancel")]
pub async fn cancel(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| {
        app.cancel_selection(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(out))
}

/// Dispatch a draft as a unit from the lending library: every copy leaves
/// in transit for the selection, or (one no longer on the shelf) none does.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/dispatch")]
pub async fn dispatch(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| {
        app.dispatch_selection(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(out))
}

/// Receive at the borrowing library every copy still travelling to it: the
/// selection is lent there (copies also arrive one by one through
/// POST /transfers/receive).
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/receive")]
pub async fn receive(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| {
        app.receive_selection(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(out))
}

/// Return a lent selection as a unit from the borrowing library: copies on
/// its shelf travel home now, copies with readers go home on their return.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/return")]
pub async fn return_unit(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| {
        app.return_selection(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(out))
}

/// Receive at the lending library every copy travelling home for the
/// selection; closed when none travels any more.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionOne),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
        (status = 409, description = SELECTION_CONFLICTS, body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/receive-home")]
pub async fn receive_home(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionOne>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let out = selection_call(&state, move |app| {
        app.receive_selection_home(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(web::Json(out))
}

/// The return report: returned, travelling, still on loan at the borrowing
/// library (with the reader), missing; with counts.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "selection id")),
    responses(
        (status = 200, body = SelectionReportDto),
        (status = 404, description = "selection_not_found", body = ErrorEnvelope),
    )
)]
#[get("/selections/{id}/report")]
pub async fn report(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SelectionReportDto>, ApiError> {
    let id: SelectionId = parse_id(&id)?;
    let (r, branches) = run(&state, move |app| {
        Ok((
            app.selection_report(&staff.principal, id)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(web::Json(report_dto(&r, &LibraryCodes::new(&branches))))
}

/// Write the due reminders now (administrators; the server also runs this
/// every hour). Each reminder is written once.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    responses((status = 200, body = ReminderRunDto))
)]
#[post("/selections/reminders/run")]
pub async fn run_reminders(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<ReminderRunDto>, ApiError> {
    let r = run(&state, move |app| {
        app.run_selection_reminders(&staff.principal, &staff.actor)
    })
    .await?;
    Ok(web::Json(ReminderRunDto {
        due_soon: r.due_soon,
        overdue: r.overdue,
    }))
}

/// Open reminders of selections lent to a library: due soon or overdue.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(ReminderQuery),
    responses(
        (status = 200, body = ReminderList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/selections/reminders")]
pub async fn reminders(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ReminderQuery>,
) -> Result<web::Json<ReminderList>, ApiError> {
    let library = query.into_inner().library;
    let (found, branches) = run(&state, move |app| {
        let library = library.map(|c| app.library_id(&c)).transpose()?;
        Ok((
            app.selection_reminders(&staff.principal, library)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(ReminderList {
        reminders: found.iter().map(|r| reminder_dto(r, &codes)).collect(),
    }))
}

/// Mark a reminder read.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "selection id"),
        ("kind" = String, Path, description = "due_soon or overdue"),
    ),
    responses(
        (status = 204),
        (status = 404, description = "selection_not_found, reminder_not_found", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (kind)", body = ErrorEnvelope),
    )
)]
#[post("/selections/{id}/reminders/{kind}/ack")]
pub async fn ack_reminder(
    state: web::Data<ApiState>,
    staff: Staff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, kind) = path.into_inner();
    let id: SelectionId = parse_id(&id)?;
    run(&state, move |app| {
        app.acknowledge_selection_reminder(&staff.principal, &staff.actor, id, &kind)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

// Library requests.

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestTitleDto {
    pub record_id: String,
    pub title: String,
    pub copies: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryRequestDto {
    pub id: String,
    /// КС-2026/0001.
    pub number: String,
    /// The requesting library.
    pub from_library: String,
    /// The library asked (the fund).
    pub to_library: String,
    pub topic: Option<String>,
    pub needed_by: Option<NaiveDate>,
    /// open, answered or cancelled.
    pub status: String,
    pub note: Option<String>,
    pub answer_note: Option<String>,
    pub created_at: String,
    pub answered_at: Option<String>,
    pub version: i64,
}

fn request_dto(r: &StoredLibraryRequest, codes: &LibraryCodes) -> LibraryRequestDto {
    LibraryRequestDto {
        id: r.id.to_string(),
        number: r.number.clone(),
        from_library: codes.code(r.from_branch_id),
        to_library: codes.code(r.to_branch_id),
        topic: r.topic.clone(),
        needed_by: r.needed_by,
        status: r.status.as_str().to_owned(),
        note: r.note.clone(),
        answer_note: r.answer_note.clone(),
        created_at: r.created_at.to_string(),
        answered_at: r.answered_at.map(|t| t.to_string()),
        version: r.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryRequestOne {
    pub request: LibraryRequestDto,
    pub titles: Vec<RequestTitleDto>,
}

fn request_one(v: &LibraryRequestView, codes: &LibraryCodes) -> LibraryRequestOne {
    LibraryRequestOne {
        request: request_dto(&v.request, codes),
        titles: v
            .titles
            .iter()
            .map(|t| RequestTitleDto {
                record_id: t.record_id.to_string(),
                title: t.title.clone(),
                copies: t.copies,
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryRequestList {
    pub requests: Vec<LibraryRequestDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedTitle {
    pub record_id: String,
    /// At least 1.
    pub copies: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLibraryRequestDto {
    /// Code of the library asked (default: the central library).
    pub to_library: Option<String>,
    pub topic: Option<String>,
    #[serde(default)]
    pub titles: Vec<RequestedTitle>,
    pub needed_by: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestListQuery {
    /// Code of the requesting library.
    pub from: Option<String>,
    /// Code of the library asked.
    pub to: Option<String>,
    /// open, answered or cancelled.
    pub status: Option<String>,
    /// 1 to 1000 (default 200).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerDto {
    #[serde(default)]
    pub copy_ids: Vec<String>,
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// When the selection is due back; after today.
    pub due_on: NaiveDate,
    /// The selection's name (default: the request's topic or number).
    pub name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredDto {
    pub record_id: String,
    pub title: String,
    pub requested: u32,
    pub sent: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestAnswerDto {
    pub request: LibraryRequestOne,
    /// The selection sent, dispatched as a unit.
    pub selection: SelectionOne,
    /// Requested titles the selection sends fewer copies of than asked.
    pub uncovered: Vec<UncoveredDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequestDto {
    pub note: Option<String>,
}

async fn request_call<F>(
    state: &web::Data<ApiState>,
    work: F,
) -> Result<LibraryRequestOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<LibraryRequestView, AppError> + Send + 'static,
{
    let (v, branches) = run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(request_one(&v, &LibraryCodes::new(&branches)))
}

/// A request of the acting library to the fund: titles with how many
/// copies, or a topic.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    request_body = NewLibraryRequestDto,
    responses(
        (status = 201, body = LibraryRequestOne),
        (status = 404, description = "library_not_found, record_not_found", body = ErrorEnvelope),
        (status = 409, description = "same_library", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (neither titles nor topic, zero copies)", body = ErrorEnvelope),
    )
)]
#[post("/library-requests")]
pub async fn create_request(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewLibraryRequestDto>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let titles = b
        .titles
        .iter()
        .map(|t| {
            Ok(StoredRequestTitle {
                record_id: t.record_id.parse::<RecordId>()?,
                copies: t.copies,
            })
        })
        .collect::<Result<Vec<_>, kitap_domain::ValueError>>()
        .map_err(AppError::from)?;
    let (to, topic, needed_by, note) = (b.to_library, b.topic, b.needed_by, b.note);
    let out = request_call(&state, move |app| {
        let to = to.map(|c| app.library_id(&c)).transpose()?;
        let new = NewLibraryRequest {
            to,
            topic,
            titles,
            needed_by,
            note,
        };
        app.create_library_request(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Requests by requesting library, library asked and status, newest first.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(RequestListQuery),
    responses(
        (status = 200, body = LibraryRequestList),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/library-requests")]
pub async fn list_requests(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<RequestListQuery>,
) -> Result<web::Json<LibraryRequestList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 200, 1000)?;
    let status: Option<LibraryRequestStatus> = q
        .status
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let (from, to) = (q.from, q.to);
    let (found, branches) = run(&state, move |app| {
        let filter = RequestFilter {
            from: from.map(|c| app.library_id(&c)).transpose()?,
            to: to.map(|c| app.library_id(&c)).transpose()?,
            status,
            limit: i64::from(limit),
        };
        Ok((
            app.library_requests(&staff.principal, filter)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(LibraryRequestList {
        requests: found.iter().map(|r| request_dto(r, &codes)).collect(),
    }))
}

/// One request with its titles.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "library request id")),
    responses(
        (status = 200, body = LibraryRequestOne),
        (status = 404, description = "library_request_not_found", body = ErrorEnvelope),
    )
)]
#[get("/library-requests/{id}")]
pub async fn get_request(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<LibraryRequestOne>, ApiError> {
    let id: LibraryRequestId = parse_id(&id)?;
    let out = request_call(&state, move |app| app.library_request(&staff.principal, id)).await?;
    Ok(web::Json(out))
}

/// Answer an open request at the library asked: a selection of the copies
/// sent to the requesting library, dispatched as a unit; lists the
/// requested titles not covered.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "library request id")),
    request_body = AnswerDto,
    responses(
        (status = 200, body = RequestAnswerDto),
        (status = 404, description = "library_request_not_found, copy_not_found", body = ErrorEnvelope),
        (status = 409, description = "request_not_open, wrong_library, and the selection's conflicts", body = ErrorEnvelope),
        (status = 422, description = "validation_failed", body = ErrorEnvelope),
    )
)]
#[post("/library-requests/{id}/answer")]
pub async fn answer_request(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<AnswerDto>,
) -> Result<web::Json<RequestAnswerDto>, ApiError> {
    let id: LibraryRequestId = parse_id(&id)?;
    let b = body.into_inner();
    let answer = AnswerRequest {
        copies: pick(b.copy_ids, b.barcodes)?,
        due_on: b.due_on,
        name: b.name,
        note: b.note,
    };
    let (a, branches): (RequestAnswer, _) = run(&state, move |app| {
        Ok((
            app.answer_library_request(&staff.principal, &staff.actor, id, answer)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(RequestAnswerDto {
        request: request_one(&a.request, &codes),
        selection: one(&a.selection, &codes),
        uncovered: a
            .uncovered
            .iter()
            .map(|u| UncoveredDto {
                record_id: u.record_id.to_string(),
                title: u.title.clone(),
                requested: u.requested,
                sent: u.sent,
            })
            .collect(),
    }))
}

/// Call an open request off.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "library request id")),
    request_body = CancelRequestDto,
    responses(
        (status = 200, body = LibraryRequestOne),
        (status = 404, description = "library_request_not_found", body = ErrorEnvelope),
        (status = 409, description = "request_not_open, version_conflict", body = ErrorEnvelope),
    )
)]
#[post("/library-requests/{id}/cancel")]
pub async fn cancel_request(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<CancelRequestDto>,
) -> Result<web::Json<LibraryRequestOne>, ApiError> {
    let id: LibraryRequestId = parse_id(&id)?;
    let note = body.into_inner().note;
    let out = request_call(&state, move |app| {
        app.cancel_library_request(&staff.principal, &staff.actor, id, note)
    })
    .await?;
    Ok(web::Json(out))
}

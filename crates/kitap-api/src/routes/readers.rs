//! Readers: registration, search, the reader's card, blocks and loans.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::circulation::{
    NewReader, ReaderLoan, ReaderPatch, ReaderQuery, ReaderView, StoredBlock,
};
use kitap_domain::{BlockId, CardNumber, ReaderId};
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
pub struct ReaderDto {
    pub id: String,
    #[schema(example = "2900000000012")]
    pub card_number: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    /// Whole for administrators and librarians; `******302728` for other roles.
    pub iin: Option<String>,
    /// Left out (null) for roles other than administrator and librarian.
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// adult, student, pupil, child, pensioner or disabled.
    #[schema(example = "adult")]
    pub category: String,
    /// active or archived.
    pub status: String,
    /// Code of the reader's home library.
    #[schema(example = "F01")]
    pub home_library: String,
    pub guarantor_id: Option<String>,
    pub guardian: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_phone: bool,
    pub keep_history: bool,
    pub registered_on: NaiveDate,
    /// 31 December of the year of (re-)registration.
    pub registered_until: NaiveDate,
    pub note: Option<String>,
    pub version: i64,
    /// True when personal data was masked or left out for this role.
    pub masked: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl ReaderDto {
    pub fn new(r: &ReaderView, codes: &LibraryCodes) -> Self {
        ReaderDto {
            id: r.id.to_string(),
            card_number: r.card_number.clone(),
            surname: r.surname.clone(),
            first_name: r.first_name.clone(),
            patronymic: r.patronymic.clone(),
            birth_date: r.birth_date,
            iin: r.iin.clone(),
            document: r.document.clone(),
            address: r.address.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            category: r.category.clone(),
            status: r.status.clone(),
            home_library: codes.code(r.home_branch_id),
            guarantor_id: r.guarantor_id.map(|id| id.to_string()),
            guardian: r.guardian.clone(),
            consent_email: r.consent_email,
            consent_sms: r.consent_sms,
            consent_phone: r.consent_phone,
            keep_history: r.keep_history,
            registered_on: r.registered_on,
            registered_until: r.registered_until,
            note: r.note.clone(),
            version: r.version,
            masked: r.masked,
            created_at: r.created_at.to_string(),
            updated_at: r.updated_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderOne {
    pub reader: ReaderDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderList {
    pub readers: Vec<ReaderDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterReader {
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    /// 12 digits with a valid check digit.
    pub iin: Option<String>,
    /// Identity document (kind and number).
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// adult, student, pupil, child, pensioner or disabled.
    pub category: String,
    /// Library code; the acting library when absent.
    pub home_library: Option<String>,
    /// Generated (EAN-13, prefix 290) when absent.
    pub card_number: Option<String>,
    /// A reader who vouches for a reader under 16.
    pub guarantor_id: Option<String>,
    /// Name and contact of a guardian who is not a reader.
    pub guardian: Option<String>,
    #[serde(default)]
    pub consent_email: bool,
    #[serde(default)]
    pub consent_sms: bool,
    #[serde(default)]
    pub consent_phone: bool,
    /// Keep the reading history after return.
    #[serde(default)]
    pub keep_history: bool,
    /// 4 to 12 digits, for self-service; stored as an argon2id hash.
    pub pin: Option<String>,
    pub note: Option<String>,
    /// Register although a possible duplicate was reported.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReader {
    /// The version read; a reader changed since answers version_conflict.
    pub version: i64,
    pub surname: Option<String>,
    pub first_name: Option<String>,
    /// An empty string clears it (also the other optional texts).
    pub patronymic: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub iin: Option<String>,
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub category: Option<String>,
    /// active or archived.
    pub status: Option<String>,
    pub home_library: Option<String>,
    pub guardian: Option<String>,
    pub consent_email: Option<bool>,
    pub consent_sms: Option<bool>,
    pub consent_phone: Option<bool>,
    pub keep_history: Option<bool>,
    pub pin: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Start of the surname, any case.
    pub q: Option<String>,
    /// Exact card number.
    pub card: Option<String>,
    /// Exact IIN.
    pub iin: Option<String>,
    /// Home library code.
    pub library: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderLoanDto {
    pub id: String,
    pub copy_id: String,
    pub barcode: String,
    pub record_id: String,
    pub title: String,
    /// home or reading_room.
    pub kind: String,
    pub issued_at: String,
    pub due_on: NaiveDate,
    pub renewals: i32,
    /// Days past the due date; 0 when not overdue.
    pub overdue_days: u32,
}

impl From<&ReaderLoan> for ReaderLoanDto {
    fn from(l: &ReaderLoan) -> Self {
        ReaderLoanDto {
            id: l.loan.id.to_string(),
            copy_id: l.loan.copy_id.to_string(),
            barcode: l.barcode.to_string(),
            record_id: l.record_id.to_string(),
            title: l.title.clone(),
            kind: l.loan.kind.as_str().to_owned(),
            issued_at: l.loan.issued_at.to_string(),
            due_on: l.loan.due_on,
            renewals: l.loan.renewals,
            overdue_days: l.overdue_days,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderLoans {
    pub loans: Vec<ReaderLoanDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LiftQuery {
    /// Why the block is lifted (audited).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockDto {
    pub id: String,
    pub reader_id: String,
    /// manual, overdue or lost_copy.
    pub kind: String,
    pub reason: String,
    pub created_at: String,
}

impl From<&StoredBlock> for BlockDto {
    fn from(b: &StoredBlock) -> Self {
        BlockDto {
            id: b.id.to_string(),
            reader_id: b.reader_id.to_string(),
            kind: b.kind.as_str().to_owned(),
            reason: b.reason.clone(),
            created_at: b.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockOne {
    pub block: BlockDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockList {
    pub blocks: Vec<BlockDto>,
}

async fn one<F>(state: &web::Data<ApiState>, work: F) -> Result<ReaderOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<ReaderView, kitap_app::AppError> + Send + 'static,
{
    let (reader, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(ReaderOne {
        reader: ReaderDto::new(&reader, &LibraryCodes::new(&branches)),
    })
}

fn optional_id(raw: Option<&str>, name: &str) -> Result<Option<ReaderId>, ApiError> {
    raw.map(|r| {
        r.parse::<ReaderId>().map_err(|_| {
            ApiError::bad_request(
                "invalid_query_parameter",
                format!("{name} must be a reader id"),
            )
        })
    })
    .transpose()
}

/// Register a reader (librarians, administrators). A reader with the same
/// surname, first name and birth date (or IIN) answers
/// `reader_possible_duplicate` with the candidates unless `confirm_duplicate`.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    request_body = RegisterReader,
    responses(
        (status = 201, body = ReaderOne),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 409, description = "iin_taken, card_number_taken, reader_possible_duplicate (details.candidates)", body = ErrorEnvelope),
        (status = 422, description = "validation_failed (details.field: iin, birth_date, ...), guarantor_required", body = ErrorEnvelope),
    )
)]
#[post("/readers")]
pub async fn register(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<RegisterReader>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let guarantor_id = match b.guarantor_id.as_deref() {
        Some(raw) => Some(
            raw.parse::<ReaderId>()
                .map_err(|e| ApiError::from(kitap_app::AppError::from(e)))?,
        ),
        None => None,
    };
    let new = NewReader {
        surname: b.surname,
        first_name: b.first_name,
        patronymic: b.patronymic,
        birth_date: Some(b.birth_date),
        iin: b.iin,
        document: b.document,
        address: b.address,
        phone: b.phone,
        email: b.email,
        category: b.category,
        home_library: b.home_library,
        card_number: b.card_number,
        guarantor_id,
        guardian: b.guardian,
        consent_email: b.consent_email,
        consent_sms: b.consent_sms,
        consent_phone: b.consent_phone,
        keep_history: b.keep_history,
        pin: b.pin,
        note: b.note,
        confirm_duplicate: b.confirm_duplicate,
    };
    let created = one(&state, move |app| {
        app.register_reader(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Readers by surname prefix (any case), card, IIN or home library, in
/// registration order.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ReaderList))
)]
#[get("/readers")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<ReaderList>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let query = ReaderQuery {
        surname: q.q,
        card: q.card,
        iin: q.iin,
        library: q.library,
        after: optional_id(q.after.as_deref(), "after")?,
        limit,
    };
    let (readers, branches) = run(&state, move |app| {
        Ok((
            app.list_readers(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let next = (readers.len() == limit as usize)
        .then(|| readers.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(web::Json(ReaderList {
        readers: readers.iter().map(|r| ReaderDto::new(r, &codes)).collect(),
        next,
    }))
}

/// One reader.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    responses((status = 200, body = ReaderOne), (status = 404, description = "reader_not_found", body = ErrorEnvelope))
)]
#[get("/readers/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ReaderOne>, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    Ok(web::Json(
        one(&state, move |app| app.reader(&staff.principal, id)).await?,
    ))
}

/// The reader a card scanner read.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("card" = String, Path, description = "card number as scanned")),
    responses((status = 200, body = ReaderOne), (status = 404, description = "reader_not_found", body = ErrorEnvelope))
)]
#[get("/readers/by-card/{card}")]
pub async fn by_card(
    state: web::Data<ApiState>,
    staff: Staff,
    card: web::Path<String>,
) -> Result<web::Json<ReaderOne>, ApiError> {
    let card: CardNumber = parse_id(&card)?;
    Ok(web::Json(
        one(&state, move |app| {
            app.reader_by_card(&staff.principal, card.as_str())
        })
        .await?,
    ))
}

/// Change a reader (librarians, administrators); `version` must be the current one.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    request_body = UpdateReader,
    responses(
        (status = 200, body = ReaderOne),
        (status = 404, description = "reader_not_found", body = ErrorEnvelope),
        (status = 409, description = "version_conflict (details.current_version), iin_taken", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[patch("/readers/{id}")]
pub async fn update(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<UpdateReader>,
) -> Result<web::Json<ReaderOne>, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    let b = body.into_inner();
    let patch = ReaderPatch {
        surname: b.surname,
        first_name: b.first_name,
        patronymic: b.patronymic,
        birth_date: b.birth_date,
        iin: b.iin,
        document: b.document,
        address: b.address,
        phone: b.phone,
        email: b.email,
        category: b.category,
        status: b.status,
        home_library: b.home_library,
        guardian: b.guardian,
        consent_email: b.consent_email,
        consent_sms: b.consent_sms,
        consent_phone: b.consent_phone,
        keep_history: b.keep_history,
        pin: b.pin,
        note: b.note,
    };
    let version = b.version;
    Ok(web::Json(
        one(&state, move |app| {
            app.update_reader(&staff.principal, &staff.actor, id, version, patch)
        })
        .await?,
    ))
}

/// The annual re-registration: valid to 31 December of this year.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    responses((status = 200, body = ReaderOne), (status = 404, description = "reader_not_found", body = ErrorEnvelope), (status = 409, description = "version_conflict", body = ErrorEnvelope))
)]
#[post("/readers/{id}/reregister")]
pub async fn reregister(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ReaderOne>, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    Ok(web::Json(
        one(&state, move |app| {
            app.reregister_reader(&staff.principal, &staff.actor, id)
        })
        .await?,
    ))
}

/// The reader's open loans, earliest due first, with overdue days.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    responses((status = 200, body = ReaderLoans), (status = 404, description = "reader_not_found", body = ErrorEnvelope))
)]
#[get("/readers/{id}/loans")]
pub async fn loans(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ReaderLoans>, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    let loans = run(&state, move |app| app.reader_loans(&staff.principal, id)).await?;
    Ok(web::Json(ReaderLoans {
        loans: loans.iter().map(ReaderLoanDto::from).collect(),
    }))
}

/// The reader's active blocks.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    responses((status = 200, body = BlockList), (status = 404, description = "reader_not_found", body = ErrorEnvelope))
)]
#[get("/readers/{id}/blocks")]
pub async fn blocks(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<BlockList>, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    let blocks = run(&state, move |app| app.reader_blocks(&staff.principal, id)).await?;
    Ok(web::Json(BlockList {
        blocks: blocks.iter().map(BlockDto::from).collect(),
    }))
}

/// Block a reader by hand (librarians, administrators): checkouts and
/// renewals refuse with `reader_blocked` until it is lifted.
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id")),
    request_body = NewBlock,
    responses((status = 201, body = BlockOne), (status = 404, description = "reader_not_found", body = ErrorEnvelope))
)]
#[post("/readers/{id}/blocks")]
pub async fn block(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<NewBlock>,
) -> Result<HttpResponse, ApiError> {
    let id: ReaderId = parse_id(&id)?;
    let reason = body.into_inner().reason;
    let block = run(&state, move |app| {
        app.block_reader(&staff.principal, &staff.actor, id, &reason)
    })
    .await?;
    Ok(HttpResponse::Created().json(BlockOne {
        block: BlockDto::from(&block),
    }))
}

/// Lift a block (librarians, administrators).
#[utoipa::path(
    tag = "readers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "reader id"), ("block_id" = String, Path, description = "block id"), LiftQuery),
    responses((status = 204, description = "lifted"), (status = 404, description = "reader_not_found, block_not_found", body = ErrorEnvelope))
)]
#[delete("/readers/{id}/blocks/{block_id}")]
pub async fn lift(
    state: web::Data<ApiState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    query: QueryParams<LiftQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, block_id) = path.into_inner();
    let id: ReaderId = parse_id(&id)?;
    let block_id: BlockId = parse_id(&block_id)?;
    let reason = query.into_inner().reason;
    run(&state, move |app| {
        app.lift_block(
            &staff.principal,
            &staff.actor,
            id,
            block_id,
            reason.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

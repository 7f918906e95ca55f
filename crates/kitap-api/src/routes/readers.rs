//! Readers: registration, search, the reader's card, blocks and loans.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kitap_app::circulation::{NewReader, ReaderPatch, ReaderQuery, ReaderView};
use kitap_domain::{BlockId, CardNumber, ReaderId};

use super::readers_dto::{
    BlockDto, BlockList, BlockOne, LiftQuery, ListQuery, NewBlock, ReaderDto, ReaderList,
    ReaderLoanDto, ReaderLoans, ReaderOne, RegisterReader, UpdateReader,
};
use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

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

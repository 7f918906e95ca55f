//! Reader self-service (#5, point 7): log in with card number and PIN, see
//! one's own card, loans, holds and history, renew, place and cancel holds.
//! Every route but login takes a reader token (security scheme `reader`);
//! refusals answer with the reader's text (see [`reader_error`]).

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use kitap_app::circulation::SelfLoan;
use kitap_app::{App, AppError, ReaderLoginAttempt};
use kitap_domain::{CopyId, HoldId, LoanId, RecordId};

use super::opac_dto::{
    reader_error, ChangePinRequest, HistoryQuery, OpacHistory, OpacHoldDto, OpacHoldOne, OpacHolds,
    OpacLoanDto, OpacLoanOne, OpacLoans, OpacLoginRequest, OpacLoginResponse, OpacMe, OpacNewHold,
    OpacPastLoanDto,
};
use crate::auth::request_id;
use crate::client_addr::client_addr;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::reader_auth::{Lang, Reader};
use crate::state::ApiState;

/// Runs a reader's use case on the blocking pool; its failure in the
/// reader's language.
async fn run_for<T, F>(state: &web::Data<ApiState>, lang: Lang, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&App) -> Result<T, AppError> + Send + 'static,
{
    let app = state.app.clone();
    web::block(move || work(&app))
        .await?
        .map_err(|err| reader_error(err, lang))
}

fn address(req: &HttpRequest, state: &ApiState) -> Option<String> {
    client_addr(req, &state.trusted_proxies).map(|ip| ip.to_string())
}

/// Log in with the card number and PIN; returns a reader token.
#[utoipa::path(
    tag = "self-service",
    request_body = OpacLoginRequest,
    responses(
        (status = 200, body = OpacLoginResponse),
        (status = 401, description = "invalid_credentials: unknown card, no PIN set, or wrong PIN (the same answer for each)", body = ErrorEnvelope),
        (status = 409, description = "reader_not_active: the reader's record is withdrawn (archived); the PIN was right (details.message_ru, details.message_kk)", body = ErrorEnvelope),
        (status = 423, description = "account_locked: too many wrong PINs for this card from this address (`details.locked_until`)", body = ErrorEnvelope),
        (status = 429, description = "login_throttled: too many wrong PINs from this address over all cards; wait `details.retry_after_seconds` (also `Retry-After`)", body = ErrorEnvelope),
    )
)]
#[post("/opac/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<ApiState>,
    lang: Lang,
    body: JsonBody<OpacLoginRequest>,
) -> Result<web::Json<OpacLoginResponse>, ApiError> {
    let body = body.into_inner();
    let attempt = ReaderLoginAttempt {
        card_number: body.card_number,
        pin: body.pin,
        client_addr: address(&req, &state),
        user_agent: req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
        request_id: Some(request_id(&req)),
    };
    let outcome = run_for(&state, lang, move |app| app.reader_login(attempt)).await?;
    Ok(web::Json(OpacLoginResponse {
        token: outcome.token,
        token_type: "Bearer".to_owned(),
        expires_at: outcome.expires_at.to_string(),
    }))
}

/// End the reader's session.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    responses((status = 204))
)]
#[post("/opac/logout")]
pub async fn logout(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
) -> Result<HttpResponse, ApiError> {
    run_for(&state, lang, move |app| {
        app.reader_logout(&reader.principal, &reader.actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The reader's own card: name, card number, home library, registration,
/// blocks (with what each means, in Kazakh and Russian) and consents.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    responses((status = 200, body = OpacMe))
)]
#[get("/opac/me")]
pub async fn me(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
) -> Result<web::Json<OpacMe>, ApiError> {
    let (profile, branches) = run_for(&state, lang, move |app| {
        Ok((app.my_profile(&reader.principal)?, app.list_branches(true)?))
    })
    .await?;
    Ok(web::Json(OpacMe::new(&profile, &branches, lang)))
}

/// Change the reader's PIN; the reader's other sessions end. A wrong
/// current PIN counts as a failed login.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    request_body = ChangePinRequest,
    responses(
        (status = 204),
        (status = 401, description = "invalid_credentials: the current PIN is wrong", body = ErrorEnvelope),
        (status = 422, description = "validation_failed: the new PIN is not 4 to 12 digits (details.field)", body = ErrorEnvelope),
        (status = 423, description = "account_locked", body = ErrorEnvelope),
        (status = 429, description = "login_throttled", body = ErrorEnvelope),
    )
)]
#[post("/opac/me/pin")]
pub async fn change_pin(
    req: HttpRequest,
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
    body: JsonBody<ChangePinRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let addr = address(&req, &state);
    run_for(&state, lang, move |app| {
        app.change_reader_pin(
            &reader.principal,
            &reader.actor,
            &body.current_pin,
            &body.new_pin,
            addr.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn my_loans(
    state: &web::Data<ApiState>,
    lang: Lang,
    reader: &Reader,
) -> Result<(Vec<SelfLoan>, LibraryCodes), ApiError> {
    let principal = reader.principal.clone();
    let (open, branches) = run_for(state, lang, move |app| {
        Ok((app.my_loans(&principal)?, app.list_branches(true)?))
    })
    .await?;
    Ok((open, LibraryCodes::new(&branches)))
}

/// The reader's open loans, earliest due first: due date, overdue days,
/// renewals left, and whether a renewal now would pass (else why not).
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    responses((status = 200, body = OpacLoans))
)]
#[get("/opac/me/loans")]
pub async fn loans(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
) -> Result<web::Json<OpacLoans>, ApiError> {
    let (open, codes) = my_loans(&state, lang, &reader).await?;
    Ok(web::Json(OpacLoans {
        loans: open
            .iter()
            .map(|l| OpacLoanDto::new(l, &codes, lang))
            .collect(),
    }))
}

/// Renew one of the reader's loans online, by the desk's renewal policy
/// (no overrides). The renewal is recorded without a staff member, as
/// `reader_online`.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    params(("id" = String, Path, description = "loan id")),
    responses(
        (status = 200, body = OpacLoanOne),
        (status = 404, description = "loan_not_found (also another reader's loan)", body = ErrorEnvelope),
        (status = 409, description = "a refusal in the reader's language: reader_not_active, reader_blocked, reader_has_overdue, renewal_limit_reached, title_on_hold, loan_is_reading_room, no_open_day (details.message_ru, details.message_kk, details.refusals: code and texts of every failing check); not_on_loan (returned already); version_conflict", body = ErrorEnvelope),
    )
)]
#[post("/opac/me/loans/{id}/renew")]
pub async fn renew(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
    id: web::Path<String>,
) -> Result<web::Json<OpacLoanOne>, ApiError> {
    let id: LoanId = parse_id(&id)?;
    let principal = reader.principal.clone();
    let actor = reader.actor.clone();
    run_for(&state, lang, move |app| {
        app.renew_my_loan(&principal, &actor, id)
    })
    .await?;
    let (open, codes) = my_loans(&state, lang, &reader).await?;
    let renewed = open
        .iter()
        .find(|l| l.loan.id == id)
        .ok_or_else(|| ApiError::from(AppError::NotFound { entity: "loan" }))?;
    Ok(web::Json(OpacLoanOne {
        loan: OpacLoanDto::new(renewed, &codes, lang),
    }))
}

/// The reader's returned loans, newest first — only when the reader chose
/// to keep a reading history (`consent.keep_history`); otherwise 403
/// `history_not_kept`.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    params(HistoryQuery),
    responses(
        (status = 200, body = OpacHistory),
        (status = 403, description = "history_not_kept: the reader has not chosen to keep a reading history (the library turns it on)", body = ErrorEnvelope),
    )
)]
#[get("/opac/me/history")]
pub async fn history(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
    query: QueryParams<HistoryQuery>,
) -> Result<web::Json<OpacHistory>, ApiError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit, 100, 500)?;
    let before: Option<LoanId> = q
        .before
        .as_deref()
        .map(|raw| {
            raw.parse().map_err(|_| {
                ApiError::bad_request("invalid_query_parameter", "before must be a loan id")
                    .with_details(serde_json::json!({ "parameter": "before" }))
            })
        })
        .transpose()?;
    let (past, branches) = run_for(&state, lang, move |app| {
        let past = app.my_history(&reader.principal, before, i64::from(limit))?;
        Ok((past, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let full = past.len() == usize::try_from(limit).unwrap_or(usize::MAX);
    Ok(web::Json(OpacHistory {
        next: past.last().filter(|_| full).map(|l| l.loan.id.to_string()),
        loans: past
            .iter()
            .map(|l| OpacPastLoanDto::new(l, &codes))
            .collect(),
    }))
}

/// The reader's open holds, newest first, with the place in the queue.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    responses((status = 200, body = OpacHolds))
)]
#[get("/opac/me/holds")]
pub async fn holds(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
) -> Result<web::Json<OpacHolds>, ApiError> {
    let (held, branches) = run_for(&state, lang, move |app| {
        Ok((app.my_holds(&reader.principal)?, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(OpacHolds {
        holds: held.iter().map(|h| OpacHoldDto::new(h, &codes)).collect(),
    }))
}

/// Place a hold on a title, or on one copy, for pickup at a library.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    request_body = OpacNewHold,
    responses(
        (status = 201, body = OpacHoldOne),
        (status = 404, description = "record_not_found, copy_not_found, library_not_found", body = ErrorEnvelope),
        (status = 409, description = "a refusal in the reader's language: reader_not_active, reader_blocked, holds_not_allowed, already_holding (details.message_ru, details.message_kk, details.refusals); library_inactive", body = ErrorEnvelope),
    )
)]
#[post("/opac/me/holds")]
pub async fn place_hold(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
    body: JsonBody<OpacNewHold>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let record_id: RecordId = b.record_id.parse().map_err(AppError::from)?;
    let copy_id: Option<CopyId> = b
        .copy_id
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::from)?;
    let (hold, branches) = run_for(&state, lang, move |app| {
        let hold = app.place_my_hold(
            &reader.principal,
            &reader.actor,
            record_id,
            copy_id,
            b.pickup_library,
        )?;
        Ok((hold, app.list_branches(true)?))
    })
    .await?;
    Ok(HttpResponse::Created().json(OpacHoldOne {
        hold: OpacHoldDto::new(&hold, &LibraryCodes::new(&branches)),
    }))
}

/// Cancel one of the reader's open holds.
#[utoipa::path(
    tag = "self-service",
    security(("reader" = [])),
    params(("id" = String, Path, description = "hold id")),
    responses(
        (status = 200, body = OpacHoldOne),
        (status = 404, description = "hold_not_found (also another reader's hold)", body = ErrorEnvelope),
        (status = 409, description = "hold_closed, version_conflict", body = ErrorEnvelope),
    )
)]
#[delete("/opac/me/holds/{id}")]
pub async fn cancel_hold(
    state: web::Data<ApiState>,
    lang: Lang,
    reader: Reader,
    id: web::Path<String>,
) -> Result<web::Json<OpacHoldOne>, ApiError> {
    let id: HoldId = parse_id(&id)?;
    let (hold, branches) = run_for(&state, lang, move |app| {
        let hold = app.cancel_my_hold(&reader.principal, &reader.actor, id)?;
        Ok((hold, app.list_branches(true)?))
    })
    .await?;
    Ok(web::Json(OpacHoldOne {
        hold: OpacHoldDto::new(&hold, &LibraryCodes::new(&branches)),
    }))
}

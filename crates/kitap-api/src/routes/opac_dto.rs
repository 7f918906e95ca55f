//! What the reader's self-service routes send and take. A reader sees their
//! own card only, never staff details (no IIN, no notes, no refusal details
//! for staff), and reader-facing texts in Kazakh and Russian.

use actix_web::http::StatusCode;
use chrono::NaiveDate;
use kitap_app::circulation::{
    block_text, reader_text, LoanWithCopy, ReaderText, SelfHold, SelfLoan, SelfProfile,
};
use kitap_app::{AppError, Branch};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::dto::LibraryCodes;
use crate::error::ApiError;
use crate::reader_auth::Lang;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpacLoginRequest {
    #[schema(example = "2900000000015")]
    pub card_number: String,
    /// 4 to 12 digits.
    pub pin: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacLoginResponse {
    /// Send as `Authorization: Bearer <token>` to `/api/v1/opac/me...`.
    /// Shown once; Kitap keeps only a hash. Staff routes refuse it.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    pub expires_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePinRequest {
    pub current_pin: String,
    /// 4 to 12 digits.
    pub new_pin: String,
}

/// A refusal or block, for the reader.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderTextDto {
    /// The desk's stable refusal code.
    pub code: String,
    /// In the language of `Accept-Language` (kk or ru; Kazakh by default).
    pub message: String,
    pub message_ru: String,
    pub message_kk: String,
}

impl ReaderTextDto {
    pub fn new(t: ReaderText, lang: Lang) -> Self {
        ReaderTextDto {
            code: t.code.to_owned(),
            message: lang.pick(t.message_kk, t.message_ru).to_owned(),
            message_ru: t.message_ru.to_owned(),
            message_kk: t.message_kk.to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacBlockDto {
    /// manual, overdue or lost_copy.
    pub kind: String,
    /// The reason the library gave.
    pub reason: String,
    pub since: String,
    /// What it means: `reader_blocked` (no renewals, no holds) or, for the
    /// automatic overdue block, `reader_has_overdue`.
    pub meaning: ReaderTextDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryNameDto {
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    /// Notices by e-mail, SMS, phone call.
    pub email: bool,
    pub sms: bool,
    pub phone: bool,
    /// The reading history is kept and shown at `/opac/me/history`.
    pub keep_history: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacReaderDto {
    pub card_number: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    /// adult, student, pupil, child, pensioner or disabled.
    pub category: String,
    pub home_library: LibraryNameDto,
    /// The annual registration runs to this day.
    pub registered_until: NaiveDate,
    pub registration_expired: bool,
    /// A manual or lost-copy block: no renewals and no holds until lifted.
    pub blocked: bool,
    pub blocks: Vec<OpacBlockDto>,
    pub consent: ConsentDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacMe {
    pub reader: OpacReaderDto,
}

impl OpacMe {
    pub fn new(p: &SelfProfile, branches: &[Branch], lang: Lang) -> Self {
        let r = &p.reader;
        let home = branches.iter().find(|b| b.id == r.home_branch_id);
        let home_library = LibraryNameDto {
            code: home.map_or_else(|| r.home_branch_id.to_string(), |b| b.code.to_string()),
            name_kk: home.map(|b| b.name_kk.clone()).unwrap_or_default(),
            name_ru: home.map(|b| b.name_ru.clone()).unwrap_or_default(),
        };
        let blocks: Vec<OpacBlockDto> = p
            .blocks
            .iter()
            .map(|b| OpacBlockDto {
                kind: b.kind.as_str().to_owned(),
                reason: b.reason.clone(),
                since: b.created_at.to_string(),
                meaning: ReaderTextDto::new(block_text(b.kind), lang),
            })
            .collect();
        OpacMe {
            reader: OpacReaderDto {
                card_number: r.card_number.to_string(),
                surname: r.surname.clone(),
                first_name: r.first_name.clone(),
                patronymic: r.patronymic.clone(),
                category: r.category.as_str().to_owned(),
                home_library,
                registered_until: r.registered_until,
                registration_expired: p.registration_expired,
                blocked: blocks.iter().any(|b| b.meaning.code == "reader_blocked"),
                blocks,
                consent: ConsentDto {
                    email: r.consent_email,
                    sms: r.consent_sms,
                    phone: r.consent_phone,
                    keep_history: r.keep_history,
                },
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacLoanDto {
    pub id: String,
    pub title: String,
    pub record_id: String,
    pub barcode: String,
    /// Code of the issuing library.
    pub library: String,
    /// home or reading_room.
    pub kind: String,
    pub issued_at: String,
    pub due_on: NaiveDate,
    pub overdue_days: u32,
    pub renewals: i32,
    pub renewals_left: u16,
    /// Whether `POST /opac/me/loans/{id}/renew` would renew it now.
    pub renewable: bool,
    /// Why not, when it is not renewable.
    pub renewal_refusal: Option<ReaderTextDto>,
}

impl OpacLoanDto {
    pub fn new(l: &SelfLoan, codes: &LibraryCodes, lang: Lang) -> Self {
        OpacLoanDto {
            id: l.loan.id.to_string(),
            title: l.title.clone(),
            record_id: l.record_id.to_string(),
            barcode: l.barcode.to_string(),
            library: codes.code(l.loan.branch_id),
            kind: l.loan.kind.as_str().to_owned(),
            issued_at: l.loan.issued_at.to_string(),
            due_on: l.loan.due_on,
            overdue_days: l.overdue_days,
            renewals: l.loan.renewals,
            renewals_left: l.renewals_left,
            renewable: l.renewal_refusal.is_none(),
            renewal_refusal: l.renewal_refusal.map(|t| ReaderTextDto::new(t, lang)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacLoans {
    pub loans: Vec<OpacLoanDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacLoanOne {
    pub loan: OpacLoanDto,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The previous page's `next`.
    pub before: Option<String>,
    /// 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacPastLoanDto {
    pub id: String,
    pub title: String,
    pub record_id: String,
    pub barcode: String,
    pub library: String,
    pub issued_at: String,
    pub due_on: NaiveDate,
    pub returned_at: Option<String>,
    /// Code of the library it was returned at.
    pub return_library: Option<String>,
}

impl OpacPastLoanDto {
    pub fn new(l: &LoanWithCopy, codes: &LibraryCodes) -> Self {
        OpacPastLoanDto {
            id: l.loan.id.to_string(),
            title: l.title.clone(),
            record_id: l.record_id.to_string(),
            barcode: l.barcode.to_string(),
            library: codes.code(l.loan.branch_id),
            issued_at: l.loan.issued_at.to_string(),
            due_on: l.loan.due_on,
            returned_at: l.loan.returned_at.map(|t| t.to_string()),
            return_library: l.loan.return_branch_id.map(|b| codes.code(b)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacHistory {
    pub loans: Vec<OpacPastLoanDto>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacHoldDto {
    pub id: String,
    pub record_id: String,
    pub title: String,
    /// Set for a hold on one copy.
    pub copy_id: Option<String>,
    pub pickup_library: String,
    /// waiting, in_transit, ready (on the hold shelf), or, after cancelling, cancelled.
    pub status: String,
    pub placed_at: String,
    /// Place in the title's queue (1 = next), while waiting.
    pub queue_position: Option<u32>,
    pub ready_on: Option<NaiveDate>,
    /// Last day to pick it up from the hold shelf.
    pub expires_on: Option<NaiveDate>,
}

impl OpacHoldDto {
    pub fn new(h: &SelfHold, codes: &LibraryCodes) -> Self {
        let hold = &h.hold;
        OpacHoldDto {
            id: hold.id.to_string(),
            record_id: hold.record_id.to_string(),
            title: h.title.clone(),
            copy_id: hold.copy_id.map(|c| c.to_string()),
            pickup_library: codes.code(hold.pickup_branch_id),
            status: hold.status.as_str().to_owned(),
            placed_at: hold.placed_at.to_string(),
            queue_position: h.queue_position,
            ready_on: hold.ready_on,
            expires_on: hold.expires_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacHolds {
    pub holds: Vec<OpacHoldDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpacHoldOne {
    pub hold: OpacHoldDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpacNewHold {
    pub record_id: String,
    /// For a hold on one copy.
    pub copy_id: Option<String>,
    /// Code of the pickup library.
    pub pickup_library: String,
}

/// A use case's failure as the reader gets it: a refusal carries the
/// reader's texts (the message in the asked language) and every failing
/// check by code, without the staff detail or the override flag; any other
/// failure is the ordinary envelope.
pub fn reader_error(err: AppError, lang: Lang) -> ApiError {
    let AppError::Refused(r) = &err else {
        return err.into();
    };
    let refusals: Vec<serde_json::Value> = r
        .refusals
        .iter()
        .filter_map(|(code, _, _)| reader_text(code))
        .map(|t| json!({ "code": t.code, "message_ru": t.message_ru, "message_kk": t.message_kk }))
        .collect();
    ApiError::new(
        StatusCode::CONFLICT,
        r.code,
        lang.pick(r.message_kk, r.message_ru),
    )
    .with_details(json!({
        "message_ru": r.message_ru,
        "message_kk": r.message_kk,
        "refusals": refusals,
    }))
}

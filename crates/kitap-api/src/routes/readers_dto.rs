//! JSON shapes of the reader routes.

use chrono::NaiveDate;
use kitap_app::circulation::{ReaderLoan, ReaderView, StoredBlock};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::dto::LibraryCodes;

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
#[into_params(parameter_in = Query)]
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
#[into_params(parameter_in = Query)]
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

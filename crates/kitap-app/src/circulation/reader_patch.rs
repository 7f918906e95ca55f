//! A partial change of a reader, applied to the stored one.

use chrono::NaiveDate;
use kitap_db::readers::StoredReader;
use kitap_db::DbConnection;

use super::readers::{required, text};
use crate::catalog::find_library;
use crate::AppError;

/// A partial change; `None` leaves a field, an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct ReaderPatch {
    pub surname: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub iin: Option<String>,
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub category: Option<String>,
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

pub(crate) fn apply_patch(
    conn: &mut DbConnection,
    r: &mut StoredReader,
    p: &ReaderPatch,
) -> Result<(), AppError> {
    if let Some(v) = &p.surname {
        r.surname = required("surname", v, 100)?;
    }
    if let Some(v) = &p.first_name {
        r.first_name = required("first_name", v, 100)?;
    }
    if let Some(v) = &p.patronymic {
        r.patronymic = text("patronymic", Some(v), 100)?;
    }
    if let Some(v) = p.birth_date {
        r.birth_date = v;
    }
    if let Some(v) = &p.iin {
        r.iin = Some(v.trim())
            .filter(|v| !v.is_empty())
            .map(str::parse)
            .transpose()?;
    }
    if let Some(v) = &p.document {
        r.document = text("document", Some(v), 200)?;
    }
    if let Some(v) = &p.address {
        r.address = text("address", Some(v), 300)?;
    }
    if let Some(v) = &p.phone {
        r.phone = text("phone", Some(v), 40)?;
    }
    if let Some(v) = &p.email {
        r.email = text("email", Some(v), 200)?;
    }
    if let Some(v) = &p.category {
        r.category = v.parse()?;
    }
    if let Some(v) = &p.status {
        r.status = v.parse()?;
    }
    if let Some(code) = &p.home_library {
        r.home_branch_id = find_library(conn, code)?.id;
    }
    if let Some(v) = &p.guardian {
        r.guardian = text("guardian", Some(v), 300)?;
    }
    if let Some(v) = p.consent_email {
        r.consent_email = v;
    }
    if let Some(v) = p.consent_sms {
        r.consent_sms = v;
    }
    if let Some(v) = p.consent_phone {
        r.consent_phone = v;
    }
    if let Some(v) = p.keep_history {
        r.keep_history = v;
    }
    if let Some(v) = &p.note {
        r.note = text("note", Some(v), 2000)?;
    }
    Ok(())
}

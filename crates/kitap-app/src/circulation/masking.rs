//! What a staff member may see of a reader. Administrators and librarians
//! (who register readers) see everything; every other role sees the IIN
//! masked (`******302728`) and no document, address, phone, e-mail or
//! guardian. Audit snapshots always hold the masked IIN.

use chrono::NaiveDate;
use kitap_db::readers::StoredReader;
use kitap_domain::{BranchId, ReaderId, Role, Timestamp};
use serde_json::{json, Value};

use crate::Principal;

/// A reader as one staff member may see it.
#[derive(Debug, Clone)]
pub struct ReaderView {
    pub id: ReaderId,
    pub card_number: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    /// Whole for administrators and librarians, masked for the others.
    pub iin: Option<String>,
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub category: String,
    pub status: String,
    pub home_branch_id: BranchId,
    pub guarantor_id: Option<ReaderId>,
    pub guardian: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_phone: bool,
    pub keep_history: bool,
    pub registered_on: NaiveDate,
    pub registered_until: NaiveDate,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// True when personal data was left out or masked.
    pub masked: bool,
}

/// Roles that see a reader's personal data.
fn sees_everything(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Librarian)
}

pub(crate) fn view(who: &Principal, r: &StoredReader) -> ReaderView {
    let full = sees_everything(who.staff.role);
    let private = |value: &Option<String>| if full { value.clone() } else { None };
    ReaderView {
        id: r.id,
        card_number: r.card_number.to_string(),
        surname: r.surname.clone(),
        first_name: r.first_name.clone(),
        patronymic: r.patronymic.clone(),
        birth_date: r.birth_date,
        iin: r.iin.as_ref().map(|iin| {
            if full {
                iin.as_str().to_owned()
            } else {
                iin.masked()
            }
        }),
        document: private(&r.document),
        address: private(&r.address),
        phone: private(&r.phone),
        email: private(&r.email),
        category: r.category.as_str().to_owned(),
        status: r.status.as_str().to_owned(),
        home_branch_id: r.home_branch_id,
        guarantor_id: r.guarantor_id,
        guardian: private(&r.guardian),
        consent_email: r.consent_email,
        consent_sms: r.consent_sms,
        consent_phone: r.consent_phone,
        keep_history: r.keep_history,
        registered_on: r.registered_on,
        registered_until: r.registered_until,
        note: r.note.clone(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
        masked: !full,
    }
}

/// The audit log's picture of a reader: the IIN masked, contacts as
/// "present or not" only.
pub(crate) fn snapshot(r: &StoredReader) -> Value {
    json!({
        "card_number": r.card_number.as_str(),
        "surname": r.surname,
        "first_name": r.first_name,
        "patronymic": r.patronymic,
        "birth_date": r.birth_date,
        "iin": r.iin.as_ref().map(kitap_domain::Iin::masked),
        "has_document": r.document.is_some(),
        "has_address": r.address.is_some(),
        "has_phone": r.phone.is_some(),
        "has_email": r.email.is_some(),
        "category": r.category.as_str(),
        "status": r.status.as_str(),
        "home_branch_id": r.home_branch_id.to_string(),
        "guarantor_id": r.guarantor_id.map(|id| id.to_string()),
        "has_guardian": r.guardian.is_some(),
        "consent_email": r.consent_email,
        "consent_sms": r.consent_sms,
        "consent_phone": r.consent_phone,
        "keep_history": r.keep_history,
        "registered_until": r.registered_until,
        "version": r.version,
    })
}

/// A possible duplicate as the warning lists it (the IIN masked).
pub(crate) fn candidate(r: &StoredReader) -> Value {
    json!({
        "id": r.id.to_string(),
        "card_number": r.card_number.as_str(),
        "name": format!("{} {}", r.surname, r.first_name),
        "birth_date": r.birth_date,
        "iin": r.iin.as_ref().map(kitap_domain::Iin::masked),
    })
}

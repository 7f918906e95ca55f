//! Registering, finding and changing readers.

use chrono::{Datelike, NaiveDate};
use kitap_circulation::{needs_guarantor, overdue_days};
use kitap_db::readers::{self, ReaderFilter, StoredReader};
use kitap_db::{counters, loans, DbConnection, DbError};
use kitap_domain::{
    Barcode, CardNumber, Iin, ReaderCategory, ReaderId, ReaderStatus, Timestamp, ValueError,
};

use super::masking::{self, candidate, ReaderView};
use super::reader_patch::apply_patch;
pub use super::reader_patch::ReaderPatch;
use super::{reader_missing, today, READER_WRITERS};
use crate::audit::record as audit;
use crate::catalog::find_library;
use crate::{Actor, App, AppError, Principal};

/// Generated card numbers are EAN-13 of this GS1 in-house prefix, one
/// series for the whole system (copy barcodes use `catalog.barcode_prefix`,
/// 200 by default), so a card is never mistaken for a copy at the desk.
pub const CARD_PREFIX: &str = "290";
const CARD_SERIES: &str = "reader_card";
const MAX_CARD_ROUNDS: usize = 20;

/// A reader to register.
#[derive(Debug, Clone, Default)]
pub struct NewReader {
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub iin: Option<String>,
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub category: String,
    pub home_library: Option<String>,
    pub card_number: Option<String>,
    pub guarantor_id: Option<ReaderId>,
    pub guardian: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_phone: bool,
    pub keep_history: bool,
    pub pin: Option<String>,
    pub note: Option<String>,
    pub confirm_duplicate: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ReaderQuery {
    pub surname: Option<String>,
    pub card: Option<String>,
    pub iin: Option<String>,
    pub library: Option<String>,
    pub after: Option<ReaderId>,
    pub limit: u32,
}

/// An open loan on the reader's card.
#[derive(Debug, Clone)]
pub struct ReaderLoan {
    pub loan: kitap_db::loans::StoredLoan,
    pub barcode: Barcode,
    pub record_id: kitap_domain::RecordId,
    pub title: String,
    pub overdue_days: u32,
}

/// Trimmed text of at most `max` characters; empty is `None`.
pub(crate) fn text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ValueError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ValueError::new(field, format!("at most {max} characters")));
    }
    Ok(Some(value.to_owned()))
}

pub(crate) fn required(field: &'static str, raw: &str, max: usize) -> Result<String, ValueError> {
    text(field, Some(raw), max)?.ok_or_else(|| ValueError::new(field, "must not be empty"))
}

pub(crate) fn pin(raw: Option<&str>) -> Result<Option<String>, ValueError> {
    let Some(pin) = raw else { return Ok(None) };
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::new("pin", "must be 4 to 12 digits"));
    }
    Ok(Some(pin.to_owned()))
}

/// Registration runs to 31 December of the year it is made in.
pub(crate) fn end_of_year(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day)
}

fn iin_taken() -> AppError {
    AppError::conflict("iin_taken", "a reader with this IIN is already registered")
}

fn card_taken(card: &CardNumber) -> AppError {
    AppError::conflict(
        "card_number_taken",
        format!("card number {card} is already given to a reader"),
    )
}

/// A free card number from the system's series.
fn next_card(conn: &mut DbConnection) -> Result<CardNumber, AppError> {
    for _ in 0..MAX_CARD_ROUNDS {
        let n = counters::next(conn, CARD_SERIES)?;
        let serial = u64::try_from(n).unwrap_or_default();
        let code = Barcode::ean13(CARD_PREFIX, serial)
            .map_err(|_| AppError::Internal("the reader card series is used up".into()))?;
        let card: CardNumber = code.as_str().parse()?;
        match readers::find_by_card(conn, &card) {
            Err(DbError::NotFound) => return Ok(card),
            Ok(_) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::Internal(
        "no free card number in 20 rounds".into(),
    ))
}

/// A taken IIN or card number found by the unique indexes.
fn classify_insert(err: DbError) -> AppError {
    match &err {
        DbError::UniqueViolation(detail) if detail.contains("iin") => iin_taken(),
        DbError::UniqueViolation(detail) if detail.contains("card_number") => AppError::conflict(
            "card_number_taken",
            "this card number is already given to a reader",
        ),
        _ => err.into(),
    }
}

fn iin_holder(
    conn: &mut DbConnection,
    iin: &Iin,
    except: Option<ReaderId>,
) -> Result<bool, AppError> {
    let filter = ReaderFilter {
        iin: Some(iin.clone()),
        limit: 2,
        ..ReaderFilter::default()
    };
    Ok(readers::list(conn, &filter)?
        .iter()
        .any(|r| Some(r.id) != except))
}

impl App {
    /// Registers a reader at the acting library (or `home_library`).
    pub fn register_reader(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewReader,
    ) -> Result<ReaderView, AppError> {
        who.require_role(READER_WRITERS)?;
        let today = today();
        let birth_date = new
            .birth_date
            .ok_or_else(|| ValueError::new("birth_date", "is required"))?;
        if birth_date > today {
            return Err(ValueError::new("birth_date", "is in the future").into());
        }
        let iin = new
            .iin
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::parse::<Iin>)
            .transpose()?;
        let category: ReaderCategory = new.category.parse()?;
        let guardian = text("guardian", new.guardian.as_deref(), 300)?;
        if needs_guarantor(birth_date, today) && new.guarantor_id.is_none() && guardian.is_none() {
            return Err(AppError::GuarantorRequired);
        }
        let given_card = new
            .card_number
            .as_deref()
            .map(str::parse::<CardNumber>)
            .transpose()?;
        let pin_hash = pin(new.pin.as_deref())?
            .map(|p| self.hashing.hash(&p))
            .transpose()?;
        let now = Timestamp::now();
        let mut reader = StoredReader {
            id: ReaderId::new(),
            card_number: "0".parse()?,
            surname: required("surname", &new.surname, 100)?,
            first_name: required("first_name", &new.first_name, 100)?,
            patronymic: text("patronymic", new.patronymic.as_deref(), 100)?,
            birth_date,
            iin,
            document: text("document", new.document.as_deref(), 200)?,
            address: text("address", new.address.as_deref(), 300)?,
            phone: text("phone", new.phone.as_deref(), 40)?,
            email: text("email", new.email.as_deref(), 200)?,
            category,
            status: ReaderStatus::Active,
            home_branch_id: who.acting_branch.id,
            guarantor_id: new.guarantor_id,
            guardian,
            consent_email: new.consent_email,
            consent_sms: new.consent_sms,
            consent_phone: new.consent_phone,
            keep_history: new.keep_history,
            registered_on: today,
            registered_until: end_of_year(today),
            note: text("note", new.note.as_deref(), 2000)?,
            version: 1,
            created_by: Some(who.staff.id),
            created_at: now,
            updated_at: now,
        };
        self.db.write(|conn| {
            if let Some(code) = new.home_library.as_deref() {
                reader.home_branch_id = find_library(conn, code)?.id;
            }
            if let Some(guarantor) = reader.guarantor_id {
                readers::find(conn, guarantor).map_err(|e| match e {
                    DbError::NotFound => {
                        ValueError::new("guarantor_id", "no reader has this id").into()
                    }
                    other => AppError::from(other),
                })?;
            }
            if let Some(iin) = &reader.iin {
                if iin_holder(conn, iin, None)? {
                    return Err(iin_taken());
                }
            }
            let candidates = readers::possible_duplicates(
                conn,
                &reader.surname,
                &reader.first_name,
                reader.birth_date,
                reader.iin.as_ref(),
                None,
            )?;
            if !candidates.is_empty() && !new.confirm_duplicate {
                return Err(AppError::PossibleDuplicate {
                    candidates: candidates.iter().map(candidate).collect(),
                });
            }
            reader.card_number = match &given_card {
                Some(card) => match readers::find_by_card(conn, card) {
                    Err(DbError::NotFound) => card.clone(),
                    Ok(_) => return Err(card_taken(card)),
                    Err(other) => return Err(other.into()),
                },
                None => next_card(conn)?,
            };
            readers::insert(conn, &reader).map_err(classify_insert)?;
            if let Some(hash) = &pin_hash {
                readers::set_pin_hash(conn, reader.id, Some(hash), now)?;
                reader.version += 1;
            }
            let after = masking::snapshot(&reader);
            audit(
                conn,
                actor,
                "create",
                ("reader", &reader.id),
                None,
                Some(after),
            )?;
            Ok(masking::view(who, &reader))
        })
    }

    pub fn reader(&self, who: &Principal, id: ReaderId) -> Result<ReaderView, AppError> {
        let reader = self
            .db
            .read(|conn| readers::find(conn, id).map_err(reader_missing))?;
        Ok(masking::view(who, &reader))
    }

    pub fn reader_by_card(&self, who: &Principal, card: &str) -> Result<ReaderView, AppError> {
        let card: CardNumber = card.parse()?;
        let reader = self
            .db
            .read(|conn| readers::find_by_card(conn, &card).map_err(reader_missing))?;
        Ok(masking::view(who, &reader))
    }

    /// A page of readers in registration order.
    pub fn list_readers(
        &self,
        who: &Principal,
        q: ReaderQuery,
    ) -> Result<Vec<ReaderView>, AppError> {
        let card_number = q
            .card
            .as_deref()
            .map(str::parse::<CardNumber>)
            .transpose()?;
        let iin = q.iin.as_deref().map(str::parse::<Iin>).transpose()?;
        let found = self.db.read(|conn| {
            let home_branch_id = match &q.library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let filter = ReaderFilter {
                surname_prefix: q.surname.clone().filter(|s| !s.trim().is_empty()),
                card_number,
                iin,
                home_branch_id,
                status: None,
                after: q.after,
                limit: i64::from(q.limit.clamp(1, 500)),
            };
            Ok::<_, AppError>(readers::list(conn, &filter)?)
        })?;
        Ok(found.iter().map(|r| masking::view(who, r)).collect())
    }

    /// Changes a reader if nobody changed it since `version`.
    pub fn update_reader(
        &self,
        who: &Principal,
        actor: &Actor,
        id: ReaderId,
        version: i64,
        patch: ReaderPatch,
    ) -> Result<ReaderView, AppError> {
        who.require_role(READER_WRITERS)?;
        let pin_hash = pin(patch.pin.as_deref())?
            .map(|p| self.hashing.hash(&p))
            .transpose()?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let before = readers::find(conn, id).map_err(reader_missing)?;
            if before.version != version {
                return Err(AppError::VersionConflict {
                    current: before.version,
                });
            }
            let mut after = before.clone();
            apply_patch(conn, &mut after, &patch)?;
            if let Some(iin) = &after.iin {
                if after.iin != before.iin && iin_holder(conn, iin, Some(id))? {
                    return Err(iin_taken());
                }
            }
            after.version = before.version + 1;
            after.updated_at = now;
            if !readers::update(conn, &after, version).map_err(classify_insert)? {
                let current = readers::find(conn, id)?;
                return Err(AppError::VersionConflict {
                    current: current.version,
                });
            }
            if let Some(hash) = &pin_hash {
                readers::set_pin_hash(conn, id, Some(hash), now)?;
                // A new PIN from the desk (a forgotten one) ends the reader's
                // self-service sessions, as a new password ends staff ones.
                kitap_db::reader_sessions::revoke_all_for(conn, id, None, now)?;
                after.version += 1;
            }
            let (b, a) = (masking::snapshot(&before), masking::snapshot(&after));
            audit(conn, actor, "update", ("reader", &id), Some(b), Some(a))?;
            Ok(masking::view(who, &after))
        })
    }

    /// The annual re-registration: valid to 31 December of this year.
    pub fn reregister_reader(
        &self,
        who: &Principal,
        actor: &Actor,
        id: ReaderId,
    ) -> Result<ReaderView, AppError> {
        who.require_role(READER_WRITERS)?;
        let now = Timestamp::now();
        let today = today();
        self.db.write(|conn| {
            let before = readers::find(conn, id).map_err(reader_missing)?;
            let mut after = before.clone();
            after.registered_until = end_of_year(today);
            after.version = before.version + 1;
            after.updated_at = now;
            if !readers::update(conn, &after, before.version)? {
                return Err(AppError::VersionConflict {
                    current: before.version,
                });
            }
            let (b, a) = (masking::snapshot(&before), masking::snapshot(&after));
            audit(conn, actor, "reregister", ("reader", &id), Some(b), Some(a))?;
            Ok(masking::view(who, &after))
        })
    }

    /// The reader's open loans, earliest due first.
    pub fn reader_loans(
        &self,
        _who: &Principal,
        id: ReaderId,
    ) -> Result<Vec<ReaderLoan>, AppError> {
        let today = today();
        self.db.read(|conn| {
            readers::find(conn, id).map_err(reader_missing)?;
            Ok(loans::open_for_reader(conn, id)?
                .into_iter()
                .map(|l| ReaderLoan {
                    overdue_days: overdue_days(l.loan.due_on, today),
                    loan: l.loan,
                    barcode: l.barcode,
                    record_id: l.record_id,
                    title: l.title,
                })
                .collect())
        })
    }
}

//! Readers (patrons): registration, search, the duplicate check and what a
//! reader owes (open and overdue loans).

use chrono::NaiveDate;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use kitap_domain::{
    BranchId, CardNumber, Iin, ReaderCategory, ReaderId, ReaderStatus, StaffId, Timestamp,
};

use crate::schema::{loans, readers};
use crate::{DbConnection, DbError};

/// A stored reader. The PIN hash is not part of it: it is written and read
/// only through [`set_pin_hash`] and [`pin_hash`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReader {
    pub id: ReaderId,
    pub card_number: CardNumber,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub iin: Option<Iin>,
    pub document: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub category: ReaderCategory,
    pub status: ReaderStatus,
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
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = readers)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    card_number: String,
    surname: String,
    surname_key: String,
    first_name: String,
    patronymic: Option<String>,
    birth_date: NaiveDate,
    iin: Option<String>,
    document: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    category: String,
    status: String,
    home_branch_id: String,
    guarantor_id: Option<String>,
    guardian: Option<String>,
    consent_email: bool,
    consent_sms: bool,
    consent_phone: bool,
    keep_history: bool,
    registered_on: NaiveDate,
    registered_until: NaiveDate,
    note: Option<String>,
    version: i64,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

/// The form names are searched and compared in: lower-cased by Rust, because
/// SQLite's `lower()` folds ASCII only and readers' names are mostly Cyrillic.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl TryFrom<Row> for StoredReader {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("reader {}: {err}", row.id));
        Ok(StoredReader {
            id: row.id.parse().map_err(corrupt)?,
            card_number: row.card_number.parse().map_err(corrupt)?,
            iin: row
                .iin
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            category: row.category.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            home_branch_id: row.home_branch_id.parse().map_err(corrupt)?,
            guarantor_id: row
                .guarantor_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            created_by: row
                .created_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            surname: row.surname,
            first_name: row.first_name,
            patronymic: row.patronymic,
            birth_date: row.birth_date,
            document: row.document,
            address: row.address,
            phone: row.phone,
            email: row.email,
            guardian: row.guardian,
            consent_email: row.consent_email,
            consent_sms: row.consent_sms,
            consent_phone: row.consent_phone,
            keep_history: row.keep_history,
            registered_on: row.registered_on,
            registered_until: row.registered_until,
            note: row.note,
            version: row.version,
            created_at: Timestamp::from_naive(row.created_at),
            updated_at: Timestamp::from_naive(row.updated_at),
        })
    }
}

impl From<&StoredReader> for Row {
    fn from(r: &StoredReader) -> Self {
        Row {
            id: r.id.to_string(),
            card_number: r.card_number.to_string(),
            surname: r.surname.clone(),
            surname_key: name_key(&r.surname),
            first_name: r.first_name.clone(),
            patronymic: r.patronymic.clone(),
            birth_date: r.birth_date,
            iin: r.iin.as_ref().map(|iin| iin.as_str().to_owned()),
            document: r.document.clone(),
            address: r.address.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            category: r.category.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            home_branch_id: r.home_branch_id.to_string(),
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
            created_by: r.created_by.map(|id| id.to_string()),
            created_at: r.created_at.naive(),
            updated_at: r.updated_at.naive(),
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredReader>, DbError> {
    rows.into_iter().map(StoredReader::try_from).collect()
}

/// Inserts a reader (with no PIN). A taken card number or IIN comes back as
/// `UniqueViolation` naming `card_number` or `iin` (see [`DbError::violates`]).
pub fn insert(conn: &mut DbConnection, reader: &StoredReader) -> Result<(), DbError> {
    diesel::insert_into(readers::table)
        .values(Row::from(reader))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: ReaderId) -> Result<StoredReader, DbError> {
    readers::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_by_card(conn: &mut DbConnection, card: &CardNumber) -> Result<StoredReader, DbError> {
    readers::table
        .filter(readers::card_number.eq(card.as_str()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// Writes the mutable columns of `reader` if it is still at `expected_version`:
/// `Ok(false)` when someone else changed it first, `Err(NotFound)` when it is
/// gone. The caller sets `reader.version` to the new version.
pub fn update(
    conn: &mut DbConnection,
    reader: &StoredReader,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(reader);
    let changed = diesel::update(
        readers::table
            .filter(readers::id.eq(&row.id))
            .filter(readers::version.eq(expected_version)),
    )
    .set((
        (
            readers::version.eq(row.version),
            readers::card_number.eq(&row.card_number),
            readers::surname.eq(&row.surname),
            readers::surname_key.eq(&row.surname_key),
            readers::first_name.eq(&row.first_name),
            readers::patronymic.eq(&row.patronymic),
            readers::birth_date.eq(row.birth_date),
            readers::iin.eq(&row.iin),
            readers::document.eq(&row.document),
            readers::address.eq(&row.address),
            readers::phone.eq(&row.phone),
            readers::email.eq(&row.email),
        ),
        (
            readers::category.eq(&row.category),
            readers::status.eq(&row.status),
            readers::home_branch_id.eq(&row.home_branch_id),
            readers::guarantor_id.eq(&row.guarantor_id),
            readers::guardian.eq(&row.guardian),
            readers::consent_email.eq(row.consent_email),
            readers::consent_sms.eq(row.consent_sms),
            readers::consent_phone.eq(row.consent_phone),
            readers::keep_history.eq(row.keep_history),
            readers::registered_on.eq(row.registered_on),
            readers::registered_until.eq(row.registered_until),
            readers::note.eq(&row.note),
            readers::updated_at.eq(row.updated_at),
        ),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, reader.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Sets or clears the PIN hash (self-service login).
pub fn set_pin_hash(
    conn: &mut DbConnection,
    id: ReaderId,
    hash: Option<&str>,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(readers::table.find(id.to_string()))
        .set((
            readers::pin_hash.eq(hash),
            readers::version.eq(readers::version + 1),
            readers::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn pin_hash(conn: &mut DbConnection, id: ReaderId) -> Result<Option<String>, DbError> {
    Ok(readers::table
        .find(id.to_string())
        .select(readers::pin_hash)
        .first(conn)?)
}

/// What to list; every filter is optional. Pages are in id (registration) order.
#[derive(Debug, Clone, Default)]
pub struct ReaderFilter {
    /// Matches the start of the surname, ignoring case.
    pub surname_prefix: Option<String>,
    pub card_number: Option<CardNumber>,
    pub iin: Option<Iin>,
    pub home_branch_id: Option<BranchId>,
    pub status: Option<ReaderStatus>,
    /// Seek cursor: readers after this one.
    pub after: Option<ReaderId>,
    pub limit: i64,
}

fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub fn list(conn: &mut DbConnection, f: &ReaderFilter) -> Result<Vec<StoredReader>, DbError> {
    let mut q = readers::table.select(Row::as_select()).into_boxed();
    if let Some(prefix) = f.surname_prefix.as_deref().map(name_key) {
        q = q.filter(readers::surname_key.like(like_prefix(&prefix)).escape('\\'));
    }
    if let Some(card) = &f.card_number {
        q = q.filter(readers::card_number.eq(card.as_str().to_owned()));
    }
    if let Some(iin) = &f.iin {
        q = q.filter(readers::iin.eq(iin.as_str().to_owned()));
    }
    if let Some(branch) = f.home_branch_id {
        q = q.filter(readers::home_branch_id.eq(branch.to_string()));
    }
    if let Some(status) = f.status {
        q = q.filter(readers::status.eq(status.as_str()));
    }
    if let Some(after) = f.after {
        q = q.filter(readers::id.gt(after.to_string()));
    }
    load(q.order(readers::id.asc()).limit(f.limit).load(conn)?)
}

/// Readers who may be the same person as the one being registered: the same
/// IIN, or the same surname and first name (ignoring case) and birth date.
/// `except` leaves out the reader being edited.
pub fn possible_duplicates(
    conn: &mut DbConnection,
    surname: &str,
    first_name: &str,
    birth_date: NaiveDate,
    iin: Option<&Iin>,
    except: Option<ReaderId>,
) -> Result<Vec<StoredReader>, DbError> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let mut found = load(
        readers::table
            .filter(readers::surname_key.eq(name_key(surname)))
            .filter(readers::birth_date.eq(birth_date))
            .filter(readers::id.ne(&except))
            .select(Row::as_select())
            .load(conn)?,
    )?;
    let first = name_key(first_name);
    found.retain(|r| name_key(&r.first_name) == first);
    if let Some(iin) = iin {
        let same_iin = load(
            readers::table
                .filter(readers::iin.eq(iin.as_str()))
                .filter(readers::id.ne(&except))
                .select(Row::as_select())
                .load(conn)?,
        )?;
        for reader in same_iin {
            if !found.iter().any(|r| r.id == reader.id) {
                found.push(reader);
            }
        }
    }
    found.sort_by_key(|r| r.id);
    Ok(found)
}

/// A reader's open loans, how many are overdue on `today`, and by how many
/// days the oldest is overdue (0 when none is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoanCounts {
    pub open: i64,
    pub overdue: i64,
    pub max_overdue_days: i64,
}

pub fn loan_counts(
    conn: &mut DbConnection,
    id: ReaderId,
    today: NaiveDate,
) -> Result<LoanCounts, DbError> {
    let open_loans = loans::table
        .filter(loans::reader_id.eq(id.to_string()))
        .filter(loans::returned_at.is_null());
    let open: i64 = open_loans.clone().select(count_star()).first(conn)?;
    let (overdue, oldest): (i64, Option<NaiveDate>) = open_loans
        .filter(loans::due_on.lt(today))
        .select((count_star(), min(loans::due_on)))
        .first(conn)?;
    Ok(LoanCounts {
        open,
        overdue,
        max_overdue_days: oldest.map_or(0, |due| (today - due).num_days()),
    })
}

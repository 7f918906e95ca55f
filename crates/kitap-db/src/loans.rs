//! Loans: one copy lent to one reader. The partial unique index
//! `loans_open_copy` (copy_id WHERE returned_at IS NULL) makes a double loan
//! impossible, whatever the application checked before.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    Barcode, BranchId, CardNumber, CopyId, LoanId, LoanKind, LoanRuleId, ReaderId, RecordId,
    StaffId, Timestamp,
};

use crate::schema::{copies, loans, readers, records};
use crate::{DbConnection, DbError};

/// The index behind "a copy is on at most one open loan". Inserting a second
/// open loan fails with `DbError::UniqueViolation(OPEN_COPY_INDEX)` on both
/// backends.
pub const OPEN_COPY_INDEX: &str = "loans_open_copy";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLoan {
    pub id: LoanId,
    pub copy_id: CopyId,
    pub reader_id: ReaderId,
    /// The issuing library.
    pub branch_id: BranchId,
    pub kind: LoanKind,
    pub rule_id: Option<LoanRuleId>,
    pub issued_at: Timestamp,
    pub due_on: NaiveDate,
    pub renewals: i32,
    pub returned_at: Option<Timestamp>,
    pub return_branch_id: Option<BranchId>,
    pub lost_at: Option<Timestamp>,
    pub issued_by: Option<StaffId>,
    pub fine_minor: i64,
    pub version: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = loans)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    copy_id: String,
    reader_id: String,
    branch_id: String,
    kind: String,
    rule_id: Option<String>,
    issued_at: chrono::NaiveDateTime,
    due_on: NaiveDate,
    renewals: i32,
    returned_at: Option<chrono::NaiveDateTime>,
    return_branch_id: Option<String>,
    lost_at: Option<chrono::NaiveDateTime>,
    issued_by: Option<String>,
    fine_minor: i64,
    version: i64,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredLoan {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("loan {}: {err}", row.id));
        Ok(StoredLoan {
            id: row.id.parse().map_err(corrupt)?,
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            branch_id: row.branch_id.parse().map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            rule_id: opt(row.rule_id.as_deref()).map_err(corrupt)?,
            return_branch_id: opt(row.return_branch_id.as_deref()).map_err(corrupt)?,
            issued_by: opt(row.issued_by.as_deref()).map_err(corrupt)?,
            issued_at: Timestamp::from_naive(row.issued_at),
            due_on: row.due_on,
            renewals: row.renewals,
            returned_at: row.returned_at.map(Timestamp::from_naive),
            lost_at: row.lost_at.map(Timestamp::from_naive),
            fine_minor: row.fine_minor,
            version: row.version,
        })
    }
}

impl From<&StoredLoan> for Row {
    fn from(l: &StoredLoan) -> Self {
        Row {
            id: l.id.to_string(),
            copy_id: l.copy_id.to_string(),
            reader_id: l.reader_id.to_string(),
            branch_id: l.branch_id.to_string(),
            kind: l.kind.as_str().to_owned(),
            rule_id: l.rule_id.map(|id| id.to_string()),
            issued_at: l.issued_at.naive(),
            due_on: l.due_on,
            renewals: l.renewals,
            returned_at: l.returned_at.map(Timestamp::naive),
            return_branch_id: l.return_branch_id.map(|id| id.to_string()),
            lost_at: l.lost_at.map(Timestamp::naive),
            issued_by: l.issued_by.map(|id| id.to_string()),
            fine_minor: l.fine_minor,
            version: l.version,
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredLoan>, DbError> {
    rows.into_iter().map(StoredLoan::try_from).collect()
}

/// Inserts a loan. A second open loan of the copy fails with
/// `DbError::UniqueViolation(OPEN_COPY_INDEX)`: PostgreSQL names the index,
/// SQLite only its column (`loans.copy_id`), which no other unique index of
/// `loans` covers, so both are reported as the index.
pub fn insert(conn: &mut DbConnection, loan: &StoredLoan) -> Result<(), DbError> {
    match diesel::insert_into(loans::table)
        .values(Row::from(loan))
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(err) => Err(match DbError::from(err) {
            DbError::UniqueViolation(detail)
                if detail.contains(OPEN_COPY_INDEX) || detail.ends_with("loans.copy_id") =>
            {
                DbError::UniqueViolation(OPEN_COPY_INDEX.to_owned())
            }
            other => other,
        }),
    }
}

pub fn find(conn: &mut DbConnection, id: LoanId) -> Result<StoredLoan, DbError> {
    loans::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The copy's open loan, if it is on one.
pub fn open_for_copy(conn: &mut DbConnection, copy: CopyId) -> Result<Option<StoredLoan>, DbError> {
    loans::table
        .filter(loans::copy_id.eq(copy.to_string()))
        .filter(loans::returned_at.is_null())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredLoan::try_from)
        .transpose()
}

/// A loan with what the desk shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanWithCopy {
    pub loan: StoredLoan,
    pub barcode: Barcode,
    pub record_id: RecordId,
    pub title: String,
}

fn with_copy(rows: Vec<(Row, String, String, String)>) -> Result<Vec<LoanWithCopy>, DbError> {
    rows.into_iter()
        .map(|(row, barcode, record_id, title)| {
            let loan = StoredLoan::try_from(row)?;
            let corrupt = |e: kitap_domain::ValueError| {
                DbError::Corrupt(format!("copy {} of loan {}: {e}", loan.copy_id, loan.id))
            };
            Ok(LoanWithCopy {
                barcode: barcode.parse().map_err(corrupt)?,
                record_id: record_id.parse().map_err(corrupt)?,
                title,
                loan,
            })
        })
        .collect()
}

/// A reader's open loans, earliest due first.
pub fn open_for_reader(
    conn: &mut DbConnection,
    reader: ReaderId,
) -> Result<Vec<LoanWithCopy>, DbError> {
    let rows = loans::table
        .inner_join(copies::table.inner_join(records::table))
        .filter(loans::reader_id.eq(reader.to_string()))
        .filter(loans::returned_at.is_null())
        .order((loans::due_on.asc(), loans::id.asc()))
        .select((
            Row::as_select(),
            copies::barcode,
            copies::record_id,
            records::title,
        ))
        .load(conn)?;
    with_copy(rows)
}

/// A reader's returned loans, newest first; `before` is the seek cursor (the
/// last loan of the previous page).
pub fn history(
    conn: &mut DbConnection,
    reader: ReaderId,
    before: Option<LoanId>,
    limit: i64,
) -> Result<Vec<LoanWithCopy>, DbError> {
    let mut q = loans::table
        .inner_join(copies::table.inner_join(records::table))
        .filter(loans::reader_id.eq(reader.to_string()))
        .filter(loans::returned_at.is_not_null())
        .select((
            Row::as_select(),
            copies::barcode,
            copies::record_id,
            records::title,
        ))
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(loans::id.lt(before.to_string()));
    }
    with_copy(q.order(loans::id.desc()).limit(limit).load(conn)?)
}

/// Writes a renewal if the loan is still at `expected_version` and open:
/// `Ok(false)` when it changed (or was returned) first, `Err(NotFound)` when
/// it is gone. Bumps the version.
pub fn renew(
    conn: &mut DbConnection,
    id: LoanId,
    expected_version: i64,
    due_on: NaiveDate,
    renewals: i32,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        loans::table
            .filter(loans::id.eq(id.to_string()))
            .filter(loans::version.eq(expected_version))
            .filter(loans::returned_at.is_null()),
    )
    .set((
        loans::due_on.eq(due_on),
        loans::renewals.eq(renewals),
        loans::version.eq(loans::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Closes an open loan on return: `Ok(false)` when it was already closed.
pub fn close(
    conn: &mut DbConnection,
    id: LoanId,
    returned_at: Timestamp,
    return_branch: BranchId,
    fine_minor: i64,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        loans::table
            .filter(loans::id.eq(id.to_string()))
            .filter(loans::returned_at.is_null()),
    )
    .set((
        loans::returned_at.eq(Some(returned_at.naive())),
        loans::return_branch_id.eq(Some(return_branch.to_string())),
        loans::fine_minor.eq(fine_minor),
        loans::version.eq(loans::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Marks an open loan's copy lost; the loan stays open (the reader owes the
/// copy) until it is closed. `Ok(false)` when it is closed or already lost.
pub fn mark_lost(conn: &mut DbConnection, id: LoanId, at: Timestamp) -> Result<bool, DbError> {
    let changed = diesel::update(
        loans::table
            .filter(loans::id.eq(id.to_string()))
            .filter(loans::returned_at.is_null())
            .filter(loans::lost_at.is_null()),
    )
    .set((
        loans::lost_at.eq(Some(at.naive())),
        loans::version.eq(loans::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, id)?;
        return Ok(false);
    }
    Ok(true)
}

/// One line of the debtors list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueLoan {
    pub loan: StoredLoan,
    pub card_number: CardNumber,
    pub surname: String,
    pub first_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub barcode: Barcode,
    pub record_id: RecordId,
    pub title: String,
}

type OverdueRow = (
    Row,
    (String, String, String, Option<String>, Option<String>),
    (String, String, String),
);

/// Open loans (not marked lost) due before `today`, of one issuing library
/// or of all, in loan id order; `after` is the seek cursor.
pub fn overdue(
    conn: &mut DbConnection,
    today: NaiveDate,
    branch: Option<BranchId>,
    after: Option<LoanId>,
    limit: i64,
) -> Result<Vec<OverdueLoan>, DbError> {
    let mut q = loans::table
        .inner_join(readers::table)
        .inner_join(copies::table.inner_join(records::table))
        .filter(loans::returned_at.is_null())
        .filter(loans::lost_at.is_null())
        .filter(loans::due_on.lt(today))
        .select((
            Row::as_select(),
            (
                readers::card_number,
                readers::surname,
                readers::first_name,
                readers::phone,
                readers::email,
            ),
            (copies::barcode, copies::record_id, records::title),
        ))
        .into_boxed();
    if let Some(branch) = branch {
        q = q.filter(loans::branch_id.eq(branch.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(loans::id.gt(after.to_string()));
    }
    let rows: Vec<OverdueRow> = q.order(loans::id.asc()).limit(limit).load(conn)?;
    rows.into_iter()
        .map(
            |(row, (card, surname, first_name, phone, email), (barcode, record_id, title))| {
                let loan = StoredLoan::try_from(row)?;
                let corrupt = |e: kitap_domain::ValueError| {
                    DbError::Corrupt(format!("loan {}: {e}", loan.id))
                };
                Ok(OverdueLoan {
                    card_number: card.parse().map_err(corrupt)?,
                    barcode: barcode.parse().map_err(corrupt)?,
                    record_id: record_id.parse().map_err(corrupt)?,
                    surname,
                    first_name,
                    phone,
                    email,
                    title,
                    loan,
                })
            },
        )
        .collect()
}

/// Every loan of a reader still open, as plain loans (for decisions).
pub fn open_of_reader(
    conn: &mut DbConnection,
    reader: ReaderId,
) -> Result<Vec<StoredLoan>, DbError> {
    load(
        loans::table
            .filter(loans::reader_id.eq(reader.to_string()))
            .filter(loans::returned_at.is_null())
            .order(loans::id.asc())
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The copy's most recently returned loan, if it was ever lent.
pub fn last_returned_for_copy(
    conn: &mut DbConnection,
    copy: CopyId,
) -> Result<Option<StoredLoan>, DbError> {
    loans::table
        .filter(loans::copy_id.eq(copy.to_string()))
        .filter(loans::returned_at.is_not_null())
        .order((loans::returned_at.desc(), loans::id.desc()))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredLoan::try_from)
        .transpose()
}

/// How many times the copy was lent (routing prefers the least used).
pub fn count_for_copy(conn: &mut DbConnection, copy: CopyId) -> Result<i64, DbError> {
    Ok(loans::table
        .filter(loans::copy_id.eq(copy.to_string()))
        .count()
        .get_result(conn)?)
}

//! Loan rules: loan period, renewals and limits per (library, reader
//! category, material type); a missing key matches anything. The unique
//! expression index `loan_rules_keys` forbids two rules with the same keys.

use diesel::prelude::*;
use kitap_domain::{BranchId, LoanRuleId, ReaderCategory, Timestamp};

use crate::schema::loan_rules;
use crate::{DbConnection, DbError};

/// The index that makes two rules with the same keys impossible; a duplicate
/// comes back as `DbError::UniqueViolation` naming it on both backends.
pub const KEYS_INDEX: &str = "loan_rules_keys";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLoanRule {
    pub id: LoanRuleId,
    pub branch_id: Option<BranchId>,
    pub category: Option<ReaderCategory>,
    pub material_type: Option<String>,
    pub loan_days: i32,
    pub max_renewals: i32,
    pub renewal_days: i32,
    pub max_items: i32,
    pub reading_room_only: bool,
    pub holds_allowed: bool,
    pub fine_per_day_minor: i64,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = loan_rules)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    branch_id: Option<String>,
    category: Option<String>,
    material_type: Option<String>,
    loan_days: i32,
    max_renewals: i32,
    renewal_days: i32,
    max_items: i32,
    reading_room_only: bool,
    holds_allowed: bool,
    fine_per_day_minor: i64,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl TryFrom<Row> for StoredLoanRule {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |err: kitap_domain::ValueError| {
            DbError::Corrupt(format!("loan rule {}: {err}", row.id))
        };
        Ok(StoredLoanRule {
            id: row.id.parse().map_err(corrupt)?,
            branch_id: row
                .branch_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            category: row
                .category
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            material_type: row.material_type,
            loan_days: row.loan_days,
            max_renewals: row.max_renewals,
            renewal_days: row.renewal_days,
            max_items: row.max_items,
            reading_room_only: row.reading_room_only,
            holds_allowed: row.holds_allowed,
            fine_per_day_minor: row.fine_per_day_minor,
            version: row.version,
            created_at: Timestamp::from_naive(row.created_at),
            updated_at: Timestamp::from_naive(row.updated_at),
        })
    }
}

impl From<&StoredLoanRule> for Row {
    fn from(r: &StoredLoanRule) -> Self {
        Row {
            id: r.id.to_string(),
            branch_id: r.branch_id.map(|id| id.to_string()),
            category: r.category.map(|c| c.as_str().to_owned()),
            material_type: r.material_type.clone(),
            loan_days: r.loan_days,
            max_renewals: r.max_renewals,
            renewal_days: r.renewal_days,
            max_items: r.max_items,
            reading_room_only: r.reading_room_only,
            holds_allowed: r.holds_allowed,
            fine_per_day_minor: r.fine_per_day_minor,
            version: r.version,
            created_at: r.created_at.naive(),
            updated_at: r.updated_at.naive(),
        }
    }
}

/// SQLite names an expression index's violation by the index
/// (`index 'loan_rules_keys'`), PostgreSQL by the constraint: both say it.
fn classify(err: diesel::result::Error) -> DbError {
    match DbError::from(err) {
        DbError::UniqueViolation(detail) if detail.contains(KEYS_INDEX) => {
            DbError::UniqueViolation(KEYS_INDEX.to_owned())
        }
        other => other,
    }
}

/// Every rule, in id order (the resolver needs them all; there are few).
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredLoanRule>, DbError> {
    loan_rules::table
        .order(loan_rules::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredLoanRule::try_from)
        .collect()
}

pub fn find(conn: &mut DbConnection, id: LoanRuleId) -> Result<StoredLoanRule, DbError> {
    loan_rules::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn insert(conn: &mut DbConnection, rule: &StoredLoanRule) -> Result<(), DbError> {
    diesel::insert_into(loan_rules::table)
        .values(Row::from(rule))
        .execute(conn)
        .map_err(classify)?;
    Ok(())
}

/// Writes `rule` if it is still at `expected_version`: `Ok(false)` when
/// someone else changed it first, `Err(NotFound)` when it is gone.
pub fn update(
    conn: &mut DbConnection,
    rule: &StoredLoanRule,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(rule);
    let changed = diesel::update(
        loan_rules::table
            .filter(loan_rules::id.eq(&row.id))
            .filter(loan_rules::version.eq(expected_version)),
    )
    .set((
        loan_rules::version.eq(row.version),
        loan_rules::branch_id.eq(&row.branch_id),
        loan_rules::category.eq(&row.category),
        loan_rules::material_type.eq(&row.material_type),
        loan_rules::loan_days.eq(row.loan_days),
        loan_rules::max_renewals.eq(row.max_renewals),
        loan_rules::renewal_days.eq(row.renewal_days),
        loan_rules::max_items.eq(row.max_items),
        loan_rules::reading_room_only.eq(row.reading_room_only),
        loan_rules::holds_allowed.eq(row.holds_allowed),
        loan_rules::fine_per_day_minor.eq(row.fine_per_day_minor),
        loan_rules::updated_at.eq(row.updated_at),
    ))
    .execute(conn)
    .map_err(classify)?;
    if changed == 0 {
        find(conn, rule.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Deletes a rule; loans made under it keep their terms and lose the link.
pub fn delete(conn: &mut DbConnection, id: LoanRuleId) -> Result<(), DbError> {
    let deleted = diesel::delete(loan_rules::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

//! Copies readers brought to replace the copies they lost. A lost copy is
//! replaced once (`replaces_copy_id` is unique), one loan once.

use diesel::prelude::*;
use kitap_domain::{CopyId, LoanId, Timestamp};

use crate::schema::copy_replacements;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The copy the reader brought, accessioned as `replacement`.
    pub copy_id: CopyId,
    /// The lost copy, written off as `lost_by_reader`.
    pub replaces_copy_id: CopyId,
    /// The loan the loss was on.
    pub loan_id: LoanId,
    pub created_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = copy_replacements)]
struct Row {
    copy_id: String,
    replaces_copy_id: String,
    loan_id: String,
    created_at: chrono::NaiveDateTime,
}

impl TryFrom<Row> for Replacement {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |e: kitap_domain::ValueError| {
            DbError::Corrupt(format!("replacement {}: {e}", row.copy_id))
        };
        Ok(Replacement {
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            replaces_copy_id: row.replaces_copy_id.parse().map_err(corrupt)?,
            loan_id: row.loan_id.parse().map_err(corrupt)?,
            created_at: Timestamp::from_naive(row.created_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, r: &Replacement) -> Result<(), DbError> {
    diesel::insert_into(copy_replacements::table)
        .values(Row {
            copy_id: r.copy_id.to_string(),
            replaces_copy_id: r.replaces_copy_id.to_string(),
            loan_id: r.loan_id.to_string(),
            created_at: r.created_at.naive(),
        })
        .execute(conn)?;
    Ok(())
}

/// The replacement of a lost copy, if it was replaced.
pub fn of_lost_copy(conn: &mut DbConnection, lost: CopyId) -> Result<Option<Replacement>, DbError> {
    copy_replacements::table
        .filter(copy_replacements::replaces_copy_id.eq(lost.to_string()))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Replacement::try_from)
        .transpose()
}

//! Fines forgiven, by staff or by an amnesty campaign: once per loan (the
//! loan id is the key). The fine itself stays on the loan (`fine_minor`).

use diesel::prelude::*;
use kitap_domain::{AmnestyCampaignId, LoanId, StaffId, Timestamp};

use crate::schema::fine_waivers;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FineWaiver {
    pub loan_id: LoanId,
    pub amount_minor: i64,
    pub waived_at: Timestamp,
    pub waived_by: Option<StaffId>,
    pub campaign_id: Option<AmnestyCampaignId>,
    pub reason: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = fine_waivers)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    loan_id: String,
    amount_minor: i64,
    waived_at: chrono::NaiveDateTime,
    waived_by: Option<String>,
    campaign_id: Option<String>,
    reason: String,
}

impl TryFrom<Row> for FineWaiver {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |e: kitap_domain::ValueError| DbError::Corrupt(format!("waiver {}: {e}", row.loan_id));
        Ok(FineWaiver {
            loan_id: row.loan_id.parse().map_err(corrupt)?,
            amount_minor: row.amount_minor,
            waived_at: Timestamp::from_naive(row.waived_at),
            waived_by: row
                .waived_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            campaign_id: row
                .campaign_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            reason: row.reason,
        })
    }
}

/// Stores the waiver; a second waiver of the loan fails with
/// `DbError::UniqueViolation`.
pub fn insert(conn: &mut DbConnection, w: &FineWaiver) -> Result<(), DbError> {
    diesel::insert_into(fine_waivers::table)
        .values(Row {
            loan_id: w.loan_id.to_string(),
            amount_minor: w.amount_minor,
            waived_at: w.waived_at.naive(),
            waived_by: w.waived_by.map(|s| s.to_string()),
            campaign_id: w.campaign_id.map(|c| c.to_string()),
            reason: w.reason.clone(),
        })
        .execute(conn)?;
    Ok(())
}

pub fn of_loan(conn: &mut DbConnection, loan: LoanId) -> Result<Option<FineWaiver>, DbError> {
    fine_waivers::table
        .find(loan.to_string())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(FineWaiver::try_from)
        .transpose()
}

//! Amnesty campaigns ("Кешірілетін кітаптар апталығы") and what each return
//! during one cleared (`amnesty_clearances`, one row beside the return's
//! immutable circulation event, never updated).

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    AmnestyCampaignId, BranchId, CirculationEventId, CopyId, LoanId, ReaderId, StaffId, Timestamp,
};

use crate::schema::{
    amnesty_campaigns, amnesty_clearances, circulation_events, copies, readers, records,
};
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCampaign {
    pub id: AmnestyCampaignId,
    pub name: String,
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
    /// Returns made at this library; `None`: at every library.
    pub branch_id: Option<BranchId>,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = amnesty_campaigns)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    created_at: chrono::NaiveDateTime,
    branch_id: Option<String>,
    created_by: Option<String>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredCampaign {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |e: kitap_domain::ValueError| DbError::Corrupt(format!("campaign {}: {e}", row.id));
        Ok(StoredCampaign {
            id: row.id.parse().map_err(corrupt)?,
            branch_id: opt(row.branch_id.as_deref()).map_err(corrupt)?,
            created_by: opt(row.created_by.as_deref()).map_err(corrupt)?,
            name: row.name,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            created_at: Timestamp::from_naive(row.created_at),
        })
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredCampaign>, DbError> {
    rows.into_iter().map(StoredCampaign::try_from).collect()
}

pub fn insert(conn: &mut DbConnection, c: &StoredCampaign) -> Result<(), DbError> {
    diesel::insert_into(amnesty_campaigns::table)
        .values(Row {
            id: c.id.to_string(),
            name: c.name.clone(),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            created_at: c.created_at.naive(),
            branch_id: c.branch_id.map(|b| b.to_string()),
            created_by: c.created_by.map(|s| s.to_string()),
        })
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: AmnestyCampaignId) -> Result<StoredCampaign, DbError> {
    amnesty_campaigns::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// Campaigns in id (creation) order after `after`.
pub fn list(
    conn: &mut DbConnection,
    after: Option<AmnestyCampaignId>,
    limit: i64,
) -> Result<Vec<StoredCampaign>, DbError> {
    let mut q = amnesty_campaigns::table
        .select(Row::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(amnesty_campaigns::id.gt(after.to_string()));
    }
    load(
        q.order(amnesty_campaigns::id.asc())
            .limit(limit)
            .load(conn)?,
    )
}

/// Campaigns whose period meets `[starts_on, ends_on]` and whose scope meets
/// `branch` (a system-wide campaign meets every library).
pub fn overlapping(
    conn: &mut DbConnection,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    branch: Option<BranchId>,
) -> Result<Vec<StoredCampaign>, DbError> {
    let mut q = amnesty_campaigns::table
        .filter(amnesty_campaigns::starts_on.le(ends_on))
        .filter(amnesty_campaigns::ends_on.ge(starts_on))
        .select(Row::as_select())
        .into_boxed();
    if let Some(branch) = branch {
        q = q.filter(
            amnesty_campaigns::branch_id
                .is_null()
                .or(amnesty_campaigns::branch_id.eq(branch.to_string())),
        );
    }
    load(q.order(amnesty_campaigns::id.asc()).load(conn)?)
}

/// The campaign covering a return at `branch` on `on`, if any.
pub fn active(
    conn: &mut DbConnection,
    on: NaiveDate,
    branch: BranchId,
) -> Result<Option<StoredCampaign>, DbError> {
    Ok(overlapping(conn, on, on, Some(branch))?.into_iter().next())
}

/// What an amnesty cleared on one return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    /// The return's circulation event.
    pub event_id: CirculationEventId,
    pub campaign_id: AmnestyCampaignId,
    pub days_overdue: i32,
    /// The copy had been marked lost and was found.
    pub was_lost: bool,
    pub fine_waived_minor: i64,
    pub blocks_lifted: i32,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = amnesty_clearances)]
struct ClearanceRow {
    event_id: String,
    campaign_id: String,
    days_overdue: i32,
    was_lost: bool,
    fine_waived_minor: i64,
    blocks_lifted: i32,
}

pub fn insert_clearance(conn: &mut DbConnection, c: &Clearance) -> Result<(), DbError> {
    diesel::insert_into(amnesty_clearances::table)
        .values(ClearanceRow {
            event_id: c.event_id.to_string(),
            campaign_id: c.campaign_id.to_string(),
            days_overdue: c.days_overdue,
            was_lost: c.was_lost,
            fine_waived_minor: c.fine_waived_minor,
            blocks_lifted: c.blocks_lifted,
        })
        .execute(conn)?;
    Ok(())
}

/// One return of the campaign report, with what its event recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub clearance: Clearance,
    pub at: Timestamp,
    pub loan_id: Option<LoanId>,
    pub copy_id: CopyId,
    pub reader_id: ReaderId,
    /// Where it came back.
    pub branch_id: BranchId,
    pub card_number: String,
    pub surname: String,
    pub first_name: String,
    pub barcode: String,
    pub title: String,
}

type ReportRow = (
    ClearanceRow,
    (
        chrono::NaiveDateTime,
        Option<String>,
        String,
        String,
        String,
    ),
    (String, String, String),
    (String, String),
);

/// Every return the campaign cleared, in event order.
pub fn report(
    conn: &mut DbConnection,
    campaign: AmnestyCampaignId,
) -> Result<Vec<ReportLine>, DbError> {
    let rows: Vec<ReportRow> = amnesty_clearances::table
        .inner_join(
            circulation_events::table
                .inner_join(readers::table)
                .inner_join(copies::table)
                .inner_join(records::table),
        )
        .filter(amnesty_clearances::campaign_id.eq(campaign.to_string()))
        .order(circulation_events::at.asc())
        .then_order_by(circulation_events::id.asc())
        .select((
            ClearanceRow::as_select(),
            (
                circulation_events::at,
                circulation_events::loan_id,
                circulation_events::copy_id,
                circulation_events::reader_id,
                circulation_events::branch_id,
            ),
            (readers::card_number, readers::surname, readers::first_name),
            (copies::barcode, records::title),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                c,
                (at, loan, copy, reader, branch),
                (card, surname, first_name),
                (barcode, title),
            )| {
                let corrupt = |e: kitap_domain::ValueError| {
                    DbError::Corrupt(format!("amnesty clearance {}: {e}", c.event_id))
                };
                Ok(ReportLine {
                    clearance: Clearance {
                        event_id: c.event_id.parse().map_err(corrupt)?,
                        campaign_id: c.campaign_id.parse().map_err(corrupt)?,
                        days_overdue: c.days_overdue,
                        was_lost: c.was_lost,
                        fine_waived_minor: c.fine_waived_minor,
                        blocks_lifted: c.blocks_lifted,
                    },
                    at: Timestamp::from_naive(at),
                    loan_id: opt(loan.as_deref()).map_err(corrupt)?,
                    copy_id: copy.parse().map_err(corrupt)?,
                    reader_id: reader.parse().map_err(corrupt)?,
                    branch_id: branch.parse().map_err(corrupt)?,
                    card_number: card,
                    surname,
                    first_name,
                    barcode,
                    title,
                })
            },
        )
        .collect()
}

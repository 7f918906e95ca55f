//! Amnesty campaigns ("Кешірілетін кітаптар апталығы"): a period when a
//! late (or lost, then found) book returned clears the reader's blocks and
//! any fine. A campaign covers returns made at its library, or at every
//! library when it names none. Campaigns whose periods and libraries meet
//! are refused (`amnesty_overlap`): a return is cleared by one campaign,
//! which its report counts.
//!
//! The report is built from the immutable rows: each cleared return's
//! circulation event and its `amnesty_clearances` row written with it.

use chrono::NaiveDate;
use kitap_circulation::{amnesty_clearance, AmnestyCampaign, ReturnDecision};
use kitap_db::amnesty::{self, Clearance, ReportLine, StoredCampaign};
use kitap_db::loans::StoredLoan;
use kitap_db::readers::StoredReader;
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    AmnestyCampaignId, BlockKind, BranchId, CirculationEventId, Role, Timestamp, ValueError,
};
use serde_json::json;

use super::fines::waive_by_campaign;
use super::lost::lift_kind;
use super::readers::text;
use super::state::reader_state;
use crate::audit::record as audit;
use crate::catalog::{find_library, ActFile};
use crate::{Actor, App, AppError, Principal};

/// Who declares campaigns.
const ORGANISERS: &[Role] = &[Role::Admin, Role::Manager];
/// Who reads campaigns and their reports.
const VIEWERS: &[Role] = &[Role::Admin, Role::Manager, Role::Librarian];

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Library code; every library when absent.
    pub library: Option<String>,
}

/// What one return during a campaign cleared (in the return's answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmnestyApplied {
    pub campaign: Option<AmnestyCampaignId>,
    pub fine_waived_minor: i64,
    pub blocks_lifted: u32,
}

/// One line of a campaign report.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub at: Timestamp,
    pub reader_name: String,
    pub card_number: String,
    pub barcode: String,
    pub title: String,
    pub library: BranchId,
    pub days_overdue: i32,
    pub was_lost: bool,
    pub blocks_lifted: i32,
    pub fine_waived_minor: i64,
}

/// A campaign's report: every cleared return, and the totals.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub campaign: StoredCampaign,
    pub rows: Vec<ReportRow>,
    pub returned: usize,
    pub readers: usize,
    pub blocks_lifted: i64,
    pub fines_waived_minor: i64,
}

fn campaign_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "amnesty campaign",
        },
        other => other.into(),
    }
}

impl App {
    /// Declares a campaign (administrators, managers).
    pub fn create_campaign(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewCampaign,
    ) -> Result<StoredCampaign, AppError> {
        who.require_role(ORGANISERS)?;
        let name = text("name", Some(new.name.as_str()), 200)?
            .ok_or_else(|| ValueError::new("name", "must not be empty"))?;
        if new.ends_on < new.starts_on {
            return Err(ValueError::new("ends_on", "must not be before starts_on").into());
        }
        if (new.ends_on - new.starts_on).num_days() > 366 {
            return Err(ValueError::new("ends_on", "a campaign lasts at most a year").into());
        }
        self.db.write(|conn| {
            let branch = match new.library.as_deref() {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let clash = amnesty::overlapping(conn, new.starts_on, new.ends_on, branch)?;
            if let Some(other) = clash.first() {
                return Err(AppError::conflict(
                    "amnesty_overlap",
                    format!(
                        "campaign \"{}\" ({} to {}) already covers part of this period",
                        other.name, other.starts_on, other.ends_on
                    ),
                ));
            }
            let campaign = StoredCampaign {
                id: AmnestyCampaignId::new(),
                name,
                starts_on: new.starts_on,
                ends_on: new.ends_on,
                branch_id: branch,
                created_by: Some(who.staff.id),
                created_at: Timestamp::now(),
            };
            amnesty::insert(conn, &campaign)?;
            let after = json!({
                "name": campaign.name, "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on, "library": new.library,
            });
            audit(
                conn,
                actor,
                "create",
                ("amnesty_campaign", &campaign.id),
                None,
                Some(after),
            )?;
            Ok(campaign)
        })
    }

    pub fn campaigns(
        &self,
        who: &Principal,
        after: Option<AmnestyCampaignId>,
        limit: i64,
    ) -> Result<Vec<StoredCampaign>, AppError> {
        who.require_role(VIEWERS)?;
        self.db.read(|conn| Ok(amnesty::list(conn, after, limit)?))
    }

    pub fn campaign(
        &self,
        who: &Principal,
        id: AmnestyCampaignId,
    ) -> Result<StoredCampaign, AppError> {
        who.require_role(VIEWERS)?;
        self.db
            .read(|conn| amnesty::find(conn, id).map_err(campaign_missing))
    }

    /// What came back during the campaign and what it cleared.
    pub fn campaign_report(
        &self,
        who: &Principal,
        id: AmnestyCampaignId,
    ) -> Result<CampaignReport, AppError> {
        who.require_role(VIEWERS)?;
        self.db.read(|conn| {
            let campaign = amnesty::find(conn, id).map_err(campaign_missing)?;
            let lines = amnesty::report(conn, id)?;
            Ok(report_of(campaign, lines))
        })
    }
}

fn report_of(campaign: StoredCampaign, lines: Vec<ReportLine>) -> CampaignReport {
    let mut readers: Vec<_> = lines.iter().map(|l| l.reader_id).collect();
    readers.sort();
    readers.dedup();
    let rows: Vec<ReportRow> = lines
        .into_iter()
        .map(|l| ReportRow {
            at: l.at,
            reader_name: format!("{} {}", l.surname, l.first_name),
            card_number: l.card_number,
            barcode: l.barcode,
            title: l.title,
            library: l.branch_id,
            days_overdue: l.clearance.days_overdue,
            was_lost: l.clearance.was_lost,
            blocks_lifted: l.clearance.blocks_lifted,
            fine_waived_minor: l.clearance.fine_waived_minor,
        })
        .collect();
    CampaignReport {
        returned: rows.len(),
        readers: readers.len(),
        blocks_lifted: rows.iter().map(|r| i64::from(r.blocks_lifted)).sum(),
        fines_waived_minor: rows.iter().map(|r| r.fine_waived_minor).sum(),
        rows,
        campaign,
    }
}

/// The return being cleared.
pub(crate) struct ClearedReturn<'a> {
    pub loan: &'a StoredLoan,
    pub reader: &'a StoredReader,
    pub decision: &'a ReturnDecision,
    pub here: BranchId,
    pub today: NaiveDate,
    pub now: Timestamp,
}

/// During a campaign covering this library today, a late or lost-then-found
/// return waives its fine and lifts the reader's `overdue` block when
/// nothing else is overdue (`kitap_circulation::amnesty_clearance`). Runs
/// after the loan is closed, before its event is written.
pub(crate) fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    r: &ClearedReturn<'_>,
) -> Result<(Option<StoredCampaign>, AmnestyApplied), AppError> {
    let late_or_lost = r.decision.overdue_days > 0 || r.loan.lost_at.is_some();
    let Some(campaign) = amnesty::active(conn, r.today, r.here)?.filter(|_| late_or_lost) else {
        return Ok((None, AmnestyApplied::default()));
    };
    let state = reader_state(conn, r.reader, r.today)?;
    let period = AmnestyCampaign {
        starts_on: campaign.starts_on,
        ends_on: campaign.ends_on,
    };
    let clearance = amnesty_clearance(&[period], r.today, r.decision, &state, state.overdue_loans)
        .unwrap_or_default();
    let why = format!("amnesty campaign \"{}\"", campaign.name);
    let mut lifted = 0;
    if clearance.lift_overdue_block {
        lifted += lift_kind(conn, actor, r.reader.id, BlockKind::Overdue, r.now, &why)?;
    }
    waive_by_campaign(
        conn,
        actor,
        r.loan.id,
        clearance.waive_fine_minor,
        campaign.id,
        r.now,
    )?;
    let applied = AmnestyApplied {
        campaign: Some(campaign.id),
        fine_waived_minor: clearance.waive_fine_minor,
        blocks_lifted: lifted,
    };
    Ok((Some(campaign), applied))
}

/// The clearance row beside the return's event.
pub(crate) fn record(
    conn: &mut DbConnection,
    event: CirculationEventId,
    r: &ClearedReturn<'_>,
    applied: &AmnestyApplied,
    lost_blocks_lifted: u32,
) -> Result<(), AppError> {
    let Some(campaign) = applied.campaign else {
        return Ok(());
    };
    let blocks = applied.blocks_lifted + lost_blocks_lifted;
    amnesty::insert_clearance(
        conn,
        &Clearance {
            event_id: event,
            campaign_id: campaign,
            days_overdue: i32::try_from(r.decision.overdue_days).unwrap_or(i32::MAX),
            was_lost: r.loan.lost_at.is_some(),
            fine_waived_minor: applied.fine_waived_minor,
            blocks_lifted: i32::try_from(blocks).unwrap_or(i32::MAX),
        },
    )?;
    Ok(())
}

const COLUMNS: [&str; 10] = [
    "Returned at",
    "Reader",
    "Card",
    "Barcode",
    "Title",
    "Library",
    "Days overdue",
    "Was lost",
    "Blocks lifted",
    "Fine waived",
];

/// The report as CSV: one line per return, then a totals line.
pub fn campaign_csv(
    report: &CampaignReport,
    library: impl Fn(BranchId) -> String,
) -> Result<ActFile, AppError> {
    let fail = |e: csv::Error| AppError::Internal(format!("amnesty csv: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS).map_err(fail)?;
    for r in &report.rows {
        out.write_record([
            r.at.to_string(),
            r.reader_name.clone(),
            r.card_number.clone(),
            r.barcode.clone(),
            r.title.clone(),
            library(r.library),
            r.days_overdue.to_string(),
            r.was_lost.to_string(),
            r.blocks_lifted.to_string(),
            r.fine_waived_minor.to_string(),
        ])
        .map_err(fail)?;
    }
    out.write_record([
        "Total".to_owned(),
        format!("{} readers", report.readers),
        String::new(),
        format!("{} copies", report.returned),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        report.blocks_lifted.to_string(),
        report.fines_waived_minor.to_string(),
    ])
    .map_err(fail)?;
    let bytes = out
        .into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))?;
    Ok(ActFile {
        file_name: "amnesty.csv".to_owned(),
        content_type: "text/csv; charset=utf-8",
        bytes,
    })
}

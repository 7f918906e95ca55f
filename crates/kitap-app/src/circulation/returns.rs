//! Returns at the desk: close the loan, and the copy goes back on the shelf
//! (returned at its home library) or in transit home (returned elsewhere;
//! its library stays its home). Scanning a copy in transit at its home
//! library receives it.

use chrono::NaiveDate;
use kitap_circulation::{decide_return, Destination};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::holds::StoredHold;
use kitap_db::loans::{self, StoredLoan};
use kitap_db::{loan_rules, DbConnection, DbError};
use kitap_domain::{BranchId, CirculationEventKind, CopyStatus, Timestamp};
use serde_json::json;

use super::desk::{copy_by_barcode, loan_snapshot, not_on_loan};
use super::events::{self, EventFacts};
use super::holds::{offer_copy, receive_for_hold, Trapped};
use super::{today, DESK};
use crate::audit::record as audit;
use crate::catalog::announce;
use crate::{Actor, App, AppError, Principal};

/// Where the copy went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Shelf,
    InTransit {
        to: BranchId,
    },
    /// Trapped for a hold at this library: onto the hold shelf.
    HoldShelf,
}

#[derive(Debug, Clone)]
pub struct ReturnView {
    /// The closed loan; `None` when a copy in transit was received home.
    pub loan: Option<StoredLoan>,
    pub overdue_days: u32,
    pub fine_minor: i64,
    pub destination: Returned,
    /// The hold the copy was trapped for (ready, or in transit to its
    /// pickup library).
    pub hold: Option<StoredHold>,
}

impl App {
    /// Takes a copy back at the acting library.
    pub fn return_copy(
        &self,
        who: &Principal,
        actor: &Actor,
        item_barcode: &str,
    ) -> Result<ReturnView, AppError> {
        who.require_role(DESK)?;
        let today = today();
        let days = self.circulation.hold_shelf_days;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let copy = copy_by_barcode(conn, item_barcode)?;
            let Some(loan) = loans::open_for_copy(conn, copy.id)? else {
                if copy.status == CopyStatus::InTransit {
                    if let Some(hold) =
                        receive_for_hold(conn, actor, &copy, here, (today, days), now)?
                    {
                        return Ok(ReturnView {
                            loan: None,
                            overdue_days: 0,
                            fine_minor: 0,
                            destination: Returned::HoldShelf,
                            hold: Some(hold),
                        });
                    }
                }
                if copy.status == CopyStatus::InTransit && copy.branch_id == here {
                    copies::set_status(conn, copy.id, CopyStatus::Available, now)?;
                    let after = json!({"status": "available", "received_at": here.to_string()});
                    audit(
                        conn,
                        actor,
                        "receive",
                        ("copy", &copy.id),
                        Some(json!({"status": "in_transit"})),
                        Some(after),
                    )?;
                    announce(conn, now, &[copy.id])?;
                    let (destination, hold) = trapped(
                        offer_copy(conn, actor, &copy, here, (today, days), now)?,
                        Returned::Shelf,
                    );
                    return Ok(ReturnView {
                        loan: None,
                        overdue_days: 0,
                        fine_minor: 0,
                        destination,
                        hold,
                    });
                }
                return Err(not_on_loan());
            };
            close_in(
                conn,
                actor,
                (&copy, &loan),
                here,
                (now, today),
                (today, days),
                None,
            )
        })
    }
}

/// Closes the copy's open loan inside the caller's transaction: returned at
/// `now` (the desk's now; an offline return's recorded time), overdue days
/// reckoned to `day`, at library `here`; the copy goes to a hold (the hold
/// shelf clock `hold_clock` is today's: the reader is told now), its shelf
/// or in transit home.
pub(crate) fn close_in(
    conn: &mut DbConnection,
    actor: &Actor,
    (copy, loan): (&StoredCopy, &StoredLoan),
    here: BranchId,
    (now, day): (Timestamp, NaiveDate),
    hold_clock: (NaiveDate, u16),
    note: Option<String>,
) -> Result<ReturnView, AppError> {
    let fine_per_day = match loan.rule_id {
        Some(rule) => match loan_rules::find(conn, rule) {
            Ok(rule) => rule.fine_per_day_minor,
            Err(DbError::NotFound) => 0,
            Err(other) => return Err(other.into()),
        },
        None => 0,
    };
    let state = kitap_circulation::LoanState {
        id: loan.id,
        copy: loan.copy_id,
        reader: loan.reader_id,
        kind: loan.kind,
        due_on: loan.due_on,
        renewals: u16::try_from(loan.renewals.max(0)).unwrap_or(u16::MAX),
        issued_on: loan.issued_at.utc().date_naive(),
    };
    let decision = decide_return(
        &state,
        here,
        copy.branch_id,
        day,
        fine_per_day,
        fine_per_day > 0,
    );
    if !loans::close(conn, loan.id, now, here, decision.fine_minor)? {
        return Err(not_on_loan());
    }
    let (status, destination) = match decision.goes {
        Destination::Shelf => (CopyStatus::Available, Returned::Shelf),
        Destination::Home { to, .. } => (CopyStatus::InTransit, Returned::InTransit { to }),
    };
    copies::set_status(conn, copy.id, status, Timestamp::now())?;
    let (destination, hold) = trapped(
        offer_copy(conn, actor, copy, here, hold_clock, Timestamp::now())?,
        destination,
    );
    let mut closed = loan.clone();
    closed.returned_at = Some(now);
    closed.return_branch_id = Some(here);
    closed.fine_minor = decision.fine_minor;
    closed.version += 1;
    let reader = kitap_db::readers::find(conn, loan.reader_id)?;
    let facts = EventFacts {
        kind: CirculationEventKind::Return,
        loan: Some(loan.id),
        loan_kind: Some(loan.kind),
        branch: here,
        due_on: Some(loan.due_on),
        overridden: &[],
        detail: detail(decision.overdue_days, note),
    };
    events::write(conn, actor, (&reader, copy), facts, now, day)?;
    let (b, a) = (loan_snapshot(loan), loan_snapshot(&closed));
    audit(conn, actor, "return", ("loan", &loan.id), Some(b), Some(a))?;
    announce(conn, Timestamp::now(), &[copy.id])?;
    Ok(ReturnView {
        loan: Some(closed),
        overdue_days: decision.overdue_days,
        fine_minor: decision.fine_minor,
        destination,
        hold,
    })
}

/// The return event's detail: lateness and where it came from.
fn detail(overdue_days: u32, note: Option<String>) -> Option<String> {
    let late = (overdue_days > 0).then(|| format!("{overdue_days} days overdue"));
    match (late, note) {
        (Some(late), Some(note)) => Some(format!("{late}; {note}")),
        (late, note) => late.or(note),
    }
}

/// Where the copy goes once the hold queue had its say.
fn trapped(t: Trapped, otherwise: Returned) -> (Returned, Option<StoredHold>) {
    match t {
        Trapped::None => (otherwise, None),
        Trapped::Shelf(hold) => (Returned::HoldShelf, Some(hold)),
        Trapped::Transit(hold) => (
            Returned::InTransit {
                to: hold.pickup_branch_id,
            },
            Some(hold),
        ),
    }
}

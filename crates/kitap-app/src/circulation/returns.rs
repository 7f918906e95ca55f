//! Returns at the desk: close the loan, and the copy goes back on the shelf
//! (returned at its home library) or in transit home (returned elsewhere;
//! its library stays its home). Scanning a copy in transit at its home
//! library receives it.

use chrono::NaiveDate;
use kitap_circulation::decide_return;
use kitap_db::copies::{self, StoredCopy};
use kitap_db::holds::StoredHold;
use kitap_db::loans::{self, StoredLoan};
use kitap_db::DbConnection;
use kitap_domain::{BranchId, CirculationEventKind, CopyStatus, Timestamp};
use kitap_exchange::{Op, Place};

use super::amnesty::{self, AmnestyApplied, ClearedReturn};
use super::desk::{copy_by_barcode, loan_snapshot, not_on_loan};
use super::events::{self, EventFacts};
use super::fines::fine_per_day;
use super::holds::{catch_for_hold, take_for_hold, Trapped};
use super::lost::lift_lost_blocks;
use super::{today, DESK};
use crate::audit::record as audit;
use crate::catalog::announce;
use crate::exchange::position;
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
    /// The fine recorded on the loan (0 when fines are off).
    pub fine_minor: i64,
    /// The copy had been marked lost: found after all.
    pub was_lost: bool,
    /// What an amnesty campaign cleared, if one covers this return.
    pub amnesty: AmnestyApplied,
    /// `lost_copy` blocks lifted (nothing else lost any more).
    pub lost_blocks_lifted: u32,
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
                    // Scanning a travelling copy at the return desk receives it.
                    let got = crate::exchange::moves::receive_in(
                        conn,
                        actor,
                        &copy,
                        here,
                        (today, days),
                        now,
                    )?;
                    return Ok(ReturnView {
                        loan: None,
                        overdue_days: 0,
                        fine_minor: 0,
                        was_lost: false,
                        amnesty: AmnestyApplied::default(),
                        lost_blocks_lifted: 0,
                        destination: got.destination,
                        hold: got.hold,
                    });
                }
                return Err(not_on_loan());
            };
            let at = CloseAt {
                here,
                now,
                day: today,
                hold_clock: (today, days),
                note: None,
                fines: self.circulation.fines_enabled,
                floating: crate::exchange::settings::floating(conn, &self.exchange)?,
                bands: self.age_bands,
            };
            close_in(conn, actor, (&copy, &loan), at)
        })
    }
}

/// When and where a return closes its loan: `now` is the desk's now or an
/// offline return's recorded time, overdue days are reckoned to `day`, and
/// the hold shelf clock `hold_clock` is today's (the reader is told now).
pub(crate) struct CloseAt {
    pub here: BranchId,
    pub now: Timestamp,
    pub day: NaiveDate,
    pub hold_clock: (NaiveDate, u16),
    /// Added to the return event's detail (an offline upload's line).
    pub note: Option<String>,
    pub fines: bool,
    /// Which returns stay where they are returned.
    pub floating: kitap_exchange::FloatingPolicy,
    pub bands: kitap_circulation::AgeBands,
}

/// Closes the copy's open loan inside the caller's transaction; the copy
/// goes to a hold, its shelf or in transit home; fines, a loss found and an
/// amnesty are settled.
pub(crate) fn close_in(
    conn: &mut DbConnection,
    actor: &Actor,
    (copy, loan): (&StoredCopy, &StoredLoan),
    at: CloseAt,
) -> Result<ReturnView, AppError> {
    let CloseAt {
        here,
        now,
        day: today,
        hold_clock,
        note,
        fines,
        floating,
        bands,
    } = at;
    let rate = fine_per_day(conn, fines, loan)?;
    let state = kitap_circulation::LoanState {
        id: loan.id,
        copy: loan.copy_id,
        reader: loan.reader_id,
        kind: loan.kind,
        due_on: loan.due_on,
        renewals: u16::try_from(loan.renewals.max(0)).unwrap_or(u16::MAX),
        issued_on: loan.issued_at.utc().date_naive(),
    };
    let decision = decide_return(&state, here, copy.branch_id, today, rate, fines && rate > 0);
    // Where the copy goes is the exchange machine's answer: home, the
    // library a selection lent it to, or (floating) here; a waiting hold
    // may catch it at this desk first.
    let loaded = position::load(conn, copy.clone())?;
    let floats = floating.floats(here, &copy.material_type);
    let back = kitap_exchange::apply(&loaded.pos, &Op::Return { at: here, floats })
        .map_err(position::refused)?;
    if !loans::close(conn, loan.id, now, here, decision.fine_minor)? {
        return Err(not_on_loan());
    }
    let moved_at = Timestamp::now();
    let (after, catcher) = match catch_for_hold(conn, actor, copy, &back, here, moved_at)? {
        Some((p, h)) => (p, Some(h)),
        None => (back, None),
    };
    let at = position::At {
        actor,
        here,
        now: moved_at,
        note: None,
    };
    position::write(conn, &loaded, &after, &at)?;
    if !matches!(after.place, Place::InTransit { .. }) {
        copies::set_status(conn, copy.id, CopyStatus::Available, moved_at)?;
    }
    let destination = match after.place {
        Place::InTransit { to, .. } => Returned::InTransit { to },
        Place::HoldShelf { .. } => Returned::HoldShelf,
        _ => Returned::Shelf,
    };
    let (destination, hold) = match catcher {
        Some(h) => trapped(
            take_for_hold(conn, actor, &h, copy.id, &after.place, hold_clock)?,
            destination,
        ),
        None => (destination, None),
    };
    let mut closed = loan.clone();
    closed.returned_at = Some(now);
    closed.return_branch_id = Some(here);
    closed.fine_minor = decision.fine_minor;
    closed.version += 1;
    let reader = kitap_db::readers::find(conn, loan.reader_id)?;
    let was_lost = loan.lost_at.is_some();
    let lost_blocks_lifted = if was_lost {
        lift_lost_blocks(conn, actor, reader.id, now, "lost copy found and returned")?
    } else {
        0
    };
    let cleared = ClearedReturn {
        loan,
        reader: &reader,
        decision: &decision,
        here,
        today,
        now,
    };
    let (campaign, applied) = amnesty::apply(conn, actor, &cleared)?;
    let facts = EventFacts {
        kind: CirculationEventKind::Return,
        loan: Some(loan.id),
        loan_kind: Some(loan.kind),
        branch: here,
        due_on: Some(loan.due_on),
        overridden: &[],
        detail: with_note(
            return_detail(&decision, was_lost, campaign.as_ref(), &applied),
            note,
        ),
        bands,
    };
    let event = events::write(conn, actor, (&reader, copy), facts, now, today)?;
    amnesty::record(conn, event, &cleared, &applied, lost_blocks_lifted)?;
    let (b, a) = (loan_snapshot(loan), loan_snapshot(&closed));
    audit(conn, actor, "return", ("loan", &loan.id), Some(b), Some(a))?;
    announce(conn, Timestamp::now(), &[copy.id])?;
    Ok(ReturnView {
        loan: Some(closed),
        overdue_days: decision.overdue_days,
        fine_minor: decision.fine_minor,
        was_lost,
        amnesty: applied,
        lost_blocks_lifted,
        destination,
        hold,
    })
}

/// The detail with an offline line's note after it.
fn with_note(detail: Option<String>, note: Option<String>) -> Option<String> {
    match (detail, note) {
        (Some(d), Some(n)) => Some(format!("{d}; {n}")),
        (d, n) => d.or(n),
    }
}

/// The return event's words: how late, found after a loss, what an amnesty
/// cleared.
fn return_detail(
    d: &kitap_circulation::ReturnDecision,
    was_lost: bool,
    campaign: Option<&kitap_db::amnesty::StoredCampaign>,
    applied: &AmnestyApplied,
) -> Option<String> {
    let mut parts = Vec::new();
    if d.overdue_days > 0 {
        parts.push(format!("{} days overdue", d.overdue_days));
    }
    if d.fine_minor > 0 {
        parts.push(format!("fine {}", d.fine_minor));
    }
    if was_lost {
        parts.push("found after being marked lost".to_owned());
    }
    if let Some(c) = campaign {
        parts.push(format!(
            "amnesty \"{}\": fine waived {}, blocks lifted {}",
            c.name, applied.fine_waived_minor, applied.blocks_lifted
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
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

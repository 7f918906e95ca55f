//! Reader requests across libraries: a hold whose pickup library has no
//! free copy is routed to the best copy elsewhere (`kitap_exchange::
//! choose_source`: nearest by the distance table, then the unified fund,
//! then the least used), which goes on that library's pick list.

use kitap_db::copies::{self, CopyFilter, StoredCopy};
use kitap_db::exchange::{distances, transfers};
use kitap_db::holds::StoredHold;
use kitap_db::{branches, savepoint, DbConnection};
use kitap_domain::{BranchId, BranchKind, CopyId, CopyStatus, HoldId, Timestamp};
use kitap_exchange::{rank_sources, Distances, Op, SourceCandidate, TransitReason};

use super::position::{self, At};
use crate::{Actor, AppError};

/// The unified fund: the central library.
pub(crate) fn fund(conn: &mut DbConnection) -> Result<Option<BranchId>, AppError> {
    Ok(branches::list(conn)?
        .into_iter()
        .find(|b| b.kind == BranchKind::Central && b.active)
        .map(|b| b.id))
}

pub(crate) fn distance_table(conn: &mut DbConnection) -> Result<Distances, AppError> {
    Ok(Distances::new(
        distances::all(conn)?
            .into_iter()
            .map(|d| (d.from, d.to, d.distance)),
    ))
}

/// Copies that could serve the hold from another library: on an open
/// shelf (available, not on a hold shelf, not on a pick list), not where
/// the reader picks up (that copy would have been pulled instead).
fn candidates(
    conn: &mut DbConnection,
    hold: &StoredHold,
    exclude: &[CopyId],
) -> Result<Vec<(StoredCopy, position::Loaded)>, AppError> {
    let filter = CopyFilter {
        record_id: Some(hold.record_id),
        status: Some(CopyStatus::Available),
        limit: 500,
        ..CopyFilter::default()
    };
    let mut out = Vec::new();
    for copy in copies::list(conn, &filter)? {
        if exclude.contains(&copy.id) || hold.copy_id.is_some_and(|c| c != copy.id) {
            continue;
        }
        let loaded = position::load(conn, copy.clone())?;
        let free = matches!(loaded.pos.place, kitap_exchange::Place::Shelf { at } if at != hold.pickup_branch_id)
            && loaded.pos.pending.is_none();
        if free {
            out.push((copy, loaded));
        }
    }
    Ok(out)
}

/// Routes a waiting hold with no copy at its pickup library: requests the
/// best copy elsewhere. `None` when no library has one free (the hold then
/// waits for a return, which traps a copy as before).
///
/// Holds placed at the same moment may pick the same copy: under READ
/// COMMITTED both transactions see it free, and the unique index
/// `transfers_open_copy` fails the second request. So the copies are tried
/// in rank order ([`rank_sources`]), each locked and read again, each
/// request in its own savepoint: a copy taken meanwhile (a refusal of the
/// machine, or the unique violation) passes the hold to the next copy, and
/// a hold that finds none waits, instead of failing.
pub(crate) fn route_hold(
    conn: &mut DbConnection,
    actor: &Actor,
    hold: &StoredHold,
    exclude: &[CopyId],
    now: Timestamp,
) -> Result<Option<transfers::StoredTransfer>, AppError> {
    let found = candidates(conn, hold, exclude)?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut pool = Vec::with_capacity(found.len());
    for (copy, loaded) in &found {
        let at = loaded.pos.standing_at().unwrap_or(copy.branch_id);
        let loans = kitap_db::loans::count_for_copy(conn, copy.id)?;
        pool.push(SourceCandidate {
            copy: copy.id,
            library: at,
            loans: u32::try_from(loans).unwrap_or(u32::MAX),
        });
    }
    let table = distance_table(conn)?;
    let fund = fund(conn)?;
    for best in rank_sources(hold.pickup_branch_id, &pool, &table, fund) {
        let tried = savepoint(conn, |c| request_copy(c, actor, hold, best, now));
        match tried {
            Ok(Some(t)) => return Ok(Some(t)),
            Ok(None) => continue,
            Err(AppError::Conflict {
                code: "transfer_already_open",
                ..
            }) => continue,
            Err(other) => return Err(other),
        }
    }
    Ok(None)
}

/// Puts `copy` on its library's pick list for the hold, if it is still
/// free once locked; `None` when another transaction took it meanwhile.
fn request_copy(
    conn: &mut DbConnection,
    actor: &Actor,
    hold: &StoredHold,
    copy: CopyId,
    now: Timestamp,
) -> Result<Option<transfers::StoredTransfer>, AppError> {
    let locked = copies::find_for_update(conn, copy)?;
    if locked.status != CopyStatus::Available {
        return Ok(None);
    }
    let loaded = position::load(conn, locked)?;
    let op = Op::Request {
        to: hold.pickup_branch_id,
        reason: TransitReason::Hold(hold.id),
    };
    let Ok(after) = kitap_exchange::apply(&loaded.pos, &op) else {
        return Ok(None);
    };
    let here = At {
        actor,
        here: loaded.pos.standing_at().unwrap_or(loaded.copy.branch_id),
        now,
        note: None,
    };
    position::write(conn, &loaded, &after, &here)
}

/// Calls off the hold's pick-list request (the hold got another copy, or
/// closed), unless it is for `keep`.
pub(crate) fn call_off_request(
    conn: &mut DbConnection,
    actor: &Actor,
    hold: HoldId,
    keep: Option<CopyId>,
    here: BranchId,
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(t) = transfers::open_for_hold(conn, hold)? else {
        return Ok(());
    };
    if t.status != kitap_domain::TransferStatus::Requested || Some(t.copy_id) == keep {
        return Ok(());
    }
    let copy = copies::find(conn, t.copy_id)?;
    let loaded = position::load(conn, copy)?;
    let after =
        kitap_exchange::apply(&loaded.pos, &Op::CancelRequest).map_err(position::refused)?;
    let at = At {
        actor,
        here,
        now,
        note: Some("the hold no longer needs this copy"),
    };
    position::write(conn, &loaded, &after, &at)?;
    Ok(())
}

/// A copy was lent at `here` while on a pick list (an offline loan that
/// already happened): the line is called off and a hold it served is
/// routed to another copy.
pub(crate) fn copy_lent(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: &StoredCopy,
    here: BranchId,
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(t) = transfers::open_for_copy(conn, copy.id)? else {
        return Ok(());
    };
    if t.status != kitap_domain::TransferStatus::Requested {
        return Ok(());
    }
    let loaded = position::load(conn, copy.clone())?;
    let Ok(after) = kitap_exchange::apply(&loaded.pos, &Op::CancelRequest) else {
        return Ok(());
    };
    let at = At {
        actor,
        here,
        now,
        note: Some("lent at the desk before it was sent"),
    };
    position::write(conn, &loaded, &after, &at)?;
    if let Some(h) = t.hold_id {
        let hold = kitap_db::holds::find(conn, h)?;
        if hold.status == kitap_domain::HoldStatus::Waiting {
            route_hold(conn, actor, &hold, &[copy.id], now)?;
        }
    }
    Ok(())
}

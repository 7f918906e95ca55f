//! A copy's position as the exchange state machine sees it, read from the
//! database, and the one writer that turns a change of position into rows:
//! the movement (`transfers`), the copy's status, library and home, and the
//! exchange event log. Every exchange use case (and the desk's returns and
//! hold traps) loads a position, asks `kitap_exchange::apply`, and writes
//! the difference here, so the rows never disagree with the machine.

use kitap_db::copies::{self, StoredCopy};
use kitap_db::exchange::events::{self, StoredEvent};
use kitap_db::exchange::transfers::{self, StoredTransfer, OPEN_TRANSFER_INDEX};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    BranchId, CopyStatus, ExchangeEventId, ExchangeEventKind, HoldStatus, Timestamp, TransferId,
    TransferReason, TransferStatus,
};
use kitap_exchange::{CopyPosition, Lending, Pending, Place, Refused, TransitReason};

use crate::catalog::announce;
use crate::{Actor, AppError};

/// What the machine needs, with the rows it came from.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub copy: StoredCopy,
    pub pos: CopyPosition,
    /// The copy's open movement (requested or travelling).
    pub open: Option<StoredTransfer>,
    /// Marked in transit with no movement (imported so): received at its
    /// own library only.
    pub unrouted_transit: bool,
}

pub(crate) fn refused(r: Refused) -> AppError {
    AppError::Conflict {
        code: r.code.as_str(),
        message: r.detail,
    }
}

fn corrupt(what: String) -> AppError {
    AppError::Internal(what)
}

/// The machine's reason for a stored movement.
pub(crate) fn reason_of(t: &StoredTransfer) -> Result<TransitReason, AppError> {
    let missing = || corrupt(format!("transfer {} lacks the id its reason needs", t.id));
    Ok(match t.reason {
        TransferReason::Hold => TransitReason::Hold(t.hold_id.ok_or_else(missing)?),
        TransferReason::HoldCancelled => TransitReason::HoldCancelled,
        TransferReason::ReturnHome => TransitReason::ReturnHome,
        TransferReason::Selection => TransitReason::Selection(t.selection_id.ok_or_else(missing)?),
        TransferReason::SelectionReturn => {
            TransitReason::SelectionReturn(t.selection_id.ok_or_else(missing)?)
        }
        TransferReason::Redistribution => {
            TransitReason::Redistribution(t.act_id.ok_or_else(missing)?)
        }
    })
}

fn stored_reason(r: TransitReason) -> TransferReason {
    match r {
        TransitReason::Hold(_) => TransferReason::Hold,
        TransitReason::HoldCancelled => TransferReason::HoldCancelled,
        TransitReason::ReturnHome => TransferReason::ReturnHome,
        TransitReason::Selection(_) => TransferReason::Selection,
        TransitReason::SelectionReturn(_) => TransferReason::SelectionReturn,
        TransitReason::Redistribution(_) => TransferReason::Redistribution,
    }
}

/// Reads the copy's position inside the caller's transaction.
pub(crate) fn load(conn: &mut DbConnection, copy: StoredCopy) -> Result<Loaded, AppError> {
    let home = copy.branch_id;
    let base = copies::location_of(conn, copy.id)?.unwrap_or(home);
    let open = transfers::open_for_copy(conn, copy.id)?;
    let lent = kitap_db::exchange::selections::open_lending_of_copy(conn, copy.id)?
        .map(|(selection, library)| Lending { selection, library });
    // An open loan wins whatever the status says: a copy marked lost is
    // still on its (lost) loan until found or replaced.
    let loan = kitap_db::loans::open_for_copy(conn, copy.id)?;
    let place = match (copy.status, loan) {
        (_, Some(loan)) => Place::OnLoan {
            from: loan.branch_id,
            reader: loan.reader_id,
        },
        (CopyStatus::InTransit, None) => match &open {
            Some(t) if t.status == TransferStatus::InTransit => Place::InTransit {
                from: t.from_branch_id,
                to: t.to_branch_id,
                reason: reason_of(t)?,
            },
            // In transit by an import (IRBIS status 8) or by hand, with no
            // movement kept: it stands for its own library until received.
            _ => Place::Shelf { at: base },
        },
        (_, None) => match kitap_db::holds::trapped_for_copy(conn, copy.id)? {
            Some(h) if h.status == HoldStatus::Ready => Place::HoldShelf {
                at: h.pickup_branch_id,
                hold: h.id,
                reader: h.reader_id,
            },
            _ => Place::Shelf { at: base },
        },
    };
    let pending = match &open {
        Some(t) if t.status == TransferStatus::Requested => Some(Pending {
            to: t.to_branch_id,
            reason: reason_of(t)?,
        }),
        _ => None,
    };
    let pos = CopyPosition {
        copy: copy.id,
        home,
        base,
        place,
        lent,
        pending,
    };
    let unrouted_transit =
        copy.status == CopyStatus::InTransit && !matches!(pos.place, Place::InTransit { .. });
    Ok(Loaded {
        copy,
        pos,
        open,
        unrouted_transit,
    })
}

/// Who moves the copy, where, when, and a note for the event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub actor: &'a Actor,
    pub here: BranchId,
    pub now: Timestamp,
    pub note: Option<&'a str>,
}

fn transit_of(place: &Place) -> Option<(BranchId, BranchId, TransitReason)> {
    match *place {
        Place::InTransit { from, to, reason } => Some((from, to, reason)),
        _ => None,
    }
}

fn new_transfer(
    l: &Loaded,
    (from, to, reason): (BranchId, BranchId, TransitReason),
    status: TransferStatus,
    at: &At<'_>,
) -> StoredTransfer {
    let (hold_id, selection_id, act_id) = ids_of(reason, l.open.as_ref());
    let dispatched = status == TransferStatus::InTransit;
    StoredTransfer {
        id: TransferId::new(),
        copy_id: l.copy.id,
        from_branch_id: from,
        to_branch_id: to,
        reason: stored_reason(reason),
        hold_id,
        selection_id,
        act_id,
        status,
        requested_at: at.now,
        requested_by: at.actor.staff_id,
        dispatched_at: dispatched.then_some(at.now),
        dispatched_by: if dispatched { at.actor.staff_id } else { None },
        received_at: None,
        received_by: None,
        closed_note: None,
        version: 1,
    }
}

type Ids = (
    Option<kitap_domain::HoldId>,
    Option<kitap_domain::SelectionId>,
    Option<kitap_domain::TransferActId>,
);

/// The ids a reason names; `HoldCancelled` keeps the hold of `earlier`
/// (the copy's movement before this one).
fn ids_of(reason: TransitReason, earlier: Option<&StoredTransfer>) -> Ids {
    match reason {
        TransitReason::Hold(h) => (Some(h), None, None),
        TransitReason::HoldCancelled => (earlier.and_then(|t| t.hold_id), None, None),
        TransitReason::Selection(s) | TransitReason::SelectionReturn(s) => (None, Some(s), None),
        TransitReason::Redistribution(a) => (None, None, Some(a)),
        TransitReason::ReturnHome => (None, None, None),
    }
}

fn insert(conn: &mut DbConnection, t: &StoredTransfer) -> Result<(), AppError> {
    transfers::insert(conn, t).map_err(|e| match e {
        DbError::UniqueViolation(ix) if ix == OPEN_TRANSFER_INDEX => AppError::conflict(
            "transfer_already_open",
            "this copy is already requested or travelling",
        ),
        other => other.into(),
    })
}

fn save(
    conn: &mut DbConnection,
    before: &StoredTransfer,
    mut after: StoredTransfer,
) -> Result<StoredTransfer, AppError> {
    after.version = before.version + 1;
    if !transfers::update(conn, &after, before.version)? {
        return Err(AppError::VersionConflict {
            current: before.version,
        });
    }
    Ok(after)
}

fn close(
    conn: &mut DbConnection,
    t: &StoredTransfer,
    status: TransferStatus,
    at: &At<'_>,
) -> Result<StoredTransfer, AppError> {
    let mut after = t.clone();
    after.status = status;
    if status == TransferStatus::Received {
        after.received_at = Some(at.now);
        after.received_by = at.actor.staff_id;
    }
    after.closed_note = at.note.map(str::to_owned);
    save(conn, t, after)
}

/// Writes the change from `l.pos` to `after`: movements, the copy's status
/// (entering or leaving transit; loans and holds write the rest), library
/// and home, and one event per step. Returns the movement now open, if any.
pub(crate) fn write(
    conn: &mut DbConnection,
    l: &Loaded,
    after: &CopyPosition,
    at: &At<'_>,
) -> Result<Option<StoredTransfer>, AppError> {
    let before = &l.pos;
    let mut open = l.open.clone();
    let mut log = Vec::new();
    let was = transit_of(&before.place);
    let now_t = transit_of(&after.place);
    // Leaving the pick list without leaving: the request is called off.
    if before.pending.is_some() && after.pending.is_none() && now_t.is_none() {
        if let Some(t) = open.take() {
            let t = close(conn, &t, TransferStatus::Cancelled, at)?;
            log.push((ExchangeEventKind::Cancelled, Some(t)));
        }
    }
    match (was, now_t) {
        (None, Some(leg)) => {
            let t = match open.take() {
                Some(req) if req.status == TransferStatus::Requested => {
                    let mut sent = req.clone();
                    sent.status = TransferStatus::InTransit;
                    sent.dispatched_at = Some(at.now);
                    sent.dispatched_by = at.actor.staff_id;
                    save(conn, &req, sent)?
                }
                _ => {
                    let t = new_transfer(l, leg, TransferStatus::InTransit, at);
                    insert(conn, &t)?;
                    t
                }
            };
            log.push((ExchangeEventKind::Dispatched, Some(t.clone())));
            open = Some(t);
        }
        (Some(_), None) => {
            if let Some(t) = open
                .take()
                .filter(|t| t.status == TransferStatus::InTransit)
            {
                let t = close(conn, &t, TransferStatus::Received, at)?;
                log.push((ExchangeEventKind::Received, Some(t)));
            }
        }
        (Some(old), Some(new)) if old != new => {
            let current = open
                .take()
                .filter(|t| t.status == TransferStatus::InTransit);
            match current {
                // Same trip, new reason (the hold it travelled for was cancelled).
                Some(t) if (old.0, old.1) == (new.0, new.1) => {
                    let mut changed = t.clone();
                    changed.reason = stored_reason(new.2);
                    let t = save(conn, &t, changed)?;
                    log.push((ExchangeEventKind::Rerouted, Some(t.clone())));
                    open = Some(t);
                }
                prior => {
                    // Caught at the desk it was leaving, or received and sent
                    // on: the old trip ends here, a new one starts.
                    if let Some(t) = prior {
                        let status = if old.0 == at.here && new.0 == at.here && old.1 != at.here {
                            TransferStatus::Cancelled
                        } else {
                            TransferStatus::Received
                        };
                        let kind = match status {
                            TransferStatus::Cancelled => ExchangeEventKind::Cancelled,
                            _ => ExchangeEventKind::Received,
                        };
                        let t = close(conn, &t, status, at)?;
                        log.push((kind, Some(t)));
                    }
                    let t = new_transfer(l, new, TransferStatus::InTransit, at);
                    insert(conn, &t)?;
                    log.push((ExchangeEventKind::Dispatched, Some(t.clone())));
                    open = Some(t);
                }
            }
        }
        _ => {}
    }
    if before.pending.is_none() && now_t.is_none() {
        if let (Some(p), Some(at_lib)) = (after.pending, after.standing_at()) {
            let t = new_transfer(l, (at_lib, p.to, p.reason), TransferStatus::Requested, at);
            insert(conn, &t)?;
            log.push((ExchangeEventKind::Requested, Some(t.clone())));
            open = Some(t);
        }
    }
    write_copy(conn, l, after, at, was.is_some(), now_t.is_some())?;
    sync_selection(conn, l, after)?;
    if after.base != before.base
        && after.home == before.home
        && after.lent.is_none()
        && before.lent.is_none()
        && after.base != after.home
    {
        log.push((ExchangeEventKind::Floated, None));
    }
    if after.home != before.home {
        log.push((ExchangeEventKind::Redistributed, None));
    }
    for (kind, t) in log {
        // A change of owning library names both libraries: the fund held
        // on a past day is found by undoing the later ones.
        let moved = (kind == ExchangeEventKind::Redistributed).then_some((before.home, after.home));
        event(conn, l, kind, t.as_ref(), moved, at)?;
    }
    Ok(open)
}

/// Keeps `selection_copies.state` in step with the machine's `lent`: a
/// copy received at the borrowing library is `lent` there; one the
/// selection let go of (returned as a unit, or received home) is
/// `returned`. Receiving a `selection_return` movement later stamps when it
/// came home (see `moves::receive_in`).
fn sync_selection(
    conn: &mut DbConnection,
    l: &Loaded,
    after: &CopyPosition,
) -> Result<(), AppError> {
    use kitap_db::exchange::selections::{set_copy_state, SelectionCopyState};
    match (l.pos.lent, after.lent) {
        (None, Some(s)) => {
            set_copy_state(conn, s.selection, l.copy.id, SelectionCopyState::Lent, None)?;
        }
        (Some(s), None) => {
            set_copy_state(
                conn,
                s.selection,
                l.copy.id,
                SelectionCopyState::Returned,
                None,
            )?;
        }
        _ => {}
    }
    Ok(())
}

fn write_copy(
    conn: &mut DbConnection,
    l: &Loaded,
    after: &CopyPosition,
    at: &At<'_>,
    was_travelling: bool,
    travelling: bool,
) -> Result<(), AppError> {
    let before = &l.pos;
    if travelling && !was_travelling {
        copies::set_status(conn, l.copy.id, CopyStatus::InTransit, at.now)?;
    } else if was_travelling && !travelling {
        let status = match after.place {
            Place::OnLoan { .. } => CopyStatus::OnLoan,
            _ => CopyStatus::Available,
        };
        copies::set_status(conn, l.copy.id, status, at.now)?;
    }
    if after.base != before.base || after.home != before.home {
        let location = (after.base != after.home).then_some(after.base);
        let home = (after.home != before.home).then_some(after.home);
        copies::set_location(conn, l.copy.id, location, home, at.now)?;
    }
    if travelling != was_travelling || after.home != before.home {
        announce(conn, at.now, &[l.copy.id])?;
    }
    Ok(())
}

fn event(
    conn: &mut DbConnection,
    l: &Loaded,
    kind: ExchangeEventKind,
    t: Option<&StoredTransfer>,
    moved: Option<(BranchId, BranchId)>,
    at: &At<'_>,
) -> Result<(), AppError> {
    let reader = match t.and_then(|t| t.hold_id) {
        Some(h) => Some(kitap_db::holds::find(conn, h)?.reader_id),
        None => None,
    };
    let e = StoredEvent {
        id: ExchangeEventId::new(),
        at: at.now,
        kind,
        copy_id: l.copy.id,
        record_id: l.copy.record_id,
        transfer_id: t.map(|t| t.id),
        from_branch_id: moved.map(|m| m.0).or(t.map(|t| t.from_branch_id)),
        to_branch_id: moved.map(|m| m.1).or(t.map(|t| t.to_branch_id)),
        branch_id: at.here,
        reason: t.map(|t| t.reason.as_str().to_owned()),
        hold_id: t.and_then(|t| t.hold_id),
        reader_id: reader,
        selection_id: t.and_then(|t| t.selection_id),
        act_id: t.and_then(|t| t.act_id),
        staff_id: at.actor.staff_id,
        detail: at.note.map(str::to_owned),
    };
    events::insert(conn, &e)?;
    Ok(())
}

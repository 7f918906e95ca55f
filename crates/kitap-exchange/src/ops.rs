//! The legal moves of a copy between shelves, readers and libraries.
//!
//! [`apply`] is the only way a [`CopyPosition`] changes: it takes the
//! position and one [`Op`] and returns the next position or a [`Refused`],
//! never a half-done move. Each op is what one scan or one decision at a
//! desk means; the application records it in the exchange log and writes
//! the new position in the same transaction.

use kitap_domain::{BranchId, HoldId, ReaderId, SelectionId, TransferActId};

use crate::{CopyPosition, Lending, Pending, Place, Refused, RefusedCode, TransitReason};

/// One move of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Lent to `reader` at the desk of `at`. A scan proves the copy is at
    /// the desk, so a free copy may be lent wherever it is found.
    Checkout { at: BranchId, reader: ReaderId },
    /// Given back at `at`; `floats` is the [`crate::FloatingPolicy`]'s
    /// answer for this library and material.
    Return { at: BranchId, floats: bool },
    /// A free copy in hand at `at` taken by a waiting hold: on the shelf
    /// there, or just sent on from there (returned or released at `at` and
    /// not gone yet).
    Trap {
        at: BranchId,
        hold: HoldId,
        reader: ReaderId,
        pickup: BranchId,
    },
    /// Put on the pick list of the library where it stands.
    Request { to: BranchId, reason: TransitReason },
    /// Taken off the pick list.
    CancelRequest,
    /// Pulled from the shelf of `at` and sent as the pick list says.
    Dispatch { at: BranchId },
    /// Scanned in at `at`. For a hold transit `for_reader` is the hold's
    /// reader, whose name goes on the hold shelf slip.
    Receive {
        at: BranchId,
        for_reader: Option<ReaderId>,
    },
    /// The hold this copy serves is cancelled.
    CancelHold { hold: HoldId },
    /// The selection the copy is lent in comes back to its home library.
    ReturnSelection { selection: SelectionId },
    /// Permanently given to `to` by a redistribution act.
    Redistribute { act: TransferActId, to: BranchId },
}

/// The position after `op`, or why `op` is not possible now. A refusal
/// changes nothing: the caller keeps `pos`.
pub fn apply(pos: &CopyPosition, op: &Op) -> Result<CopyPosition, Refused> {
    match *op {
        Op::Checkout { at, reader } => checkout(pos, at, reader),
        Op::Return { at, floats } => give_back(pos, at, floats),
        Op::Trap {
            at,
            hold,
            reader,
            pickup,
        } => trap(pos, at, hold, reader, pickup),
        Op::Request { to, reason } => request(pos, to, reason),
        Op::CancelRequest => match pos.pending {
            Some(_) => Ok(CopyPosition {
                pending: None,
                ..*pos
            }),
            None => Err(no_request()),
        },
        Op::Dispatch { at } => dispatch(pos, at),
        Op::Receive { at, for_reader } => receive(pos, at, for_reader),
        Op::CancelHold { hold } => cancel_hold(pos, hold),
        Op::ReturnSelection { selection } => return_selection(pos, selection),
        Op::Redistribute { act, to } => redistribute(pos, act, to),
    }
}

/// Why a copy that is not on an open shelf cannot be taken from one.
fn not_free(place: &Place) -> Refused {
    match *place {
        Place::Shelf { at } => {
            Refused::new(RefusedCode::NotOnShelf, format!("on the shelf of {at}"))
        }
        Place::OnLoan { from, reader } => Refused::new(
            RefusedCode::OnLoan,
            format!("on loan to reader {reader} from {from}"),
        ),
        Place::InTransit { from, to, reason } => Refused::new(
            RefusedCode::InTransit,
            format!("in transit from {from} to {to} ({})", reason.code()),
        ),
        Place::HoldShelf { at, hold, .. } => Refused::new(
            RefusedCode::OnHoldShelf,
            format!("on the hold shelf of {at} for hold {hold}"),
        ),
    }
}

fn requested(pending: &Pending) -> Refused {
    Refused::new(
        RefusedCode::RequestedForTransfer,
        format!(
            "on the pick list to be sent to {} ({})",
            pending.to,
            pending.reason.code()
        ),
    )
}

fn no_request() -> Refused {
    Refused::new(RefusedCode::NoRequest, "the copy is on no pick list")
}

fn elsewhere(here: BranchId, at: BranchId) -> Refused {
    Refused::new(
        RefusedCode::NotAtThisLibrary,
        format!("the copy is at {at}, not at {here}"),
    )
}

/// The library of the open shelf the copy stands on, with nothing planned
/// for it: the only state from which it may be lent, trapped or sent.
fn free_shelf(pos: &CopyPosition) -> Result<BranchId, Refused> {
    match (pos.place, pos.pending) {
        (Place::Shelf { .. }, Some(pending)) => Err(requested(&pending)),
        (Place::Shelf { at }, None) => Ok(at),
        (place, _) => Err(not_free(&place)),
    }
}

/// The copy goes to `to`: onto its shelf when it is already there, else
/// in transit home.
fn to_base_from(at: BranchId, base: BranchId) -> Place {
    if at == base {
        Place::Shelf { at }
    } else {
        Place::InTransit {
            from: at,
            to: base,
            reason: TransitReason::ReturnHome,
        }
    }
}

fn checkout(pos: &CopyPosition, at: BranchId, reader: ReaderId) -> Result<CopyPosition, Refused> {
    if let Place::HoldShelf {
        at: shelf,
        hold,
        reader: waiting,
    } = pos.place
    {
        if waiting != reader {
            return Err(Refused::new(
                RefusedCode::OnHoldForAnother,
                format!("on the hold shelf of {shelf} for hold {hold} of another reader"),
            ));
        }
        if shelf != at {
            return Err(elsewhere(at, shelf));
        }
    } else {
        free_shelf(pos)?;
    }
    Ok(CopyPosition {
        place: Place::OnLoan { from: at, reader },
        ..*pos
    })
}

/// A lent copy goes back to the library it is lent to (the selection is
/// still running there); a floating one stays where it was returned; any
/// other goes to its base.
fn give_back(pos: &CopyPosition, at: BranchId, floats: bool) -> Result<CopyPosition, Refused> {
    let Place::OnLoan { .. } = pos.place else {
        return Err(Refused::new(
            RefusedCode::NotOnLoan,
            format!("the copy is {}, not on loan", pos.place.code()),
        ));
    };
    let mut next = *pos;
    let destination = match pos.lent {
        Some(lending) => lending.library,
        None if floats => {
            next.base = at;
            at
        }
        None => pos.base,
    };
    next.place = to_base_from(at, destination);
    Ok(next)
}

fn trap(
    pos: &CopyPosition,
    at: BranchId,
    hold: HoldId,
    reader: ReaderId,
    pickup: BranchId,
) -> Result<CopyPosition, Refused> {
    // A copy just sent on from this desk (returned here, or a cancelled
    // hold's copy) is still in hand: a hold may catch it before it leaves.
    let caught = matches!(
        pos.place,
        Place::InTransit { from, reason: TransitReason::ReturnHome | TransitReason::HoldCancelled, .. }
            if from == at
    );
    if !caught {
        let shelf = free_shelf(pos)?;
        if shelf != at {
            return Err(elsewhere(at, shelf));
        }
    }
    let place = if pickup == at {
        Place::HoldShelf { at, hold, reader }
    } else {
        Place::InTransit {
            from: at,
            to: pickup,
            reason: TransitReason::Hold(hold),
        }
    };
    Ok(CopyPosition { place, ..*pos })
}

fn request(
    pos: &CopyPosition,
    to: BranchId,
    reason: TransitReason,
) -> Result<CopyPosition, Refused> {
    if let Some(pending) = pos.pending {
        return Err(Refused::new(
            RefusedCode::AlreadyRequested,
            format!(
                "already on the pick list to be sent to {} ({})",
                pending.to,
                pending.reason.code()
            ),
        ));
    }
    let at = free_shelf(pos)?;
    if !reason.requestable() {
        return Err(Refused::new(
            RefusedCode::NotRequestable,
            format!("a {} transit is never requested", reason.code()),
        ));
    }
    if to == at {
        return Err(Refused::new(
            RefusedCode::SameLibrary,
            format!("the copy is already at {at}"),
        ));
    }
    match (reason, pos.lent) {
        (TransitReason::Selection(_), Some(lending)) => {
            return Err(Refused::new(
                RefusedCode::AlreadyLent,
                format!(
                    "lent in selection {} to {}",
                    lending.selection, lending.library
                ),
            ))
        }
        (TransitReason::Selection(_), None) if to == pos.home => {
            return Err(Refused::new(
                RefusedCode::SelectionToHome,
                format!("{to} owns the copy"),
            ))
        }
        (TransitReason::Redistribution(_), Some(lending)) => return Err(lent_elsewhere(&lending)),
        _ => {}
    }
    Ok(CopyPosition {
        pending: Some(Pending { to, reason }),
        ..*pos
    })
}

fn lent_elsewhere(lending: &Lending) -> Refused {
    Refused::new(
        RefusedCode::LentElsewhere,
        format!(
            "lent in selection {} to {}",
            lending.selection, lending.library
        ),
    )
}

fn dispatch(pos: &CopyPosition, at: BranchId) -> Result<CopyPosition, Refused> {
    let Place::Shelf { at: shelf } = pos.place else {
        return Err(not_free(&pos.place));
    };
    let Some(pending) = pos.pending else {
        return Err(no_request());
    };
    if shelf != at {
        return Err(elsewhere(at, shelf));
    }
    Ok(CopyPosition {
        place: Place::InTransit {
            from: at,
            to: pending.to,
            reason: pending.reason,
        },
        pending: None,
        ..*pos
    })
}

/// A copy scanned in where it was sent stays there: on the hold shelf, on
/// the shelf of the library it is lent or given to, or on its base shelf.
/// Only a copy that travelled for a hold cancelled meanwhile goes on.
fn receive(
    pos: &CopyPosition,
    at: BranchId,
    for_reader: Option<ReaderId>,
) -> Result<CopyPosition, Refused> {
    let Place::InTransit { to, reason, .. } = pos.place else {
        return Err(Refused::new(
            RefusedCode::NotInTransit,
            format!("the copy is {}, not in transit", pos.place.code()),
        ));
    };
    if to != at {
        return Err(Refused::new(
            RefusedCode::WrongDestination,
            format!("the copy was sent to {to}, not to {at}"),
        ));
    }
    let mut next = *pos;
    match reason {
        TransitReason::Hold(hold) => {
            let Some(reader) = for_reader else {
                return Err(Refused::new(
                    RefusedCode::HoldMismatch,
                    format!("the copy travelled for hold {hold}, whose reader was not given"),
                ));
            };
            next.place = Place::HoldShelf { at, hold, reader };
        }
        TransitReason::HoldCancelled => next.place = to_base_from(at, pos.base),
        TransitReason::ReturnHome => next.place = Place::Shelf { at },
        TransitReason::Selection(selection) => {
            next.place = Place::Shelf { at };
            next.lent = Some(Lending {
                selection,
                library: at,
            });
            next.base = at;
        }
        TransitReason::SelectionReturn(_) => {
            next.place = Place::Shelf { at };
            next.lent = None;
            next.base = at;
        }
        TransitReason::Redistribution(_) => {
            next.place = Place::Shelf { at };
            next.home = at;
            next.base = at;
            next.lent = None;
        }
    }
    Ok(next)
}

/// The freed copy goes back where it belongs; the application then offers
/// it to the next hold.
fn cancel_hold(pos: &CopyPosition, cancelled: HoldId) -> Result<CopyPosition, Refused> {
    let place = match pos.place {
        Place::HoldShelf { at, hold, .. } if hold == cancelled => to_base_from(at, pos.base),
        Place::InTransit {
            from,
            to,
            reason: TransitReason::Hold(hold),
        } if hold == cancelled => Place::InTransit {
            from,
            to,
            reason: TransitReason::HoldCancelled,
        },
        place => {
            return Err(Refused::new(
                RefusedCode::HoldMismatch,
                format!("the copy is {}, not serving hold {cancelled}", place.code()),
            ))
        }
    };
    Ok(CopyPosition { place, ..*pos })
}

/// A copy on the shelf travels home at once; one with a reader or on a
/// hold shelf stays and goes home when it is next freed.
fn return_selection(pos: &CopyPosition, selection: SelectionId) -> Result<CopyPosition, Refused> {
    match pos.lent {
        Some(lending) if lending.selection == selection => {}
        Some(lending) => {
            return Err(Refused::new(
                RefusedCode::NotLent,
                format!(
                    "lent in selection {}, not in {selection}",
                    lending.selection
                ),
            ))
        }
        None => {
            return Err(Refused::new(
                RefusedCode::NotLent,
                format!("not lent in any selection, {selection} named"),
            ))
        }
    }
    let mut next = CopyPosition {
        lent: None,
        base: pos.home,
        ..*pos
    };
    match pos.place {
        Place::Shelf { at } => {
            if let Some(pending) = pos.pending {
                return Err(requested(&pending));
            }
            next.place = if at == pos.home {
                Place::Shelf { at }
            } else {
                Place::InTransit {
                    from: at,
                    to: pos.home,
                    reason: TransitReason::SelectionReturn(selection),
                }
            };
        }
        Place::OnLoan { .. } | Place::HoldShelf { .. } => {}
        Place::InTransit { .. } => return Err(not_free(&pos.place)),
    }
    Ok(next)
}

fn redistribute(
    pos: &CopyPosition,
    act: TransferActId,
    to: BranchId,
) -> Result<CopyPosition, Refused> {
    let at = free_shelf(pos)?;
    if let Some(lending) = pos.lent {
        return Err(lent_elsewhere(&lending));
    }
    if to == at {
        return Ok(CopyPosition {
            home: to,
            base: to,
            ..*pos
        });
    }
    Ok(CopyPosition {
        pending: Some(Pending {
            to,
            reason: TransitReason::Redistribution(act),
        }),
        ..*pos
    })
}

#[cfg(test)]
mod tests;

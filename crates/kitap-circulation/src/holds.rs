//! The hold queue: who is next, where a returned copy goes, placing a hold.
//!
//! Queue order is first come, first served: `placed_at`, then the hold id
//! (UUIDv7, so also creation order) to break exact ties deterministically.
//! A copy serves a title-level hold on its record, or a copy-level hold on
//! exactly that copy.

use chrono::NaiveDate;
use kitap_domain::{BranchId, CopyId, HoldId, HoldStatus, ReaderId, RecordId, Timestamp};

use crate::checkout::blocked;
use crate::{Calendar, CalendarError, ReaderState, Refusal, RefusalCode, RuleValues};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldState {
    pub id: HoldId,
    pub reader: ReaderId,
    pub record: RecordId,
    /// Set for a copy-level hold (one volume of a set, a specific edition).
    pub copy: Option<CopyId>,
    pub pickup: BranchId,
    pub status: HoldStatus,
    pub placed_at: Timestamp,
}

impl HoldState {
    fn can_be_served_by(&self, copy: &TrappableCopy) -> bool {
        self.status == HoldStatus::Waiting
            && self.record == copy.record
            && self.copy.is_none_or(|wanted| wanted == copy.id)
    }
}

/// A copy that just became free (returned, or checked in after transit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrappableCopy {
    pub id: CopyId,
    pub record: RecordId,
    pub at_library: BranchId,
}

/// Why a copy must travel between libraries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferReason {
    /// To the pickup library of this hold.
    Hold(HoldId),
    /// Back to its home library after a return elsewhere.
    ReturnHome,
}

/// What the inter-branch exchange consumes: move this copy from here to there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRequest {
    pub copy: CopyId,
    pub from: BranchId,
    pub to: BranchId,
    pub reason: TransferReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapDecision {
    /// No waiting hold wants this copy.
    None,
    /// The copy is at the pickup library: onto the hold shelf (hold ready).
    HoldShelf { hold: HoldId },
    /// The copy must travel to the pickup library (hold in transit).
    Transfer(TransferRequest),
}

/// The holds in queue order.
pub fn queue_order(holds: &[HoldState]) -> Vec<&HoldState> {
    let mut ordered: Vec<&HoldState> = holds.iter().collect();
    ordered.sort_by_key(|h| (h.placed_at, h.id));
    ordered
}

/// Offers a free copy to the queue: the first waiting hold it can serve.
pub fn trap(copy: &TrappableCopy, holds: &[HoldState]) -> TrapDecision {
    let Some(hold) = queue_order(holds)
        .into_iter()
        .find(|h| h.can_be_served_by(copy))
    else {
        return TrapDecision::None;
    };
    if hold.pickup == copy.at_library {
        return TrapDecision::HoldShelf { hold: hold.id };
    }
    TrapDecision::Transfer(TransferRequest {
        copy: copy.id,
        from: copy.at_library,
        to: hold.pickup,
        reason: TransferReason::Hold(hold.id),
    })
}

/// The last day a ready hold waits on the shelf: `days` after it became
/// ready, moved to an open day so the reader always has a chance to come.
pub fn hold_shelf_expires(
    ready_on: NaiveDate,
    days: u16,
    calendar: &Calendar,
) -> Result<NaiveDate, CalendarError> {
    calendar.due_date(ready_on, days)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceHoldDecision {
    pub status: HoldStatus,
    /// A copy is on the shelf at the pickup library: the desk's pull list
    /// takes it, the hold does not wait for a return.
    pub pull_from_shelf: bool,
}

/// Checks, in order: `reader_not_active`, `reader_blocked`,
/// `holds_not_allowed`, `already_holding`. A debtor may still queue: the
/// debt is checked when the copy is lent.
///
/// `existing` are this reader's holds on the record; only open ones count.
pub fn decide_place_hold(
    reader: &ReaderState,
    values: &RuleValues,
    existing: &[HoldState],
    available_at_pickup: u32,
) -> Result<PlaceHoldDecision, Refusal> {
    if reader.status != kitap_domain::ReaderStatus::Active {
        return Err(RefusalCode::ReaderNotActive.into());
    }
    if let Some(refusal) = blocked(reader) {
        return Err(refusal);
    }
    if !values.holds_allowed {
        return Err(RefusalCode::HoldsNotAllowed.into());
    }
    if existing.iter().any(|h| h.status.is_open()) {
        return Err(RefusalCode::AlreadyHolding.into());
    }
    Ok(PlaceHoldDecision {
        status: HoldStatus::Waiting,
        pull_from_shelf: available_at_pickup > 0,
    })
}

#[cfg(test)]
mod tests;

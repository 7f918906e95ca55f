//! Where a copy is, unambiguously.
//!
//! Koha keeps a copy's whereabouts in several independent columns (an open
//! transfer, an issue, a found reserve, the holding branch), and its worst
//! exchange bugs are combinations of them that cannot happen in a library: a
//! copy on loan and in transit at once, on loan and waiting on a hold shelf,
//! or received and then sent home again. Here a copy is in exactly one
//! [`Place`]; everything else about it ([`CopyPosition::base`],
//! [`CopyPosition::lent`], [`CopyPosition::pending`]) says where it belongs
//! or what is planned, never where it is.

use kitap_domain::{BranchId, CopyId, HoldId, ReaderId, SelectionId, TransferActId};
use serde::Serialize;

/// Why a copy travels. Every transit has exactly one reason, and the reason
/// decides what happens when the copy arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TransitReason {
    /// To the pickup library of this hold.
    Hold(HoldId),
    /// Was travelling for a hold that was cancelled meanwhile: it goes on
    /// the hold shelf of nobody, and on to its base if it arrives elsewhere.
    HoldCancelled,
    /// Back to the library whose shelf it belongs on.
    ReturnHome,
    /// Lent in a thematic selection to the destination.
    Selection(SelectionId),
    /// The selection comes back to its home library.
    SelectionReturn(SelectionId),
    /// Permanently given to the destination (a redistribution act).
    Redistribution(TransferActId),
}

impl TransitReason {
    /// Stable snake_case name, for the API and the exchange log.
    pub fn code(&self) -> &'static str {
        match self {
            TransitReason::Hold(_) => "hold",
            TransitReason::HoldCancelled => "hold_cancelled",
            TransitReason::ReturnHome => "return_home",
            TransitReason::Selection(_) => "selection",
            TransitReason::SelectionReturn(_) => "selection_return",
            TransitReason::Redistribution(_) => "redistribution",
        }
    }

    /// Whether a library may ask for a copy for this reason. The others
    /// follow from a return or a cancellation, never from a pick list.
    pub fn requestable(&self) -> bool {
        matches!(
            self,
            TransitReason::Hold(_) | TransitReason::Selection(_) | TransitReason::Redistribution(_)
        )
    }
}

/// The one place a copy is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Place {
    /// On the open shelf of `at`, free to lend.
    Shelf { at: BranchId },
    /// A reader has it; `from` is the library that lent it.
    OnLoan { from: BranchId, reader: ReaderId },
    /// Travelling from one library to another, for one reason.
    InTransit {
        from: BranchId,
        to: BranchId,
        reason: TransitReason,
    },
    /// Waiting on the hold shelf of `at` for the hold's reader.
    HoldShelf {
        at: BranchId,
        hold: HoldId,
        reader: ReaderId,
    },
}

impl Place {
    /// Stable snake_case name, for the API and the exchange log.
    pub fn code(&self) -> &'static str {
        match self {
            Place::Shelf { .. } => "shelf",
            Place::OnLoan { .. } => "on_loan",
            Place::InTransit { .. } => "in_transit",
            Place::HoldShelf { .. } => "hold_shelf",
        }
    }
}

/// Lent in a thematic selection to `library`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lending {
    pub selection: SelectionId,
    pub library: BranchId,
}

/// On the pick list of the library it stands at: to be pulled and sent to
/// `to`. A plan, not a place: the copy is still on the shelf until
/// dispatched, and nobody may lend it meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub to: BranchId,
    pub reason: TransitReason,
}

/// Everything the exchange needs to know about one copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CopyPosition {
    pub copy: CopyId,
    /// The owning library (fund accounting). Changes only by redistribution.
    pub home: BranchId,
    /// The library whose shelf the copy belongs on now: `home`, the library
    /// it floated to, or the library a selection lent it to. Returns and
    /// cancelled holds send the copy here.
    pub base: BranchId,
    pub place: Place,
    pub lent: Option<Lending>,
    pub pending: Option<Pending>,
}

impl CopyPosition {
    /// A copy on the shelf of the library that owns it: how every copy starts.
    pub fn on_shelf(copy: CopyId, home: BranchId) -> Self {
        Self {
            copy,
            home,
            base: home,
            place: Place::Shelf { at: home },
            lent: None,
            pending: None,
        }
    }

    /// The library the copy physically stands at, if it stands anywhere
    /// (not on loan, not travelling).
    pub fn standing_at(&self) -> Option<BranchId> {
        match self.place {
            Place::Shelf { at } | Place::HoldShelf { at, .. } => Some(at),
            Place::OnLoan { .. } | Place::InTransit { .. } => None,
        }
    }
}

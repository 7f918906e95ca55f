//! The names of inter-branch exchange: a movement's status and reason, a
//! selection's and a library request's status, the exchange event kinds.

use crate::name_enum;

name_enum!(
    /// A movement of a copy: on the lending library's pick list, travelling,
    /// arrived, or called off.
    TransferStatus, "status", {
        Requested => "requested",
        InTransit => "in_transit",
        Received => "received",
        Cancelled => "cancelled",
    }
);

impl TransferStatus {
    /// Requested or travelling: a copy has at most one such movement.
    pub fn is_open(self) -> bool {
        matches!(self, TransferStatus::Requested | TransferStatus::InTransit)
    }
}

name_enum!(
    /// Why a copy travels.
    TransferReason, "reason", {
        /// To the pickup library of a reader's hold.
        Hold => "hold",
        /// Was travelling for a hold that was cancelled meanwhile.
        HoldCancelled => "hold_cancelled",
        /// Back to the library whose shelf it belongs on.
        ReturnHome => "return_home",
        /// Lent in a thematic selection.
        Selection => "selection",
        /// A selection coming back.
        SelectionReturn => "selection_return",
        /// Given for good by a transfer act.
        Redistribution => "redistribution",
    }
);

name_enum!(
    /// A thematic selection's life.
    SelectionStatus, "status", {
        Draft => "draft",
        Dispatched => "dispatched",
        Lent => "lent",
        Returning => "returning",
        Closed => "closed",
        Cancelled => "cancelled",
    }
);

name_enum!(
    /// A library's request to the unified fund.
    LibraryRequestStatus, "status", {
        Open => "open",
        Answered => "answered",
        Cancelled => "cancelled",
    }
);

name_enum!(
    /// What the exchange event log records.
    ExchangeEventKind, "kind", {
        Requested => "requested",
        Dispatched => "dispatched",
        Received => "received",
        Cancelled => "cancelled",
        Rerouted => "rerouted",
        Floated => "floated",
        SelectionReturned => "selection_returned",
        Redistributed => "redistributed",
    }
);

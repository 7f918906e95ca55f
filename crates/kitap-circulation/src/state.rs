//! The snapshots policies decide on. The application fills them from the
//! database inside the transaction that will write the decision, so a
//! decision is never made on stale state.

use chrono::NaiveDate;
use kitap_domain::{
    BlockKind, BranchId, CopyId, CopyStatus, LoanId, LoanKind, ReaderCategory, ReaderId,
    ReaderStatus,
};

/// One block on a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockState {
    pub kind: BlockKind,
    pub reason: String,
}

/// What circulation needs to know about a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderState {
    pub id: ReaderId,
    pub category: ReaderCategory,
    pub status: ReaderStatus,
    /// Readers re-register every year; the registration has expired when
    /// this date is before today.
    pub registered_until: NaiveDate,
    pub blocks: Vec<BlockState>,
    pub open_home_loans: u32,
    pub overdue_loans: u32,
    /// Days the oldest overdue loan is late; 0 when nothing is overdue.
    pub max_overdue_days: u32,
}

impl ReaderState {
    pub fn registration_expired(&self, today: NaiveDate) -> bool {
        self.registered_until < today
    }

    pub fn has_block(&self, kind: BlockKind) -> bool {
        self.blocks.iter().any(|b| b.kind == kind)
    }

    /// Manual and lost-copy blocks: the `reader_blocked` refusal. The overdue
    /// block is reported as `reader_has_overdue` instead, because it is the
    /// debtor rule and clears itself on return.
    pub fn hard_blocks(&self) -> impl Iterator<Item = &BlockState> {
        self.blocks.iter().filter(|b| b.kind != BlockKind::Overdue)
    }

    /// A debtor: an overdue loan, or the automatic overdue block.
    pub fn is_debtor(&self) -> bool {
        self.overdue_loans > 0 || self.has_block(BlockKind::Overdue)
    }
}

/// What circulation needs to know about a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyState {
    pub id: CopyId,
    pub status: CopyStatus,
    pub material_type: String,
    pub branch: BranchId,
    /// Reference, rare or last copy: used in the reading room only.
    pub reading_room_only: bool,
    /// On the hold shelf, waiting for this reader.
    pub trapped_for: Option<ReaderId>,
    /// Other readers wait for this copy or its title (holds not yet trapped).
    pub queued_hold_for_others: bool,
}

impl CopyState {
    /// Reading room only by flag or by status: both mean "not home".
    pub fn is_reading_room_only(&self) -> bool {
        self.reading_room_only || self.status == CopyStatus::ReadingRoomOnly
    }

    /// On the shelf: `available`, or `reading_room_only` (on the shelf but
    /// not for home). Everything else is somewhere a reader cannot take it from.
    pub fn is_on_shelf(&self) -> bool {
        matches!(
            self.status,
            CopyStatus::Available | CopyStatus::ReadingRoomOnly
        )
    }
}

/// An open loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanState {
    pub id: LoanId,
    pub copy: CopyId,
    pub reader: ReaderId,
    pub kind: LoanKind,
    pub due_on: NaiveDate,
    pub renewals: u16,
    pub issued_on: NaiveDate,
}

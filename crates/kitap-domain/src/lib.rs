//! Kitap's vocabulary: ids, validated values, roles and the circulation names.
//!
//! This crate is pure: no IO, no database, no HTTP. Every value that comes from
//! outside is parsed into one of these types once, at the edge, so the layers
//! above never re-validate strings.

mod branch;
mod circulation;
mod error;
mod exchange;
mod holdings;
mod ids;
mod iin;
mod import;
mod isbn;
mod issn;
mod name_enum;
mod reader;
mod role;
mod staff;
mod string_value;
mod time;

pub use branch::{BranchCode, BranchKind, BranchName};
pub use circulation::{
    AgeBand, CirculationEventKind, HoldStatus, LoanKind, NoticeChannel, NoticeKind, NoticeStatus,
};
pub use error::ValueError;
pub use exchange::{
    ExchangeEventKind, LibraryRequestStatus, SelectionStatus, TransferReason, TransferStatus,
};
pub use holdings::{
    AcquisitionSource, Barcode, CopyStatus, InventoryNumber, Money, RecordStatus, WriteOffBlock,
    WriteOffReason,
};
pub use ids::{
    AccessionActId, AmnestyCampaignId, AuditId, BlockId, BranchId, CirculationEventId, ClosedDayId,
    CopyId, DedupScanId, HoldId, ImportId, LoanId, LoanRuleId, NoticeId, OfflineUploadId, ReaderId,
    RecordId, SessionId, StaffId, WriteOffActId,
};
pub use ids::{
    AttendanceId, ExchangeEventId, LibraryRequestId, MergeId, ReaderActivityId, RecordSourceId,
    SelectionId, TransferActId, TransferId,
};
pub use iin::Iin;
pub use import::ImportStatus;
pub use isbn::Isbn;
pub use issn::Issn;
pub use reader::{BlockKind, CardNumber, ReaderCategory, ReaderStatus};
pub use role::Role;
pub use staff::{DisplayName, NewPassword, Username};
pub use time::Timestamp;

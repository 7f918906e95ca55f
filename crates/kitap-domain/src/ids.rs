use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValueError;

/// Defines a UUIDv7 id newtype. v7 ids sort by creation time, which keeps
/// B-tree inserts local and makes ids usable as seek-pagination cursors.
macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| ValueError::new($field, "must be a UUID"))
            }
        }
    };
}

uuid_id!(
    /// A library of the system: the central library or a branch.
    BranchId,
    "branch_id"
);
uuid_id!(
    /// A staff account.
    StaffId,
    "staff_id"
);
uuid_id!(
    /// A login session (the bearer token itself is never stored).
    SessionId,
    "session_id"
);

uuid_id!(
    /// A bibliographic record of the catalog.
    RecordId,
    "record_id"
);
uuid_id!(
    /// A merge of one record into another (kept for undo and history).
    MergeId,
    "merge_id"
);
uuid_id!(
    /// A source version kept beside a record (merged or imported MARC).
    RecordSourceId,
    "source_id"
);
uuid_id!(
    /// A copy (item) of a record, held by one library.
    CopyId,
    "copy_id"
);
uuid_id!(
    /// An accession act: the document copies enter the fund by.
    AccessionActId,
    "accession_act_id"
);
uuid_id!(
    /// A write-off act: the document copies leave the fund by.
    WriteOffActId,
    "write_off_act_id"
);
uuid_id!(
    /// A MARC import job.
    ImportId,
    "import_id"
);
uuid_id!(
    /// An upload of an offline circulation file.
    OfflineUploadId,
    "offline_upload_id"
);
uuid_id!(
    /// A catalog-wide duplicate scan job.
    DedupScanId,
    "scan_id"
);

uuid_id!(
    /// A registered reader (patron) of the library system.
    ReaderId,
    "reader_id"
);
uuid_id!(
    /// A loan: one copy lent to one reader, home or reading room.
    LoanId,
    "loan_id"
);
uuid_id!(
    /// A hold (reservation) a reader placed on a title or a copy.
    HoldId,
    "hold_id"
);
uuid_id!(
    /// A loan rule: loan period, renewals and limits for a library, reader
    /// category and material type.
    LoanRuleId,
    "loan_rule_id"
);
uuid_id!(
    /// A block on a reader (manual, automatic for overdue loans, lost copy).
    BlockId,
    "block_id"
);
uuid_id!(
    /// A notice sent (or due) to a reader.
    NoticeId,
    "notice_id"
);
uuid_id!(
    /// One row of the circulation event log (checkout, renewal, return...).
    CirculationEventId,
    "circulation_event_id"
);

uuid_id!(
    /// An amnesty campaign: a period when late returns are forgiven.
    AmnestyCampaignId,
    "amnesty_campaign_id"
);

uuid_id!(
    /// A closed day (holiday date or weekday) of one library or of all.
    ClosedDayId,
    "closed_day_id"
);

uuid_id!(
    /// A movement of one copy between libraries (requested, in transit, received).
    TransferId,
    "transfer_id"
);

uuid_id!(
    /// A thematic selection (іріктеу): a set of copies lent to a library for a period.
    SelectionId,
    "selection_id"
);

uuid_id!(
    /// A redistribution (transfer) act: copies permanently given to another library.
    TransferActId,
    "transfer_act_id"
);

uuid_id!(
    /// A library's request to the unified fund for titles or a topic.
    LibraryRequestId,
    "library_request_id"
);

uuid_id!(
    /// One row of the exchange event log (requested, dispatched, received...).
    ExchangeEventId,
    "exchange_event_id"
);

uuid_id!(
    /// Attendance of one library event, entered by staff (statistics).
    AttendanceId,
    "attendance_id"
);

uuid_id!(
    /// One self-service action of a reader (statistics: remote users).
    ReaderActivityId,
    "reader_activity_id"
);

/// Audit rows are numbered by the database: the number orders them and is the
/// seek-pagination cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditId(pub i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = BranchId::new();
        let parsed: BranchId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
    }

    #[test]
    fn ids_created_later_sort_later() {
        let a = StaffId::new();
        let b = StaffId::new();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_refused_with_the_field_name() {
        let err = "not-a-uuid".parse::<BranchId>().unwrap_err();
        assert_eq!(err.field, "branch_id");
    }
}

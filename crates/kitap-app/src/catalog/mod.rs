//! Cataloging use cases: records, imports, exports, copies and acts.

mod act_create;
pub(crate) mod act_export;
mod acts;
mod convert;
mod copies;
mod copy_batch;
mod copy_numbers;
mod demo;
mod export;
pub mod import;
mod imported_copies;
mod merge;
mod merge_undo;
pub mod prepare;
mod reclassify;
mod records;
mod sources;
pub use sources::{source_as, SourceView};

pub use act_export::{ActFile, ExportFormat};
pub use acts::{ActDetails, ActNewCopies, ActQuery, NewAccessionAct, NewWriteOffAct};
pub use convert::{convert_to, Target};
pub use copies::{CopyPatch, CopyQuery, NewCopies, MAX_COPIES_PER_REQUEST};
pub use demo::DemoReport;
pub use export::ExportRequest;
pub use import::{Format, ImportQueue, ImportRequest, OnDuplicate, OnMatch};
pub use kitap_db::acts::{AccessionAct, ActHeader, ActLine, WriteOffAct};
pub use kitap_db::copies::StoredCopy;
pub use kitap_db::record_sources::{RecordSource, SourceKind, SourceSummary};
pub use merge::{MergeView, Moved};
pub use merge_undo::MergeQuery;
pub use reclassify::Reclassification;
pub use records::{RecordDetails, Removal, SavedRecord};

pub(crate) use act_create::{PreparedAccession, PreparedWriteOff};
pub(crate) use copies::{copy_missing, find_library};
pub(crate) use copy_batch::announce;
pub(crate) use records::{
    decode_stored as decode_record, missing as record_missing, CATALOGERS as CATALOGER_ROLES,
};

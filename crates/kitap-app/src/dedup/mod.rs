//! Duplicate detection in the catalog (issue #6): match keys stored with
//! every record, the check when a record is saved or imported, cataloger
//! decisions on pairs, catalog-wide scans and rekeying. The deciding is
//! kitap-dedup's; this module loads, stores and explains.

mod check;
mod keys;
mod pairs;
mod rekey;
mod scan;
mod worker;

pub use check::Duplicate;
pub use kitap_db::dedup::{Decision, PairDecision, Scan, ScanCluster, ScanCounts, ScanStatus};
pub use kitap_dedup::{DedupConfig, Evidence, Level, Verdict};
pub use pairs::{ordered as ordered_pair, parse_decision};
pub use scan::ReportFormat;
pub use worker::DedupQueue;

pub(crate) use check::{find as find_duplicates, probable};
pub(crate) use keys::{keys_row, parse_keys};

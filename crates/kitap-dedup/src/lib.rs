//! Duplicate detection for the catalogue. Pure: no IO, no database.
//!
//! - [`match_keys`] turns a [`kitap_catalog::BibView`] into [`MatchKeys`]:
//!   identifiers (ISBN-13, ISSN, control numbers) and script-independent
//!   text keys, so that a Cyrillic record, its Kazakh Latin-2021 twin and a
//!   copy typed on a Russian keyboard get the same keys;
//! - [`compare`] scores two records from weighted agreements and
//!   disagreements, with hard vetoes (another volume, edition, year,
//!   language or material is never a duplicate), and explains itself;
//! - [`cluster`] groups a whole catalogue: candidate pairs come only from
//!   shared [`MatchKeys::block_keys`], so the work grows with the number of
//!   records, not its square.
//!
//! ```
//! use kitap_dedup::{compare, DedupConfig, Level, MatchKeys};
//!
//! let cyrillic = MatchKeys::from_parts("Абай жолы", Some("Әуезов, Мұхтар"), Some(1997));
//! let latin = MatchKeys::from_parts("Abai joly", Some("Äuezov, Mūhtar"), Some(1997));
//! let verdict = compare(&cyrillic, &latin, &DedupConfig::default());
//! assert_eq!(verdict.level, Level::Possible);
//! ```

mod cluster;
mod config;
mod keys;
mod parse;
mod score;

pub use cluster::{block_stats, cluster, BlockStats, Cluster, ClusterPair};
pub use config::{ConfigError, DedupConfig, Weights};
pub use keys::{match_keys, MatchKeys, KEYS_VERSION};
pub use parse::{edition_number, normalize_control_number, pages, volume_number};
pub use score::{compare, score, Evidence, Level, Verdict};

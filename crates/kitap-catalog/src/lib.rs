//! The catalogue's view of MARC records. Pure: no IO, no database, no HTTP.
//!
//! - [`view`]: [`BibView`], the same bibliographic facts from MARC 21 and
//!   UNIMARC/RUSMARC records;
//! - [`bbk`]: BBK and UDC numbers to the report's knowledge areas;
//! - [`validate`]: what blocks a record (errors) and what only deserves a
//!   look (warnings);
//! - [`convert`]: MARC 21 <-> RUSMARC for the common fields;
//! - [`copies`]: IRBIS 910 exemplar fields to copy specifications.
//!
//! No input makes any of these panic: every function takes whatever
//! `kitap_marc` could parse.

pub mod bbk;
pub mod convert;
pub mod copies;
pub mod embedded;
pub mod punct;
pub mod relator;
pub mod validate;
pub mod view;

#[cfg(test)]
mod testutil;

pub use bbk::{AreaRules, AreaRulesError, BbkClass, BbkTable, KnowledgeArea};
pub use convert::{to_marc21, to_rusmarc, Conversion};
pub use copies::{copies_from_910, CopySpec, CopySpecError, CopyStatusHint, SimpleDate};
pub use validate::{
    has_errors, is_forbidden_control, strip_control_characters, validate, validate_with, Issue,
    Severity, ValidateOptions,
};
pub use view::{Author, AuthorKind, BibView, Publication, RecordType, Series};

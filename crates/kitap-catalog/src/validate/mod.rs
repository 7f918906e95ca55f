//! Record validation for import and cataloguing.
//!
//! An **error** blocks a record: it is structurally broken (a leader that is
//! not 24 characters, a tag or indicator no MARC system can store, a control
//! field with subfields) or unusable (no title). A **warning** is something
//! a cataloguer should look at but that libraries meet in real, valid stock:
//! misprinted ISBNs (publishers print wrong check digits, and the book still
//! has to be catalogued under the number on it), unknown or obsolete
//! language codes, indicator values the format does not define, implausible
//! years, empty subfields.
//!
//! Codes are stable snake_case strings: import reports and API clients
//! match on them; messages are English for people.

mod content;
mod controls;
mod ident;
mod lang;
mod lang_codes;
mod structure;

pub use controls::{is_removed as is_forbidden_control, strip_control_characters};

use std::collections::HashMap;

use kitap_marc::{Field, Record};
use serde::Serialize;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record must not be saved as is.
    Error,
    /// Worth a look; the record can be saved.
    Warning,
}

/// One problem found in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// Stable snake_case code ("missing_title", "bad_isbn_check_digit").
    pub code: &'static str,
    pub tag: Option<String>,
    /// 0-based among the record's fields with the same tag.
    pub occurrence: Option<usize>,
    pub subfield: Option<char>,
    pub message: String,
}

impl Issue {
    pub(crate) fn error(code: &'static str, message: impl Into<String>) -> Issue {
        Issue::new(Severity::Error, code, message)
    }

    pub(crate) fn warning(code: &'static str, message: impl Into<String>) -> Issue {
        Issue::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Issue {
        Issue {
            severity,
            code,
            tag: None,
            occurrence: None,
            subfield: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, place: &Place<'_>) -> Issue {
        self.tag = Some(place.tag.to_string());
        self.occurrence = Some(place.occurrence);
        self
    }

    pub(crate) fn in_subfield(mut self, code: char) -> Issue {
        self.subfield = Some(code);
        self
    }
}

/// Limits that depend on the caller (the current year is not this crate's
/// to know: it has no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Publication years before this are reported.
    pub min_year: i32,
    /// Publication years after this are reported (callers pass next year).
    pub max_year: i32,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        // Printing with movable type in Europe; manuscripts older than this
        // are rare enough in a public library to deserve a look.
        ValidateOptions {
            min_year: 1450,
            max_year: 2100,
        }
    }
}

/// A field and its 0-based position among the fields with its tag.
pub(crate) struct Place<'a> {
    pub field: &'a Field,
    pub tag: &'a str,
    pub occurrence: usize,
}

/// Validates with the default year range.
pub fn validate(record: &Record) -> Vec<Issue> {
    validate_with(record, &ValidateOptions::default())
}

/// Validates a record: errors first, then warnings, each in field order.
pub fn validate_with(record: &Record, options: &ValidateOptions) -> Vec<Issue> {
    let mut issues = structure::leader(record);
    let places = places(record);
    for place in &places {
        issues.extend(structure::field(record.dialect, place));
        issues.extend(content::field(record.dialect, place, options));
    }
    issues.extend(structure::repeats(record));
    issues.extend(content::record(record, options));
    // Stable: issues of one severity keep their field order.
    issues.sort_by_key(|i| i.severity != Severity::Error);
    issues
}

/// Whether any issue blocks the record.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(|i| i.severity == Severity::Error)
}

fn places(record: &Record) -> Vec<Place<'_>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    record
        .fields
        .iter()
        .map(|field| {
            let tag = field.tag();
            let counter = seen.entry(tag).or_insert(0);
            let occurrence = *counter;
            *counter += 1;
            Place {
                field,
                tag,
                occurrence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;

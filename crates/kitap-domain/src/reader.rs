//! Readers (patrons): their card, category, status and blocks.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::holdings::short_code;
use crate::{name_enum, ValueError};

/// A reader's card barcode as scanned: 1..=40 printable ASCII characters,
/// trimmed. Same shape as a copy's [`crate::Barcode`], because the same
/// scanners read both; the two are kept apart so one cannot be passed for
/// the other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

impl CardNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CardNumber {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let value = short_code("card_number", raw, 40)?;
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValueError::new(
                "card_number",
                "must be printable ASCII without spaces (what a scanner sends)",
            ));
        }
        Ok(Self(value))
    }
}

crate::string_value!(CardNumber);

name_enum!(
    /// Who the reader is for loan rules and statistics.
    ReaderCategory, "category", {
        Adult => "adult",
        /// University and college students.
        Student => "student",
        /// School pupils.
        Pupil => "pupil",
        /// Pre-school children.
        Child => "child",
        Pensioner => "pensioner",
        /// Readers with disabilities, usually served at home (home service).
        Disabled => "disabled",
    }
);

name_enum!(
    /// Whether the reader record is in use. Blocks are separate rows
    /// ([`BlockKind`]), so a blocked reader is still `active`.
    ReaderStatus, "status", {
        Active => "active",
        /// Kept for history and statistics; no new loans or holds.
        Archived => "archived",
    }
);

name_enum!(
    /// Why a reader is blocked.
    BlockKind, "kind", {
        /// Set by staff with a reason.
        Manual => "manual",
        /// Set automatically when a loan is long overdue; lifted on return.
        Overdue => "overdue",
        /// The reader lost a copy and has not replaced it yet.
        LostCopy => "lost_copy",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_trimmed_printable_ascii() {
        let card: CardNumber = " KRG-000123 ".parse().unwrap();
        assert_eq!(card.as_str(), "KRG-000123");
        assert!("".parse::<CardNumber>().is_err());
        assert!("12 34".parse::<CardNumber>().is_err());
        assert!("карта".parse::<CardNumber>().is_err());
        assert!("x".repeat(41).parse::<CardNumber>().is_err());
        let err = "a\u{7}".parse::<CardNumber>().unwrap_err();
        assert_eq!(err.field, "card_number");
        let json: CardNumber = serde_json::from_str("\"0042\"").unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), "\"0042\"");
        assert!(serde_json::from_str::<CardNumber>("\" \"").is_err());
    }

    #[test]
    fn reader_names_parse_and_print() {
        for c in ReaderCategory::ALL {
            assert_eq!(c.as_str().parse::<ReaderCategory>().unwrap(), *c);
        }
        for s in ReaderStatus::ALL {
            assert_eq!(s.as_str().parse::<ReaderStatus>().unwrap(), *s);
        }
        assert_eq!(
            serde_json::to_string(&BlockKind::LostCopy).unwrap(),
            "\"lost_copy\""
        );
        assert!("blocked".parse::<ReaderStatus>().is_err());
        assert_eq!(
            "retired".parse::<ReaderCategory>().unwrap_err().field,
            "category"
        );
    }
}

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// The short code staff type and print on forms ("C00", "F07").
///
/// Stored uppercase; 2 to 16 characters, ASCII letters, digits and hyphens,
/// starting with a letter, so it is safe in URLs, file names and barcode prefixes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BranchCode(String);

impl BranchCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BranchCode {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let code = raw.trim().to_ascii_uppercase();
        let well_formed = (2..=16).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_alphabetic())
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if well_formed {
            Ok(Self(code))
        } else {
            Err(ValueError::new(
                "code",
                "must be 2 to 16 ASCII letters, digits or hyphens, starting with a letter",
            ))
        }
    }
}

crate::string_value!(BranchCode);

/// What kind of library this is; reports group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchKind {
    Central,
    Adult,
    Children,
}

impl BranchKind {
    pub const ALL: [BranchKind; 3] = [BranchKind::Central, BranchKind::Adult, BranchKind::Children];

    pub fn as_str(self) -> &'static str {
        match self {
            BranchKind::Central => "central",
            BranchKind::Adult => "adult",
            BranchKind::Children => "children",
        }
    }
}

impl FromStr for BranchKind {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BranchKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| ValueError::new("kind", "must be one of central, adult, children"))
    }
}

/// A library's name in one language: trimmed, non-empty, at most 300 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BranchName(String);

impl BranchName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValueError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValueError::new(field, "must not be empty"));
        }
        if name.chars().count() > 300 {
            return Err(ValueError::new(field, "must be at most 300 characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_to_uppercase() {
        assert_eq!("f07".parse::<BranchCode>().unwrap().as_str(), "F07");
        assert_eq!(" C00 ".parse::<BranchCode>().unwrap().as_str(), "C00");
    }

    #[test]
    fn bad_codes_are_refused() {
        for bad in ["", "F", "7F", "F 7", "F/7", "ФИЛ", "ABCDEFGHIJKLMNOPQ"] {
            assert!(bad.parse::<BranchCode>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn names_keep_kazakh_letters_and_refuse_blanks() {
        let name = BranchName::parse("name_kk", "  Әуезов атындағы кітапхана ").unwrap();
        assert_eq!(name.as_str(), "Әуезов атындағы кітапхана");
        assert!(BranchName::parse("name_kk", "   ").is_err());
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(
            "children".parse::<BranchKind>().unwrap(),
            BranchKind::Children
        );
        assert!("school".parse::<BranchKind>().is_err());
    }
}

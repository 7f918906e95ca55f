use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// An ISSN, held as "NNNN-NNNC" with the mod-11 check digit verified.
/// Catalogues write it with or without the hyphen, sometimes after an
/// "ISSN" label, and with a lower-case x; all of those parse to one form so
/// serials compare equal however they were keyed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Issn(String);

impl Issn {
    /// The hyphenated form, e.g. "0317-8471".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check digit the first seven digits call for ('0'-'9' or 'X');
    /// `None` unless `first_seven` is exactly seven ASCII digits. Public so
    /// validators can say which digit was expected.
    pub fn check_digit(first_seven: &str) -> Option<char> {
        if first_seven.len() != 7 {
            return None;
        }
        let mut sum = 0u32;
        for (weight, c) in (2..=8u32).rev().zip(first_seven.chars()) {
            sum += weight * c.to_digit(10)?;
        }
        match (11 - sum % 11) % 11 {
            10 => Some('X'),
            digit => char::from_digit(digit, 10),
        }
    }

    /// Finds the ISSN at the start of a catalogue string such as
    /// "0317-8471 (print)" or "ISSN 0317-8471 ; 12".
    pub fn from_catalogue(raw: &str) -> Result<Issn, ValueError> {
        let candidate: String = strip_label(raw.trim_start())
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'x' | 'X'))
            .collect();
        candidate.parse()
    }
}

/// Drops a leading "ISSN" label (any case) and what separates it from the number.
fn strip_label(raw: &str) -> &str {
    match raw.get(..4) {
        Some(label) if label.eq_ignore_ascii_case("issn") => raw
            .get(4..)
            .unwrap_or_default()
            .trim_start_matches([' ', ':']),
        _ => raw,
    }
}

impl FromStr for Issn {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let compact: String = strip_label(raw.trim())
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let wrong = |message: &str| Err(ValueError::new("issn", message));
        if compact.len() != 8 {
            return wrong("an ISSN has 8 characters (7 digits and a check digit)");
        }
        // Length 8 counts bytes; the split is safe only once all are ASCII.
        if !compact.is_ascii() {
            return wrong("an ISSN has only digits (and X as the check digit)");
        }
        let (body, check) = compact.split_at(7);
        let Some(expected) = Issn::check_digit(body) else {
            return wrong("the first seven characters of an ISSN are digits");
        };
        if check != expected.to_string() {
            return wrong("the ISSN check digit is wrong");
        }
        Ok(Issn(format!("{}-{}", &body[..4], &compact[4..])))
    }
}

crate::string_value!(Issn);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenated_and_compact_forms_are_the_same_issn() {
        let hyphen: Issn = "0317-8471".parse().unwrap();
        let compact: Issn = "03178471".parse().unwrap();
        assert_eq!(hyphen, compact);
        assert_eq!(hyphen.as_str(), "0317-8471");
        assert_eq!(hyphen.to_string(), "0317-8471");
    }

    #[test]
    fn x_check_digits_are_accepted_in_either_case() {
        let upper: Issn = "2434-561X".parse().unwrap();
        let lower: Issn = "2434561x".parse().unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.as_str(), "2434-561X");
        assert_eq!(Issn::check_digit("2434561"), Some('X'));
    }

    #[test]
    fn wrong_check_digits_and_shapes_are_refused() {
        for bad in [
            "0317-8472",
            "0317-847",
            "0317-84711",
            "",
            "O317-8471",
            "0317-847Ж",
            "X317-8471",
            "ISSN",
        ] {
            assert!(bad.parse::<Issn>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn labels_and_trailing_qualifiers_are_read() {
        let issn = Issn::from_catalogue("ISSN 0317-8471 (print)").unwrap();
        assert_eq!(issn.as_str(), "0317-8471");
        let issn: Issn = "issn: 0378-5955".parse().unwrap();
        assert_eq!(issn.as_str(), "0378-5955");
        assert!(Issn::from_catalogue("(online)").is_err());
    }

    #[test]
    fn check_digit_needs_seven_digits() {
        assert_eq!(Issn::check_digit("0317847"), Some('1'));
        assert_eq!(Issn::check_digit("031784"), None);
        assert_eq!(Issn::check_digit("031784a"), None);
    }

    #[test]
    fn serde_uses_the_hyphenated_string() {
        let issn: Issn = "03785955".parse().unwrap();
        let json = serde_json_like(&issn);
        assert_eq!(json, "0378-5955");
        let back = Issn::try_from(json).unwrap();
        assert_eq!(back, issn);
        assert!(Issn::try_from("0378-5954".to_string()).is_err());
    }

    /// serde goes through `String` (see the derive), so this is what JSON holds.
    fn serde_json_like(issn: &Issn) -> String {
        String::from(issn.clone())
    }
}

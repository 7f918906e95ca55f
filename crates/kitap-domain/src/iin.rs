//! The Kazakh individual identification number (ИИН / ЖСН).
//!
//! An IIN is personal data: it is never printed whole by `Debug` or
//! `Display` (both show [`Iin::masked`]) and it has no `Serialize`, so it
//! cannot reach a log or a JSON body by accident. Code that really needs the
//! number (eGov card linking) asks for it with [`Iin::as_str`].

use std::fmt;
use std::str::FromStr;

use crate::ValueError;

/// 12 ASCII digits with a valid two-pass mod-11 check digit.
///
/// Only format and checksum are checked: since 2013 the leading digits need
/// not match the holder's birth date or sex, so they are never validated.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iin(String);

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

impl Iin {
    /// The whole number: for the few places that must send it (eGov).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `******302728`: the last six digits, as shown to staff.
    pub fn masked(&self) -> String {
        let visible = self.0.get(6..).unwrap_or_default();
        format!("******{visible}")
    }
}

/// The check digit for the first 11 digits, or `None` when both passes give
/// 10 (such a prefix is never issued).
fn check_digit(digits: &[u32]) -> Option<u32> {
    let weighted = |weights: &[u32; 11]| -> u32 {
        digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
    };
    let first = weighted(&FIRST_WEIGHTS);
    if first != 10 {
        return Some(first);
    }
    let second = weighted(&SECOND_WEIGHTS);
    (second != 10).then_some(second)
}

impl FromStr for Iin {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let value = raw.trim();
        if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::new("iin", "must be exactly 12 digits"));
        }
        let digits: Vec<u32> = value.bytes().map(|b| u32::from(b - b'0')).collect();
        let expected = check_digit(&digits[..11]);
        if expected != Some(digits[11]) {
            return Err(ValueError::new("iin", "check digit does not match"));
        }
        Ok(Self(value.to_owned()))
    }
}

impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iin").field(&self.masked()).finish()
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.masked())
    }
}

impl TryFrom<String> for Iin {
    type Error = ValueError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl<'de> serde::Deserialize<'de> for Iin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_test_vectors() {
        // First pass gives 8.
        assert!("791028302728".parse::<Iin>().is_ok());
        // First pass gives 10, second gives 2.
        assert!("061211600012".parse::<Iin>().is_ok());
        assert!("900101300811".parse::<Iin>().is_ok());
        let err = "900101300123".parse::<Iin>().unwrap_err();
        assert_eq!(err.field, "iin");
        assert!(err.message.contains("check digit"), "{err}");
    }

    #[test]
    fn a_prefix_with_two_tens_never_validates() {
        // Both passes give 10 for 90010130080: no twelfth digit helps.
        assert_eq!(
            check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 8, 0]),
            None,
            "guide vector 90010130080?"
        );
        for last in 0..=9 {
            assert!(format!("90010130080{last}").parse::<Iin>().is_err());
        }
    }

    #[test]
    fn shape_is_checked_before_the_checksum() {
        assert!("79102830272".parse::<Iin>().is_err());
        assert!("7910283027281".parse::<Iin>().is_err());
        assert!("79102830272a".parse::<Iin>().is_err());
        assert!("７９１０２８３０２７２８".parse::<Iin>().is_err());
        assert!("".parse::<Iin>().is_err());
        assert_eq!(
            " 791028302728 ".parse::<Iin>().unwrap().as_str(),
            "791028302728"
        );
    }

    #[test]
    fn the_number_never_prints_whole() {
        let iin: Iin = "791028302728".parse().unwrap();
        assert_eq!(iin.masked(), "******302728");
        assert_eq!(iin.to_string(), "******302728");
        let debug = format!("{iin:?} {:?}", Some(&iin));
        assert!(!debug.contains("791028"), "{debug}");
        assert!(debug.contains("******302728"), "{debug}");
    }

    #[test]
    fn deserializes_validated() {
        let iin: Iin = serde_json::from_str("\"061211600012\"").unwrap();
        assert_eq!(iin.as_str(), "061211600012");
        assert!(serde_json::from_str::<Iin>("\"900101300123\"").is_err());
        assert!(serde_json::from_str::<Iin>("791028302728").is_err());
    }
}

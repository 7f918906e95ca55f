use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// An ISBN, always held as its 13-digit form (978/979 prefix), check digit
/// verified. Catalogues carry both forms ("5-7520-0010-5", "9785752000101"),
/// with hyphens, spaces and a trailing qualifier ("(в пер.)"), so parsing
/// strips everything but digits and X and compares on the 13-digit form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn(String);

impl Isbn {
    /// The check digit a body of 9 digits (ISBN-10) or 12 digits (ISBN-13,
    /// EAN-13) should end with; `None` for anything else.
    pub fn check_digit(body: &str) -> Option<char> {
        match body.len() {
            9 => isbn10_check(body),
            12 => isbn13_check(body),
            _ => None,
        }
    }

    /// The 13-digit form without hyphens.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 10-digit form, for ISBNs with the 978 prefix (979 ones have none).
    pub fn to_isbn10(&self) -> Option<String> {
        let body = self.0.strip_prefix("978")?.get(..9)?;
        let check = isbn10_check(body)?;
        Some(format!("{body}{check}"))
    }

    /// Finds the ISBN at the start of a catalogue string such as
    /// "978-601-7000-00-1 (в пер.)" or "5-7520-0010-5 : 150 тг".
    pub fn from_catalogue(raw: &str) -> Result<Isbn, ValueError> {
        let candidate: String = raw
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'x' | 'X'))
            .collect();
        candidate.parse()
    }
}

fn isbn10_check(nine: &str) -> Option<char> {
    let mut sum = 0u32;
    for (weight, c) in (2..=10u32).rev().zip(nine.chars()) {
        sum += weight * c.to_digit(10)?;
    }
    match (11 - sum % 11) % 11 {
        10 => Some('X'),
        digit => char::from_digit(digit, 10),
    }
}

pub(crate) fn isbn13_check(twelve: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in twelve.chars().enumerate() {
        let weight = if i % 2 == 0 { 1 } else { 3 };
        sum += weight * c.to_digit(10)?;
    }
    char::from_digit((10 - sum % 10) % 10, 10)
}

impl FromStr for Isbn {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let wrong = |message: &str| Err(ValueError::new("isbn", message));
        // Only ASCII from here on, so the byte splits below are on character boundaries.
        if !compact.chars().all(|c| c.is_ascii_digit() || c == 'X') {
            return wrong("an ISBN has only digits (and X as an ISBN-10 check digit)");
        }
        match compact.len() {
            10 => {
                let (body, check) = compact.split_at(9);
                if isbn10_check(body).map(String::from).as_deref() != Some(check) {
                    return wrong("the ISBN-10 check digit is wrong");
                }
                let twelve = format!("978{body}");
                let check13 =
                    isbn13_check(&twelve).ok_or_else(|| ValueError::new("isbn", "not digits"))?;
                Ok(Isbn(format!("{twelve}{check13}")))
            }
            13 => {
                let (body, check) = compact.split_at(12);
                if !(body.starts_with("978") || body.starts_with("979")) {
                    return wrong("an ISBN-13 starts with 978 or 979");
                }
                match isbn13_check(body) {
                    Some(expected) if check == expected.to_string() => Ok(Isbn(compact)),
                    Some(_) => wrong("the ISBN-13 check digit is wrong"),
                    None => wrong("an ISBN-13 has only digits"),
                }
            }
            _ => wrong("an ISBN has 10 or 13 digits"),
        }
    }
}

crate::string_value!(Isbn);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_give_the_same_isbn() {
        let ten: Isbn = "5-7520-0010-6".parse().unwrap();
        let thirteen: Isbn = "978-5-7520-0010-2".parse().unwrap();
        assert_eq!(ten, thirteen);
        assert_eq!(ten.as_str(), "9785752000102");
        assert_eq!(ten.to_isbn10().as_deref(), Some("5752000106"));
    }

    #[test]
    fn x_check_digits_round_trip() {
        let isbn: Isbn = "0-8044-2957-x".parse().unwrap();
        assert_eq!(isbn.as_str(), "9780804429573");
        assert_eq!(isbn.to_isbn10().as_deref(), Some("080442957X"));
    }

    #[test]
    fn wrong_check_digits_and_shapes_are_refused() {
        for bad in [
            "5-7520-0010-5",
            "978-5-7520-0010-1",
            "977-5-7520-0010-1",
            "12345",
            "",
            "97857520001O1",
        ] {
            assert!(bad.parse::<Isbn>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn catalogue_strings_with_qualifiers_are_read() {
        let isbn = Isbn::from_catalogue("978-601-7000-00-4 (в пер.)").unwrap();
        assert_eq!(isbn.as_str(), "9786017000004");
        let isbn = Isbn::from_catalogue("5-7520-0010-6 : 150 тг").unwrap();
        assert_eq!(isbn.as_str(), "9785752000102");
        assert!(Isbn::from_catalogue("(в пер.)").is_err());
    }

    #[test]
    fn the_979_prefix_has_no_isbn10() {
        let isbn: Isbn = "979-10-90636-07-1".parse().unwrap();
        assert_eq!(isbn.to_isbn10(), None);
    }
}

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// A staff login name: 3 to 64 characters of lowercase ASCII letters, digits,
/// `.`, `_` and `-`, starting with a letter. Input is lowercased, so `Aigerim`
/// and `aigerim` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Username {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let name = raw.trim().to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        let well_formed = (3..=64).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(allowed);
        if well_formed {
            Ok(Self(name))
        } else {
            Err(ValueError::new(
                "username",
                "must be 3 to 64 latin letters, digits, '.', '_' or '-', starting with a letter",
            ))
        }
    }
}

crate::string_value!(Username);

/// The person's name as shown in the audit log and on printed acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValueError::new(
                "display_name",
                "must be 1 to 200 characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone wants to set. Length is what matters (NIST SP 800-63B):
/// at least 10 characters, at most 256 so hashing cost stays bounded.
/// Never printed: Debug is redacted.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ValueError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(ValueError::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(
            "Aigerim.K".parse::<Username>().unwrap().as_str(),
            "aigerim.k"
        );
        for bad in ["ab", "1admin", "айгерим", "a b c", ""] {
            assert!(bad.parse::<Username>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn short_passwords_are_refused_and_never_printed() {
        assert!(NewPassword::parse("short").is_err());
        let password = NewPassword::parse("құпия сөз 2026").unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(***)");
    }
}

//! Opaque bearer tokens. The client keeps the token; the database keeps only
//! its SHA-256, so reading the sessions table gives nobody a way in.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Recognisable prefixes, so secret scanners and people can tell what
/// leaked: staff tokens and reader (self-service) tokens differ, and each
/// kind is refused by the other's routes before any database work.
const PREFIX: &str = "ktp_";
const READER_PREFIX: &str = "ktr_";

pub struct IssuedToken {
    pub token: String,
    pub hash: String,
}

/// A staff token: 256 random bits from the operating system.
pub fn issue() -> IssuedToken {
    issue_with(PREFIX)
}

/// A reader's self-service token.
pub fn issue_reader() -> IssuedToken {
    issue_with(READER_PREFIX)
}

fn issue_with(prefix: &str) -> IssuedToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", hex::encode(bytes));
    let hash = hash(&token);
    IssuedToken { token, hash }
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a presented token belongs to a stored hash, compared in constant time.
pub fn matches(token: &str, stored_hash: &str) -> bool {
    hash(token).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// A cheap shape check of a staff token before any database work.
pub fn looks_valid(token: &str) -> bool {
    shaped(token, PREFIX)
}

/// The same for a reader's token.
pub fn looks_valid_reader(token: &str) -> bool {
    shaped(token, READER_PREFIX)
}

fn shaped(token: &str, prefix: &str) -> bool {
    token.len() == prefix.len() + 64
        && token.starts_with(prefix)
        && token[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_are_unique_and_match_their_hash() {
        let a = issue();
        let b = issue();
        assert_ne!(a.token, b.token);
        assert!(looks_valid(&a.token));
        assert!(matches(&a.token, &a.hash));
        assert!(!matches(&b.token, &a.hash));
        assert!(!a.hash.contains(&a.token[4..]));
    }

    #[test]
    fn staff_and_reader_tokens_never_pass_for_each_other() {
        let staff = issue();
        let reader = issue_reader();
        assert!(looks_valid(&staff.token) && !looks_valid_reader(&staff.token));
        assert!(looks_valid_reader(&reader.token) && !looks_valid(&reader.token));
    }

    #[test]
    fn malformed_tokens_are_spotted() {
        assert!(!looks_valid("ktp_xyz"));
        assert!(!looks_valid(&"a".repeat(68)));
    }
}

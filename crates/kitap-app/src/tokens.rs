//! Opaque bearer tokens. The client keeps the token; the database keeps only
//! its SHA-256, so reading the sessions table gives nobody a way in.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Recognisable prefix, so secret scanners and people can tell what leaked.
const PREFIX: &str = "ktp_";

pub struct IssuedToken {
    pub token: String,
    pub hash: String,
}

/// 256 random bits from the operating system.
pub fn issue() -> IssuedToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", hex::encode(bytes));
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

/// A cheap shape check before any database work.
pub fn looks_valid(token: &str) -> bool {
    token.len() == PREFIX.len() + 64
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit())
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
    fn malformed_tokens_are_spotted() {
        assert!(!looks_valid("ktp_xyz"));
        assert!(!looks_valid(&"a".repeat(68)));
    }
}

//! argon2id password hashing.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::Rng;

use crate::config::AuthConfig;
use crate::AppError;

/// Hashes and verifies passwords with the configured argon2id cost.
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    params: Params,
    /// A hash of a random password, verified against when the username is
    /// unknown so that "no such user" costs as much time as "wrong password".
    decoy: std::sync::Arc<OnceLock<String>>,
}

impl PasswordHashing {
    pub fn new(config: &AuthConfig) -> Result<Self, AppError> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )
        .map_err(|err| AppError::Internal(format!("argon2 parameters: {err}")))?;
        Ok(Self {
            params,
            decoy: Default::default(),
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string (`$argon2id$v=19$m=...`): algorithm, cost and salt travel with the hash.
    pub fn hash(&self, password: &str) -> Result<String, AppError> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| AppError::Internal(format!("hashing a password: {err}")))
    }

    /// Checks `password` against a stored PHC hash. The final comparison is
    /// constant-time inside the argon2 crate.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        self.argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    }

    /// Spends the same time as a real verification, for unknown usernames.
    pub fn verify_decoy(&self, password: &str) {
        let decoy = self.decoy.get_or_init(|| {
            let random: [u8; 16] = OsRng.gen();
            self.hash(&hex_string(&random)).unwrap_or_default()
        });
        let _ = self.verify(password, decoy);
    }

    /// True when `stored` was made with other parameters than the configured
    /// ones, so it should be re-hashed at the next successful login.
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        let Ok(current) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm.as_str() != "argon2id"
            || current.m_cost() != self.params.m_cost()
            || current.t_cost() != self.params.t_cost()
            || current.p_cost() != self.params.p_cost()
    }
}

pub(crate) fn hex_string(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// A readable random password for generated accounts: 20 characters from an
/// alphabet without look-alikes (no 0/O, 1/l/I), about 115 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = OsRng;
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHashing {
        let config = AuthConfig {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..AuthConfig::default()
        };
        PasswordHashing::new(&config).unwrap()
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hashing = cheap();
        let hash = hashing.hash("кітапхана-2026").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hashing.verify("кітапхана-2026", &hash));
        assert!(!hashing.verify("кітапхана-2027", &hash));
        assert!(!hashing.verify("кітапхана-2026", "not a hash"));
    }

    #[test]
    fn hashes_made_with_other_costs_need_rehashing() {
        let cheap = cheap();
        let hash = cheap.hash("a long password").unwrap();
        assert!(!cheap.needs_rehash(&hash));
        let stronger = PasswordHashing::new(&AuthConfig::default()).unwrap();
        assert!(stronger.needs_rehash(&hash));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate_password());
    }
}

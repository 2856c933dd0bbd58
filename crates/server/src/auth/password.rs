//! Argon2id password hashes in PHC string form.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use domain::error::DomainError;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// Verified against when a username is unknown, so a login attempt takes
    /// as long whether or not the account exists.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32) -> Result<Self, DomainError> {
        let params = Params::new(memory_kib.max(Params::MIN_M_COST), 2, 1, None)
            .map_err(|e| DomainError::internal(format!("argon2 params: {e}")))?;
        let mut hasher = Self {
            params,
            dummy_hash: String::new(),
        };
        hasher.dummy_hash = hasher.hash("not a real password")?;
        Ok(hasher)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Slow by design: call it on the blocking pool.
    pub fn hash(&self, password: &str) -> Result<String, DomainError> {
        let salt_bytes: [u8; 16] = rand::random();
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|e| DomainError::internal(format!("salt: {e}")))?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::internal(format!("hash: {e}")))
    }

    /// Slow by design: call it on the blocking pool.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let stored = hash.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let ok = self
            .argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && hash.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let h = PasswordHasher::new(1024).expect("params");
        let a = h.hash("correct horse").expect("hash");
        let b = h.hash("correct horse").expect("hash");
        assert_ne!(a, b, "salted");
        assert!(h.verify("correct horse", Some(&a)));
        assert!(!h.verify("wrong horse", Some(&a)));
        assert!(!h.verify("not a real password", None));
    }
}

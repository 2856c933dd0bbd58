//! Refresh tokens: random, shown to the client once, stored only hashed so
//! that a copy of the database signs nobody in.

use sha2::{Digest, Sha256};

/// A new refresh token: what the client keeps, and what we store.
pub fn new_refresh_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = hex::encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), ha);
        assert_ne!(a, ha);
    }
}

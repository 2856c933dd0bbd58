//! Short-lived JWT access tokens and opaque, rotating refresh tokens.
//!
//! A refresh token is 256 random bits; only its SHA-256 is stored, so a
//! database leak does not leak sessions.

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use protocol::{SessionId, UserId};
use serde::{Deserialize, Serialize};

use crate::config::{Secret, Settings};
use domain::error::DomainError;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    sid: SessionId,
    iat: i64,
    exp: i64,
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone, Copy)]
pub struct TokenSubject {
    pub user_id: UserId,
    pub session_id: SessionId,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl TokenKeys {
    pub fn new(secret: &Secret, ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    pub fn issue(&self, user_id: UserId, session_id: SessionId) -> Result<String, DomainError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            iat: now,
            exp: now + self.ttl_secs as i64,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::internal(format!("jwt encode: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<TokenSubject, DomainError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| DomainError::InvalidToken)?;
        Ok(TokenSubject {
            user_id: data.claims.sub,
            session_id: data.claims.sid,
        })
    }
}

/// The configured secret, or in development one generated once and kept in
/// the data directory so restarts do not sign everyone out.
pub fn load_or_create_secret(settings: &Settings) -> std::io::Result<Secret> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let bytes: [u8; 32] = rand::random();
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a development JWT secret");
    Ok(Secret::new(secret))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_round_trip_and_reject_tampering() {
        let keys = TokenKeys::new(&Secret::new("k".repeat(32)), 60);
        let (user, session) = (
            UserId::from(uuid::Uuid::new_v4()),
            SessionId::from(uuid::Uuid::new_v4()),
        );
        let token = keys.issue(user, session).expect("issue");
        let subject = keys.verify(&token).expect("verify");
        assert_eq!((subject.user_id, subject.session_id), (user, session));

        let other = TokenKeys::new(&Secret::new("x".repeat(32)), 60);
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("not.a.jwt").is_err());
    }
}

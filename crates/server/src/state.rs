//! What every handler shares.

use std::sync::Arc;

use crate::auth::{HashPool, PasswordHasher, TokenKeys};
use crate::client_address::TrustedProxies;
use crate::config::Settings;
use crate::delivery::pollers::Pollers;
use crate::delivery::{Bus, Envelope, Hub, Origin, Outbound, Revocation, RevokedSessions};
use crate::files::FileStore;
use crate::metrics::Metrics;
use domain::error::DomainError;
use domain::events::Caused;
use domain::pictures::Decoders;
use domain::posting::Poster;
use domain::profanity::ProfanityFilter;
use domain::read_markers::ReadQueue;
use domain::throttle::{AuthThrottle, EditThrottle, SendThrottle, UploadThrottle};
use domain::{Database, DbConn};
use protocol::UserId;

pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub tokens: TokenKeys,
    pub hasher: PasswordHasher,
    /// Where `hasher` runs: a few threads of its own (see `HashPool`).
    pub hashing: HashPool,
    pub profanity: Arc<ProfanityFilter>,
    pub hub: Hub,
    pub bus: Bus,
    /// The one write path for new messages (group commit).
    pub poster: Poster,
    /// Read markers reported over sockets, written a few times a second.
    pub reads: ReadQueue,
    /// Flood control of message sends, per user.
    pub limiter: SendThrottle,
    /// Flood control of message edits, per user.
    pub edit_limiter: EditThrottle,
    /// Uploads (attachments, photos, avatars) per user.
    pub upload_limiter: UploadThrottle,
    /// Brakes on password guessing, per address and per account.
    pub auth_throttle: AuthThrottle,
    pub metrics: Metrics,
    /// Where uploaded files' bytes live.
    pub files: FileStore,
    /// Decoding uploaded pictures, a few at a time.
    pub pictures: Decoders,
    /// The long-polling clients' queues this node feeds.
    pub pollers: Pollers,
    /// Whose forwarded header names the client (see `client_address`).
    pub proxies: TrustedProxies,
}

impl AppState {
    /// Publishes events to live connections; `except` is the connection that
    /// caused them, when it gets its own answer instead.
    pub fn publish(&self, events: Vec<Outbound>, origin: Option<Origin>) {
        if !events.is_empty() {
            self.bus.publish(Envelope::new(events, origin));
        }
    }

    /// Runs `write` in one transaction and, once it has committed,
    /// publishes the events it caused: the one place where "publish only
    /// after commit" is written for the REST routes.
    pub async fn commit<R, F>(&self, write: F) -> Result<R::Value, DomainError>
    where
        F: FnOnce(&mut DbConn) -> Result<R, DomainError> + Send + 'static,
        R: Caused + Send + 'static,
    {
        let (value, events) = self.db.write(write).await?.split();
        self.publish(events, None);
        Ok(value)
    }

    /// Closes the sockets of sessions that were just revoked, on every node.
    /// Call after the revocation committed.
    pub fn end_sessions(&self, user: UserId, sessions: RevokedSessions) {
        self.bus
            .publish(Envelope::revocation(Revocation { user, sessions }));
    }

    /// Hashes a new password on the hashing pool.
    pub async fn hash_password(&self, password: String) -> Result<String, DomainError> {
        let hasher = self.hasher.clone();
        self.cpu(move || hasher.hash(&password)).await?
    }

    /// Whether `password` matches `stored`, on the hashing pool. With no
    /// stored hash (no such account) a dummy one is checked, so the answer
    /// takes as long either way.
    pub async fn password_matches(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, DomainError> {
        let hasher = self.hasher.clone();
        self.cpu(move || hasher.verify(&password, stored.as_deref()))
            .await
    }

    /// Runs password hashing on its own bounded pool, without holding a
    /// database connection meanwhile.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.hashing.run(f).await
    }
}

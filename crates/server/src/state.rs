//! What every handler shares.

use std::sync::Arc;

use crate::auth::{PasswordHasher, TokenKeys};
use crate::config::Settings;
use crate::db::Database;
use crate::domain::profanity::ProfanityFilter;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::realtime::rate_limit::RateLimiter;
use crate::realtime::{Bus, Envelope, Hub, Origin, Outbound};

pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub tokens: TokenKeys,
    pub hasher: PasswordHasher,
    pub profanity: Arc<ProfanityFilter>,
    pub hub: Hub,
    pub bus: Bus,
    pub limiter: RateLimiter,
    pub metrics: Metrics,
}

impl AppState {
    /// Publishes events to live connections; `except` is the connection that
    /// caused them, when it gets its own answer instead.
    pub fn publish(&self, events: Vec<Outbound>, origin: Option<Origin>) {
        if !events.is_empty() {
            self.bus.publish(Envelope::new(events, origin));
        }
    }

    /// Runs CPU-heavy work (password hashing) off the async threads, without
    /// holding a database connection meanwhile.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        actix_web::rt::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))
    }
}

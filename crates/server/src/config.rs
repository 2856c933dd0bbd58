//! Typed configuration, read and checked once at start-up.
//!
//! Sources, later ones winning: built-in defaults, an optional TOML file named
//! by `THEMECHAT_CONFIG` (unknown keys are rejected so typos surface), then
//! environment variables. With nothing set the server runs on SQLite under
//! `./data/`, which is what a new user wants.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid value for {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("JWT_SECRET must be set (at least 32 bytes) when THEMECHAT_ENV=production")]
    MissingSecret,
}

/// A secret that never shows up in logs or `Debug` output.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Every knob of the server. `Settings::default()` is the zero-setup
/// development configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; `sqlite://…` or a plain path SQLite;
    /// unset: `<data_dir>/themechat.db`.
    pub database_url: Option<String>,
    /// Turns on fan-out between nodes.
    pub redis_url: Option<String>,
    /// Namespace of this deployment's Redis channel and keys, so several
    /// deployments (or test clusters) can share one Redis.
    pub redis_prefix: String,
    /// When unset outside production, a random secret is generated and kept in
    /// `<data_dir>/jwt_secret` so tokens survive restarts.
    pub jwt_secret: Option<Secret>,
    /// Refuses to start without an explicit secret.
    pub production: bool,
    /// The built web app (Trunk's `dist`).
    pub web_dir: PathBuf,
    /// Serve `/metrics` on this address instead of the public one (which then
    /// answers 404 there), e.g. `127.0.0.1:9100`.
    pub metrics_bind: Option<String>,
    /// Origins (`https://app.example`) whose pages may call the API from a
    /// browser; none: cross-origin browser access stays closed.
    pub cors_origins: Vec<String>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// No session lives longer than this from its sign-in, however often it
    /// is refreshed.
    pub session_max_age_secs: u64,
    /// A refresh token reused this soon after it was rotated is taken for
    /// two tabs racing, not theft (theft revokes the session).
    pub refresh_reuse_grace_ms: u64,
    /// Words masked in message bodies, matched as whole words, any case.
    pub profanity_words: Vec<String>,
    /// Flood control: at most `rate_limit_messages` sends per user in
    /// `rate_limit_window_ms`, across all of their connections.
    pub rate_limit_messages: u32,
    pub rate_limit_window_ms: u64,
    /// Password checks (sign-up, sign-in, password change, account
    /// deletion) one client address may start per `auth_window_secs`, and
    /// sign-ins to one account; past them the answer is 429 with
    /// `Retry-After`, which refills evenly over the window.
    pub auth_attempts_per_address: u32,
    pub auth_attempts_per_account: u32,
    pub auth_window_secs: u64,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    pub db_pool_size: u32,
    pub db_connect_timeout_secs: u64,
    /// Seconds to finish in-flight requests after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Argon2 memory cost in KiB; lowered only by tests.
    pub argon2_memory_kib: u32,
    /// Threads that hash passwords (0: one per core), and how many requests
    /// may wait for them before sign-ins get 503.
    pub hash_threads: usize,
    pub hash_queue: usize,
    /// WebSocket: close a connection that has not authenticated by then.
    pub ws_auth_timeout_secs: u64,
    pub ws_heartbeat_secs: u64,
    /// Sockets one user may have open on one node; one more is closed at
    /// once (4429).
    pub ws_max_per_user: usize,
    /// Frames other than `send` (typing, read, ping, junk) one socket may
    /// send per second, with twice that as a burst; past it they are
    /// answered `rate_limited` and ignored. `send` has its own limit.
    pub ws_frames_per_sec: u32,
    /// How often each node checks that the sessions of its sockets are still
    /// live (expired, or revoked while a revocation event was lost), and
    /// closes those that are not.
    pub session_check_secs: u64,
    /// Events queued for one connection before it counts as too slow.
    pub ws_queue_capacity: usize,
    /// Threads storing messages (rooms are spread over them); 0: two on
    /// PostgreSQL, one on SQLite (which writes one transaction at a time).
    pub message_writers: usize,
    /// Posts waiting for a message writer before new ones are refused
    /// (`rate_limited`): bounds the ack latency an overload can build up.
    pub write_queue_capacity: usize,
    /// With Redis: a node that has not renewed its lease for this long is
    /// taken for dead, and its users for offline.
    pub presence_lease_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "themechat".into(),
            jwt_secret: None,
            production: false,
            web_dir: PathBuf::from("frontend/dist"),
            cors_origins: Vec::new(),
            metrics_bind: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            session_max_age_secs: 90 * 24 * 3600,
            refresh_reuse_grace_ms: 5000,
            profanity_words: default_profanity_words(),
            rate_limit_messages: 20,
            rate_limit_window_ms: 2000,
            auth_attempts_per_address: 30,
            auth_attempts_per_account: 10,
            auth_window_secs: 300,
            workers: 0,
            db_pool_size: 16,
            db_connect_timeout_secs: 5,
            shutdown_timeout_secs: 10,
            argon2_memory_kib: 19 * 1024,
            hash_threads: 0,
            hash_queue: 1024,
            ws_auth_timeout_secs: 10,
            ws_heartbeat_secs: 15,
            ws_max_per_user: 20,
            ws_frames_per_sec: 20,
            session_check_secs: 30,
            ws_queue_capacity: 256,
            message_writers: 0,
            write_queue_capacity: 4096,
            presence_lease_secs: 15,
        }
    }
}

fn default_profanity_words() -> Vec<String> {
    [
        "fuck", "fucking", "shit", "bitch", "bastard", "asshole", "dick", "cunt", "crap",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

impl Settings {
    pub fn message_writers_for(&self, backend: crate::db::Backend) -> usize {
        match (self.message_writers, backend) {
            (0, crate::db::Backend::Postgres) => 2,
            (0, crate::db::Backend::Sqlite) => 1,
            (n, _) => n,
        }
    }

    /// Defaults, then the optional file, then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let mut settings = match std::env::var_os("THEMECHAT_CONFIG") {
            Some(path) => Self::from_file(Path::new(&path))?,
            None => Self::default(),
        };
        settings.apply_env(|key| std::env::var(key).ok())?;
        settings.check()?;
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn number<T: std::str::FromStr>(key: &'static str, raw: String) -> Result<T, ConfigError> {
            raw.trim().parse().map_err(|_| ConfigError::Invalid {
                key,
                reason: format!("{raw:?} is not a number"),
            })
        }
        let non_empty = |key| var(key).filter(|v: &String| !v.trim().is_empty());

        if let Some(v) = non_empty("THEMECHAT_BIND") {
            self.bind = v;
        }
        if let Some(v) = non_empty("THEMECHAT_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = non_empty("THEMECHAT_WEB_DIR") {
            self.web_dir = v.into();
        }
        if let Some(v) = non_empty("THEMECHAT_METRICS_BIND") {
            self.metrics_bind = Some(v);
        }
        if let Some(v) = non_empty("THEMECHAT_CORS_ORIGINS") {
            self.cors_origins = v
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(v) = non_empty("DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = non_empty("REDIS_URL") {
            self.redis_url = Some(v);
        }
        if let Some(v) = non_empty("THEMECHAT_REDIS_PREFIX") {
            self.redis_prefix = v;
        }
        if let Some(v) = non_empty("JWT_SECRET") {
            self.jwt_secret = Some(Secret::new(v));
        }
        if let Some(v) = non_empty("THEMECHAT_ENV") {
            self.production = v.eq_ignore_ascii_case("production");
        }
        if let Some(v) = non_empty("THEMECHAT_PROFANITY_WORDS") {
            self.profanity_words = v
                .split(',')
                .map(|w| w.trim().to_owned())
                .filter(|w| !w.is_empty())
                .collect();
        }
        if let Some(v) = non_empty("THEMECHAT_RATE_LIMIT_MESSAGES") {
            self.rate_limit_messages = number("THEMECHAT_RATE_LIMIT_MESSAGES", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_RATE_LIMIT_WINDOW_MS") {
            self.rate_limit_window_ms = number("THEMECHAT_RATE_LIMIT_WINDOW_MS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS") {
            self.auth_attempts_per_address = number("THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_AUTH_ATTEMPTS_PER_ACCOUNT") {
            self.auth_attempts_per_account = number("THEMECHAT_AUTH_ATTEMPTS_PER_ACCOUNT", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_WS_MAX_PER_USER") {
            self.ws_max_per_user = number("THEMECHAT_WS_MAX_PER_USER", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_WORKERS") {
            self.workers = number("THEMECHAT_WORKERS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_MESSAGE_WRITERS") {
            self.message_writers = number("THEMECHAT_MESSAGE_WRITERS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_WRITE_QUEUE") {
            self.write_queue_capacity = number("THEMECHAT_WRITE_QUEUE", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_DB_CONNECT_TIMEOUT_SECS") {
            self.db_connect_timeout_secs = number("THEMECHAT_DB_CONNECT_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_DB_POOL_SIZE") {
            self.db_pool_size = number("THEMECHAT_DB_POOL_SIZE", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_PRESENCE_LEASE_SECS") {
            self.presence_lease_secs = number("THEMECHAT_PRESENCE_LEASE_SECS", v)?;
        }
        if let Some(v) = non_empty("THEMECHAT_ACCESS_TOKEN_TTL_SECS") {
            self.access_token_ttl_secs = number("THEMECHAT_ACCESS_TOKEN_TTL_SECS", v)?;
        }
        Ok(())
    }

    pub fn check(&self) -> Result<(), ConfigError> {
        if self.production
            && self
                .jwt_secret
                .as_ref()
                .is_none_or(|s| s.expose().len() < 32)
        {
            return Err(ConfigError::MissingSecret);
        }
        if self.db_pool_size == 0 {
            return Err(ConfigError::Invalid {
                key: "db_pool_size",
                reason: "must be at least 1".into(),
            });
        }
        if let Some(bad) = self
            .cors_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) || o.contains('*'))
        {
            return Err(ConfigError::Invalid {
                key: "cors_origins",
                reason: format!("{bad:?} is not an origin like https://app.example"),
            });
        }
        if self.rate_limit_messages == 0 || self.rate_limit_window_ms == 0 {
            return Err(ConfigError::Invalid {
                key: "rate_limit",
                reason: "messages and window must be positive".into(),
            });
        }
        Ok(())
    }

    pub fn refresh_token_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_token_ttl_secs)
    }

    pub fn session_policy(&self) -> crate::domain::accounts::SessionPolicy {
        crate::domain::accounts::SessionPolicy {
            idle: self.refresh_token_ttl(),
            max_age: Duration::from_secs(self.session_max_age_secs),
            reuse_grace: Duration::from_millis(self.refresh_reuse_grace_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let mut s = Settings::default();
        s.apply_env(|k| match k {
            "THEMECHAT_BIND" => Some("0.0.0.0:9000".into()),
            "DATABASE_URL" => Some("postgres://x/y".into()),
            "THEMECHAT_PROFANITY_WORDS" => Some("foo, bar,,".into()),
            _ => None,
        })
        .expect("valid env");
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.database_url.as_deref(), Some("postgres://x/y"));
        assert_eq!(s.profanity_words, vec!["foo", "bar"]);
    }

    #[test]
    fn bad_numbers_are_reported() {
        let mut s = Settings::default();
        let err = s
            .apply_env(|k| (k == "THEMECHAT_WORKERS").then(|| "many".into()))
            .expect_err("must fail");
        assert!(err.to_string().contains("THEMECHAT_WORKERS"));
    }

    #[test]
    fn production_requires_a_secret() {
        let s = Settings {
            production: true,
            ..Settings::default()
        };
        assert!(matches!(s.check(), Err(ConfigError::MissingSecret)));
        let s = Settings {
            production: true,
            jwt_secret: Some(Secret::new("x".repeat(32))),
            ..Settings::default()
        };
        assert!(s.check().is_ok());
    }

    #[test]
    fn unknown_file_keys_are_rejected() {
        let err = toml::from_str::<Settings>("bnid = \"x\"").expect_err("typo");
        assert!(err.to_string().contains("bnid"));
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = Settings {
            jwt_secret: Some(Secret::new("hunter2hunter2")),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}

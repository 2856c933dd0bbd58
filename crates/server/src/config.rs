//! Typed configuration, read and checked once at start-up (with `figment`).
//!
//! Sources, later ones winning: built-in defaults, an optional TOML file named
//! by `THEMECHAT_CONFIG` (unknown keys are rejected so typos surface), then
//! environment variables: `THEMECHAT_<FIELD>` for every field (upper case),
//! plus `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET`, `THEMECHAT_ENV`
//! (`production`) and `THEMECHAT_WRITE_QUEUE`. An empty variable counts as
//! unset. With nothing set the server runs on SQLite under `./data/`, which
//! is what a new user wants.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

pub use crate::client_address::ForwardedHeader;
use crate::client_address::TrustedProxies;
use domain::crowd::Crowd;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    /// A value of the wrong type, an unknown key in the file, and the like;
    /// figment's message names the key and where it came from.
    #[error("invalid configuration: {0}")]
    Source(#[from] Box<figment::Error>),
    #[error("invalid value for {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("JWT_SECRET must be set (at least 32 bytes) when THEMECHAT_ENV=production")]
    MissingSecret,
}

/// A secret that never shows up in logs or `Debug` output.
#[derive(Clone, Deserialize, Serialize)]
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
#[derive(Debug, Clone, Deserialize, Serialize)]
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
    /// Refuses to start without an explicit secret. From the environment:
    /// `THEMECHAT_ENV=production` (anything else is development).
    #[serde(deserialize_with = "environment_name")]
    pub production: bool,
    /// The built web app (Trunk's `dist`).
    pub web_dir: PathBuf,
    /// Serve `/metrics` on this address instead of the public one (which then
    /// answers 404 there), e.g. `127.0.0.1:9100`.
    pub metrics_bind: Option<String>,
    /// Origins (`https://app.example`) whose pages may call the API from a
    /// browser; none: cross-origin browser access stays closed.
    #[serde(deserialize_with = "list")]
    pub cors_origins: Vec<String>,
    /// Proxies in front of the server (addresses or CIDR blocks such as
    /// `10.0.0.0/8`) whose forwarded header names the client. None by
    /// default: the TCP peer is the client, and a forwarded header from
    /// anyone else is never read.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<String>,
    /// The header those proxies name the client in: `x-forwarded-for`
    /// (the rightmost hop that is not a trusted proxy) or `forwarded`
    /// (RFC 7239's `for=`). Only this one is read.
    pub trusted_proxy_header: ForwardedHeader,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// No session lives longer than this from its sign-in, however often it
    /// is refreshed.
    pub session_max_age_secs: u64,
    /// A refresh token reused this soon after it was rotated is taken for
    /// two tabs racing, not theft (theft revokes the session).
    pub refresh_reuse_grace_ms: u64,
    /// Words masked in message bodies, matched as whole words, any case.
    #[serde(deserialize_with = "list")]
    pub profanity_words: Vec<String>,
    /// Flood control: at most `rate_limit_messages` sends per user in
    /// `rate_limit_window_ms`, across all of their connections.
    pub rate_limit_messages: u32,
    pub rate_limit_window_ms: u64,
    /// At most `rate_limit_edits` message edits per user in
    /// `rate_limit_edits_window_ms` (each is kept as a version and
    /// announced to the room), refilled evenly; then 429 with `Retry-After`.
    pub rate_limit_edits: u32,
    pub rate_limit_edits_window_ms: u64,
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
    /// How long a read marker reported over a socket may wait in memory
    /// before it is written (many reports, one transaction); the longest a
    /// `read` event lags behind its report.
    pub read_flush_ms: u64,
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
    /// Rooms of this many members or more are crowds: no presence through
    /// them, read receipts to the reader's own devices (see
    /// [`domain::crowd`]).
    pub large_room_members: i64,
    /// Threads storing messages (rooms are spread over them); 0: two on
    /// PostgreSQL, one on SQLite (which writes one transaction at a time).
    pub message_writers: usize,
    /// Posts waiting for a message writer before new ones are refused
    /// (`rate_limited`): bounds the ack latency an overload can build up.
    pub write_queue_capacity: usize,
    /// With Redis: a node that has not renewed its lease for this long is
    /// taken for dead, and its users for offline.
    pub presence_lease_secs: u64,
    /// Uploaded files live in `<data_dir>/files`, unless `s3_bucket` names
    /// an S3-compatible bucket (which several nodes share). Unset S3
    /// values come from the usual `AWS_*` variables.
    pub s3_bucket: Option<String>,
    /// `http(s)://host:port` of a self-hosted S3-compatible service.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// Largest upload (an attachment, an avatar), in bytes.
    pub upload_max_bytes: u64,
    /// Uploads (attachments, photos, avatars) one user may start per
    /// `rate_limit_uploads_window_ms`, refilled evenly; then 429 with
    /// `Retry-After`.
    pub rate_limit_uploads: u32,
    pub rate_limit_uploads_window_ms: u64,
    /// Bytes of uploads one user may keep: attachments (unsent, or of
    /// messages not deleted) and photos. Counted from the database, so
    /// across nodes; deleting files frees it. Beyond it uploads get 413
    /// `quota_exceeded`.
    pub upload_quota_bytes: u64,
    /// Pictures (attachments, photos, avatars) decoded at once on this node
    /// (0: one per core), and how many more may wait for them; beyond that
    /// an upload of a picture gets 503 with `Retry-After`. With each
    /// decode bounded (`domain::pictures`), this bounds their memory.
    pub picture_decodes: usize,
    pub picture_decode_queue: usize,
    /// How often each node removes the files of deleted messages, and
    /// uploads not sent within `unsent_upload_ttl_secs`.
    pub file_sweep_secs: u64,
    pub unsent_upload_ttl_secs: u64,
    /// A long-polling client's queue nobody polled for this long is
    /// deleted (its client registers a new one).
    pub event_queue_idle_secs: u64,
    /// The longest a poll of `GET /events` waits for something to happen.
    pub long_poll_max_secs: u64,
    /// Whether outgoing webhooks may call private, loopback and link-local
    /// addresses. Off by default: a webhook URL must not reach into the
    /// network the server runs in.
    pub webhook_private_addresses: bool,
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
            trusted_proxies: Vec::new(),
            trusted_proxy_header: ForwardedHeader::default(),
            metrics_bind: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            session_max_age_secs: 90 * 24 * 3600,
            refresh_reuse_grace_ms: 5000,
            profanity_words: default_profanity_words(),
            rate_limit_messages: 20,
            rate_limit_window_ms: 2000,
            rate_limit_edits: 10,
            rate_limit_edits_window_ms: 60_000,
            auth_attempts_per_address: 30,
            auth_attempts_per_account: 10,
            auth_window_secs: 300,
            workers: 0,
            db_pool_size: 16,
            db_connect_timeout_secs: 5,
            shutdown_timeout_secs: 10,
            read_flush_ms: 200,
            argon2_memory_kib: 19 * 1024,
            hash_threads: 0,
            hash_queue: 1024,
            ws_auth_timeout_secs: 10,
            ws_heartbeat_secs: 15,
            ws_max_per_user: 20,
            ws_frames_per_sec: 20,
            session_check_secs: 30,
            ws_queue_capacity: 256,
            large_room_members: Crowd::default().from,
            message_writers: 0,
            write_queue_capacity: 4096,
            presence_lease_secs: 15,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            upload_max_bytes: 10 * 1024 * 1024,
            rate_limit_uploads: 30,
            rate_limit_uploads_window_ms: 60_000,
            upload_quota_bytes: 1024 * 1024 * 1024,
            picture_decodes: 0,
            picture_decode_queue: 16,
            file_sweep_secs: 60,
            unsent_upload_ttl_secs: 24 * 3600,
            event_queue_idle_secs: 600,
            long_poll_max_secs: 50,
            webhook_private_addresses: false,
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
    pub fn message_writers_for(&self, backend: domain::Backend) -> usize {
        match (self.message_writers, backend) {
            (0, domain::Backend::Postgres) => 2,
            (0, domain::Backend::Sqlite) => 1,
            (n, _) => n,
        }
    }

    /// Defaults, then the optional file, then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("THEMECHAT_CONFIG").map(PathBuf::from);
        let settings: Self = Self::figment(file.as_deref())?
            .extract()
            .map_err(Box::new)?;
        settings.check()?;
        Ok(settings)
    }

    fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some(path) = file {
            // Figment would skip a missing file; a named one must exist.
            if !path.is_file() {
                return Err(ConfigError::Missing(path.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        Ok(figment.merge(prefixed_environment()).merge(
            Env::raw()
                .only(&["DATABASE_URL", "REDIS_URL", "JWT_SECRET"])
                .filter(|key| is_set(key.as_str())),
        ))
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
        self.trusted_proxies()?;
        if self.upload_max_bytes == 0 || self.file_sweep_secs == 0 {
            return Err(ConfigError::Invalid {
                key: "upload_max_bytes",
                reason: "the upload limit and the sweep interval must be positive".into(),
            });
        }
        if self.rate_limit_messages == 0 || self.rate_limit_window_ms == 0 {
            return Err(ConfigError::Invalid {
                key: "rate_limit",
                reason: "messages and window must be positive".into(),
            });
        }
        if self.rate_limit_uploads == 0
            || self.rate_limit_uploads_window_ms == 0
            || self.upload_quota_bytes == 0
        {
            return Err(ConfigError::Invalid {
                key: "rate_limit_uploads",
                reason: "the upload rate, its window and the upload quota must be positive".into(),
            });
        }
        if self.large_room_members < 2 {
            return Err(ConfigError::Invalid {
                key: "large_room_members",
                reason: "must be at least 2 (two people talking are never a crowd)".into(),
            });
        }
        if self.rate_limit_edits == 0 || self.rate_limit_edits_window_ms == 0 {
            return Err(ConfigError::Invalid {
                key: "rate_limit_edits",
                reason: "edits and their window must be positive".into(),
            });
        }
        Ok(())
    }

    /// The proxies whose forwarded header is believed.
    pub fn trusted_proxies(&self) -> Result<TrustedProxies, ConfigError> {
        TrustedProxies::parse(&self.trusted_proxies, self.trusted_proxy_header).map_err(|reason| {
            ConfigError::Invalid {
                key: "trusted_proxies",
                reason,
            }
        })
    }

    /// Where uploaded files go: the configured bucket, or the data dir.
    pub fn bucket(&self) -> Option<crate::files::Bucket> {
        Some(crate::files::Bucket {
            name: self.s3_bucket.clone()?,
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self
                .s3_secret_access_key
                .as_ref()
                .map(|s| s.expose().to_owned()),
        })
    }

    pub fn refresh_token_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_token_ttl_secs)
    }

    /// From which size a room is a crowd.
    pub fn crowd(&self) -> Crowd {
        Crowd {
            from: self.large_room_members,
        }
    }

    pub fn session_policy(&self) -> domain::accounts::SessionPolicy {
        domain::accounts::SessionPolicy {
            idle: self.refresh_token_ttl(),
            max_age: Duration::from_secs(self.session_max_age_secs),
            reuse_grace: Duration::from_millis(self.refresh_reuse_grace_ms),
        }
    }
}

/// `THEMECHAT_<FIELD>` for the fields of [`Settings`], under two older
/// names where they differ. Other `THEMECHAT_*` variables (the tests' and
/// tools' own) are not settings and are left alone.
fn prefixed_environment() -> Env {
    let fields: Vec<String> = match serde_json::to_value(Settings::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    };
    Env::prefixed("THEMECHAT_")
        .filter_map(move |key| {
            let field = match key.as_str().to_ascii_lowercase().as_str() {
                "env" => "production".to_owned(),
                "write_queue" => "write_queue_capacity".to_owned(),
                other => other.to_owned(),
            };
            let wanted = fields.contains(&field) && is_set(&format!("THEMECHAT_{key}"));
            wanted.then(|| field.into())
        })
        .lowercase(false)
}

/// An empty variable counts as unset (`FOO= command` is how one unsets it).
fn is_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// A list from TOML (`["a", "b"]`) or from the environment (`a, b`).
fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Items(Vec<String>),
        Text(String),
    }
    let items = match Raw::deserialize(deserializer)? {
        Raw::Items(items) => items,
        Raw::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().trim_end_matches('/').to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

/// `production` from TOML (`true`), or `THEMECHAT_ENV` (`production`,
/// anything else being development).
fn environment_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Flag(bool),
        Name(String),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Flag(flag) => flag,
        Raw::Name(name) => name.trim().eq_ignore_ascii_case("production"),
    })
}

#[cfg(test)]
// `figment::Jail` fixes its closures' error type (a large one).
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("THEMECHAT_BIND", "0.0.0.0:9000");
            jail.set_env("DATABASE_URL", "postgres://x/y");
            jail.set_env("THEMECHAT_PROFANITY_WORDS", "foo, bar,,");
            jail.set_env("THEMECHAT_CORS_ORIGINS", "https://a.example/");
            jail.set_env("THEMECHAT_ENV", "production");
            jail.set_env("JWT_SECRET", "s".repeat(32));
            jail.set_env("THEMECHAT_WRITE_QUEUE", "77");
            jail.set_env("THEMECHAT_REDIS_URL", "");
            jail.set_env("THEMECHAT_TEST_BACKEND", "not a setting");
            let s = Settings::load().expect("valid env");
            assert_eq!(s.bind, "0.0.0.0:9000");
            assert_eq!(s.database_url.as_deref(), Some("postgres://x/y"));
            assert_eq!(s.profanity_words, vec!["foo", "bar"]);
            assert_eq!(s.cors_origins, vec!["https://a.example"]);
            assert!(s.production);
            assert_eq!(s.write_queue_capacity, 77);
            assert_eq!(s.redis_url, None, "empty is unset");
            Ok(())
        });
    }

    #[test]
    fn a_file_then_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "bind = \"127.0.0.1:1\"\nworkers = 3\n")?;
            jail.set_env("THEMECHAT_CONFIG", "c.toml");
            jail.set_env("THEMECHAT_WORKERS", "5");
            let s = Settings::load().expect("valid");
            assert_eq!(s.bind, "127.0.0.1:1");
            assert_eq!(s.workers, 5, "the environment wins");
            jail.set_env("THEMECHAT_CONFIG", "missing.toml");
            assert!(matches!(Settings::load(), Err(ConfigError::Missing(_))));
            Ok(())
        });
    }

    #[test]
    fn bad_numbers_are_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("THEMECHAT_WORKERS", "many");
            let err = Settings::load().expect_err("must fail");
            // Names the variable and where it came from.
            let message = err.to_string().to_ascii_lowercase();
            assert!(message.contains("workers"), "{err}");
            assert!(message.contains("environment"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_come_as_a_list_and_are_checked() {
        figment::Jail::expect_with(|jail| {
            let s = Settings::load().expect("the defaults");
            assert!(s.trusted_proxies.is_empty(), "nobody is trusted by default");
            assert_eq!(s.trusted_proxy_header, ForwardedHeader::XForwardedFor);
            jail.set_env("THEMECHAT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,");
            jail.set_env("THEMECHAT_TRUSTED_PROXY_HEADER", "forwarded");
            let s = Settings::load().expect("valid");
            assert_eq!(s.trusted_proxies, vec!["10.0.0.0/8", "127.0.0.1"]);
            assert_eq!(s.trusted_proxy_header, ForwardedHeader::Forwarded);
            jail.set_env("THEMECHAT_TRUSTED_PROXIES", "10.0.0.0/8, nginx");
            let err = Settings::load().expect_err("not an address");
            assert!(err.to_string().contains("nginx"), "{err}");
            jail.set_env("THEMECHAT_TRUSTED_PROXIES", "");
            jail.set_env("THEMECHAT_TRUSTED_PROXY_HEADER", "x-real-ip");
            assert!(Settings::load().is_err(), "an unknown header is refused");
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "c.toml",
                "trusted_proxies = [\"172.28.0.10\", \"fd00::/8\"]\n",
            )?;
            jail.set_env("THEMECHAT_CONFIG", "c.toml");
            let s = Settings::load().expect("valid");
            assert_eq!(s.trusted_proxies, vec!["172.28.0.10", "fd00::/8"]);
            Ok(())
        });
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
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "bnid = \"x\"")?;
            jail.set_env("THEMECHAT_CONFIG", "c.toml");
            let err = Settings::load().expect_err("typo");
            assert!(err.to_string().contains("bnid"), "{err}");
            Ok(())
        });
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

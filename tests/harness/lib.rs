//! End-to-end test harness: starts the real ThemeChat server on a free port
//! with a fresh database and talks to it over HTTP, like any client would.
//!
//! The database backend comes from `THEMECHAT_TEST_BACKEND`: `sqlite` (the
//! default) gives every app its own SQLite file in a temporary directory;
//! `postgres` gives every app its own schema in the PostgreSQL database named
//! by `THEMECHAT_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! An unreachable PostgreSQL is a panic, never a silent pass.

#![allow(
    clippy::expect_used,
    reason = "test code: a step that cannot go on says why by panicking"
)]

pub mod assertions;
mod backend;
pub mod browser;
mod client;
pub mod files;
pub mod process;
mod response;
pub mod services;
pub mod socket;
pub mod webhooks;

/// The checkout the tests run from. `cargo test` says so at run time;
/// the path baked in at build time may be another clone's, because clones
/// sharing one `CARGO_TARGET_DIR` share this library's build too (its hash
/// and fingerprint do not depend on where the clone lies), and its built web
/// app and tools are that clone's.
pub fn checkout() -> std::path::PathBuf {
    let tests = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    tests
        .parent()
        .expect("tests/ lives in the checkout")
        .to_path_buf()
}

use std::ops::Deref;
use std::time::Duration;

use server::config::{Secret, Settings};
use server::startup::Application;
use tempfile::TempDir;
use tokio::task::JoinHandle;

pub use assertions::*;
pub use backend::Backend;
pub use client::{ApiClient, TestResponse, TestUser, with_query};

/// The password every helper-registered user gets.
pub const PASSWORD: &str = "correct horse battery";
/// Words the test server masks in message bodies.
pub const PROFANITY: [&str; 2] = ["darn", "heck"];
/// Written into the test web app's `index.html`; `GET /` must serve it.
pub const INDEX_MARKER: &str = "themechat-e2e-index-marker-5f3a";
/// Upper bound for any single HTTP exchange.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server with its own database, and a client for it.
///
/// Request helpers (`get`, `post_json`, `register`, ...) come from
/// [`ApiClient`] through `Deref`; use [`TestApp::api`] to get an owned client
/// for spawned tasks.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub port: u16,
    /// `http://127.0.0.1:<port>` of the metrics listener, when it has one.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub backend: Backend,
    api_client: ApiClient,
    server: JoinHandle<()>,
    /// Where the server keeps its data, for tests that change it behind the
    /// server's back (as another node, or an operator, would).
    database_url: Option<String>,
    // Dropped after `Drop::drop` ran: the schema first, then the directories.
    _pg_schema: Option<backend::PgSchema>,
    _data_dir: TempDir,
    _web_dir: TempDir,
}

impl TestApp {
    /// Every file the server keeps in its local file store.
    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        files::all_files(&self._data_dir.path().join("files"))
    }

    /// The test app's own database, opened beside the server.
    fn storage(&self) -> storage::Database {
        storage::Database::connect(
            self.database_url.as_deref(),
            self._data_dir.path(),
            1,
            Duration::from_secs(5),
        )
        .expect("open the test app's database")
    }

    /// Revokes every session of the user directly in the database, telling
    /// no node: what a revocation whose live event was lost looks like.
    pub async fn revoke_sessions_in_storage(&self, user_id: &str) {
        let user_id = protocol::UserId::parse(user_id).expect("a user id");
        self.storage()
            .write(move |conn| {
                Ok::<_, domain::error::DomainError>(storage::queries::sessions::revoke_all(
                    conn, user_id, None,
                )?)
            })
            .await
            .expect("revoke the sessions");
    }

    /// Removes a membership directly in the database, announcing nothing.
    pub async fn remove_member_in_storage(&self, room_id: &str, user_id: &str) {
        let room_id = protocol::RoomId::parse(room_id).expect("a room id");
        let user_id = protocol::UserId::parse(user_id).expect("a user id");
        self.storage()
            .write(move |conn| {
                Ok::<_, domain::error::DomainError>(
                    storage::queries::members::delete(conn, room_id, user_id).map(drop)?,
                )
            })
            .await
            .expect("remove the membership");
    }

    /// Runs one statement on the app's database behind its back: how a
    /// test puts a value there that the app itself would never write.
    pub async fn execute_in_storage(&self, sql: String) {
        use diesel::RunQueryDsl;
        self.storage()
            .write(move |conn| {
                diesel::sql_query(sql)
                    .execute(conn)
                    .map(drop)
                    .map_err(storage::DbError::from)
                    .map_err(domain::error::DomainError::from)
            })
            .await
            .expect("run the statement");
    }

    /// An owned, cheaply cloneable client, e.g. to move into `tokio::spawn`.
    pub fn api(&self) -> ApiClient {
        self.api_client.clone()
    }

    /// The contents of the test web app's `index.html`.
    pub fn index_html() -> String {
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ThemeChat test</title></head>\n\
             <body><div id=\"app\">{INDEX_MARKER}</div></body></html>\n"
        )
    }
}

impl Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api_client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts a server with the test settings and a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], but lets a test adjust the settings first.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let backend = Backend::from_env();
    let data_dir = tempfile::Builder::new()
        .prefix("themechat-data-")
        .tempdir()
        .expect("create a temporary data directory");
    let web_dir = tempfile::Builder::new()
        .prefix("themechat-web-")
        .tempdir()
        .expect("create a temporary web directory");
    std::fs::write(web_dir.path().join("index.html"), TestApp::index_html())
        .expect("write the test index.html");

    let (pg_schema, database_url) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres => {
            let (schema, url) = backend::PgSchema::create();
            (Some(schema), Some(url))
        }
    };
    let db_pool_size = match backend {
        // Many apps run side by side; keep PostgreSQL's connection count sane.
        Backend::Postgres => 8,
        Backend::Sqlite => Settings::default().db_pool_size,
    };

    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: database_url.clone(),
        redis_url: None,
        jwt_secret: Some(Secret::new("test-secret-".repeat(4))),
        production: false,
        web_dir: web_dir.path().to_path_buf(),
        profanity_words: PROFANITY.into_iter().map(String::from).collect(),
        // REST tests post hundreds of messages quickly; flood control has its
        // own tests, which lower this again with `spawn_app_with`.
        rate_limit_messages: 1_000_000,
        // Every test client is 127.0.0.1; the limits on password guessing
        // have their own tests.
        auth_attempts_per_address: 1_000_000,
        auth_attempts_per_account: 1_000_000,
        workers: 1,
        db_pool_size,
        argon2_memory_kib: 1024,
        ..Settings::default()
    };
    customize(&mut settings);

    let application = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("the test server failed to start: {e:?}"));
    let port = application.port();
    let metrics_address = application.metrics_address().map(|a| format!("http://{a}"));
    let server = tokio::spawn(async move {
        if let Err(e) = application.run_until_stopped().await {
            eprintln!("the test server stopped with an error: {e}");
        }
    });

    let address = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("build the HTTP client");
    let api_client = ApiClient {
        address: address.clone(),
        client: client.clone(),
    };
    TestApp {
        address,
        port,
        metrics_address,
        client,
        backend,
        api_client,
        server,
        database_url,
        _pg_schema: pg_schema,
        _data_dir: data_dir,
        _web_dir: web_dir,
    }
}

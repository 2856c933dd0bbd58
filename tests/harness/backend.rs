//! Which database the test servers use, and per-app PostgreSQL schemas.

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database backend under test, from `THEMECHAT_TEST_BACKEND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite` (also when unset) or `postgres`; anything else is a panic so
    /// that a typo cannot quietly test the wrong backend.
    pub fn from_env() -> Self {
        let Ok(raw) = std::env::var("THEMECHAT_TEST_BACKEND") else {
            return Self::Sqlite;
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "sqlite" => Self::Sqlite,
            "postgres" | "postgresql" | "pg" => Self::Postgres,
            other => panic!("THEMECHAT_TEST_BACKEND must be `sqlite` or `postgres`, not {other:?}"),
        }
    }
}

/// The base PostgreSQL URL, from `THEMECHAT_TEST_PG_URL`.
///
/// Without an `sslmode` of its own it gets `sslmode=disable`: the tests talk
/// to a local database, and the in-process servers' pools are still open when
/// a test binary exits; libpq threads inside OpenSSL while its exit-time
/// cleanup runs can crash the process after every test passed (seen once:
/// SIGSEGV at exit of the PostgreSQL REST suite).
fn pg_base_url() -> String {
    let url = std::env::var("THEMECHAT_TEST_PG_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned());
    if url.contains("sslmode=") {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// `postgres://user:secret@host/db` shown as `postgres://***@host/db`.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// A schema of its own for one test app; dropped with everything in it.
pub(crate) struct PgSchema {
    admin_url: String,
    name: String,
}

impl PgSchema {
    /// Creates `t_<uuid>` and returns it with the URL the server should use:
    /// the base URL with `search_path` set to the new schema.
    pub(crate) fn create() -> (Self, String) {
        let base = pg_base_url();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&base).unwrap_or_else(|e| {
            panic!(
                "THEMECHAT_TEST_BACKEND=postgres, but PostgreSQL at {} is unreachable: {e}\n\
                 Start PostgreSQL or point THEMECHAT_TEST_PG_URL at a reachable database.",
                redacted(&base)
            )
        });
        diesel::sql_query(format!("CREATE SCHEMA \"{name}\""))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("cannot create the test schema {name}: {e}"));

        let separator = if base.contains('?') { '&' } else { '?' };
        // `application_name` lets `Drop` find and end the server's connections.
        let server_url =
            format!("{base}{separator}options=-csearch_path%3D{name}&application_name={name}");
        (
            Self {
                admin_url: base,
                name,
            },
            server_url,
        )
    }
}

impl Drop for PgSchema {
    /// Best effort: a failure here must not panic (it may run while a failed
    /// test is already unwinding).
    fn drop(&mut self) {
        let Ok(mut conn) = PgConnection::establish(&self.admin_url) else {
            return;
        };
        let name = &self.name;
        let _ = diesel::sql_query("SET lock_timeout = '5s'").execute(&mut conn);
        let _ = diesel::sql_query(format!(
            "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{name}' AND pid <> pg_backend_pid(); END $$"
        ))
        .execute(&mut conn);
        let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
            .execute(&mut conn);
    }
}

//! Storage: one Diesel connection type that is PostgreSQL or SQLite at run
//! time, an r2d2 pool of it, embedded migrations, and the query modules.
//!
//! Rules for code in here: queries are plain synchronous functions taking
//! `&mut DbConn` and returning `DbResult`; they know nothing of HTTP.
//! They only ever run on the blocking pool through [`Database::run`], never on
//! the async executor threads.

mod error;
pub mod models;
pub mod queries;
pub mod schema;

pub use error::{DbError, DbResult, UniqueKey};

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// A connection to whichever backend `DATABASE_URL` chose.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    // Last: SQLite accepts any string as a path, so it must not shadow Pg.
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;
pub type Pooled = PooledConnection<ConnectionManager<DbConn>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot connect to the {backend:?} database: {source}")]
    Connect {
        backend: Backend,
        source: diesel::ConnectionError,
    },
    #[error("cannot open the connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migrate(String),
    #[error(
        "DATABASE_URL {0:?} names no database ThemeChat supports (postgres://, postgresql://, sqlite://, a file: URI or a path)"
    )]
    UnsupportedUrl(String),
}

/// A blocking database task that panicked or was cancelled.
#[derive(Debug, thiserror::Error)]
#[error("blocking database task failed: {0}")]
pub struct TaskFailed(pub String);

/// Resolves the configured URL to a backend and a URL Diesel understands.
/// Picking the backend ourselves (rather than letting the derive try each in
/// turn) keeps the real connection error instead of a generic one.
/// Any other scheme (`mysql://…`) is refused rather than taken for a file
/// name.
pub fn resolve_url(
    database_url: Option<&str>,
    data_dir: &Path,
) -> Result<(Backend, String), StorageError> {
    Ok(match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            (Backend::Postgres, url.to_owned())
        }
        Some(url)
            if url.contains("://")
                && !url.starts_with("sqlite://")
                && !url.starts_with("file:") =>
        {
            return Err(StorageError::UnsupportedUrl(url.to_owned()));
        }
        Some(url) => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            (Backend::Sqlite, path.to_owned())
        }
        None => (
            Backend::Sqlite,
            data_dir.join("themechat.db").to_string_lossy().into_owned(),
        ),
    })
}

/// Per-connection SQLite settings: they are not persistent, so every pooled
/// connection needs them.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The handle the rest of the server uses to reach storage.
#[derive(Clone)]
pub struct Database {
    pool: DbPool,
    backend: Backend,
}

impl Database {
    pub fn connect(
        database_url: Option<&str>,
        data_dir: &Path,
        pool_size: u32,
        connect_timeout: Duration,
    ) -> Result<Self, StorageError> {
        let (backend, url) = resolve_url(database_url, data_dir)?;
        if backend == Backend::Sqlite
            && let Some(parent) = Path::new(&url)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StorageError::DataDir(parent.display().to_string(), e))?;
        }
        // Try once by hand so a bad URL or a down server gives its real error.
        use diesel::Connection;
        match backend {
            Backend::Postgres => PgConnection::establish(&url).map(drop),
            Backend::Sqlite => SqliteConnection::establish(&url).map(drop),
        }
        .map_err(|source| StorageError::Connect { backend, source })?;

        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(connect_timeout)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<DbConn>::new(url))?;
        let db = Self { pool, backend };
        db.migrate()?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrate(&self) -> Result<(), StorageError> {
        let mut conn = self.pool.get()?;
        let result = match &mut *conn {
            DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(drop),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(drop),
        };
        result.map_err(|e| StorageError::Migrate(e.to_string()))
    }

    /// A connection for a thread of its own (the message writer), which
    /// keeps it across transactions.
    pub fn checkout(&self) -> DbResult<Pooled> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool. The
    /// error type is the caller's: it only has to take the pool's errors and
    /// a failed task.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<TaskFailed> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn: Pooled = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(TaskFailed(e.to_string())))?
    }

    /// Like [`run`](Self::run), inside one write transaction.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<TaskFailed> + Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// A transaction that will write.
///
/// On SQLite it begins `IMMEDIATE`: a deferred transaction that reads first
/// and writes later can fail with SQLITE_BUSY instead of waiting for the
/// writer ahead of it, which under concurrent posting would lose messages.
/// On PostgreSQL an ordinary transaction is right; row locks do the rest.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<DbError>,
{
    use diesel::Connection;
    let DbConn::Sqlite(sqlite) = conn else {
        return conn
            .transaction(|c| f(c).map_err(InTx::Caller))
            .map_err(InTx::into_caller);
    };
    let storage = |e: diesel::result::Error| E::from(DbError::from(e));
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE").map_err(storage)?;
    let result = f(conn);
    let DbConn::Sqlite(sqlite) = conn else {
        unreachable!("the connection cannot change backend");
    };
    match result {
        Ok(value) => {
            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(
                sqlite,
            )
            .map_err(storage)?;
            Ok(value)
        }
        Err(e) => {
            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(
                sqlite,
            )
            .map_err(storage)?;
            Err(e)
        }
    }
}

/// Diesel's transaction wants an error type it can put its own errors in;
/// this carries the caller's error through it untouched.
enum InTx<E> {
    Caller(E),
    Storage(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for InTx<E> {
    fn from(e: diesel::result::Error) -> Self {
        Self::Storage(e)
    }
}

impl<E: From<DbError>> InTx<E> {
    fn into_caller(self) -> E {
        match self {
            Self::Caller(e) => e,
            Self::Storage(e) => E::from(DbError::from(e)),
        }
    }
}

/// Liveness probe used by `/healthz`.
pub fn ping(conn: &mut DbConn) -> DbResult<()> {
    use diesel::RunQueryDsl;
    Ok(diesel::sql_query("SELECT 1").execute(conn).map(drop)?)
}

/// Runs a query the `MultiConnection` cannot express (`ON CONFLICT`) on the
/// concrete connection; the body is compiled once per backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Pg($c) => $body,
            $crate::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Serialises transactions that decide something about `key` (a pair of
/// users, say) until the current transaction ends. PostgreSQL needs it for
/// check-then-act decisions at READ COMMITTED; SQLite write transactions
/// already run one at a time.
pub fn lock_key(conn: &mut DbConn, key: &str) -> DbResult<()> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::BigInt;
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(stable_hash(key))
            .execute(c)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }?)
}

/// FNV-1a: stable across processes and nodes, unlike `std`'s hasher.
fn stable_hash(key: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_a_backend_or_are_refused() {
        let dir = Path::new("/data");
        let pick = |url| resolve_url(Some(url), dir).map(|(backend, _)| backend);
        assert_eq!(pick("postgres://h/db").ok(), Some(Backend::Postgres));
        assert_eq!(pick("postgresql://h/db").ok(), Some(Backend::Postgres));
        assert_eq!(
            resolve_url(Some("sqlite:///tmp/x.db"), dir).ok(),
            Some((Backend::Sqlite, "/tmp/x.db".into()))
        );
        assert_eq!(pick("./chat.db").ok(), Some(Backend::Sqlite));
        assert_eq!(pick("file:///tmp/chat.db").ok(), Some(Backend::Sqlite));
        assert!(matches!(
            pick("mysql://h/db"),
            Err(StorageError::UnsupportedUrl(_))
        ));
        assert_eq!(
            resolve_url(None, dir).ok(),
            Some((Backend::Sqlite, "/data/themechat.db".into()))
        );
    }
}

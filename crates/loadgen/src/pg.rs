//! A PostgreSQL schema of its own for one spawned server, dropped afterwards.

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};

use crate::Result;

/// The database the schemas go in, unless `THEMECHAT_BENCH_PG_URL` says.
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct Schema {
    admin_url: String,
    name: String,
}

impl Schema {
    /// Creates `loadgen_<hex>` and returns it with the URL the server should
    /// use: search path set to it, and an `application_name` by which `Drop`
    /// finds the server's connections.
    pub fn create() -> Result<(Self, String)> {
        let base = std::env::var("THEMECHAT_BENCH_PG_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_URL.to_owned());
        let name = format!("loadgen_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&base).map_err(|e| {
            format!(
                "PostgreSQL at {} is unreachable (set THEMECHAT_BENCH_PG_URL): {e}",
                redacted(&base)
            )
        })?;
        diesel::sql_query(format!("CREATE SCHEMA \"{name}\"")).execute(&mut conn)?;
        let separator = if base.contains('?') { '&' } else { '?' };
        let server_url =
            format!("{base}{separator}options=-csearch_path%3D{name}&application_name={name}");
        let schema = Self {
            admin_url: base,
            name,
        };
        Ok((schema, server_url))
    }
}

impl Drop for Schema {
    /// Best effort, after the server is gone: ends any connection it left
    /// behind, then drops the schema with everything in it.
    fn drop(&mut self) {
        let Ok(mut conn) = PgConnection::establish(&self.admin_url) else {
            eprintln!("loadgen: could not drop schema {}", self.name);
            return;
        };
        let name = &self.name;
        let _ = diesel::sql_query("SET lock_timeout = '5s'").execute(&mut conn);
        let _ = diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut conn);
        if let Err(e) = diesel::sql_query(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
            .execute(&mut conn)
        {
            eprintln!("loadgen: could not drop schema {name}: {e}");
        }
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_are_not_shown() {
        assert_eq!(
            super::redacted("postgres://u:pw@db:5432/x"),
            "postgres://***@db:5432/x"
        );
        assert_eq!(super::redacted("postgres://db/x"), "postgres://db/x");
    }
}

//! Browser end-to-end tests: headless Chromium driven through ChromeDriver
//! (with `fantoccini`) against a real `themechat-server` process serving the
//! built web app.
//!
//! - Chromium: `THEMECHAT_CHROMIUM` (default `/usr/bin/chromium`);
//!   ChromeDriver: `THEMECHAT_CHROMEDRIVER` (default `/usr/bin/chromedriver`).
//!   `scripts/setup-tools.sh --browser` installs both. Missing ones are a
//!   test failure, never a skip.
//! - The web app: `frontend/dist`, built by `scripts/build-web.sh`.
//! - The server binary: as in [`crate::process`] (`THEMECHAT_SERVER_BIN`,
//!   else `target/<profile>/themechat-server`).
//! - Database: SQLite in the server's data directory, or with
//!   `THEMECHAT_TEST_BACKEND=postgres` a fresh PostgreSQL schema.
//!
//! Every wait has a deadline; failures name what was awaited, in which
//! browser, at which URL, with the page's visible text.

mod driver;
mod link;
mod page;

pub use driver::ChromeDriver;
pub use link::Link;
pub use page::{Browser, Bubble, tid};

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use tempfile::TempDir;

use crate::Backend;
use crate::backend::PgSchema;
use crate::process::ServerProcess;
/// Default upper bound for one wait in the page.
pub const WAIT: Duration = Duration::from_secs(15);
/// Between two polls of the page.
const POLL: Duration = Duration::from_millis(50);
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// Upper bound for any single WebDriver command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

// ---- serialisation ---------------------------------------------------------

static EXCLUSIVE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Browser scenarios hold this for their whole run, so that at most one
/// scenario (and its one or two Chromium instances) runs at a time, whatever
/// `--test-threads` says.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    EXCLUSIVE.lock().await
}

// ---- tools -----------------------------------------------------------------

fn tool(var: &str, default: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{what} is missing at {} (set {var} to use another path): the browser tests need \
         Chromium and ChromeDriver; install them with `scripts/setup-tools.sh --browser`",
        path.display()
    );
    path
}

/// The Chromium binary the sessions run.
pub fn chromium_binary() -> PathBuf {
    tool("THEMECHAT_CHROMIUM", DEFAULT_CHROMIUM, "Chromium")
}

/// The ChromeDriver binary.
pub fn chromedriver_binary() -> PathBuf {
    tool(
        "THEMECHAT_CHROMEDRIVER",
        DEFAULT_CHROMEDRIVER,
        "ChromeDriver",
    )
}

/// `<repo>/frontend/dist`, which must hold a built web app.
pub fn web_dist() -> PathBuf {
    let dist = crate::checkout().join("frontend").join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} is missing: run scripts/build-web.sh to build the web app before the browser tests",
        dist.join("index.html").display()
    );
    dist
}

/// axe-core's script (`.tools/node`, put there by `scripts/setup-tools.sh
/// --browser`), which [`Browser::accessibility_problems`] injects.
pub fn axe_script() -> String {
    let path = crate::checkout().join(".tools/node/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run scripts/setup-tools.sh --browser to install axe-core",
            path.display()
        )
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free local port")
}

// ---- the server --------------------------------------------------------------

/// The real server as a process, serving the built SPA. It can be killed and
/// started again on the same port with the same data directory (and
/// database).
pub struct WebServer {
    process: Option<ServerProcess>,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub port: u16,
    pub backend: Backend,
    env: Vec<(&'static str, String)>,
    restarts: u32,
    // Dropped after the process (see `Drop`): the schema, then the files.
    _pg_schema: Option<PgSchema>,
    _data_dir: TempDir,
}

impl WebServer {
    /// A REST client of this server, for what a test does besides the
    /// browser (other users, their messages).
    pub fn api(&self) -> crate::ApiClient {
        crate::ApiClient {
            address: self.address.clone(),
            client: reqwest::Client::new(),
        }
    }

    /// Starts the server on a free port with a fresh data directory.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`WebServer::start`] with more settings (`THEMECHAT_*` variables).
    pub async fn start_with(settings: &[(&'static str, &str)]) -> Self {
        let web_dir = web_dist();
        let backend = Backend::from_env();
        let data_dir = tempfile::Builder::new()
            .prefix("themechat-browser-data-")
            .tempdir()
            .expect("create a data directory");
        let mut env: Vec<(&'static str, String)> = vec![
            ("THEMECHAT_BIND", "127.0.0.1:0".to_owned()),
            ("THEMECHAT_DATA_DIR", data_dir.path().display().to_string()),
            ("THEMECHAT_WEB_DIR", web_dir.display().to_string()),
            ("JWT_SECRET", "browser-test-secret-".repeat(3)),
            ("THEMECHAT_WORKERS", "2".to_owned()),
            ("THEMECHAT_RATE_LIMIT_MESSAGES", "1000".to_owned()),
            ("THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS", "10000".to_owned()),
        ];
        env.extend(settings.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let pg_schema = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let (schema, url) = PgSchema::create();
                env.push(("DATABASE_URL", url));
                env.push(("THEMECHAT_DB_POOL_SIZE", "4".to_owned()));
                Some(schema)
            }
        };
        let process = ServerProcess::start("server", &env).await;
        let address = process.address.clone();
        let port = address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the server address {address}"));
        // Every later start binds the same port.
        for (key, value) in &mut env {
            if *key == "THEMECHAT_BIND" {
                *value = format!("127.0.0.1:{port}");
            }
        }
        Self {
            process: Some(process),
            address,
            port,
            backend,
            env,
            restarts: 0,
            _pg_schema: pg_schema,
            _data_dir: data_dir,
        }
    }

    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// Kills the process (SIGKILL: no graceful shutdown) and waits for it.
    pub fn kill(&mut self) {
        drop(self.process.take());
    }

    /// Starts the server again on the same port, data directory and database.
    pub async fn restart(&mut self) {
        self.kill();
        self.restarts += 1;
        let name = format!("server#{}", self.restarts);
        let process = ServerProcess::start(&name, &self.env).await;
        assert_eq!(
            process.address, self.address,
            "the restarted server listens elsewhere"
        );
        self.process = Some(process);
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.kill();
    }
}

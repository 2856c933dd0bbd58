//! Real `themechat-server` processes, for the multi-node tests: several
//! nodes on one PostgreSQL schema, fanning out events through Redis.
//!
//! - Binary: `THEMECHAT_SERVER_BIN`, else `themechat-server` next to the
//!   test binary's directory (`target/debug/`). Build it first with
//!   `cargo build -p server --bin themechat-server`.
//! - Redis: `THEMECHAT_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`).
//! - PostgreSQL: always (a cluster needs a shared database), whatever
//!   `THEMECHAT_TEST_BACKEND` says; `THEMECHAT_TEST_PG_URL` as elsewhere.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tempfile::TempDir;
use tokio::time::Instant;

use crate::backend::PgSchema;
use crate::client::ApiClient;
use crate::socket::{Incoming, WsClient};
use crate::{REQUEST_TIMEOUT, id_of, unique};

const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// Start-up includes migrations on a fresh schema: be generous.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const LISTENING: &str = "ThemeChat listening on http://";

/// The server binary to run.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("THEMECHAT_SERVER_BIN").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "THEMECHAT_SERVER_BIN={} does not exist",
            path.display()
        );
        return path;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/cluster-<hash> -> target/debug/themechat-server
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join(format!("themechat-server{}", std::env::consts::EXE_SUFFIX)))
        .expect("the test binary lives in target/<profile>/deps");
    assert!(
        path.is_file(),
        "the server binary {} is missing: run `cargo build -p server --bin themechat-server` \
         first (or set THEMECHAT_SERVER_BIN)",
        path.display()
    );
    path
}

/// The Redis the nodes share.
pub fn redis_url() -> String {
    std::env::var("THEMECHAT_TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_REDIS_URL.to_owned())
}

/// Fails with a cluster-specific message when PostgreSQL is unreachable
/// (`PgSchema::create` would blame `THEMECHAT_TEST_BACKEND`).
fn require_postgres() {
    use diesel::Connection;
    let url = std::env::var("THEMECHAT_TEST_PG_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned());
    if let Err(e) = diesel::pg::PgConnection::establish(&url) {
        panic!(
            "the cluster tests always need PostgreSQL (the nodes share one database), \
             whatever THEMECHAT_TEST_BACKEND says, but THEMECHAT_TEST_PG_URL (default \
             {DEFAULT_PG_URL}) is unreachable: {e}"
        );
    }
}

/// One running server process; killed on drop.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub api: ApiClient,
    name: String,
    _data_dir: TempDir,
    _web_dir: TempDir,
}

impl ServerProcess {
    /// Starts the binary with `env` on a free port and waits for its
    /// "listening" line. Its output goes to the test's captured stderr.
    pub async fn start(name: &str, env: &[(&str, String)]) -> Self {
        let binary = server_binary();
        let data_dir = tempfile::Builder::new()
            .prefix("themechat-node-data-")
            .tempdir()
            .expect("create a data directory");
        let web_dir = tempfile::Builder::new()
            .prefix("themechat-node-web-")
            .tempdir()
            .expect("create a web directory");
        std::fs::write(
            web_dir.path().join("index.html"),
            crate::TestApp::index_html(),
        )
        .expect("write index.html");

        let mut command = Command::new(&binary);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("THEMECHAT_BIND", "127.0.0.1:0")
            .env("THEMECHAT_DATA_DIR", data_dir.path())
            .env("THEMECHAT_WEB_DIR", web_dir.path())
            .env("RUST_LOG", "warn")
            .env("THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS", "10000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));

        // Both streams are read to the end (a full pipe would stall the
        // server), echoed to the test's captured output, and kept for the
        // failure message should the server never get to listening.
        let output = Arc::new(Mutex::new(Vec::<String>::new()));
        let (tx, rx) = tokio::sync::oneshot::channel::<String>();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (label, log) = (name.to_owned(), output.clone());
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                eprintln!("[{label}] {line}");
                match line.trim().strip_prefix(LISTENING) {
                    Some(address) => {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(address.trim().to_owned());
                        }
                    }
                    None => log.lock().unwrap_or_else(|p| p.into_inner()).push(line),
                }
            }
        });
        let (label, log) = (name.to_owned(), output.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                eprintln!("[{label} stderr] {line}");
                log.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });

        let address = match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(address)) => address,
            failed => {
                let _ = child.kill();
                let status = child.wait().ok();
                // Let the readers pick up the last lines.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let output = output.lock().unwrap_or_else(|p| p.into_inner()).join("\n");
                let why = match failed {
                    Err(_) => format!("did not print `{LISTENING}...` within {START_TIMEOUT:?}"),
                    Ok(_) => format!("exited before listening (status {status:?})"),
                };
                panic!("{name} ({}) {why}; its output:\n{output}", binary.display());
            }
        };
        let address = format!("http://{address}");
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("build the HTTP client");
        Self {
            child,
            api: ApiClient {
                address: address.clone(),
                client,
            },
            address,
            name: name.to_owned(),
            _data_dir: data_dir,
            _web_dir: web_dir,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Kills the node outright (SIGKILL): no goodbye to anyone.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the node to stop (SIGTERM), as an orchestrator would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.child.id());
    }

    /// Waits for the process to exit by itself; `None` if it is still
    /// running after `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// On PostgreSQL (`THEMECHAT_TEST_BACKEND`), a schema of its own, named in
/// `env` for the node; on SQLite nothing (the node's data directory holds
/// the file).
fn schema_for_backend(env: &mut Vec<(&'static str, String)>) -> Option<PgSchema> {
    match crate::Backend::from_env() {
        crate::Backend::Sqlite => None,
        crate::Backend::Postgres => {
            let (schema, url) = PgSchema::create();
            env.push(("DATABASE_URL", url));
            env.push(("THEMECHAT_DB_POOL_SIZE", "4".to_owned()));
            Some(schema)
        }
    }
}

/// One server process on the backend the suites run on
/// (`THEMECHAT_TEST_BACKEND`): a SQLite file of its own, or a PostgreSQL
/// schema of its own. For a test that sets the server's environment, which
/// a server inside the test process would share with the test (and every
/// other test running beside it).
pub struct SoloServer {
    /// Declared before the schema: the process dies before it is dropped.
    pub node: ServerProcess,
    _schema: Option<PgSchema>,
}

impl SoloServer {
    /// Starts the binary with `env` (beside what [`ServerProcess::start`]
    /// sets) and waits until it listens.
    pub async fn start(mut env: Vec<(&'static str, String)>) -> Self {
        let schema = schema_for_backend(&mut env);
        env.push(("THEMECHAT_ARGON2_MEMORY_KIB", "1024".to_owned()));
        Self {
            node: ServerProcess::start("server", &env).await,
            _schema: schema,
        }
    }
}

impl std::ops::Deref for SoloServer {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.node.api
    }
}

/// Storage that outlives a server process, on the backend the suites run
/// on: a data directory (the SQLite file, uploads) and, on PostgreSQL, a
/// schema of its own. For a test that stops a node and starts another on
/// what it left.
pub struct DurableStore {
    env: Vec<(&'static str, String)>,
    _schema: Option<PgSchema>,
    _data: TempDir,
}

impl DurableStore {
    pub fn new() -> Self {
        let data = tempfile::Builder::new()
            .prefix("themechat-durable-")
            .tempdir()
            .expect("create a data directory");
        let mut env = vec![
            ("THEMECHAT_DATA_DIR", data.path().display().to_string()),
            ("JWT_SECRET", "durable-store-secret-".repeat(3)),
            ("THEMECHAT_ARGON2_MEMORY_KIB", "1024".to_owned()),
        ];
        let schema = schema_for_backend(&mut env);
        Self {
            env,
            _schema: schema,
            _data: data,
        }
    }

    /// A node's settings on this storage, with `extra` beside them.
    pub fn env(&self, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
        self.env.iter().chain(extra).cloned().collect()
    }
}

impl Default for DurableStore {
    fn default() -> Self {
        Self::new()
    }
}

/// Several nodes on one fresh PostgreSQL schema and the shared Redis.
pub struct Cluster {
    /// Declared before the schema: the processes die before it is dropped.
    pub nodes: Vec<ServerProcess>,
    env: Vec<(&'static str, String)>,
    _schema: PgSchema,
}

impl Cluster {
    /// Starts `count` nodes one after the other (the first one migrates the
    /// schema), then waits until events published on one node reach
    /// connections on every node.
    pub async fn start(count: usize) -> Self {
        Self::start_with_redis(count, redis_url()).await
    }

    /// Like [`start`](Self::start), on the Redis at `redis` (a private one
    /// a test may stop).
    pub async fn start_with_redis(count: usize, redis: String) -> Self {
        Self::start_with(count, redis, Vec::new()).await
    }

    /// Like [`start`](Self::start), with more settings for every node.
    pub async fn start_with_env(count: usize, extra: Vec<(&'static str, String)>) -> Self {
        Self::start_with(count, redis_url(), extra).await
    }

    async fn start_with(count: usize, redis: String, extra: Vec<(&'static str, String)>) -> Self {
        require_postgres();
        let (schema, database_url) = PgSchema::create();
        let mut env = vec![
            ("DATABASE_URL", database_url),
            ("REDIS_URL", redis),
            ("JWT_SECRET", "cluster-test-secret-".repeat(3)),
            ("THEMECHAT_WORKERS", "2".to_owned()),
            ("THEMECHAT_DB_POOL_SIZE", "4".to_owned()),
            ("THEMECHAT_PROFANITY_WORDS", crate::PROFANITY.join(",")),
            // Short leases, so a crashed node is noticed within a test.
            ("THEMECHAT_PRESENCE_LEASE_SECS", "2".to_owned()),
            // Clusters of parallel tests share Redis but not each other's
            // events, presence or dead nodes.
            ("THEMECHAT_REDIS_PREFIX", unique("cluster")),
        ];
        env.extend(extra);
        let mut nodes = Vec::with_capacity(count);
        for i in 0..count {
            let name = format!("node-{}", (b'a' + i as u8) as char);
            nodes.push(ServerProcess::start(&name, &env).await);
        }
        let cluster = Self {
            nodes,
            env,
            _schema: schema,
        };
        cluster.wait_for_fan_out().await;
        cluster
    }

    /// Starts one more node on the same database and Redis; returns its
    /// index. (No fan-out probe: a test that needs one waits for it.)
    pub async fn add_node(&mut self) -> usize {
        let i = self.nodes.len();
        let name = format!("node-{}", (b'a' + i as u8) as char);
        self.nodes
            .push(ServerProcess::start(&name, &self.env).await);
        i
    }

    /// The HTTP client of node `i`.
    pub fn node(&self, i: usize) -> &ApiClient {
        &self.nodes[i].api
    }

    /// Each node subscribes to Redis in the background after it starts
    /// listening; until then, events published anywhere miss its sockets.
    /// A probe user with a socket on every node posts until every socket
    /// heard a message.
    async fn wait_for_fan_out(&self) {
        let first = self.node(0);
        let probe = first.register(&unique("probe")).await;
        let room = id_of(&first.create_room(&probe, "probe", "private").await);
        let mut sockets = Vec::new();
        for node in &self.nodes {
            let ws = WsClient::open(&node.api, &probe).await;
            sockets.push(ws.named(&format!("probe@{}", node.name())));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut heard = vec![false; sockets.len()];
        while heard.iter().any(|h| !h) {
            assert!(
                Instant::now() < deadline,
                "events do not cross the cluster: after 30 s, sockets heard: {heard:?} \
                 (is Redis at {} running?)",
                redis_url()
            );
            first.post_message(&probe, &room, "probe").await;
            let listen_until = Instant::now() + Duration::from_millis(300);
            for (ws, heard) in sockets.iter_mut().zip(heard.iter_mut()) {
                while let Some(incoming) = ws.next_incoming_until(listen_until).await {
                    match incoming {
                        Incoming::Event(event) if event["type"] == "message" => *heard = true,
                        Incoming::Event(_) => {}
                        other => panic!("{}: the probe socket ended: {other:?}", ws.label),
                    }
                }
            }
        }
        for ws in sockets {
            ws.close().await;
        }
    }
}

//! The server under load: one or more running nodes given with `--url`, or a
//! `themechat-server` process spawned for the run on a fresh database.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::Result;
use crate::cli::{Backend, TargetArgs};
use crate::pg;

/// Start-up includes migrating a fresh database.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const LISTENING: &str = "ThemeChat listening on http://";
/// What the spawned server gets unless `--server-env` says otherwise.
const SERVER_ENV: &[(&str, &str)] = &[
    ("THEMECHAT_BIND", "127.0.0.1:0"),
    // 40 characters: long enough for production rules.
    ("JWT_SECRET", "loadgen-loadgen-loadgen-loadgen-loadgen-"),
    // The load measures the message pipeline, not flood control.
    ("THEMECHAT_RATE_LIMIT_MESSAGES", "1000000"),
    // Thousands of sign-ups come from this one address, and `conns` opens
    // dozens of sockets per user.
    ("THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS", "100000000"),
    ("THEMECHAT_WS_MAX_PER_USER", "100000"),
    ("RUST_LOG", "warn"),
    // Its output is passed on as plain lines.
    ("NO_COLOR", "1"),
];

/// One server node's base addresses.
#[derive(Debug, Clone)]
pub struct Node {
    /// `http://host:port`, no trailing slash.
    pub http: String,
    /// `ws://host:port/api/v1/ws`
    pub ws: String,
}

impl Node {
    fn new(url: &str) -> Result<Self> {
        let http = url.trim().trim_end_matches('/').to_owned();
        // Built without TLS: a load generator belongs next to the servers (or
        // the proxy), not across the internet.
        let Some(rest) = http.strip_prefix("http://") else {
            return Err(format!("--url {url:?} must be a plain http:// address").into());
        };
        let ws = format!("ws://{rest}/api/v1/ws");
        Ok(Self { http, ws })
    }
}

pub struct Target {
    nodes: Vec<Node>,
    pids: Vec<u32>,
    label: String,
    /// The processes are killed once nothing refers to them.
    _spawned: Vec<Spawned>,
    /// Declared after the processes: dropped once they are gone.
    _database: Option<Database>,
}

/// The spawned nodes' database: a schema of their own on PostgreSQL, or a
/// file in the data directory on SQLite (one node only).
struct Database {
    _schema: pg::Schema,
    url: String,
}

impl Target {
    /// The nodes of `--url`, or a freshly spawned server.
    pub async fn start(args: &TargetArgs) -> Result<Self> {
        if !args.urls.is_empty() {
            let nodes = args
                .urls
                .iter()
                .map(|url| Node::new(url))
                .collect::<Result<Vec<_>>>()?;
            let label = format!("remote {}", args.urls.join(", "));
            return Ok(Self {
                nodes,
                pids: args.server_pids.clone(),
                label,
                _spawned: Vec::new(),
                _database: None,
            });
        }
        let backend = args.backend.unwrap_or(Backend::Sqlite);
        let count = args.nodes.max(1);
        if count > 1 && backend != Backend::Postgres {
            return Err("several nodes share one database: add --backend postgres".into());
        }
        let binary = server_binary(args.server_bin.as_deref())?;
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let (schema, url) = pg::Schema::create()?;
                Some(Database {
                    _schema: schema,
                    url,
                })
            }
        };
        let mut env: Vec<(String, String)> = Vec::new();
        if let Some(db) = &database {
            env.push(("DATABASE_URL".into(), db.url.clone()));
        }
        if count > 1 {
            let redis = args
                .redis
                .clone()
                .or_else(|| std::env::var("THEMECHAT_BENCH_REDIS_URL").ok())
                .filter(|url| !url.trim().is_empty())
                .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
            env.push(("REDIS_URL".into(), redis));
            // Keys of this run only: nothing left by another run is read.
            let prefix = format!("loadgen-{}", uuid::Uuid::new_v4().simple());
            env.push(("THEMECHAT_REDIS_PREFIX".into(), prefix));
        }
        env.extend(args.server_env.iter().cloned());
        // One after the other: the first migrates the schema.
        let mut spawned = Vec::with_capacity(count);
        let mut nodes = Vec::with_capacity(count);
        for _ in 0..count {
            let (node, address) = Spawned::start(&binary, &env).await?;
            nodes.push(Node::new(&address)?);
            spawned.push(node);
        }
        let database_label = match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let label = match count {
            1 => format!("spawned server, {database_label}"),
            n => format!("{n} spawned nodes through Redis, {database_label}"),
        };
        Ok(Self {
            nodes,
            pids: spawned.iter().map(|s| s.child.id()).collect(),
            label,
            _spawned: spawned,
            _database: database,
        })
    }

    /// The node client `i` uses: round-robin over all of them.
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i % self.nodes.len()]
    }

    /// Server processes to read CPU and memory of.
    pub fn pids(&self) -> &[u32] {
        &self.pids
    }

    /// `spawned server, SQLite` or `remote http://…`.
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// `--server-bin`, else `$THEMECHAT_SERVER_BIN`, else `themechat-server`
/// next to this executable (`cargo run` builds both into one directory).
fn server_binary(explicit: Option<&Path>) -> Result<PathBuf> {
    let from_env = std::env::var_os("THEMECHAT_SERVER_BIN")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from);
    let path = match explicit.map(Path::to_owned).or(from_env) {
        Some(path) => path,
        None => std::env::current_exe()?
            .parent()
            .ok_or("this executable has no directory")?
            .join(format!("themechat-server{}", std::env::consts::EXE_SUFFIX)),
    };
    if !path.is_file() {
        return Err(format!(
            "the server binary {} does not exist: build it with \
             `cargo build -p server --bin themechat-server` (with the same profile), \
             or pass --server-bin / set THEMECHAT_SERVER_BIN",
            path.display()
        )
        .into());
    }
    Ok(path)
}

/// A server process of our own, killed on drop; its data directory goes
/// with it.
struct Spawned {
    child: Child,
    // Dropped after `Drop::drop` has killed the process.
    _data_dir: TempDir,
}

impl Spawned {
    /// Starts `binary` on a free port with `env` over the loadgen's own
    /// settings and waits for its "listening" line; returns it with the
    /// address. Its output is passed on to stderr.
    async fn start(binary: &Path, env: &[(String, String)]) -> Result<(Self, String)> {
        let data_dir = tempfile::Builder::new()
            .prefix("themechat-loadgen-")
            .tempdir()?;
        // A clean environment, so that nothing of the caller's (a
        // DATABASE_URL, a REDIS_URL) changes what is measured.
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("THEMECHAT_DATA_DIR", data_dir.path())
            .envs(SERVER_ENV.iter().copied())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let spawned = Self {
            child,
            _data_dir: data_dir,
        };

        // Both pipes are read to the end: a full pipe would stall the server.
        let (tx, rx) = tokio::sync::oneshot::channel::<String>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match line.trim().strip_prefix(LISTENING) {
                    Some(address) if tx.is_some() => {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(format!("http://{}", address.trim()));
                        }
                    }
                    _ => eprintln!("[server] {line}"),
                }
            }
        });
        std::thread::spawn(move || forward("[server stderr]", stderr));

        match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(address)) => {
                eprintln!("loadgen: {} listening on {address}", binary.display());
                Ok((spawned, address))
            }
            Ok(Err(_)) => Err(format!(
                "{} exited before listening (its output is above)",
                binary.display()
            )
            .into()),
            Err(_) => Err(format!(
                "{} did not print `{LISTENING}…` within {START_TIMEOUT:?}",
                binary.display()
            )
            .into()),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn forward(label: &str, pipe: impl Read) {
    for line in BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        eprintln!("{label} {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_addresses_follow_the_scheme() {
        let node = Node::new("http://127.0.0.1:8080/").expect("valid");
        assert_eq!(node.http, "http://127.0.0.1:8080");
        assert_eq!(node.ws, "ws://127.0.0.1:8080/api/v1/ws");
        assert!(Node::new("https://chat.example").is_err());
        assert!(Node::new("127.0.0.1:8080").is_err());
    }

    #[test]
    fn the_spawned_secret_is_long_enough() {
        let secret = SERVER_ENV
            .iter()
            .find(|(k, _)| *k == "JWT_SECRET")
            .map(|(_, v)| v.len());
        assert_eq!(secret, Some(40));
    }
}

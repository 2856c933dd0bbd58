//! Private PostgreSQL and Redis servers for the fault tests, which stop and
//! start them. The shared services on the standard ports are never touched.
//!
//! PostgreSQL refuses to run as root: as root, `initdb` and `pg_ctl` run as
//! the `postgres` user on a directory it owns.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;
use tokio::time::Instant;

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free port")
}

/// Waits until something accepts TCP connections on the port.
async fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "{what} is not listening on {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `redis-server` on a port of its own, in memory only.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub async fn start() -> Self {
        let mut redis = Self {
            port: free_port(),
            child: None,
        };
        redis.resume().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it outright.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: nothing was saved).
    pub async fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt-get install redis-server)");
        self.child = Some(child);
        wait_listening(self.port, "the private redis-server").await;
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A PostgreSQL cluster of its own in a temporary directory.
pub struct PrivatePostgres {
    pub port: u16,
    dir: TempDir,
    bin: PathBuf,
    running: bool,
}

impl PrivatePostgres {
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("themechat-pg-")
            .tempdir()
            .expect("create a directory for the private cluster");
        let bin = postgres_bin_dir();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown the cluster directory");
            assert!(status.success(), "chown failed");
        }
        let data = dir.path().join("data");
        run_as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        );
        let mut pg = Self {
            port: free_port(),
            dir,
            bin,
            running: false,
        };
        pg.resume().await;
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Stops it at once (`immediate`: like a crash, no checkpoint).
    pub fn stop(&mut self) {
        if self.running {
            run_as_postgres(
                &self.bin.join("pg_ctl"),
                &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
            );
            self.running = false;
        }
    }

    /// Starts it (again) on the same port and data.
    pub async fn resume(&mut self) {
        let socket_dir = self.dir.path().display().to_string();
        let options = format!(
            "-p {} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port
        );
        let log = self.dir.path().join("log").display().to_string();
        run_as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
        self.running = true;
        wait_listening(self.port, "the private PostgreSQL").await;
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Where `initdb` and `pg_ctl` are: on PATH, or Debian's versioned folder.
fn postgres_bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").is_file() {
            return dir;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("bin"))
        .find(|bin| bin.join("initdb").is_file())
        .expect("PostgreSQL's initdb (apt-get install postgresql)")
}

fn run_as_postgres(program: &Path, args: &[&str]) {
    let output = if is_root() {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args);
        command.current_dir("/tmp").output()
    } else {
        Command::new(program).args(args).output()
    }
    .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An S3-compatible object store of its own (moto's server, from PyPI,
/// installed into `.tools/moto` by `scripts/test`, or named by
/// `THEMECHAT_TEST_MOTO`), with one empty bucket.
pub struct PrivateS3 {
    pub port: u16,
    pub bucket: String,
    child: Child,
}

impl PrivateS3 {
    pub async fn start() -> Self {
        let program = std::env::var_os("THEMECHAT_TEST_MOTO")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::checkout().join(".tools/moto/bin/moto_server"));
        assert!(
            program.is_file(),
            "{} is missing: `scripts/test` installs it (python3 -m venv .tools/moto && \
             .tools/moto/bin/pip install 'moto[server]'), or set THEMECHAT_TEST_MOTO",
            program.display()
        );
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        wait_listening(port, "the private S3 server").await;
        let store = Self {
            port,
            bucket: crate::unique("files")
                .to_ascii_lowercase()
                .replace('_', "-"),
            child,
        };
        let created = reqwest::Client::new()
            .put(format!("{}/{}", store.endpoint(), store.bucket))
            .send()
            .await
            .expect("create the bucket");
        assert!(
            created.status().is_success(),
            "creating the bucket: {}",
            created.status()
        );
        store
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server settings that keep files in this bucket.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("THEMECHAT_S3_BUCKET", self.bucket.clone()),
            ("THEMECHAT_S3_ENDPOINT", self.endpoint()),
            ("THEMECHAT_S3_REGION", "us-east-1".to_owned()),
            ("THEMECHAT_S3_ACCESS_KEY_ID", "test".to_owned()),
            ("THEMECHAT_S3_SECRET_ACCESS_KEY", "test".to_owned()),
        ]
    }

    /// The names of the objects in the bucket.
    pub async fn keys(&self) -> Vec<String> {
        let listing = reqwest::Client::new()
            .get(format!("{}/{}?list-type=2", self.endpoint(), self.bucket))
            .send()
            .await
            .expect("list the bucket")
            .text()
            .await
            .expect("read the listing");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for PrivateS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

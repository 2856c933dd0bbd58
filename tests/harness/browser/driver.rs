//! ChromeDriver and the headless Chromium sessions it opens.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::ClientBuilder;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::time::Instant;

use super::*;

/// A `chromedriver` child process on a free port; on drop it ends the
/// sessions still open, then kills its process group (with any Chromium
/// left behind).
pub struct ChromeDriver {
    child: Child,
    port: u16,
    /// `http://127.0.0.1:<port>`
    pub url: String,
    chromium: PathBuf,
    sessions: Arc<Mutex<Vec<String>>>,
    // After the browsers are gone (see `Drop`).
    profiles: Mutex<Vec<TempDir>>,
}

impl ChromeDriver {
    /// Starts ChromeDriver and waits until it reports ready.
    pub async fn start() -> Self {
        let chromium = chromium_binary();
        let binary = chromedriver_binary();
        let port = free_port();
        let mut command = Command::new(&binary);
        command
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: Chromium is started by ChromeDriver and
        // stays in it, so `Drop` can end both.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut driver = Self {
            child,
            port,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
            sessions: Arc::default(),
            profiles: Mutex::default(),
        };
        driver.wait_ready(&binary).await;
        driver
    }

    async fn wait_ready(&mut self, binary: &Path) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("build the HTTP client");
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        let status = format!("{}/status", self.url);
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!("{} exited at start-up ({exit})", binary.display());
            }
            if let Ok(response) = client.get(&status).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not answer on port {} within {DRIVER_START_TIMEOUT:?}",
                binary.display(),
                self.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless Chromium session with a fresh profile, pointed at
    /// `base` (e.g. the server's address). `label` names it in failures.
    pub async fn browser(&self, base: &str, label: &str) -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("themechat-chromium-")
            .tempdir()
            .expect("create a Chromium profile directory");
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium.display().to_string(),
                "args": args,
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        self.profiles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(profile);
        let mut builder = ClientBuilder::native();
        builder.capabilities(capabilities);
        let connect = builder.connect(&self.url);
        let client = match tokio::time::timeout(SESSION_TIMEOUT, connect).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => panic!(
                "{label}: ChromeDriver could not start Chromium ({}): {e}",
                self.chromium.display()
            ),
            Err(_) => panic!("{label}: no Chromium session within {SESSION_TIMEOUT:?}"),
        };
        if let Ok(Some(id)) = client.session_id().await {
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(id);
        }
        Browser {
            client,
            driver: self.url.clone(),
            base: base.trim_end_matches('/').to_owned(),
            label: label.to_owned(),
            sessions: self.sessions.clone(),
        }
    }

    /// `DELETE /session/{id}` over a plain socket: `Drop` cannot await.
    fn delete_session(&self, id: &str) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink);
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let open: Vec<String> =
            std::mem::take(&mut *self.sessions.lock().unwrap_or_else(|p| p.into_inner()));
        for id in open {
            self.delete_session(&id);
        }
        // The group is ours: ChromeDriver leads it (see `start`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::time::Instant;

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
    let dist = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .join("frontend")
        .join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} is missing: run scripts/build-web.sh to build the web app before the browser tests",
        dist.join("index.html").display()
    );
    dist
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
    /// Starts the server on a free port with a fresh data directory.
    pub async fn start() -> Self {
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

// ---- ChromeDriver --------------------------------------------------------------

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

// ---- one browser session ----------------------------------------------------------

/// `[data-testid="<id>"]`
pub fn tid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// One message bubble as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bubble {
    /// `data-message-id` (empty while the message is pending).
    pub id: String,
    /// `data-mine == "true"`
    pub mine: bool,
    /// `data-mine` as written.
    pub mine_attr: String,
    pub body: String,
    /// The `message-status` text inside the bubble, if any.
    pub status: Option<String>,
    /// The computed `background-color` of the bubble.
    pub background: String,
}

const BUBBLES_JS: &str = r#"
return Array.from(document.querySelectorAll('[data-testid="message-bubble"]')).map(b => {
  const body = b.querySelector('[data-testid="message-body"]');
  const status = b.querySelector('[data-testid="message-status"]');
  return {
    id: b.getAttribute('data-message-id') || '',
    mine: b.getAttribute('data-mine') || '',
    body: body ? body.textContent.trim() : '',
    status: status ? status.textContent.trim() : null,
    background: getComputedStyle(b).backgroundColor,
  };
});
"#;

/// A headless Chromium session. Close it with [`Browser::close`]; if a test
/// panics first, dropping the [`ChromeDriver`] ends it.
pub struct Browser {
    pub client: Client,
    /// The server address paths are relative to.
    pub base: String,
    pub label: String,
    sessions: Arc<Mutex<Vec<String>>>,
}

impl Browser {
    /// Ends the session (and its Chromium).
    pub async fn close(self) {
        let id = self.client.session_id().await.ok().flatten();
        let _ = tokio::time::timeout(COMMAND_TIMEOUT, self.client.close()).await;
        if let Some(id) = id {
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|s| *s != id);
        }
    }

    async fn cmd<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, CmdError>>,
    ) -> Result<T, CmdError> {
        match tokio::time::timeout(COMMAND_TIMEOUT, fut).await {
            Ok(result) => result,
            Err(_) => panic!(
                "{}: the WebDriver command `{what}` took over {COMMAND_TIMEOUT:?}",
                self.label
            ),
        }
    }

    /// Loads `path` (relative to the server) as a fresh page load.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        if let Err(e) = self.cmd("goto", self.client.goto(&url)).await {
            panic!("{}: cannot load {url}: {e}", self.label);
        }
    }

    /// The current URL's path, e.g. `/rooms/<id>`.
    pub async fn path(&self) -> String {
        match self.cmd("current_url", self.client.current_url()).await {
            Ok(url) => url.path().to_owned(),
            Err(e) => panic!("{}: cannot read the URL: {e}", self.label),
        }
    }

    /// The current URL's query, if any.
    pub async fn query(&self) -> Option<String> {
        match self.cmd("current_url", self.client.current_url()).await {
            Ok(url) => url.query().map(str::to_owned),
            Err(e) => panic!("{}: cannot read the URL: {e}", self.label),
        }
    }

    /// Runs `script` in the page (`arguments` holds `args`).
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        match self.cmd("execute", self.client.execute(script, args)).await {
            Ok(value) => value,
            Err(e) => panic!("{}: script failed: {e}\n{script}", self.label),
        }
    }

    /// Where we are and what the page says, for failure messages.
    pub async fn describe(&self) -> String {
        let url =
            match tokio::time::timeout(Duration::from_secs(5), self.client.current_url()).await {
                Ok(Ok(url)) => url.to_string(),
                _ => "<unknown>".to_owned(),
            };
        let text = match tokio::time::timeout(
            Duration::from_secs(5),
            self.client.execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            ),
        )
        .await
        {
            Ok(Ok(Value::String(text))) => text,
            _ => "<unreadable>".to_owned(),
        };
        let mut text: String = text.chars().take(3000).collect();
        if text.len() >= 3000 {
            text.push('…');
        }
        format!("{} at {url}; the page reads:\n{text}", self.label)
    }

    /// Polls `check` until it gives `Some`, or panics naming `what` after
    /// `timeout`. WebDriver errors count as "not yet" (the DOM changes under
    /// us: stale elements, elements not yet interactable).
    pub async fn wait_until<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, CmdError>>,
    {
        let deadline = Instant::now() + timeout;
        let mut last_error = None;
        loop {
            match tokio::time::timeout(COMMAND_TIMEOUT, check()).await {
                Ok(Ok(Some(value))) => return value,
                Ok(Ok(None)) => {}
                Ok(Err(e)) => last_error = Some(e.to_string()),
                Err(_) => last_error = Some(format!("a check took over {COMMAND_TIMEOUT:?}")),
            }
            if Instant::now() >= deadline {
                let error = last_error
                    .map(|e| format!(" (last WebDriver error: {e})"))
                    .unwrap_or_default();
                panic!(
                    "timed out after {timeout:?} waiting for {what}{error}\n{}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    // ---- by CSS selector ---------------------------------------------------------

    /// The first element matching `css`, once there is one.
    pub async fn wait_for_css(&self, css: &str) -> Element {
        let client = &self.client;
        self.wait_until(&format!("`{css}`"), WAIT, || async move {
            Ok(client.find_all(Locator::Css(css)).await?.into_iter().next())
        })
        .await
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone_css(&self, css: &str) {
        let client = &self.client;
        self.wait_until(&format!("`{css}` to disappear"), WAIT, || async move {
            let found = client.find_all(Locator::Css(css)).await?;
            Ok(found.is_empty().then_some(()))
        })
        .await
    }

    /// How many elements match `css` right now.
    pub async fn count_css(&self, css: &str) -> usize {
        match self
            .cmd("find_all", self.client.find_all(Locator::Css(css)))
            .await
        {
            Ok(found) => found.len(),
            Err(e) => panic!("{}: cannot look for `{css}`: {e}", self.label),
        }
    }

    /// Waits until exactly `n` elements match `css`.
    pub async fn wait_count_css(&self, css: &str, n: usize) {
        let client = &self.client;
        self.wait_until(&format!("exactly {n} of `{css}`"), WAIT, || async move {
            let found = client.find_all(Locator::Css(css)).await?;
            Ok((found.len() == n).then_some(()))
        })
        .await
    }

    /// The first element matching `css` whose text contains `text`.
    pub async fn wait_for_css_text(&self, css: &str, text: &str) -> Element {
        let client = &self.client;
        self.wait_until(
            &format!("`{css}` with text {text:?}"),
            WAIT,
            || async move {
                for element in client.find_all(Locator::Css(css)).await? {
                    if element.text().await?.contains(text) {
                        return Ok(Some(element));
                    }
                }
                Ok(None)
            },
        )
        .await
    }

    /// Clicks the first element matching `css` once it is there and
    /// clickable.
    pub async fn click_css(&self, css: &str) {
        let client = &self.client;
        self.wait_until(&format!("a click on `{css}`"), WAIT, || async move {
            let Some(element) = client.find_all(Locator::Css(css)).await?.into_iter().next() else {
                return Ok(None);
            };
            if !element.is_enabled().await? {
                return Ok(None);
            }
            element.click().await?;
            Ok(Some(()))
        })
        .await
    }

    /// Replaces the value of the input matching `css` with `text` (typed as
    /// key presses, so the app sees `input` events).
    pub async fn type_into_css(&self, css: &str, text: &str) {
        let client = &self.client;
        self.wait_until(&format!("typing into `{css}`"), WAIT, || async move {
            let Some(element) = client.find_all(Locator::Css(css)).await?.into_iter().next() else {
                return Ok(None);
            };
            element.clear().await?;
            element.send_keys(text).await?;
            Ok(Some(()))
        })
        .await
    }

    /// An attribute of the first element matching `css` (`None` if absent).
    pub async fn attr_css(&self, css: &str, name: &str) -> Option<String> {
        let element = self.wait_for_css(css).await;
        match self.cmd("attr", element.attr(name)).await {
            Ok(value) => value,
            Err(e) => panic!("{}: cannot read {name} of `{css}`: {e}", self.label),
        }
    }

    // ---- by test id ---------------------------------------------------------------

    /// The first `data-testid=<testid>` element, once there is one.
    pub async fn wait_for(&self, testid: &str) -> Element {
        self.wait_for_css(&tid(testid)).await
    }

    /// Waits until no `data-testid=<testid>` element is left.
    pub async fn wait_gone(&self, testid: &str) {
        self.wait_gone_css(&tid(testid)).await
    }

    /// The first `testid` element whose text contains `text`.
    pub async fn wait_for_text(&self, testid: &str, text: &str) -> Element {
        self.wait_for_css_text(&tid(testid), text).await
    }

    /// Clicks the first `testid` element.
    pub async fn click(&self, testid: &str) {
        self.click_css(&tid(testid)).await
    }

    /// Replaces the value of the `testid` input with `text`.
    pub async fn type_into(&self, testid: &str, text: &str) {
        self.type_into_css(&tid(testid), text).await
    }

    /// How many `testid` elements the page shows right now.
    pub async fn count(&self, testid: &str) -> usize {
        self.count_css(&tid(testid)).await
    }

    /// An attribute of the first `testid` element.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.attr_css(&tid(testid), name).await
    }

    /// The trimmed text of the first `testid` element.
    pub async fn text(&self, testid: &str) -> String {
        let element = self.wait_for(testid).await;
        match self.cmd("text", element.text()).await {
            Ok(text) => text.trim().to_owned(),
            Err(e) => panic!("{}: cannot read the text of {testid}: {e}", self.label),
        }
    }

    /// Waits until the URL path satisfies `ok`; returns it.
    pub async fn wait_for_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let client = &self.client;
        let ok = &ok;
        self.wait_until(&format!("the URL path to be {what}"), WAIT, || async move {
            let url = client.current_url().await?;
            Ok(ok(url.path()).then(|| url.path().to_owned()))
        })
        .await
    }

    /// Types `text` into the composer and presses Enter.
    pub async fn send_with_enter(&self, text: &str) {
        self.type_into("composer-input", &format!("{text}{}", Key::Enter))
            .await
    }

    // ---- messages ----------------------------------------------------------------

    /// Every message bubble on the page, top to bottom.
    pub async fn bubbles(&self) -> Vec<Bubble> {
        self.try_bubbles()
            .await
            .unwrap_or_else(|e| panic!("{}: cannot read the messages: {e}", self.label))
    }

    /// [`Browser::bubbles`], with WebDriver errors returned.
    pub async fn try_bubbles(&self) -> Result<Vec<Bubble>, CmdError> {
        let value = self.client.execute(BUBBLES_JS, vec![]).await?;
        let items = value.as_array().cloned().unwrap_or_default();
        Ok(items
            .into_iter()
            .map(|b| {
                let s = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
                Bubble {
                    id: s("id"),
                    mine: b["mine"] == json!("true"),
                    mine_attr: s("mine"),
                    body: s("body"),
                    status: b["status"].as_str().map(str::to_owned),
                    background: s("background"),
                }
            })
            .collect())
    }

    /// Waits until a bubble with exactly `body` that satisfies `ok` is
    /// shown; returns it.
    pub async fn wait_for_bubble(
        &self,
        what: &str,
        body: &str,
        ok: impl Fn(&Bubble) -> bool,
    ) -> Bubble {
        self.wait_for_bubble_within(what, body, WAIT, ok).await
    }

    /// [`Browser::wait_for_bubble`] with its own timeout.
    pub async fn wait_for_bubble_within(
        &self,
        what: &str,
        body: &str,
        timeout: Duration,
        ok: impl Fn(&Bubble) -> bool,
    ) -> Bubble {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match tokio::time::timeout(COMMAND_TIMEOUT, self.try_bubbles()).await {
                Ok(Ok(bubbles)) => {
                    if let Some(found) = bubbles.iter().find(|b| b.body == body && ok(b)) {
                        return found.clone();
                    }
                    Ok(bubbles)
                }
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("reading the bubbles took over {COMMAND_TIMEOUT:?}")),
            };
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for the message {body:?} {what}; \
                     the bubbles: {last:#?}\n{}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `connection-status` reads one of `states`; returns it.
    pub async fn wait_connection(&self, states: &[&str], timeout: Duration) -> String {
        let client = &self.client;
        let css = tid("connection-status");
        let css = &css;
        self.wait_until(
            &format!("connection-status to be one of {states:?}"),
            timeout,
            || async move {
                let Some(element) = client.find_all(Locator::Css(css)).await?.into_iter().next()
                else {
                    return Ok(None);
                };
                let text = element.text().await?.trim().to_owned();
                Ok(states.contains(&text.as_str()).then_some(text))
            },
        )
        .await
    }
}

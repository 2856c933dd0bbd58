//! One browser session: navigation, waits that name what they awaited,
//! and the app's test hooks.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::*;

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

/// Runs axe-core (already injected) and answers its serious and critical
/// violations as lines of text.
const AXE_RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(r => done(r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help}: `
      + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' [' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160) + ']').join(' | '))))
  .catch(e => done(['axe failed: ' + e]));
"#;

/// A headless Chromium session. Close it with [`Browser::close`]; if a test
/// panics first, dropping the [`ChromeDriver`] ends it.
pub struct Browser {
    pub client: Client,
    /// ChromeDriver's address, for its commands beyond WebDriver's.
    pub(super) driver: String,
    /// The server address paths are relative to.
    pub base: String,
    pub label: String,
    pub(super) sessions: Arc<Mutex<Vec<String>>>,
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

    /// Takes the browser's network away (it tells the page `offline`, and
    /// nothing new connects), or gives it back.
    pub async fn set_offline(&self, offline: bool) {
        let conditions = offline.then_some(json!({
            "offline": true,
            "latency": 0,
            "download_throughput": -1,
            "upload_throughput": -1,
        }));
        self.network_conditions(conditions).await;
    }

    /// A slow line: `latency_ms` each way and `bytes_per_sec` down (a
    /// tenth of that up), as a phone on a poor connection has.
    pub async fn throttle(&self, latency_ms: u64, bytes_per_sec: u64) {
        self.network_conditions(Some(json!({
            "offline": false,
            "latency": latency_ms,
            "download_throughput": bytes_per_sec,
            "upload_throughput": bytes_per_sec / 10,
        })))
        .await;
    }

    /// Sets ChromeDriver's network conditions, or with `None` lifts them.
    async fn network_conditions(&self, conditions: Option<Value>) {
        let id = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{}: no WebDriver session", self.label));
        let url = format!("{}/session/{id}/chromium/network_conditions", self.driver);
        let http = reqwest::Client::new();
        let request = match conditions {
            Some(conditions) => http
                .post(&url)
                .json(&json!({ "network_conditions": conditions })),
            None => http.delete(&url),
        };
        let response = tokio::time::timeout(COMMAND_TIMEOUT, request.send())
            .await
            .unwrap_or_else(|_| panic!("{}: ChromeDriver did not answer", self.label))
            .unwrap_or_else(|e| panic!("{}: cannot set the network conditions: {e}", self.label));
        assert!(
            response.status().is_success(),
            "{}: ChromeDriver refused the network conditions: {}",
            self.label,
            response.text().await.unwrap_or_default()
        );
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

    /// Clicks `css` until `until` shows: a list redrawn under the click (a
    /// debounced search answering late) swallows it, so the click is made
    /// again if nothing came of it within a few seconds.
    pub async fn click_css_until(&self, css: &str, until: &str) {
        let client = &self.client;
        let last_click = Mutex::new(None::<Instant>);
        let last_click = &last_click;
        self.wait_until(
            &format!("`{until}` after a click on `{css}`"),
            WAIT,
            || async move {
                if !client.find_all(Locator::Css(until)).await?.is_empty() {
                    return Ok(Some(()));
                }
                let due = last_click
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .is_none_or(|at| at.elapsed() > Duration::from_secs(3));
                if due
                    && let Some(element) =
                        client.find_all(Locator::Css(css)).await?.into_iter().next()
                    && element.is_enabled().await?
                {
                    element.click().await?;
                    *last_click
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
                }
                Ok(None)
            },
        )
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

    /// Moves the mouse over the first element matching `css`: what shows
    /// only on hover (a message's actions) can then be clicked.
    pub async fn hover_css(&self, css: &str) {
        let client = &self.client;
        self.wait_until(&format!("hovering over `{css}`"), WAIT, || async move {
            let Some(element) = client.find_all(Locator::Css(css)).await?.into_iter().next() else {
                return Ok(None);
            };
            let over = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            });
            client.perform_actions(over).await?;
            Ok(Some(()))
        })
        .await
    }

    /// An attribute of the first element matching `css` (`None` if absent).
    /// An element redrawn between finding and reading is found again.
    pub async fn attr_css(&self, css: &str, name: &str) -> Option<String> {
        let client = &self.client;
        self.wait_until(&format!("{name} of `{css}`"), WAIT, || async move {
            match client.find_all(Locator::Css(css)).await?.into_iter().next() {
                Some(element) => Ok(Some(element.attr(name).await?)),
                None => Ok(None),
            }
        })
        .await
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

    // ---- accessibility ------------------------------------------------------------

    /// What axe-core finds serious or critical on the page as it is now
    /// (its default rules: WCAG 2.x A and AA and best practices), one line
    /// per rule with the first elements it names; empty when nothing is.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        self.client
            .execute(&super::axe_script(), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{}: axe-core would not load: {e}", self.label));
        let found = self
            .client
            .execute_async(AXE_RUN_JS, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{}: axe-core did not run: {e}", self.label));
        let lines: Vec<String> = found
            .as_array()
            .unwrap_or_else(|| panic!("{}: axe-core answered {found}", self.label))
            .iter()
            .map(|line| line.as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(
            !lines.iter().any(|l| l.starts_with("axe failed")),
            "{}: {lines:?}",
            self.label
        );
        lines
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

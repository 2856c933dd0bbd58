//! A WebSocket client for `GET /api/v1/ws`, for the end-to-end tests.
//!
//! Frames are read only when a test asks for them (no background reader), so
//! a test can also play a client that stops reading. Every wait has an
//! explicit timeout and panics with the connection's name and its last frames
//! when nothing comes. Server pings are answered by tungstenite while reading.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::client::{ApiClient, TestUser};

/// How long to wait for an event that must come (generous: slow machines).
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to listen when asserting that something does *not* come.
pub const SILENCE: Duration = Duration::from_millis(400);
/// Upper bound for the TCP connect plus the upgrade handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How many recent frames a failure message shows.
const RECENT: usize = 12;

/// One thing read from the socket.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A text frame, parsed as JSON.
    Event(Value),
    /// A Close frame and its code (`None`: a Close frame without a code).
    Close(Option<u16>),
    /// The stream ended without a Close frame (reset, EOF...).
    Ended(String),
}

/// One WebSocket connection to a test server.
pub struct WsClient {
    ws: WebSocketStream<TcpStream>,
    /// Names the connection in failure messages, e.g. `alice#1`.
    pub label: String,
    recent: VecDeque<String>,
}

/// `ws://127.0.0.1:<port>/api/v1/ws` for a server at `http://127.0.0.1:<port>`.
pub fn ws_url(api: &ApiClient) -> String {
    let host = api
        .address
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("expected an http:// address, got {}", api.address));
    format!("ws://{host}/api/v1/ws")
}

impl WsClient {
    /// Opens a connection without authenticating.
    pub async fn connect(api: &ApiClient) -> Self {
        Self::open_with(api, None, None, "anonymous").await
    }

    /// Opens a connection with `Authorization: Bearer <token>` on the upgrade
    /// request; the server then answers with `ready` unprompted.
    pub async fn connect_with_header(api: &ApiClient, token: &str) -> Self {
        Self::open_with(api, Some(token), None, "header").await
    }

    /// Connects, sends `{"type":"auth","token":...}` and waits for `ready`.
    /// Returns the connection and the `ready` frame.
    pub async fn connect_and_auth(api: &ApiClient, user: &TestUser) -> (Self, Value) {
        let mut ws = Self::open_with(api, None, None, &user.username).await;
        ws.auth(&user.access_token).await;
        let ready = ws.next_event(EVENT_TIMEOUT).await;
        assert_eq!(
            ready["type"], "ready",
            "{}: the answer to a valid auth frame must be `ready`, got {ready}",
            ws.label
        );
        (ws, ready)
    }

    /// [`connect_and_auth`](Self::connect_and_auth) when the `ready` frame
    /// does not matter.
    pub async fn open(api: &ApiClient, user: &TestUser) -> Self {
        Self::connect_and_auth(api, user).await.0
    }

    /// An authenticated connection whose TCP receive buffer is tiny, so that a
    /// test that stops reading it makes the server's side back up quickly.
    pub async fn connect_slow_reader(api: &ApiClient, user: &TestUser) -> Self {
        let mut ws = Self::open_with(api, None, Some(4096), &user.username).await;
        ws.label = format!("{}(slow)", user.username);
        ws.auth(&user.access_token).await;
        ws.next_of_type("ready", EVENT_TIMEOUT).await;
        ws
    }

    async fn open_with(
        api: &ApiClient,
        bearer: Option<&str>,
        recv_buffer: Option<u32>,
        label: &str,
    ) -> Self {
        let url = ws_url(api);
        let mut request = url
            .as_str()
            .into_client_request()
            .unwrap_or_else(|e| panic!("bad WebSocket URL {url}: {e}"));
        if let Some(token) = bearer {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .unwrap_or_else(|e| panic!("a token must fit in a header: {e}"));
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        let host = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let connect = async {
            let addr = tokio::net::lookup_host(&host)
                .await
                .unwrap_or_else(|e| panic!("cannot resolve {host}: {e}"))
                .next()
                .unwrap_or_else(|| panic!("{host} resolves to nothing"));
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }
            .expect("create a TCP socket");
            if let Some(size) = recv_buffer {
                socket
                    .set_recv_buffer_size(size)
                    .expect("set the receive buffer size");
            }
            let stream = socket
                .connect(addr)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
            // The server may send frames up to 16 MiB; the defaults allow that.
            let config = WebSocketConfig::default();
            tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                .await
                .unwrap_or_else(|e| panic!("the WebSocket upgrade at {url} failed: {e}"))
                .0
        };
        let ws = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .unwrap_or_else(|_| panic!("connecting to {url} took over {CONNECT_TIMEOUT:?}"));
        Self {
            ws,
            label: label.to_owned(),
            recent: VecDeque::new(),
        }
    }

    /// Renames the connection for failure messages.
    pub fn named(mut self, label: &str) -> Self {
        self.label = label.to_owned();
        self
    }

    // ---- sending ---------------------------------------------------------------

    /// Sends one JSON object as a text frame.
    pub async fn send_json(&mut self, frame: &Value) {
        self.send_text(frame.to_string()).await;
    }

    /// Sends exactly this text as one text frame.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        let label = self.label.clone();
        tokio::time::timeout(EVENT_TIMEOUT, self.ws.send(Message::text(text)))
            .await
            .unwrap_or_else(|_| panic!("{label}: sending a frame took over {EVENT_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("{label}: sending a frame failed: {e}"));
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        let label = self.label.clone();
        tokio::time::timeout(EVENT_TIMEOUT, self.ws.send(Message::binary(bytes)))
            .await
            .unwrap_or_else(|_| panic!("{label}: sending a frame took over {EVENT_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("{label}: sending a frame failed: {e}"));
    }

    /// `{"type":"auth","token":...}`
    pub async fn auth(&mut self, token: &str) {
        self.send_json(&json!({ "type": "auth", "token": token }))
            .await;
    }

    /// `{"type":"send",...}` with a `client_id`.
    pub async fn send_message(&mut self, room_id: &str, body: &str, client_id: &str) {
        self.send_json(&send_frame(room_id, body, client_id)).await;
    }

    /// `{"type":"typing","room_id":...}`
    pub async fn typing(&mut self, room_id: &str) {
        self.send_json(&json!({ "type": "typing", "room_id": room_id }))
            .await;
    }

    /// `{"type":"read","room_id":...,"message_id":...}`
    pub async fn read(&mut self, room_id: &str, message_id: &str) {
        self.send_json(&json!({ "type": "read", "room_id": room_id, "message_id": message_id }))
            .await;
    }

    /// Sends `ping` and waits for `pong` (other events in between are dropped).
    pub async fn ping(&mut self) {
        self.send_json(&json!({ "type": "ping" })).await;
        self.next_of_type("pong", EVENT_TIMEOUT).await;
    }

    // ---- receiving ---------------------------------------------------------------

    /// The next text frame, Close frame or end of stream; `None` once
    /// `deadline` passed. Ping and pong frames are not reported.
    pub async fn next_incoming_until(&mut self, deadline: Instant) -> Option<Incoming> {
        loop {
            let read = match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return None,
                Ok(read) => read,
            };
            let incoming = match read {
                None => Incoming::Ended("the stream ended".into()),
                Some(Err(e)) => Incoming::Ended(e.to_string()),
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str();
                    match serde_json::from_str::<Value>(text) {
                        Ok(value) if value.is_object() => Incoming::Event(value),
                        _ => panic!(
                            "{}: every text frame must be one JSON object, got {text:?}",
                            self.label
                        ),
                    }
                }
                Some(Ok(Message::Binary(bytes))) => panic!(
                    "{}: the server sent a binary frame ({} bytes); frames are JSON text",
                    self.label,
                    bytes.len()
                ),
                Some(Ok(Message::Close(frame))) => {
                    Incoming::Close(frame.map(|frame| u16::from(frame.code)))
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            };
            self.remember(&incoming);
            return Some(incoming);
        }
    }

    /// The next frame of any kind; panics after `timeout`.
    pub async fn next_incoming(&mut self, timeout: Duration) -> Incoming {
        match self.next_incoming_until(Instant::now() + timeout).await {
            Some(incoming) => incoming,
            None => panic!(
                "{}: nothing arrived within {timeout:?}; {}",
                self.label,
                self.recent_frames()
            ),
        }
    }

    /// The next event, whatever its type (nothing is skipped). Panics after
    /// `timeout`, or when the connection closes instead.
    pub async fn next_event(&mut self, timeout: Duration) -> Value {
        match self.next_incoming(timeout).await {
            Incoming::Event(event) => event,
            other => panic!(
                "{}: expected an event, but the connection ended: {other:?}; {}",
                self.label,
                self.recent_frames()
            ),
        }
    }

    /// The next event of type `kind`; events of other types are skipped.
    /// Panics after `timeout` (for the whole wait) or when the connection ends.
    pub async fn next_of_type(&mut self, kind: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            match self.next_incoming_until(deadline).await {
                Some(Incoming::Event(event)) if event["type"] == kind => return event,
                Some(Incoming::Event(_)) => {}
                Some(other) => panic!(
                    "{}: waiting for `{kind}`, the connection ended: {other:?}; {}",
                    self.label,
                    self.recent_frames()
                ),
                None => panic!(
                    "{}: no `{kind}` event within {timeout:?}; {}",
                    self.label,
                    self.recent_frames()
                ),
            }
        }
    }

    /// The next `count` events whose type is one of `kinds`, in arrival
    /// order; other events are skipped. `timeout` bounds the whole wait.
    pub async fn collect(&mut self, kinds: &[&str], count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            match self.next_incoming_until(deadline).await {
                Some(Incoming::Event(event)) => {
                    if kinds.iter().any(|kind| event["type"] == *kind) {
                        out.push(event);
                    }
                }
                Some(other) => panic!(
                    "{}: after {} of {count} {kinds:?} events, the connection ended: {other:?}; {}",
                    self.label,
                    out.len(),
                    self.recent_frames()
                ),
                None => panic!(
                    "{}: only {} of {count} {kinds:?} events arrived within {timeout:?}; {}",
                    self.label,
                    out.len(),
                    self.recent_frames()
                ),
            }
        }
        out
    }

    /// Listens for `duration` and asserts that no event whose type is one of
    /// `kinds` (any event, when `kinds` is empty) arrives, and that the
    /// connection stays open. Other events are dropped.
    pub async fn expect_silence(&mut self, kinds: &[&str], duration: Duration) {
        let deadline = Instant::now() + duration;
        while let Some(incoming) = self.next_incoming_until(deadline).await {
            match incoming {
                Incoming::Event(event) => {
                    let unwanted =
                        kinds.is_empty() || kinds.iter().any(|kind| event["type"] == *kind);
                    assert!(
                        !unwanted,
                        "{}: expected no {kinds:?} event, got {event}",
                        self.label
                    );
                }
                other => panic!(
                    "{}: expected the connection to stay open and quiet, got {other:?}; {}",
                    self.label,
                    self.recent_frames()
                ),
            }
        }
    }

    /// Waits for the server to close the connection and returns the Close
    /// frame's code; text frames before it are skipped. `None` when the
    /// stream ended without a Close frame (or with one that carries no code).
    pub async fn close_code(&mut self, timeout: Duration) -> Option<u16> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.next_incoming_until(deadline).await {
                Some(Incoming::Event(_)) => {}
                Some(Incoming::Close(code)) => return code,
                Some(Incoming::Ended(_)) => return None,
                None => panic!(
                    "{}: the server did not close the connection within {timeout:?}; {}",
                    self.label,
                    self.recent_frames()
                ),
            }
        }
    }

    /// Closes the connection from the client side (1000) and waits briefly
    /// for the server to finish the closing handshake.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(EVENT_TIMEOUT, self.ws.close(None)).await;
        let deadline = Instant::now() + EVENT_TIMEOUT;
        while let Ok(Some(Ok(_))) = tokio::time::timeout_at(deadline, self.ws.next()).await {}
    }

    /// Sends a Ping control frame (not the JSON `ping`); used to check that a
    /// connection is still writable.
    pub async fn send_control_ping(&mut self) -> bool {
        self.ws.send(Message::Ping(Bytes::new())).await.is_ok()
    }

    fn remember(&mut self, incoming: &Incoming) {
        let text = match incoming {
            Incoming::Event(event) => {
                let text = event.to_string();
                if text.chars().count() > 300 {
                    let short: String = text.chars().take(300).collect();
                    format!("{short}...")
                } else {
                    text
                }
            }
            other => format!("{other:?}"),
        };
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(text);
    }

    /// The last frames received, for failure messages.
    pub fn recent_frames(&self) -> String {
        if self.recent.is_empty() {
            return "no frames were received before".into();
        }
        let list: Vec<&str> = self.recent.iter().map(String::as_str).collect();
        format!("last frames received:\n  {}", list.join("\n  "))
    }
}

/// A `send` frame.
pub fn send_frame(room_id: &str, body: &str, client_id: &str) -> Value {
    json!({ "type": "send", "room_id": room_id, "body": body, "client_id": client_id })
}

/// The `type` of an event (`""` when absent).
pub fn event_type(event: &Value) -> &str {
    event["type"].as_str().unwrap_or_default()
}

/// Asserts an `error` event with this `code`.
#[track_caller]
pub fn assert_ws_error(event: &Value, code: &str) {
    assert_eq!(
        event["type"], "error",
        "expected an error event, got {event}"
    );
    assert_eq!(
        event["code"], code,
        "expected error code {code:?}, got {event}"
    );
    assert!(
        event["message"]
            .as_str()
            .is_some_and(|m| !m.trim().is_empty()),
        "an error event needs a message: {event}"
    );
}

/// The value of one metric in `GET /metrics` (the sum over its label sets);
/// `None` when the metric is not listed.
pub async fn metric(api: &ApiClient, name: &str) -> Option<f64> {
    let resp = api.get("/metrics", None).await;
    assert_eq!(resp.status, 200, "GET /metrics: {}", resp.describe());
    let mut found = None;
    for line in resp.text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with(' ') || rest.starts_with('{')) {
            continue;
        }
        if let Some(value) = rest
            .rsplit(' ')
            .next()
            .and_then(|v| v.trim().parse::<f64>().ok())
        {
            *found.get_or_insert(0.0) += value;
        }
    }
    found
}

/// Repeats `GET path` as `user` until `check` holds on a 200 answer, for up
/// to [`EVENT_TIMEOUT`]; returns that answer's body.
pub async fn eventually_get(
    api: &ApiClient,
    path: &str,
    user: &TestUser,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        let resp = api.get(path, user.auth()).await;
        if resp.status == 200 && check(&resp.body) {
            return resp.body;
        }
        assert!(
            Instant::now() < deadline,
            "GET {path} never satisfied the check within {EVENT_TIMEOUT:?}; last answer: {}",
            resp.describe()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

//! The live connection: one WebSocket at a time, authenticated by its first
//! frame, watched by a heartbeat, and reopened with exponential backoff plus
//! jitter when it drops. Frames to send go through an unbounded channel that
//! only lives as long as one connection; what must survive a reconnect (the
//! outbox of unacknowledged sends) lives in the chat state and is re-sent
//! when the next `ready` arrives (see `chat.rs`).
//!
//! A connection can die without a close: the network goes, a proxy drops
//! the route, a laptop sleeps. TCP would notice only after minutes, so the
//! client asks: after a few quiet seconds (or at once when the user sends
//! something into a quiet connection) it pings, and a connection that does
//! not answer within [`PONG_DEADLINE_MS`] is taken for dead. When the
//! browser itself says it went offline, the connection is given up at once.

use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::{Message as WsMessage, WebSocketError, futures::WebSocket};
use leptos::prelude::*;
use protocol::{ClientFrame, ServerEvent};

use crate::session;
use crate::timer::sleep;

/// How often the heartbeat looks at the connection.
const HEARTBEAT_EVERY_MS: u64 = 1_000;
/// Ping a connection that has been quiet this long.
const PING_WHEN_QUIET_MS: f64 = 5_000.0;
/// Something sent and nothing heard since for this long: ping at once, so
/// that a dead connection is found while the user waits for their message.
const PROBE_AFTER_SEND_MS: f64 = 1_000.0;
/// A ping unanswered this long means the connection is dead.
const PONG_DEADLINE_MS: f64 = 3_000.0;
/// An attempt to connect that brings no `ready` in this long is given up.
const CONNECT_DEADLINE_MS: f64 = 10_000.0;
/// Closing a connection waits at most this long for the close handshake
/// (a dead one never answers it).
const CLOSE_WAIT_MS: u32 = 1_000;
const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnStatus {
    Connecting,
    Online,
    Offline,
}

impl ConnStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Online => "online",
            Self::Offline => "offline",
        }
    }
}

pub enum Cmd {
    Frame(ClientFrame),
    /// Close this connection (sign out, or it looks dead); the loop decides
    /// whether to reopen.
    Close,
}

/// The current connection's outgoing channel, if any.
#[derive(Clone, Copy)]
pub struct Socket {
    pub status: RwSignal<ConnStatus>,
    /// While offline: when the next attempt is due (ms since the epoch).
    pub retry_at_ms: RwSignal<Option<f64>>,
    /// Cuts the wait before the next attempt short ("retry now").
    retry_now: StoredValue<Option<futures::channel::oneshot::Sender<()>>>,
    /// The browser says there is no network (its `offline` event).
    pub network_down: RwSignal<bool>,
    tx: StoredValue<Option<UnboundedSender<Cmd>>>,
    /// When the server was last heard from.
    last_seen_ms: StoredValue<f64>,
    /// When the unanswered ping went, if one is out.
    ping_sent_ms: StoredValue<Option<f64>>,
    /// When the first frame since the server was last heard from went.
    last_sent_ms: StoredValue<f64>,
    /// When the current attempt to connect began.
    connecting_since_ms: StoredValue<f64>,
    started: StoredValue<bool>,
}

impl Socket {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(ConnStatus::Connecting),
            retry_at_ms: RwSignal::new(None),
            retry_now: StoredValue::new(None),
            network_down: RwSignal::new(false),
            tx: StoredValue::new(None),
            last_seen_ms: StoredValue::new(0.0),
            ping_sent_ms: StoredValue::new(None),
            last_sent_ms: StoredValue::new(0.0),
            connecting_since_ms: StoredValue::new(0.0),
            started: StoredValue::new(false),
        }
    }

    /// Sends a frame if a connection is open; `false` when offline.
    pub fn send(&self, frame: ClientFrame) -> bool {
        let sent = self.push(frame);
        if sent && self.last_sent_ms.get_value() <= self.last_seen_ms.get_value() {
            // The first frame since the server was last heard from: if
            // nothing comes back soon, the heartbeat asks (see the module doc).
            self.last_sent_ms.set_value(session::now_ms());
        }
        sent
    }

    fn push(&self, frame: ClientFrame) -> bool {
        if self.status.get_untracked() != ConnStatus::Online {
            return false;
        }
        self.tx.with_value(|tx| {
            tx.as_ref()
                .is_some_and(|tx| tx.unbounded_send(Cmd::Frame(frame)).is_ok())
        })
    }

    fn ping(&self) {
        if self.push(ClientFrame::Ping) {
            self.ping_sent_ms.set_value(Some(session::now_ms()));
        }
    }

    /// The server was heard from: the connection is alive.
    fn heard(&self) {
        self.last_seen_ms.set_value(session::now_ms());
        self.ping_sent_ms.set_value(None);
    }

    /// Looks at the connection once: pings a quiet one, gives up on one
    /// whose ping went unanswered.
    fn heartbeat(&self) {
        let now = session::now_ms();
        match self.status.get_untracked() {
            ConnStatus::Online => {}
            // An attempt that never gets its `ready` (the network swallows
            // it) is given up too.
            ConnStatus::Connecting => {
                if now - self.connecting_since_ms.get_value() > CONNECT_DEADLINE_MS {
                    self.close();
                }
                return;
            }
            ConnStatus::Offline => return,
        }
        let last_seen = self.last_seen_ms.get_value();
        let unanswered_send = self.last_sent_ms.get_value() > last_seen
            && now - self.last_sent_ms.get_value() > PROBE_AFTER_SEND_MS;
        match self.ping_sent_ms.get_value() {
            Some(sent) if now - sent > PONG_DEADLINE_MS => self.give_up(),
            Some(_) => {}
            None if unanswered_send || now - last_seen > PING_WHEN_QUIET_MS => self.ping(),
            None => {}
        }
    }

    /// The connection is dead or the network is gone: say so at once, and
    /// close it (the loop reconnects).
    fn give_up(&self) {
        self.status.set(ConnStatus::Offline);
        self.close();
    }

    /// Drops the current connection (the loop reconnects if still signed in).
    pub fn close(&self) {
        self.tx.with_value(|tx| {
            if let Some(tx) = tx {
                let _ = tx.unbounded_send(Cmd::Close);
            }
        });
    }

    /// Tries to connect at once instead of at the end of the wait.
    pub fn retry_now(&self) {
        if let Some(tx) = self.retry_now.try_update_value(Option::take).flatten() {
            let _ = tx.send(());
        }
    }

    /// Waits `ms` before the next attempt, or less if asked to retry now.
    async fn wait_to_retry(&self, ms: u32) {
        let (tx, rx) = futures::channel::oneshot::channel();
        self.retry_now.set_value(Some(tx));
        self.retry_at_ms
            .set(Some(session::now_ms() + f64::from(ms)));
        let _ = select(Box::pin(sleep(ms)), rx).await;
        self.retry_now.set_value(None);
        self.retry_at_ms.set(None);
    }

    /// Starts the connection loop, the heartbeat and the watch on the
    /// browser's network state, once. Every event the server sends goes to
    /// `on_event`: the transport knows nothing of what the events mean.
    pub fn start(&self, on_event: impl Fn(ServerEvent) + 'static) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        let socket = *self;
        leptos::task::spawn_local(run(socket, Box::new(on_event)));
        let heartbeat = set_interval_with_handle(
            move || socket.heartbeat(),
            std::time::Duration::from_millis(HEARTBEAT_EVERY_MS),
        );
        std::mem::forget(heartbeat);
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            socket.network_down.set(true);
            if socket.status.get_untracked() != ConnStatus::Offline {
                socket.give_up();
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| {
            socket.network_down.set(false);
            socket.retry_now();
        });
        std::mem::forget((offline, online));
        self.network_down.set(!browser_online());
    }
}

/// What the browser believes of its network (`false` is reliable, `true`
/// only means some network is there).
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn ws_url() -> String {
    let loc = web_sys::window().map(|w| w.location());
    let proto = loc
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .unwrap_or_default();
    let host = loc.and_then(|l| l.host().ok()).unwrap_or_default();
    let scheme = if proto == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}{}/ws", crate::http::BASE)
}

/// Delay before reconnect attempt `attempt` (1, 2, …): doubling from 0.5 s up
/// to 30 s, then scaled by a random factor in [0.5, 1) so that many clients
/// dropped together do not come back in lockstep.
fn backoff_ms(attempt: u32) -> u32 {
    let exp = BACKOFF_BASE_MS * 2f64.powi(attempt.min(10) as i32 - 1);
    let capped = exp.min(BACKOFF_MAX_MS);
    (capped * (0.5 + js_sys::Math::random() * 0.5)) as u32
}

async fn run(socket: Socket, on_event: Box<dyn Fn(ServerEvent)>) {
    let mut attempt: u32 = 0;
    loop {
        let s = session::current();
        let Some(token) = s.access_token() else {
            socket.status.set(ConnStatus::Offline);
            sleep(300).await;
            continue;
        };
        let expired = s
            .tokens
            .with_untracked(|t| t.as_ref().map(|t| t.expires_at_ms))
            .is_some_and(|exp| exp <= session::now_ms() + 5_000.0);
        if expired {
            let _ = crate::auth::refresh_session().await;
            if s.access_token().is_none() {
                continue;
            }
        }
        let token = s.access_token().unwrap_or(token);
        if socket.network_down.get_untracked() {
            // No network: an attempt would only fail. Wait for the browser
            // to say it is back (`online` cuts the wait short).
            socket.status.set(ConnStatus::Offline);
            socket.wait_to_retry(BACKOFF_MAX_MS as u32).await;
            socket.network_down.set(!browser_online());
            continue;
        }
        socket.status.set(ConnStatus::Connecting);
        socket.connecting_since_ms.set_value(session::now_ms());
        let mut unauthorized = false;
        if let Ok(ws) = WebSocket::open(&ws_url()) {
            let (mut sink, mut stream) = ws.split();
            let (tx, mut rx) = unbounded::<Cmd>();
            let auth = serde_json::to_string(&ClientFrame::Auth { token }).unwrap_or_default();
            if sink.send(WsMessage::Text(auth)).await.is_ok() {
                socket.tx.set_value(Some(tx));
                loop {
                    let next = select(stream.next(), rx.next()).await;
                    match next {
                        Either::Left((incoming, _)) => match incoming {
                            Some(Ok(WsMessage::Text(text))) => {
                                socket.heard();
                                match serde_json::from_str::<ServerEvent>(&text) {
                                    Ok(event @ ServerEvent::Ready { .. }) => {
                                        attempt = 0;
                                        socket.status.set(ConnStatus::Online);
                                        on_event(event);
                                    }
                                    Ok(event) => on_event(event),
                                    Err(_) => {}
                                }
                            }
                            Some(Ok(WsMessage::Bytes(_))) => {}
                            Some(Err(WebSocketError::ConnectionClose(e))) => {
                                unauthorized = e.code == 4401;
                                break;
                            }
                            Some(Err(_)) | None => break,
                        },
                        Either::Right((cmd, _)) => match cmd {
                            Some(Cmd::Frame(frame)) => {
                                let Ok(text) = serde_json::to_string(&frame) else {
                                    continue;
                                };
                                if sink.send(WsMessage::Text(text)).await.is_err() {
                                    break;
                                }
                            }
                            Some(Cmd::Close) | None => {
                                // A dead connection never completes the
                                // close handshake: do not wait for it.
                                let _ = select(sink.close(), Box::pin(sleep(CLOSE_WAIT_MS))).await;
                                break;
                            }
                        },
                    }
                }
            }
            socket.tx.set_value(None);
            socket.ping_sent_ms.set_value(None);
        }
        socket.status.set(ConnStatus::Offline);
        if unauthorized {
            // The token was refused: refresh it (or sign out) before retrying.
            let _ = crate::auth::refresh_session().await;
        }
        if s.access_token().is_none() {
            continue;
        }
        attempt = attempt.saturating_add(1);
        socket.wait_to_retry(backoff_ms(attempt)).await;
    }
}

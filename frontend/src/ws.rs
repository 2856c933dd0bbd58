//! The live connection: one WebSocket at a time, authenticated by its first
//! frame, kept alive with pings, and reopened with exponential backoff plus
//! jitter when it drops. Frames to send go through an unbounded channel that
//! only lives as long as one connection; what must survive a reconnect (the
//! outbox of unacknowledged sends) lives in the chat state and is re-sent
//! when the next `ready` arrives (see `chat.rs`).

use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::{Message as WsMessage, WebSocketError, futures::WebSocket};
use leptos::prelude::*;
use protocol::{ClientFrame, ServerEvent};

use crate::session;
use crate::timer::sleep;

/// Ping this often; a connection silent for [`DEAD_AFTER_MS`] is reopened.
const PING_EVERY_MS: u32 = 20_000;
const DEAD_AFTER_MS: f64 = 50_000.0;
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
    tx: StoredValue<Option<UnboundedSender<Cmd>>>,
    last_seen_ms: StoredValue<f64>,
    started: StoredValue<bool>,
}

impl Socket {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(ConnStatus::Connecting),
            retry_at_ms: RwSignal::new(None),
            retry_now: StoredValue::new(None),
            tx: StoredValue::new(None),
            last_seen_ms: StoredValue::new(0.0),
            started: StoredValue::new(false),
        }
    }

    /// Sends a frame if a connection is open; `false` when offline.
    pub fn send(&self, frame: ClientFrame) -> bool {
        if self.status.get_untracked() != ConnStatus::Online {
            return false;
        }
        self.tx.with_value(|tx| {
            tx.as_ref()
                .is_some_and(|tx| tx.unbounded_send(Cmd::Frame(frame)).is_ok())
        })
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

    /// Starts the connection loop and the keepalive timer, once. Every
    /// event the server sends goes to `on_event`: the transport knows
    /// nothing of what the events mean.
    pub fn start(&self, on_event: impl Fn(ServerEvent) + 'static) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        let socket = *self;
        leptos::task::spawn_local(run(socket, Box::new(on_event)));
        let keepalive = set_interval_with_handle(
            move || {
                if socket.status.get_untracked() != ConnStatus::Online {
                    return;
                }
                if session::now_ms() - socket.last_seen_ms.get_value() > DEAD_AFTER_MS {
                    socket.close();
                } else {
                    socket.send(ClientFrame::Ping);
                }
            },
            std::time::Duration::from_millis(PING_EVERY_MS as u64),
        );
        std::mem::forget(keepalive);
    }
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
        socket.status.set(ConnStatus::Connecting);
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
                                socket.last_seen_ms.set_value(session::now_ms());
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
                                let _ = sink.close().await;
                                break;
                            }
                        },
                    }
                }
            }
            socket.tx.set_value(None);
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

//! WebSocket clients: connecting and authenticating, the frames sent, a
//! light reading of the frames received, and how sockets ended.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use protocol::ClientFrame;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::Result;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// From starting to connect until `ready`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Read buffer of a busy socket (fan-out, seeding).
pub const BUSY_BUFFER: usize = 32 * 1024;
/// Read buffer of an idle socket: thousands of them add up.
pub const IDLE_BUFFER: usize = 4 * 1024;

/// Connects to `url`, authenticates with `token` in the first frame and
/// waits for `ready`. Returns the socket and how long that took.
pub async fn open(url: &str, token: &str, read_buffer: usize) -> Result<(Socket, Duration)> {
    let started = Instant::now();
    let config = WebSocketConfig::default().read_buffer_size(read_buffer);
    let handshake = async {
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
        socket
            .send(frame(&ClientFrame::Auth {
                token: token.to_owned(),
            }))
            .await?;
        while let Some(incoming) = socket.next().await {
            match incoming? {
                WsMessage::Text(text) => {
                    let parsed = ServerFrame::parse(&text)?;
                    match parsed.kind {
                        Kind::Ready => return Ok(socket),
                        Kind::Error => {
                            let code = parsed.code.unwrap_or_default();
                            return Err(format!("auth answered with error {code}").into());
                        }
                        _ => {}
                    }
                }
                WsMessage::Close(close) => {
                    return Err(format!("closed before ready: {}", Closed::from(close)).into());
                }
                _ => {}
            }
        }
        Err::<Socket, crate::Error>("closed before ready".into())
    };
    let socket = tokio::time::timeout(READY_TIMEOUT, handshake)
        .await
        .map_err(|_| format!("no ready within {READY_TIMEOUT:?}"))??;
    Ok((socket, started.elapsed()))
}

/// A client frame as a text message.
#[allow(
    clippy::expect_used,
    reason = "a ClientFrame is plain data: serializing it cannot fail"
)]
pub fn frame(frame: &ClientFrame) -> WsMessage {
    WsMessage::text(serde_json::to_string(frame).expect("client frames always serialize"))
}

/// The frame types the load generator acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Ready,
    Ack,
    Message,
    Error,
    #[serde(other)]
    Other,
}

/// The few fields of a server frame the load generator reads; everything
/// else is skipped unparsed, and strings are borrowed from the frame.
#[derive(Debug, Deserialize)]
pub struct ServerFrame<'a> {
    #[serde(rename = "type")]
    pub kind: Kind,
    /// `ack` and `error`.
    #[serde(borrow)]
    pub client_id: Option<Cow<'a, str>>,
    /// `error`.
    #[serde(borrow)]
    pub code: Option<Cow<'a, str>>,
    /// `ack` and `message`: the message; `error`: its text.
    #[serde(borrow)]
    pub message: Option<Payload<'a>>,
}

impl<'a> ServerFrame<'a> {
    pub fn parse(text: &'a str) -> serde_json::Result<Self> {
        serde_json::from_str(text)
    }

    /// The message of an `ack` or `message` frame.
    pub fn message(&self) -> Option<&MessageRef<'a>> {
        match &self.message {
            Some(Payload::Message(message)) => Some(message),
            _ => None,
        }
    }
}

/// A message, as far as the load generator cares.
#[derive(Debug, Deserialize)]
pub struct MessageRef<'a> {
    pub id: Uuid,
    pub seq: i64,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}

/// The `message` field: an object in `ack` and `message` frames, a string in
/// `error` frames.
#[derive(Debug)]
pub enum Payload<'a> {
    Message(MessageRef<'a>),
    Text,
}

impl<'de: 'a, 'a> Deserialize<'de> for Payload<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PayloadVisitor<'a>(PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for PayloadVisitor<'a> {
            type Value = Payload<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message object or an error text")
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Payload::Text)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                MessageRef::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Payload::Message)
            }
        }

        deserializer.deserialize_any(PayloadVisitor(PhantomData))
    }
}

/// How a socket ended without us closing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close code; 1005 when the close frame had none, 1006 when the
    /// connection broke without a close frame (as RFC 6455 names them).
    pub code: u16,
    pub reason: String,
}

impl Closed {
    pub fn broken(error: &tungstenite::Error) -> Self {
        Self {
            code: 1006,
            reason: error.to_string(),
        }
    }

    pub fn ended() -> Self {
        Self {
            code: 1006,
            reason: "connection ended without a close frame".to_owned(),
        }
    }
}

impl From<Option<CloseFrame>> for Closed {
    fn from(frame: Option<CloseFrame>) -> Self {
        match frame {
            Some(frame) => Self {
                code: frame.code.into(),
                reason: frame.reason.to_string(),
            },
            None => Self {
                code: 1005,
                reason: String::new(),
            },
        }
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason.as_str() {
            "" => write!(f, "{}", self.code),
            reason => write!(f, "{} ({reason})", self.code),
        }
    }
}

/// Sockets the server closed (or that broke), by close code.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct Closes(BTreeMap<u16, CloseCount>);

#[derive(Debug, Clone, Serialize)]
pub struct CloseCount {
    pub count: u64,
    /// The reason given with the first of them.
    pub reason: String,
}

impl Closes {
    pub fn add(&mut self, closed: &Closed) {
        self.0
            .entry(closed.code)
            .or_insert_with(|| CloseCount {
                count: 0,
                reason: closed.reason.clone(),
            })
            .count += 1;
    }
}

impl fmt::Display for Closes {
    /// `none`, or `1008 ×3 (too slow: catch up over REST)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, (code, c)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{code} ×{}", c.count)?;
            if !c.reason.is_empty() {
                write!(f, " ({})", c.reason)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_frames_are_read_without_the_rest() {
        let text = r#"{"type":"message","message":{"id":"0190f5a0-0000-7000-8000-000000000001",
            "room_id":"0190f5a0-0000-7000-8000-000000000002","seq":7,
            "sender":{"id":"0190f5a0-0000-7000-8000-000000000003","username":"a","display_name":"A"},
            "body":"1700000000000000 3 9","created_at":"2026-01-01T00:00:00Z","edited_at":null,
            "deleted":false,"reply_to":null,"reply_count":0,"client_id":"3-9"}}"#;
        let frame = ServerFrame::parse(text).expect("valid");
        assert_eq!(frame.kind, Kind::Message);
        let message = frame.message().expect("a message");
        assert_eq!(message.seq, 7);
        assert_eq!(message.body, "1700000000000000 3 9");
        assert!(matches!(message.body, Cow::Borrowed(_)));
    }

    #[test]
    fn error_frames_carry_a_text_message() {
        let text =
            r#"{"type":"error","code":"rate_limited","message":"slow down","client_id":"1-2"}"#;
        let frame = ServerFrame::parse(text).expect("valid");
        assert_eq!(frame.kind, Kind::Error);
        assert_eq!(frame.code.as_deref(), Some("rate_limited"));
        assert_eq!(frame.client_id.as_deref(), Some("1-2"));
        assert!(frame.message().is_none());
    }

    #[test]
    fn unknown_frames_are_other() {
        let frame = ServerFrame::parse(r#"{"type":"presence","user_id":"x","online":true}"#)
            .expect("valid");
        assert_eq!(frame.kind, Kind::Other);
        let frame = ServerFrame::parse(r#"{"type":"ready","user":{},"rooms":[]}"#).expect("valid");
        assert_eq!(frame.kind, Kind::Ready);
    }

    #[test]
    fn closes_are_counted_by_code() {
        let mut closes = Closes::default();
        let slow = Closed {
            code: 1008,
            reason: "too slow".into(),
        };
        closes.add(&slow);
        closes.add(&slow);
        closes.add(&Closed::ended());
        assert_eq!(
            closes.to_string(),
            "1006 ×1 (connection ended without a close frame), 1008 ×2 (too slow)"
        );
        assert_eq!(
            serde_json::to_string(&closes).expect("json"),
            r#"{"1006":{"count":1,"reason":"connection ended without a close frame"},"1008":{"count":2,"reason":"too slow"}}"#
        );
    }
}

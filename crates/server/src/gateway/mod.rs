//! `GET /api/v1/ws`: one task per connection.
//!
//! A connection authenticates first (the `Authorization` header on the
//! upgrade, or an `auth` frame within the configured time), is registered
//! with the hub *before* its `ready` snapshot is read so that nothing falls
//! between the two, and then runs one `select!` loop over the socket, its
//! outbound queue, its heartbeat and the hub's "too slow" signal.

mod connection;
mod frames;
mod registration;

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::StreamExt;
use protocol::limits::BODY_MAX_BYTES;
use protocol::{BotScope, ClientFrame, ErrorCode, ServerEvent};
use tracing::Instrument;

use crate::delivery::hub::frame_of;
use crate::request::AuthUser;
use crate::request::{authenticate, bearer_token};

use crate::state::AppState;

use connection::Connection;

/// Close code for a missing or bad token, as API.md specifies.
const CLOSE_UNAUTHORIZED: u16 = 4401;
/// Close code for one socket more than a user may have open.
const CLOSE_TOO_MANY: u16 = 4429;
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let header_token = bearer_token(&req).map(str::to_owned);
    // What the socket logs carry: the client as every route sees it.
    let span =
        tracing::info_span!("socket", client.address = %crate::request::client_address(&req));
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(BODY_MAX_BYTES)
        .aggregate_continuations()
        .max_continuation_size(BODY_MAX_BYTES);
    actix_web::rt::spawn(run(state.into_inner(), session, stream, header_token).instrument(span));
    Ok(response)
}

async fn run(
    state: Arc<AppState>,
    mut session: Session,
    mut stream: AggregatedMessageStream,
    header_token: Option<String>,
) {
    let Some(user) = authenticate_socket(&state, &mut session, &mut stream, header_token).await
    else {
        return;
    };
    if state.hub.connections_of(user.id) >= state.settings.ws_max_per_user.max(1) {
        reject_with(
            &mut session,
            CLOSE_TOO_MANY,
            ErrorCode::TooManyConnections,
            "too many open connections for this user",
        )
        .await;
        return;
    }
    let Some(mut conn) = Connection::open(state, session, user).await else {
        return;
    };
    conn.serve(stream).await;
    conn.close().await;
}

/// The token from the header, or from an `auth` frame that must come first.
async fn authenticate_socket(
    state: &AppState,
    session: &mut Session,
    stream: &mut AggregatedMessageStream,
    header_token: Option<String>,
) -> Option<AuthUser> {
    let token = match header_token {
        Some(token) => token,
        None => {
            let wait = Duration::from_secs(state.settings.ws_auth_timeout_secs);
            let first = match tokio::time::timeout(wait, next_text(session, stream)).await {
                Ok(Some(text)) => text,
                Ok(None) => return None,
                Err(_) => {
                    reject(session, ErrorCode::Unauthorized, "no auth frame in time").await;
                    return None;
                }
            };
            match serde_json::from_str::<ClientFrame>(&first) {
                Ok(ClientFrame::Auth { token }) => token,
                _ => {
                    reject(
                        session,
                        ErrorCode::Unauthorized,
                        "the first frame must be auth",
                    )
                    .await;
                    return None;
                }
            }
        }
    };
    // The session is checked here (no presence, no registration for a dead
    // one) and once more with the `ready` snapshot, after registering.
    // A socket is a stream of what the user may read.
    let user = authenticate(state, &token)
        .await
        .and_then(|user| user.access.require(BotScope::Read).map(|()| user));
    match user {
        Ok(user) => Some(user),
        Err(e) => {
            reject(session, e.code(), &e.to_string()).await;
            None
        }
    }
}

/// The next text frame, answering pings meanwhile; `None` once closed.
async fn next_text(session: &mut Session, stream: &mut AggregatedMessageStream) -> Option<String> {
    while let Some(msg) = stream.next().await {
        match msg {
            Ok(AggregatedMessage::Text(text)) => return Some(text.to_string()),
            Ok(AggregatedMessage::Ping(bytes)) => {
                if session.pong(&bytes).await.is_err() {
                    return None;
                }
            }
            Ok(AggregatedMessage::Close(_)) => return None,
            Ok(_) => return Some(String::new()),
            Err(e) => {
                close_for_error(session.clone(), &e).await;
                return None;
            }
        }
    }
    None
}

async fn reject(session: &mut Session, code: ErrorCode, message: &str) {
    reject_with(session, CLOSE_UNAUTHORIZED, code, message).await;
}

/// An `error` frame, then the close.
async fn reject_with(session: &mut Session, close: u16, code: ErrorCode, message: &str) {
    if let Some(frame) = frame_of(&ServerEvent::error(code, message, None)) {
        let _ = session.text(frame).await;
    }
    let _ = session
        .clone()
        .close(Some(CloseReason {
            code: CloseCode::Other(close),
            description: Some(code.as_str().replace('_', " ")),
        }))
        .await;
}

/// A frame over the limit closes with 1009, anything else malformed with 1002.
async fn close_for_error(session: Session, e: &actix_ws::ProtocolError) {
    let code = match e {
        actix_ws::ProtocolError::Overflow => CloseCode::Size,
        _ => CloseCode::Protocol,
    };
    let _ = session
        .close(Some(CloseReason {
            code,
            description: Some(e.to_string()),
        }))
        .await;
}

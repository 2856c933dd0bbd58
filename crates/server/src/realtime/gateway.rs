//! `GET /api/v1/ws`: one task per connection.
//!
//! A connection authenticates first (the `Authorization` header on the
//! upgrade, or an `auth` frame within the configured time), is registered
//! with the hub *before* its `ready` snapshot is read so that nothing falls
//! between the two, and then runs one `select!` loop over the socket, its
//! outbound queue, its heartbeat and the hub's "too slow" signal.

use protocol::ErrorCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::StreamExt;
use protocol::limits::BODY_MAX_BYTES;
use protocol::{ClientFrame, ServerEvent, UserRef};
use tokio::sync::mpsc;
use uuid::Uuid;

use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;

use super::hub::{CloseWhy, Closer, ConnHandle, Frame, frame_of};
use super::{ConnId, Origin, Outbound};
use crate::auth::AuthUser;
use crate::auth::extractor::{authenticate, bearer_token};
use crate::domain::error::{DomainError, DomainResult, Missing};
use crate::domain::live;
use crate::domain::messages::{Draft, Posted};
use crate::state::AppState;

/// Close code for a missing or bad token, as API.md specifies.
const CLOSE_UNAUTHORIZED: u16 = 4401;
/// Close code for one socket more than a user may have open.
const CLOSE_TOO_MANY: u16 = 4429;
/// How long one socket write may take before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Typing events are passed on at most this often per room and connection.
const TYPING_INTERVAL: Duration = Duration::from_millis(1000);
/// Sends one connection may have waiting for the writer; more are refused
/// (`rate_limited`) rather than queued without bound.
const MAX_SENDS_IN_FLIGHT: usize = 256;

/// A send on its way to storage: its `client_id`, room and outcome.
type PendingSend = BoxFuture<'static, (String, Uuid, DomainResult<Posted>)>;

pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let header_token = bearer_token(&req).map(str::to_owned);
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(BODY_MAX_BYTES)
        .aggregate_continuations()
        .max_continuation_size(BODY_MAX_BYTES);
    actix_web::rt::spawn(run(state.into_inner(), session, stream, header_token));
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
    match authenticate(state, &token).await {
        Ok(user) => Some(user),
        Err(e) => {
            reject(session, e.code(), "the token is invalid or expired").await;
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

struct Connection {
    state: Arc<AppState>,
    session: Session,
    user: AuthUser,
    me: UserRef,
    /// Dropped last, whatever ends the connection: see [`Registration`].
    registration: Registration,
    rx: mpsc::Receiver<Frame>,
    closer: Arc<Closer>,
    last_typing: std::collections::HashMap<Uuid, Instant>,
    /// Sends being stored. The loop keeps reading and writing meanwhile:
    /// awaiting the store inline would stop this socket from draining.
    sending: FuturesUnordered<PendingSend>,
    /// Every frame but `send` (which has the per-user flood limit): typing,
    /// read markers, pings and junk cost the server too.
    frames: governor::DefaultDirectRateLimiter,
}

impl Connection {
    async fn open(state: Arc<AppState>, session: Session, user: AuthUser) -> Option<Self> {
        // Registered before the room list is read: a join committed in
        // between reaches this connection as a `member_joined`.
        let (tx, rx) = mpsc::channel(state.settings.ws_queue_capacity.max(1));
        let closer = Arc::new(Closer::default());
        let handle = ConnHandle {
            tx,
            closer: closer.clone(),
        };
        let registration = Registration::open(&state, &user, handle).await;
        let id = registration.id;
        let followed = state
            .db
            .run(move |conn| live::followed_rooms(conn, user.id))
            .await;
        let Ok(follow) = followed else {
            let _ = session.close(Some(CloseCode::Error.into())).await;
            return None;
        };
        state.hub.follow(id, &follow);
        let followed: std::collections::HashSet<Uuid> =
            follow.iter().map(|(room, _)| *room).collect();

        let frames_per_sec = state.settings.ws_frames_per_sec;
        let mut conn = Self {
            me: UserRef {
                id: user.id,
                username: String::new(),
                display_name: String::new(),
            },
            state,
            session,
            user,
            registration,
            rx,
            closer,
            last_typing: Default::default(),
            sending: FuturesUnordered::new(),
            frames: frame_limiter(frames_per_sec),
        };
        let hub = conn.state.hub.clone();
        let snapshot = conn
            .state
            .db
            .run(move |c| live::ready_snapshot(c, user.session_id, user.id, &hub))
            .await;
        match snapshot {
            Ok((me, rooms)) => {
                // The rooms were read after following began: a departure
                // that was announced between the first read and the follow
                // found nothing to stop, and this catches it (and a join
                // likewise).
                let members_of = rooms
                    .iter()
                    .map(|r| {
                        let seq = r.last_message.as_ref().map_or(0, |m| m.seq);
                        (r.room.id, seq)
                    })
                    .collect();
                conn.state.hub.reconcile(id, &followed, &members_of);
                conn.me = UserRef {
                    id: me.user.id,
                    username: me.user.username.clone(),
                    display_name: me.user.display_name.clone(),
                };
                if !conn.send(&ServerEvent::Ready { user: me, rooms }).await {
                    conn.close().await;
                    return None;
                }
                Some(conn)
            }
            Err(DomainError::InvalidToken) => {
                let msg = "the token is invalid or expired";
                conn.error(ErrorCode::InvalidToken, msg, None).await;
                conn.hang_up(CloseWhy::Revoked).await;
                conn.close().await;
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot load the ready snapshot");
                conn.close().await;
                None
            }
        }
    }

    fn id(&self) -> ConnId {
        self.registration.id
    }

    async fn serve(&mut self, mut stream: AggregatedMessageStream) {
        let beat = Duration::from_secs(self.state.settings.ws_heartbeat_secs.max(1));
        let mut heartbeat = tokio::time::interval(beat);
        let mut last_heard = Instant::now();
        let mut shutdown = self.state.hub.shutdown_signal();
        loop {
            tokio::select! {
                _ = shutdown.wait_for(|down| *down) => {
                    let _ = self.session.clone().close(Some(CloseReason {
                        code: CloseCode::Away,
                        description: Some("server shutting down".into()),
                    })).await;
                    return;
                }
                frame = self.rx.recv() => match frame {
                    Some(frame) => {
                        if !self.write_queued(frame).await {
                            return;
                        }
                    }
                    None => return,
                },
                Some((client_id, room_id, result)) = self.sending.next(), if !self.sending.is_empty() => {
                    self.on_stored(client_id, room_id, result).await;
                }
                why = self.closer.closed() => {
                    self.hang_up(why).await;
                    return;
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > beat * 2 {
                        tracing::debug!(user = %self.user.id, "dropping a silent connection");
                        return;
                    }
                    if self.session.ping(b"").await.is_err() {
                        return;
                    }
                }
                msg = stream.next() => {
                    last_heard = Instant::now();
                    match msg {
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            self.state.metrics.ws_frames_in.inc();
                            self.handle(&text).await;
                        }
                        Some(Ok(AggregatedMessage::Binary(_))) => {
                            self.error(ErrorCode::InvalidFrame, "frames are JSON text", None).await;
                        }
                        Some(Ok(AggregatedMessage::Ping(bytes))) => {
                            if self.session.pong(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => {}
                        Some(Ok(AggregatedMessage::Close(reason))) => {
                            let _ = self.session.clone().close(reason).await;
                            return;
                        }
                        Some(Err(e)) => {
                            close_for_error(self.session.clone(), &e).await;
                            return;
                        }
                        None => return,
                    }
                }
            }
        }
    }

    async fn handle(&mut self, text: &str) {
        let frame = serde_json::from_str::<ClientFrame>(text);
        if !matches!(frame, Ok(ClientFrame::Send { .. })) && self.frames.check().is_err() {
            let msg = "too many frames, slow down";
            self.error(ErrorCode::RateLimited, msg, None).await;
            return;
        }
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                let message = format!("not a valid frame: {e}");
                self.error(ErrorCode::InvalidFrame, &message, None).await;
                return;
            }
        };
        match frame {
            ClientFrame::Send {
                room_id,
                body,
                client_id,
                reply_to,
            } => self.on_send(room_id, body, client_id, reply_to).await,
            ClientFrame::Typing { room_id } => self.on_typing(room_id).await,
            ClientFrame::Read {
                room_id,
                message_id,
            } => self.on_read(room_id, message_id).await,
            ClientFrame::Ping => {
                self.send(&ServerEvent::Pong).await;
            }
            ClientFrame::Auth { .. } => {
                self.error(
                    ErrorCode::AlreadyAuthenticated,
                    "this connection is signed in",
                    None,
                )
                .await;
            }
        }
    }

    async fn on_send(
        &mut self,
        room_id: Uuid,
        body: String,
        client_id: String,
        reply_to: Option<Uuid>,
    ) {
        if self.state.limiter.check(&self.user.id).is_err() {
            let msg = "too many messages, slow down";
            self.error(ErrorCode::RateLimited, msg, Some(client_id))
                .await;
            return;
        }
        let too_long = body.trim().chars().count() > protocol::limits::MESSAGE_BODY_MAX;
        let draft = match Draft::parse(&body, Some(&client_id), reply_to, &self.state.profanity) {
            Ok(draft) => draft,
            Err(e) => {
                let code = if too_long {
                    ErrorCode::BodyTooLong
                } else {
                    e.code()
                };
                self.error(code, &e.to_string(), Some(client_id)).await;
                return;
            }
        };
        if self.sending.len() >= MAX_SENDS_IN_FLIGHT {
            let msg = "too many messages waiting to be stored, slow down";
            self.error(ErrorCode::RateLimited, msg, Some(client_id))
                .await;
            return;
        }
        let stored = self
            .state
            .poster
            .submit(self.user.id, room_id, draft, Some(self.origin()));
        self.sending
            .push(Box::pin(async move { (client_id, room_id, stored.await) }));
    }

    async fn on_stored(&mut self, client_id: String, room_id: Uuid, result: DomainResult<Posted>) {
        match result {
            // A new message's ack comes through the hub, in seq order with the
            // room's other messages; a repeat (or a room this connection does
            // not follow yet) is answered here.
            Ok(posted) if posted.created && self.state.hub.follows(self.id(), room_id) => {}
            Ok(posted) => {
                self.send(&ServerEvent::Ack {
                    client_id,
                    message: posted.message,
                })
                .await;
            }
            Err(e) => self.fail(e, Some(client_id)).await,
        }
    }

    async fn on_typing(&mut self, room_id: Uuid) {
        if !self.state.hub.follows(self.id(), room_id) {
            self.error(
                ErrorCode::NotAMember,
                "you are not a member of this room",
                None,
            )
            .await;
            return;
        }
        let now = Instant::now();
        if self
            .last_typing
            .get(&room_id)
            .is_some_and(|t| now.duration_since(*t) < TYPING_INTERVAL)
        {
            return;
        }
        self.last_typing.insert(room_id, now);
        let event = ServerEvent::Typing {
            room_id,
            user: self.me.clone(),
        };
        self.state
            .publish(vec![Outbound::room(room_id, event)], Some(self.origin()));
    }

    /// Kept in memory and written with the others a few times a second
    /// (see `read_flush`); the `read` event follows the write.
    async fn on_read(&mut self, room_id: Uuid, message_id: Uuid) {
        if !self.state.hub.follows(self.id(), room_id) {
            self.error(
                ErrorCode::NotAMember,
                "you are not a member of this room",
                None,
            )
            .await;
            return;
        }
        self.state
            .reads
            .report(room_id, self.user.id, message_id, Some(self.origin()));
    }

    fn origin(&self) -> Origin {
        self.state.hub.origin(self.id())
    }

    /// A domain error as an `error` frame. Over the socket, a room one may
    /// not use is simply one one is not a member of.
    async fn fail(&mut self, e: DomainError, client_id: Option<String>) {
        let code = match &e {
            DomainError::NotFound(Missing::Room) => ErrorCode::NotAMember,
            DomainError::Internal(cause) => {
                tracing::error!(%cause, "socket request failed");
                ErrorCode::InternalError
            }
            other => other.code(),
        };
        let message = if code == ErrorCode::NotAMember {
            "you are not a member of this room".to_owned()
        } else {
            e.to_string()
        };
        self.error(code, &message, client_id).await;
    }

    async fn error(&mut self, code: ErrorCode, message: &str, client_id: Option<String>) {
        self.send(&ServerEvent::error(code, message, client_id))
            .await;
    }

    async fn send(&mut self, event: &ServerEvent) -> bool {
        match frame_of(event) {
            Some(frame) => self.write(frame).await,
            None => false,
        }
    }

    /// Writes a frame from the queue and whatever else is waiting behind it
    /// (up to a bound, so the socket's own frames still get their turn):
    /// one pass of the loop per burst rather than per frame.
    async fn write_queued(&mut self, first: Frame) -> bool {
        const BURST: usize = 64;
        if !self.write(first).await {
            return false;
        }
        for _ in 1..BURST {
            match self.rx.try_recv() {
                Ok(frame) => {
                    if !self.write(frame).await {
                        return false;
                    }
                }
                Err(_) => break,
            }
        }
        true
    }

    /// Writes one frame. A client that stops reading would block the write
    /// (and with it this whole loop: heartbeat, shutdown, everything), so
    /// the write gives up when the hub wants the connection closed (it fell
    /// behind, or its session ended), or after a while regardless; either
    /// way the connection is done.
    async fn write(&mut self, frame: Frame) -> bool {
        let outcome = {
            // The frame's bytes are shared with every other recipient.
            let mut written = std::pin::pin!(self.session.text(frame));
            // Nearly always the frame goes straight into the socket's
            // buffer: no timer and no waiter for that.
            if let Some(result) = futures_util::FutureExt::now_or_never(&mut written) {
                return result.is_ok();
            }
            tokio::select! {
                written = tokio::time::timeout(WRITE_TIMEOUT, written) => {
                    match written {
                        Ok(Ok(())) => return true,
                        Ok(Err(_closed)) => return false,
                        Err(_elapsed) => CloseWhy::TooSlow,
                    }
                }
                why = self.closer.closed() => why,
            }
        };
        tracing::debug!(user = %self.user.id, ?outcome, "socket write abandoned");
        self.hang_up(outcome).await;
        false
    }

    async fn hang_up(&mut self, why: CloseWhy) {
        match why {
            CloseWhy::TooSlow => self.drop_slow().await,
            CloseWhy::Revoked => {
                tracing::info!(user = %self.user.id, "closing a connection whose session ended");
                let close = self.session.clone().close(Some(CloseReason {
                    code: CloseCode::Other(CLOSE_UNAUTHORIZED),
                    description: Some("session ended".into()),
                }));
                let _ = tokio::time::timeout(Duration::from_millis(200), close).await;
            }
        }
    }

    async fn drop_slow(&mut self) {
        self.state.metrics.ws_dropped_slow.inc();
        tracing::info!(user = %self.user.id, "closing a connection that fell behind");
        let close = self.session.clone().close(Some(CloseReason {
            code: CloseCode::Policy,
            description: Some("too slow: catch up over REST".into()),
        }));
        // The close frame may be stuck behind the very backlog; don't wait.
        let _ = tokio::time::timeout(Duration::from_millis(200), close).await;
    }

    /// Says goodbye on the socket; the registration goes with `self`.
    async fn close(&mut self) {
        let _ = self.session.clone().close(None).await;
    }
}

/// A socket's place on this node: its entry in the hub, its count in the
/// connections gauge and its share of its user's presence. Dropping it
/// gives all three back, however the connection ends (an error, a closed
/// socket, a panic in its task): a leaked entry would keep the user
/// "online" across the cluster.
struct Registration {
    state: Arc<AppState>,
    id: ConnId,
    user: Uuid,
}

impl Registration {
    async fn open(state: &Arc<AppState>, user: &AuthUser, handle: ConnHandle) -> Self {
        let (id, first_here) = state.hub.register(user.id, user.session_id, &[], handle);
        state.metrics.ws_connections.inc();
        let registration = Self {
            state: state.clone(),
            id,
            user: user.id,
        };
        if state.bus.connection_opened(user.id, first_here).await {
            super::presence::announce(state, user.id, true).await;
        }
        registration
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let last_here = self.state.hub.unregister(self.id);
        self.state.metrics.ws_connections.dec();
        // Counting out and announcing talk to Redis and storage, which a
        // destructor cannot await: a task of their own does it. Without a
        // runtime (the node is shutting down) there is nobody to tell.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (state, user) = (self.state.clone(), self.user);
        runtime.spawn(async move {
            if state.bus.connection_closed(user, last_here).await {
                super::presence::announce(&state, user, false).await;
            }
        });
    }
}

/// `per_sec` frames a second, twice that at once.
fn frame_limiter(per_sec: u32) -> governor::DefaultDirectRateLimiter {
    let rate = std::num::NonZeroU32::new(per_sec.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    let burst = rate.saturating_mul(std::num::NonZeroU32::new(2).unwrap_or(rate));
    governor::RateLimiter::direct(governor::Quota::per_second(rate).allow_burst(burst))
}

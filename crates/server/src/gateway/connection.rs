//! One socket's life after sign-in: registration, the `ready` snapshot,
//! and the `select!` loop that reads frames and drains its queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use protocol::{ErrorCode, ServerEvent, UserRef};
use tokio::sync::mpsc;

use super::registration::Registration;
use super::{CLOSE_UNAUTHORIZED, close_for_error};
use crate::delivery::hub::{CloseWhy, Closer, ConnHandle, Frame, Stall, frame_of};
use crate::delivery::{ConnId, Origin};
use crate::request::AuthUser;
use crate::state::AppState;
use domain::error::{DomainError, DomainResult};
use domain::live;
use domain::messages::Posted;
use protocol::RoomId;

/// How long one socket write may take before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Typing events are passed on at most this often per room and connection.
pub(super) const TYPING_INTERVAL: Duration = Duration::from_millis(1000);
/// Sends one connection may have waiting for the writer; more are refused
/// (`rate_limited`) rather than queued without bound.
pub(super) const MAX_SENDS_IN_FLIGHT: usize = 256;

/// A send on its way to storage: its `client_id`, room and outcome.
pub(super) type PendingSend = BoxFuture<'static, (String, RoomId, DomainResult<Posted>)>;
pub(super) struct Connection {
    pub(super) state: Arc<AppState>,
    pub(super) session: Session,
    pub(super) user: AuthUser,
    pub(super) me: UserRef,
    /// Dropped last, whatever ends the connection: see [`Registration`].
    pub(super) registration: Registration,
    pub(super) rx: mpsc::Receiver<Frame>,
    pub(super) closer: Arc<Closer>,
    /// Tells the hub while a write waits on the client.
    pub(super) stall: Arc<Stall>,
    pub(super) last_typing: std::collections::HashMap<RoomId, Instant>,
    /// Sends being stored. The loop keeps reading and writing meanwhile:
    /// awaiting the store inline would stop this socket from draining.
    pub(super) sending: FuturesUnordered<PendingSend>,
    /// Every frame but `send` (which has the per-user flood limit): typing,
    /// read markers, pings and junk cost the server too.
    pub(super) frames: governor::DefaultDirectRateLimiter,
}

impl Connection {
    pub(super) async fn open(
        state: Arc<AppState>,
        session: Session,
        user: AuthUser,
    ) -> Option<Self> {
        // Registered before the room list is read: a join committed in
        // between reaches this connection as a `member_joined`.
        let (tx, rx) = mpsc::channel(state.settings.ws_queue_capacity.max(1));
        let closer = Arc::new(Closer::default());
        let stall = Arc::new(Stall::default());
        let handle = ConnHandle {
            tx,
            closer: closer.clone(),
            stall: stall.clone(),
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
        let followed: std::collections::HashSet<RoomId> =
            follow.iter().map(|(room, _)| *room).collect();

        let frames_per_sec = state.settings.ws_frames_per_sec;
        let mut conn = Self {
            me: UserRef {
                id: user.id,
                username: String::new(),
                display_name: String::new(),
                avatar_url: None,
            },
            state,
            session,
            user,
            registration,
            rx,
            closer,
            stall,
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
                    avatar_url: me.user.avatar_url.clone(),
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

    pub(super) fn id(&self) -> ConnId {
        self.registration.id
    }

    pub(super) async fn serve(&mut self, mut stream: AggregatedMessageStream) {
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

    pub(super) fn origin(&self) -> Origin {
        self.state.hub.origin(self.id())
    }
    pub(super) async fn send(&mut self, event: &ServerEvent) -> bool {
        match frame_of(event) {
            Some(frame) => self.write(frame).await,
            None => false,
        }
    }

    /// Writes a frame from the queue and whatever else is waiting behind it
    /// (up to a bound, so the socket's own frames still get their turn):
    /// one pass of the loop per burst rather than per frame.
    pub(super) async fn write_queued(&mut self, first: Frame) -> bool {
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
    pub(super) async fn write(&mut self, frame: Frame) -> bool {
        let outcome = {
            // The frame's bytes are shared with every other recipient.
            let mut written = std::pin::pin!(self.session.text(frame));
            // Nearly always the frame goes straight into the socket's
            // buffer: no timer and no waiter for that.
            if let Some(result) = futures_util::FutureExt::now_or_never(&mut written) {
                return result.is_ok();
            }
            let _waiting_on_client = self.stall.begin();
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

    pub(super) async fn hang_up(&mut self, why: CloseWhy) {
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

    pub(super) async fn drop_slow(&mut self) {
        self.state.metrics.ws_dropped_slow.inc();
        tracing::info!(user = %self.user.id, "closing a connection that fell behind");
        // The backlog goes at once, and nothing more is queued: the client
        // catches up over REST, and its memory is not held meanwhile.
        self.rx.close();
        while self.rx.try_recv().is_ok() {}
        let close = self.session.clone().close(Some(CloseReason {
            code: CloseCode::Policy,
            description: Some("too slow: catch up over REST".into()),
        }));
        // The close frame waits behind what the socket already holds, so it
        // gets there only once the client reads again. It gets as long as
        // the heartbeat gives a silent client: one that comes back within
        // it learns why it was cut (1008) rather than seeing the line drop.
        let _waiting_on_client = self.stall.begin();
        let grace = Duration::from_secs(self.state.settings.ws_heartbeat_secs.max(1) * 2);
        let mut shutdown = self.state.hub.shutdown_signal();
        tokio::select! {
            _ = tokio::time::timeout(grace, close) => {}
            _ = shutdown.wait_for(|down| *down) => {}
        }
    }

    /// Says goodbye on the socket; the registration goes with `self`.
    pub(super) async fn close(&mut self) {
        let _ = self.session.clone().close(None).await;
    }
}

/// `per_sec` frames a second, twice that at once.
fn frame_limiter(per_sec: u32) -> governor::DefaultDirectRateLimiter {
    let rate = std::num::NonZeroU32::new(per_sec.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    let burst = rate.saturating_mul(std::num::NonZeroU32::new(2).unwrap_or(rate));
    governor::RateLimiter::direct(governor::Quota::per_second(rate).allow_burst(burst))
}

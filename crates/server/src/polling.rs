//! Long-polling clients on this node. A queue this node feeds is a
//! connection of the hub like a socket's, so it gets exactly the frames a
//! socket would; a pump task stores them in the queue's table, in order,
//! and wakes the polls waiting here. The socket and the long-poll are two
//! transports of one stream.
//!
//! One node feeds a queue at a time (its claim in the table, renewed every
//! few seconds); a poll reaching another node reads the table. A node that
//! finds the feeder silent (it died, or restarted) takes the queue over
//! and queues a fresh `ready`, as a socket gets on reconnecting: its rooms'
//! newest `seq`s show the client what to fetch over REST, so nothing is
//! lost across a restart.

use std::sync::Arc;
use std::time::Duration;

use protocol::{EventQueueId, RoomId, ServerEvent};
use tokio::sync::{Notify, mpsc};

use crate::delivery::ConnId;
use crate::delivery::hub::{Closer, ConnHandle, Frame, frame_of};
use crate::delivery::pollers::Place;
use crate::state::AppState;
use domain::error::{DomainError, DomainResult};
use domain::event_queues::{self, Queue};
use domain::live;

/// How often a feeding node renews its claim.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// A claim not renewed for this long is anyone's.
const STALE_SECS: i64 = 15;
/// Frames stored in one write at most.
const BATCH: usize = 256;

/// Makes sure some node feeds `queue`. When this one does, what wakes the
/// polls here when events arrive; `None` when another node does (a poll
/// then rereads the table now and then).
pub async fn ensure_fed(state: &Arc<AppState>, queue: &Queue) -> DomainResult<Option<Arc<Notify>>> {
    let id = queue.id;
    let wake = match state.pollers.take(id) {
        Place::Fed(wake) => return Ok(Some(wake)),
        Place::Taken(wake) => wake,
    };
    let node = state.hub.node().to_string();
    let stale = chrono::Duration::seconds(STALE_SECS);
    let claimed = {
        let node = node.clone();
        state
            .db
            .write(move |conn| event_queues::claim(conn, id, &node, stale))
            .await
    };
    if !matches!(claimed, Ok(true)) {
        state.pollers.forget(id);
        return claimed.map(|_| None);
    }
    let feed = Feed::start(state.clone(), queue, node, wake.clone()).await;
    match feed {
        Ok(feed) => {
            tokio::spawn(feed.pump());
            Ok(Some(wake))
        }
        Err(e) => {
            state.pollers.forget(id);
            Err(e)
        }
    }
}

/// One queue fed by this node: its connection in the hub, released with it.
struct Feed {
    state: Arc<AppState>,
    queue: EventQueueId,
    node: String,
    conn: ConnId,
    rx: mpsc::Receiver<Frame>,
    closer: Arc<Closer>,
    wake: Arc<Notify>,
}

impl Feed {
    /// Registers the queue in the hub, follows its user's rooms and queues
    /// a `ready`.
    async fn start(
        state: Arc<AppState>,
        queue: &Queue,
        node: String,
        wake: Arc<Notify>,
    ) -> DomainResult<Self> {
        let (tx, rx) = mpsc::channel(state.settings.ws_queue_capacity.max(1));
        let closer = Arc::new(Closer::default());
        let handle = ConnHandle {
            tx,
            closer: closer.clone(),
            stall: Arc::default(),
        };
        let (user, session) = (queue.user, queue.session);
        // Registered before the rooms are read, as a socket is: a join
        // committed in between reaches the queue as a `member_joined`.
        let (conn, _) = state.hub.register(user, session, &[], handle);
        let feed = Self {
            state,
            queue: queue.id,
            node,
            conn,
            rx,
            closer,
            wake,
        };
        let follow = feed
            .state
            .db
            .run(move |c| live::followed_rooms(c, user))
            .await?;
        feed.state.hub.follow(conn, &follow);
        let followed: std::collections::HashSet<RoomId> =
            follow.iter().map(|(room, _)| *room).collect();
        let hub = feed.state.hub.clone();
        let (me, rooms) = feed
            .state
            .db
            .run(move |c| live::ready_snapshot(c, session, user, &hub))
            .await?;
        let members_of = rooms
            .iter()
            .map(|r| (r.room.id, r.last_message.as_ref().map_or(0, |m| m.seq)))
            .collect();
        feed.state.hub.reconcile(conn, &followed, &members_of);
        let ready = frame_of(&ServerEvent::Ready { user: me, rooms })
            .ok_or_else(|| DomainError::internal("the ready frame does not serialize"))?;
        feed.store(vec![ready.to_string()]).await?;
        Ok(feed)
    }

    /// Stores what the hub hands the queue until the queue is gone, taken
    /// over, or its session ends.
    async fn pump(mut self) {
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                frame = self.rx.recv() => {
                    let Some(first) = frame else { break };
                    let mut frames = vec![first.to_string()];
                    while frames.len() < BATCH {
                        match self.rx.try_recv() {
                            Ok(frame) => frames.push(frame.to_string()),
                            Err(_) => break,
                        }
                    }
                    match self.store(frames).await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, queue = %self.queue, "cannot store events");
                            break;
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    let (id, node) = (self.queue, self.node.clone());
                    let stale = chrono::Duration::seconds(STALE_SECS);
                    let kept = self
                        .state
                        .db
                        .write(move |c| event_queues::claim(c, id, &node, stale))
                        .await;
                    if !matches!(kept, Ok(true)) {
                        break;
                    }
                }
                why = self.closer.closed() => {
                    tracing::debug!(?why, queue = %self.queue, "event queue no longer fed here");
                    break;
                }
            }
        }
    }

    /// Queues frames and wakes the polls; false when the queue is no longer
    /// this node's to feed.
    async fn store(&self, frames: Vec<String>) -> DomainResult<bool> {
        let (id, node) = (self.queue, self.node.clone());
        let stored = self
            .state
            .db
            .write(move |c| event_queues::append(c, id, &node, &frames))
            .await?;
        self.wake.notify_waiters();
        Ok(stored.is_some())
    }
}

impl Drop for Feed {
    /// However feeding ends, the hub forgets the connection, the polls here
    /// stop waiting on it and the claim is given up (a later poll claims
    /// the queue afresh, with a `ready`).
    fn drop(&mut self) {
        self.state.hub.unregister(self.conn);
        self.state.pollers.forget(self.queue);
        self.wake.notify_waiters();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (state, id, node) = (self.state.clone(), self.queue, self.node.clone());
        runtime.spawn(async move {
            if let Err(e) = state
                .db
                .write(move |c| event_queues::release(c, id, &node))
                .await
            {
                tracing::debug!(error = %e, "cannot release an event queue");
            }
        });
    }
}

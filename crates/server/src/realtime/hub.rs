//! This node's connections and the delivery of events to them.
//!
//! Each connection owns a bounded queue. Delivery never waits on a client:
//! an event that does not fit marks the connection too slow, and its gateway
//! task hangs up (the client catches up over REST). One slow reader therefore
//! costs the others nothing.
//!
//! Messages of a room are delivered in `seq` order even when they reach the
//! hub out of order (two senders commit n and n+1, then publish in the other
//! order; or two nodes publish through Redis). A message ahead of the next
//! expected seq waits briefly for the missing ones; if they never come (a
//! node died between commit and publish) it goes out anyway, and clients
//! fill the gap over REST since they see the jump in `seq`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use protocol::ServerEvent;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::{Audience, ConnId, Envelope, Origin, Outbound, Revocation, RevokedSessions};

/// A serialised frame. Clones share one buffer, so a message serialised once
/// reaches every recipient without a copy.
pub type Frame = bytestring::ByteString;

/// How long a message ahead of a gap waits for the gap to fill.
const REORDER_WAIT: Duration = Duration::from_millis(500);

/// The hub's side of one connection.
pub struct ConnHandle {
    pub tx: mpsc::Sender<Frame>,
    /// Tells the connection's task to hang up, and why.
    pub closer: Arc<Closer>,
}

/// Why the hub wants a connection gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseWhy {
    /// Its queue overflowed: the client does not keep up.
    TooSlow = 1,
    /// Its session was revoked or ended (sign-out, password change,
    /// account deletion, expiry).
    Revoked = 2,
}

/// A one-shot "close this connection" signal. The first reason given sticks:
/// a connection told it was revoked is not later told it was merely slow.
#[derive(Default)]
pub struct Closer {
    why: AtomicU8,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, why: CloseWhy) {
        let _ = self
            .why
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Acquire);
        self.notify.notify_one();
    }

    /// Resolves once [`close`](Self::close) was called.
    pub async fn closed(&self) -> CloseWhy {
        loop {
            match self.why.load(Ordering::Acquire) {
                1 => return CloseWhy::TooSlow,
                2 => return CloseWhy::Revoked,
                _ => self.notify.notified().await,
            }
        }
    }
}

struct Conn {
    user_id: Uuid,
    session_id: Uuid,
    handle: ConnHandle,
}

#[derive(Default)]
struct Registry {
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<Uuid, HashSet<ConnId>>,
    by_room: HashMap<Uuid, HashSet<ConnId>>,
    rooms_of_conn: HashMap<ConnId, HashSet<Uuid>>,
}

/// Per room: the next seq to deliver, and messages waiting for a gap.
#[derive(Default)]
struct RoomOrder {
    next: Option<i64>,
    waiting: BTreeMap<i64, Prepared>,
}

/// A room's ordering state, locked on its own: rooms deliver in parallel.
type RoomOrderLock = Arc<Mutex<RoomOrder>>;

/// An event serialised once, before any lock is taken.
struct Prepared {
    outbound: Outbound,
    frame: Frame,
    /// For a message: the `ack` its own connection gets instead, when that
    /// connection is on this node.
    ack: Option<Frame>,
    origin: Option<Origin>,
}

#[derive(Clone)]
pub struct Hub {
    node: Uuid,
    registry: Arc<RwLock<Registry>>,
    order: Arc<RwLock<HashMap<Uuid, RoomOrderLock>>>,
    /// Where gap timers run: delivery may happen on a thread outside the
    /// runtime (the message writer's).
    runtime: Option<tokio::runtime::Handle>,
    /// Users connected to any node (kept from presence envelopes).
    online: Arc<RwLock<HashSet<Uuid>>>,
    /// Flips to true when the server shuts down: every connection closes.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    next_id: Arc<AtomicU64>,
}

impl crate::domain::Presence for Hub {
    fn is_online(&self, user_id: Uuid) -> bool {
        Hub::is_online(self, user_id)
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        Self {
            node: Uuid::new_v4(),
            registry: Arc::default(),
            order: Arc::default(),
            runtime: tokio::runtime::Handle::try_current().ok(),
            online: Arc::default(),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            next_id: Arc::default(),
        }
    }

    /// Asks every connection to close (1001, going away).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once [`shut_down`](Self::shut_down) was called.
    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// This node's identity, carried in [`Origin`]s.
    pub fn node(&self) -> Uuid {
        self.node
    }

    pub fn origin(&self, conn: ConnId) -> Origin {
        Origin {
            node: self.node,
            conn,
        }
    }

    /// Registers a connection following `rooms` (id and newest seq); returns
    /// its id and whether it is the user's first connection on this node.
    pub fn register(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        rooms: &[(Uuid, i64)],
        handle: ConnHandle,
    ) -> (ConnId, bool) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let first = {
            let mut reg = self.write();
            reg.conns.insert(
                id,
                Conn {
                    user_id,
                    session_id,
                    handle,
                },
            );
            reg.rooms_of_conn.insert(id, HashSet::new());
            let user_conns = reg.by_user.entry(user_id).or_default();
            user_conns.insert(id);
            user_conns.len() == 1
        };
        self.follow(id, rooms);
        (id, first)
    }

    /// Adds rooms (id and newest seq) to a registered connection.
    pub fn follow(&self, id: ConnId, rooms: &[(Uuid, i64)]) {
        for (room, last_seq) in rooms {
            let state = self.room_order(*room);
            let mut state = lock(&state);
            if state.next.is_none() {
                state.next = Some(last_seq + 1);
            }
        }
        let mut reg = self.write();
        if !reg.conns.contains_key(&id) {
            return;
        }
        for (room, _) in rooms {
            reg.by_room.entry(*room).or_default().insert(id);
            reg.rooms_of_conn.entry(id).or_default().insert(*room);
        }
    }

    /// What every connection here follows, and whose it is: the "before"
    /// of a [`reconcile`](Self::reconcile).
    pub fn follows_snapshot(&self) -> HashMap<ConnId, (Uuid, HashSet<Uuid>)> {
        let reg = self.read();
        reg.conns
            .iter()
            .map(|(id, conn)| {
                let rooms = reg.rooms_of_conn.get(id).cloned().unwrap_or_default();
                (*id, (conn.user_id, rooms))
            })
            .collect()
    }

    /// Brings a connection's rooms in line with its user's memberships
    /// (room and newest seq), read from storage *after* `before` was taken.
    ///
    /// Only what stayed as it was in `before` is corrected: a room joined
    /// or left since then was announced by its own event, which the hub
    /// applied and which storage may not have shown yet.
    pub fn reconcile(&self, id: ConnId, before: &HashSet<Uuid>, members_of: &HashMap<Uuid, i64>) {
        let now: HashSet<Uuid> = {
            let reg = self.read();
            match reg.rooms_of_conn.get(&id) {
                Some(rooms) => rooms.clone(),
                None => return,
            }
        };
        let stale: Vec<Uuid> = before
            .iter()
            .filter(|room| now.contains(room) && !members_of.contains_key(room))
            .copied()
            .collect();
        let missing: Vec<(Uuid, i64)> = members_of
            .iter()
            .filter(|(room, _)| !before.contains(room) && !now.contains(room))
            .map(|(room, seq)| (*room, *seq))
            .collect();
        if !stale.is_empty() {
            tracing::info!(
                conn = id,
                rooms = stale.len(),
                "unfollowing rooms its user left"
            );
            self.unfollow(id, &stale);
        }
        if !missing.is_empty() {
            tracing::info!(
                conn = id,
                rooms = missing.len(),
                "following rooms its user joined"
            );
            self.follow(id, &missing);
        }
    }

    fn unfollow(&self, id: ConnId, rooms: &[Uuid]) {
        let mut reg = self.write();
        let mut nobody_left = Vec::new();
        for room in rooms {
            if let Some(mine) = reg.rooms_of_conn.get_mut(&id) {
                mine.remove(room);
            }
            if let Some(set) = reg.by_room.get_mut(room) {
                set.remove(&id);
                if set.is_empty() {
                    reg.by_room.remove(room);
                    nobody_left.push(*room);
                }
            }
        }
        drop(reg);
        self.forget_order(&nobody_left);
    }

    /// Removes a connection; returns whether it was the user's last one here.
    pub fn unregister(&self, id: ConnId) -> bool {
        let mut reg = self.write();
        let Some(conn) = reg.conns.remove(&id) else {
            return false;
        };
        let mut unfollowed = Vec::new();
        for room in reg.rooms_of_conn.remove(&id).unwrap_or_default() {
            if let Some(set) = reg.by_room.get_mut(&room) {
                set.remove(&id);
                if set.is_empty() {
                    reg.by_room.remove(&room);
                    unfollowed.push(room);
                }
            }
        }
        let last = match reg.by_user.get_mut(&conn.user_id) {
            Some(set) => {
                set.remove(&id);
                set.is_empty()
            }
            None => true,
        };
        if last {
            reg.by_user.remove(&conn.user_id);
        }
        drop(reg);
        self.forget_order(&unfollowed);
        last
    }

    pub fn is_online(&self, user_id: Uuid) -> bool {
        self.read().by_user.contains_key(&user_id)
            || self
                .online
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&user_id)
    }

    /// Connections per user on this node.
    pub fn local_counts(&self) -> Vec<(Uuid, usize)> {
        self.read()
            .by_user
            .iter()
            .map(|(user, conns)| (*user, conns.len()))
            .collect()
    }

    pub fn set_online(&self, user_id: Uuid, online: bool) {
        let mut set = self.online.write().unwrap_or_else(|p| p.into_inner());
        if online {
            set.insert(user_id);
        } else {
            set.remove(&user_id);
        }
    }

    /// Whether delivery is falling behind on this node: more than a tenth
    /// of the connections have their queue over half full. One stuck client
    /// does not count (it is dropped as too slow); many filling at once
    /// means the machine cannot write as fast as messages come.
    pub fn congested(&self) -> bool {
        let reg = self.read();
        let total = reg.conns.len();
        if total == 0 {
            return false;
        }
        let filling = reg
            .conns
            .values()
            .filter(|c| {
                let tx = &c.handle.tx;
                tx.capacity() < tx.max_capacity() / 2
            })
            .count();
        filling * 10 > total
    }

    /// The user's connections on this node.
    pub fn connections_of(&self, user_id: Uuid) -> usize {
        self.read().by_user.get(&user_id).map_or(0, HashSet::len)
    }

    pub fn connection_count(&self) -> usize {
        self.read().conns.len()
    }

    /// Whether the connection follows the room (its user is a member).
    pub fn follows(&self, id: ConnId, room_id: Uuid) -> bool {
        self.read()
            .rooms_of_conn
            .get(&id)
            .is_some_and(|rooms| rooms.contains(&room_id))
    }

    /// Queues a frame for one connection of this node (an answer that came
    /// back from a background task); a full queue marks it too slow.
    pub fn send_to(&self, id: ConnId, frame: Frame) {
        if let Some(conn) = self.read().conns.get(&id)
            && conn.handle.tx.try_send(frame).is_err()
        {
            conn.handle.closer.close(CloseWhy::TooSlow);
        }
    }

    /// The sessions of this node's connections, each once.
    pub fn local_sessions(&self) -> Vec<Uuid> {
        let reg = self.read();
        let sessions: HashSet<Uuid> = reg.conns.values().map(|c| c.session_id).collect();
        sessions.into_iter().collect()
    }

    /// Closes this node's connections of revoked sessions (4401 to the
    /// client); returns how many.
    pub fn revoke(&self, revocation: &Revocation) -> usize {
        let reg = self.read();
        let Some(ids) = reg.by_user.get(&revocation.user) else {
            return 0;
        };
        let mut closed = 0;
        for conn in ids.iter().filter_map(|id| reg.conns.get(id)) {
            let hit = match revocation.sessions {
                RevokedSessions::One(session) => conn.session_id == session,
                RevokedSessions::AllBut(kept) => conn.session_id != kept,
                RevokedSessions::All => true,
            };
            if hit {
                conn.handle.closer.close(CloseWhy::Revoked);
                closed += 1;
            }
        }
        closed
    }

    /// Closes the connections of sessions that are no longer live.
    pub fn close_sessions(&self, ended: &HashSet<Uuid>) -> usize {
        let reg = self.read();
        let mut closed = 0;
        for conn in reg.conns.values() {
            if ended.contains(&conn.session_id) {
                conn.handle.closer.close(CloseWhy::Revoked);
                closed += 1;
            }
        }
        closed
    }

    /// Delivers an envelope to this node's connections.
    pub fn deliver(&self, envelope: Envelope) {
        if let Some((user, online)) = envelope.presence {
            self.set_online(user, online);
        }
        if let Some(revocation) = &envelope.revoke {
            self.revoke(revocation);
        }
        let origin = envelope.origin;
        let own = origin.is_some_and(|o| o.node == self.node);
        for outbound in envelope.events {
            let Some(frame) = frame_of(&outbound.event) else {
                continue;
            };
            let ack = if own { ack_of(&outbound.event) } else { None };
            let prepared = Prepared {
                outbound,
                frame,
                ack,
                origin,
            };
            match (&prepared.outbound.audience, &prepared.outbound.event) {
                (Audience::Room(room), ServerEvent::Message { message }) => {
                    let (room, seq) = (*room, message.seq);
                    self.deliver_in_order(room, seq, prepared);
                }
                _ => self.deliver_now(&prepared),
            }
        }
    }

    /// Holds the room's ordering lock while delivering, so two threads
    /// releasing consecutive messages cannot overtake each other on the way
    /// out; other rooms are not held up.
    fn deliver_in_order(&self, room: Uuid, seq: i64, prepared: Prepared) {
        if !self.read().by_room.contains_key(&room) {
            return; // nobody here follows the room: nothing to order
        }
        let state = self.room_order(room);
        let mut state = lock(&state);
        let next = *state.next.get_or_insert(seq);
        if seq > next {
            state.waiting.insert(seq, prepared);
            drop(state);
            self.flush_later(room, seq);
            return;
        }
        // In order, or late (after a gap timed out): out it goes, and
        // whatever it was holding back follows.
        self.deliver_now(&prepared);
        if seq == next {
            let mut expect = next + 1;
            while let Some(held) = state.waiting.remove(&expect) {
                self.deliver_now(&held);
                expect += 1;
            }
            state.next = Some(expect);
        }
    }

    /// Gives up waiting for a gap: everything up to `seq` goes out.
    fn flush_later(&self, room: Uuid, seq: i64) {
        let hub = self.clone();
        let Some(runtime) = &self.runtime else {
            // Only outside a server (unit tests): the gap waits for its fill.
            return;
        };
        runtime.spawn(async move {
            tokio::time::sleep(REORDER_WAIT).await;
            hub.flush(room, seq);
        });
    }

    fn flush(&self, room: Uuid, up_to: i64) {
        let Some(state) = self.order_of(room) else {
            return;
        };
        let mut state = lock(&state);
        if state.next.is_some_and(|next| next > up_to) {
            return; // the gap filled in time
        }
        tracing::warn!(%room, up_to, "gave up waiting for missing messages");
        let held: Vec<i64> = state.waiting.range(..=up_to).map(|(k, _)| *k).collect();
        for key in held {
            if let Some(prepared) = state.waiting.remove(&key) {
                self.deliver_now(&prepared);
            }
        }
        let mut expect = up_to + 1;
        while let Some(prepared) = state.waiting.remove(&expect) {
            self.deliver_now(&prepared);
            expect += 1;
        }
        state.next = Some(expect);
    }

    fn deliver_now(&self, prepared: &Prepared) {
        self.apply_membership(&prepared.outbound);
        self.send(prepared);
        self.apply_departure(&prepared.outbound);
    }

    /// Joining starts a room's events before the join itself is announced,
    /// so the joiner's other devices hear it too.
    fn apply_membership(&self, outbound: &Outbound) {
        if let ServerEvent::MemberJoined { room_id, user } = &outbound.event {
            let mut reg = self.write();
            let conns: Vec<ConnId> = reg
                .by_user
                .get(&user.id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            for id in conns {
                reg.by_room.entry(*room_id).or_default().insert(id);
                reg.rooms_of_conn.entry(id).or_default().insert(*room_id);
            }
        }
    }

    /// Leaving (or being kicked) stops a room's events right after the
    /// departure is announced.
    fn apply_departure(&self, outbound: &Outbound) {
        let (room_id, user) = match &outbound.event {
            ServerEvent::MemberLeft { room_id, user_id } => (*room_id, Some(*user_id)),
            ServerEvent::RoomDeleted { room_id } => (*room_id, None),
            _ => return,
        };
        let mut reg = self.write();
        let conns: Vec<ConnId> = match user {
            Some(user) => reg
                .by_user
                .get(&user)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
            None => reg
                .by_room
                .get(&room_id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
        };
        for id in conns {
            if let Some(set) = reg.by_room.get_mut(&room_id) {
                set.remove(&id);
            }
            if let Some(rooms) = reg.rooms_of_conn.get_mut(&id) {
                rooms.remove(&room_id);
            }
        }
        if reg.by_room.get(&room_id).is_some_and(HashSet::is_empty) {
            reg.by_room.remove(&room_id);
            drop(reg);
            self.forget_order(&[room_id]);
        }
    }

    fn send(&self, prepared: &Prepared) {
        let own_conn = prepared
            .origin
            .filter(|o| o.node == self.node)
            .map(|o| o.conn);
        let reg = self.read();
        let targets = match prepared.outbound.audience {
            Audience::Room(room) => reg.by_room.get(&room),
            Audience::User(user) => reg.by_user.get(&user),
        };
        let Some(targets) = targets else { return };
        for id in targets {
            let Some(conn) = reg.conns.get(id) else {
                continue;
            };
            let frame = if Some(*id) == own_conn {
                // The connection that caused it: an ack instead of its own
                // message, and no echo of its typing or read marker; the rest
                // (a reply count that changed, say) it hears like everyone.
                match &prepared.outbound.event {
                    ServerEvent::Message { .. } => match &prepared.ack {
                        Some(ack) => ack.clone(),
                        None => continue,
                    },
                    ServerEvent::Typing { .. } | ServerEvent::Read { .. } => continue,
                    _ => prepared.frame.clone(),
                }
            } else {
                prepared.frame.clone()
            };
            if conn.handle.tx.try_send(frame).is_err() {
                conn.handle.closer.close(CloseWhy::TooSlow);
            }
        }
    }

    /// The room's ordering state, created on first use.
    fn room_order(&self, room: Uuid) -> RoomOrderLock {
        if let Some(state) = self.order_of(room) {
            return state;
        }
        let mut order = self.order.write().unwrap_or_else(|p| p.into_inner());
        order.entry(room).or_default().clone()
    }

    fn order_of(&self, room: Uuid) -> Option<RoomOrderLock> {
        let order = self.order.read().unwrap_or_else(|p| p.into_inner());
        order.get(&room).cloned()
    }

    /// Rooms nobody here follows any more need no ordering state; it is made
    /// afresh from the room's newest seq when someone follows again.
    fn forget_order(&self, rooms: &[Uuid]) {
        if rooms.is_empty() {
            return;
        }
        let reg = self.read();
        let mut order = self.order.write().unwrap_or_else(|p| p.into_inner());
        for room in rooms {
            // `try_lock`: a room busy delivering is simply kept (and a
            // blocking lock here could wait on a thread that waits on us).
            let idle = order
                .get(room)
                .is_some_and(|s| s.try_lock().is_ok_and(|state| state.waiting.is_empty()));
            if idle && !reg.by_room.contains_key(room) {
                order.remove(room);
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.registry.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn lock(state: &Mutex<RoomOrder>) -> std::sync::MutexGuard<'_, RoomOrder> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn frame_of(event: &ServerEvent) -> Option<Frame> {
    match serde_json::to_string(event) {
        Ok(json) => Some(Frame::from(json)),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise event");
            None
        }
    }
}

fn ack_of(event: &ServerEvent) -> Option<Frame> {
    let ServerEvent::Message { message } = event else {
        return None;
    };
    frame_of(&ServerEvent::Ack {
        client_id: message.client_id.clone().unwrap_or_default(),
        message: message.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use protocol::Message;

    fn message(room: Uuid, seq: i64) -> Outbound {
        Outbound::room(
            room,
            ServerEvent::Message {
                message: Message {
                    id: Uuid::new_v4(),
                    room_id: room,
                    seq,
                    sender: None,
                    body: format!("m{seq}"),
                    created_at: Utc::now(),
                    edited_at: None,
                    deleted: false,
                    reply_to: None,
                    reply_count: 0,
                    client_id: None,
                },
            },
        )
    }

    fn connect(hub: &Hub, user: Uuid, rooms: &[(Uuid, i64)]) -> (ConnId, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(16);
        let handle = ConnHandle {
            tx,
            closer: Arc::default(),
        };
        (hub.register(user, Uuid::new_v4(), rooms, handle).0, rx)
    }

    fn seqs(rx: &mut mpsc::Receiver<Frame>) -> Vec<i64> {
        let mut out = Vec::new();
        while let Ok(frame) = rx.try_recv() {
            let v: serde_json::Value = serde_json::from_str(&frame).expect("json");
            out.push(v["message"]["seq"].as_i64().expect("seq"));
        }
        out
    }

    #[test]
    fn messages_out_of_order_are_delivered_in_seq_order() {
        let hub = Hub::new();
        let room = Uuid::new_v4();
        let (_, mut rx) = connect(&hub, Uuid::new_v4(), &[(room, 0)]);
        for seq in [2, 3, 1, 5, 4] {
            hub.deliver(Envelope::new(vec![message(room, seq)], None));
        }
        assert_eq!(seqs(&mut rx), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_gap_that_never_fills_is_given_up_on() {
        let hub = Hub::new();
        let room = Uuid::new_v4();
        let (_, mut rx) = connect(&hub, Uuid::new_v4(), &[(room, 0)]);
        hub.deliver(Envelope::new(
            vec![message(room, 2), message(room, 3)],
            None,
        ));
        assert!(seqs(&mut rx).is_empty(), "held back while 1 is missing");
        hub.flush(room, 2);
        assert_eq!(seqs(&mut rx), vec![2, 3]);
        hub.deliver(Envelope::new(vec![message(room, 4)], None));
        assert_eq!(seqs(&mut rx), vec![4]);
    }

    #[test]
    fn the_origin_gets_an_ack_and_others_the_message() {
        let hub = Hub::new();
        let room = Uuid::new_v4();
        let user = Uuid::new_v4();
        let (sender, mut sender_rx) = connect(&hub, user, &[(room, 0)]);
        let (_, mut other_rx) = connect(&hub, user, &[(room, 0)]);
        hub.deliver(Envelope::new(
            vec![message(room, 1)],
            Some(hub.origin(sender)),
        ));
        let ack: serde_json::Value =
            serde_json::from_str(&sender_rx.try_recv().expect("ack")).expect("json");
        assert_eq!(ack["type"], "ack");
        let msg: serde_json::Value =
            serde_json::from_str(&other_rx.try_recv().expect("message")).expect("json");
        assert_eq!(msg["type"], "message");
    }

    #[test]
    fn congestion_means_many_queues_filling_not_one() {
        let hub = Hub::new();
        let room = Uuid::new_v4();
        let mut queues = Vec::new();
        for _ in 0..10 {
            let (tx, rx) = mpsc::channel(4);
            let handle = ConnHandle {
                tx,
                closer: Arc::default(),
            };
            hub.register(Uuid::new_v4(), Uuid::new_v4(), &[(room, 0)], handle);
            queues.push(rx);
        }
        hub.deliver(Envelope::new(
            vec![message(room, 1), message(room, 2), message(room, 3)],
            None,
        ));
        assert!(hub.congested(), "every queue is over half full");
        for rx in queues.iter_mut().skip(1) {
            while rx.try_recv().is_ok() {}
        }
        assert!(
            !hub.congested(),
            "one full queue is a slow client, not congestion"
        );
    }

    #[test]
    fn a_full_queue_marks_the_connection_too_slow() {
        let hub = Hub::new();
        let room = Uuid::new_v4();
        let (tx, _rx) = mpsc::channel(1);
        let closer = Arc::new(Closer::default());
        hub.register(
            Uuid::new_v4(),
            Uuid::new_v4(),
            &[(room, 0)],
            ConnHandle {
                tx,
                closer: closer.clone(),
            },
        );
        hub.deliver(Envelope::new(
            vec![message(room, 1), message(room, 2)],
            None,
        ));
        let woke = futures_util::FutureExt::now_or_never(closer.closed());
        assert_eq!(woke, Some(CloseWhy::TooSlow));
    }

    #[test]
    fn a_revocation_closes_exactly_the_sessions_it_names() {
        let hub = Hub::new();
        let user = Uuid::new_v4();
        let (kept, ended) = (Uuid::new_v4(), Uuid::new_v4());
        let mut closers = Vec::new();
        for session in [kept, ended, ended] {
            let (tx, _rx) = mpsc::channel(1);
            let closer = Arc::new(Closer::default());
            let handle = ConnHandle {
                tx,
                closer: closer.clone(),
            };
            hub.register(user, session, &[], handle);
            closers.push(closer);
        }
        let bystander = Arc::new(Closer::default());
        let (tx, _rx) = mpsc::channel(1);
        let handle = ConnHandle {
            tx,
            closer: bystander.clone(),
        };
        hub.register(Uuid::new_v4(), ended, &[], handle);

        let revocation = Revocation {
            user,
            sessions: RevokedSessions::AllBut(kept),
        };
        assert_eq!(hub.revoke(&revocation), 2);
        let closed = |c: &Arc<Closer>| futures_util::FutureExt::now_or_never(c.closed());
        assert_eq!(closed(&closers[0]), None);
        assert_eq!(closed(&closers[1]), Some(CloseWhy::Revoked));
        assert_eq!(closed(&closers[2]), Some(CloseWhy::Revoked));
        assert_eq!(closed(&bystander), None, "another user's connection");
    }
}

//! Delivery: events to connections, a room's messages in `seq` order.
//!
//! Each room has its own ordering state behind its own lock, so rooms
//! deliver in parallel; an event is serialised once, before any lock, and
//! its bytes are shared by every recipient.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::ServerEvent;

use super::{CloseWhy, Frame, Hub};
use crate::delivery::{Audience, ConnId, Envelope, Origin, Outbound};
use protocol::{RoomId, UserId};

/// How long a message ahead of a gap waits for the gap to fill.
const REORDER_WAIT: Duration = Duration::from_millis(500);

/// Whose connections `event` adds to a room (see [`Hub::has_audience`]).
pub fn joiner(event: &ServerEvent) -> Option<UserId> {
    match event {
        ServerEvent::MemberJoined { user, .. } => Some(user.id),
        _ => None,
    }
}

/// Per room: the next seq to deliver, and messages waiting for a gap.
#[derive(Default)]
pub(super) struct RoomOrder {
    next: Option<i64>,
    waiting: BTreeMap<i64, Prepared>,
}

/// A room's ordering state, locked on its own: rooms deliver in parallel.
pub(super) type RoomOrderLock = Arc<Mutex<RoomOrder>>;

/// An event serialised once, before any lock is taken.
struct Prepared {
    outbound: Outbound,
    frame: Frame,
    /// For a message: the `ack` its own connection gets instead, when that
    /// connection is on this node.
    ack: Option<Frame>,
    origin: Option<Origin>,
}

impl Hub {
    /// Starts ordering a room's messages after `last_seq`, unless its order
    /// is already being kept (another connection follows it).
    pub(super) fn expect_after(&self, room: RoomId, last_seq: i64) {
        let state = self.room_order(room);
        let mut state = lock(&state);
        if state.next.is_none() {
            state.next = Some(last_seq + 1);
        }
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
            // Nobody here: not even serialised.
            if !self.has_audience(&outbound.audience, joiner(&outbound.event)) {
                continue;
            }
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
    fn deliver_in_order(&self, room: RoomId, seq: i64, prepared: Prepared) {
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
    fn flush_later(&self, room: RoomId, seq: i64) {
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

    pub(super) fn flush(&self, room: RoomId, up_to: i64) {
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

    /// Whether a connection on this node is in `audience`, or belongs to
    /// `joiner` (whose connections a join subscribes to the room).
    pub fn has_audience(&self, audience: &Audience, joiner: Option<UserId>) -> bool {
        let reg = self.read();
        let here = match audience {
            Audience::Room(room) => reg.by_room.contains_key(room),
            Audience::User(user) => reg.by_user.contains_key(user),
        };
        here || joiner.is_some_and(|user| reg.by_user.contains_key(&user))
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
    fn room_order(&self, room: RoomId) -> RoomOrderLock {
        if let Some(state) = self.order_of(room) {
            return state;
        }
        let mut order = self.order.write().unwrap_or_else(|p| p.into_inner());
        order.entry(room).or_default().clone()
    }

    fn order_of(&self, room: RoomId) -> Option<RoomOrderLock> {
        let order = self.order.read().unwrap_or_else(|p| p.into_inner());
        order.get(&room).cloned()
    }

    /// Rooms nobody here follows any more need no ordering state; it is made
    /// afresh from the room's newest seq when someone follows again.
    pub(super) fn forget_order(&self, rooms: &[RoomId]) {
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

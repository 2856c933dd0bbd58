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

use protocol::{RoomId, SessionId, UserId};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use uuid::Uuid;

mod closer;
mod delivery;
#[cfg(test)]
mod tests;

pub use closer::{CloseWhy, Closer, ConnHandle, Frame, Stall};
use delivery::RoomOrderLock;
pub use delivery::{frame_of, joiner};

use super::{ConnId, Origin, Revocation, RevokedSessions};

struct Conn {
    user_id: UserId,
    session_id: SessionId,
    handle: ConnHandle,
}

#[derive(Default)]
struct Registry {
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<UserId, HashSet<ConnId>>,
    by_room: HashMap<RoomId, HashSet<ConnId>>,
    rooms_of_conn: HashMap<ConnId, HashSet<RoomId>>,
}

#[derive(Clone)]
pub struct Hub {
    node: Uuid,
    registry: Arc<RwLock<Registry>>,
    order: Arc<RwLock<HashMap<RoomId, RoomOrderLock>>>,
    /// Where gap timers run: delivery may happen on a thread outside the
    /// runtime (the message writer's).
    runtime: Option<tokio::runtime::Handle>,
    /// Users connected to any node (kept from presence envelopes).
    online: Arc<RwLock<HashSet<UserId>>>,
    /// Flips to true when the server shuts down: every connection closes.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    next_id: Arc<AtomicU64>,
}

impl domain::Presence for Hub {
    fn is_online(&self, user_id: UserId) -> bool {
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
        user_id: UserId,
        session_id: SessionId,
        rooms: &[(RoomId, i64)],
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
    pub fn follow(&self, id: ConnId, rooms: &[(RoomId, i64)]) {
        for (room, last_seq) in rooms {
            self.expect_after(*room, *last_seq);
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
    pub fn follows_snapshot(&self) -> HashMap<ConnId, (UserId, HashSet<RoomId>)> {
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
    pub fn reconcile(
        &self,
        id: ConnId,
        before: &HashSet<RoomId>,
        members_of: &HashMap<RoomId, i64>,
    ) {
        let now: HashSet<RoomId> = {
            let reg = self.read();
            match reg.rooms_of_conn.get(&id) {
                Some(rooms) => rooms.clone(),
                None => return,
            }
        };
        let stale: Vec<RoomId> = before
            .iter()
            .filter(|room| now.contains(room) && !members_of.contains_key(room))
            .copied()
            .collect();
        let missing: Vec<(RoomId, i64)> = members_of
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

    fn unfollow(&self, id: ConnId, rooms: &[RoomId]) {
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

    pub fn is_online(&self, user_id: UserId) -> bool {
        self.read().by_user.contains_key(&user_id)
            || self
                .online
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&user_id)
    }

    /// Connections per user on this node.
    pub fn local_counts(&self) -> Vec<(UserId, usize)> {
        self.read()
            .by_user
            .iter()
            .map(|(user, conns)| (*user, conns.len()))
            .collect()
    }

    pub fn set_online(&self, user_id: UserId, online: bool) {
        let mut set = self.online.write().unwrap_or_else(|p| p.into_inner());
        if online {
            set.insert(user_id);
        } else {
            set.remove(&user_id);
        }
    }

    /// Whether delivery is falling behind on this node: more than a tenth
    /// of the connections have their queue over half full while their
    /// sockets still take bytes, so the machine cannot write as fast as
    /// messages come. A queue filling behind a client that does not read
    /// never counts, however many such clients there are: it costs that
    /// client its connection (cut as too slow when the queue overflows),
    /// never everyone else a held writer.
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
                tx.capacity() < tx.max_capacity() / 2 && !c.handle.stall.is_stalled()
            })
            .count();
        filling * 10 > total
    }

    /// The user's connections on this node.
    pub fn connections_of(&self, user_id: UserId) -> usize {
        self.read().by_user.get(&user_id).map_or(0, HashSet::len)
    }

    pub fn connection_count(&self) -> usize {
        self.read().conns.len()
    }

    /// Whether the connection follows the room (its user is a member).
    pub fn follows(&self, id: ConnId, room_id: RoomId) -> bool {
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
    pub fn local_sessions(&self) -> Vec<SessionId> {
        let reg = self.read();
        let sessions: HashSet<SessionId> = reg.conns.values().map(|c| c.session_id).collect();
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
    pub fn close_sessions(&self, ended: &HashSet<SessionId>) -> usize {
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

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.registry.write().unwrap_or_else(|p| p.into_inner())
    }
}

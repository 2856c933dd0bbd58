//! The connection registry and fan-out.
//!
//! Each connection owns a bounded queue. Publishing never waits on a client:
//! an event that does not fit marks the connection as too slow, and the
//! gateway then closes it (the client catches up over REST). One slow reader
//! therefore costs the others nothing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use protocol::ServerEvent;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::{Audience, Outbound};

pub type ConnId = u64;

/// A serialised frame, shared by every recipient.
pub type Frame = Arc<str>;

/// The hub's side of one connection.
pub struct ConnHandle {
    pub tx: mpsc::Sender<Frame>,
    /// Notified when the connection fell behind and must be closed.
    pub too_slow: Arc<Notify>,
}

struct Conn {
    user_id: Uuid,
    handle: ConnHandle,
}

#[derive(Default)]
struct Registry {
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<Uuid, HashSet<ConnId>>,
    by_room: HashMap<Uuid, HashSet<ConnId>>,
    rooms_of_conn: HashMap<ConnId, HashSet<Uuid>>,
}

#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<RwLock<Registry>>,
    next_id: Arc<AtomicU64>,
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a connection following `rooms`; returns its id and whether it
    /// is the user's first live connection.
    pub fn register(
        &self,
        user_id: Uuid,
        rooms: impl IntoIterator<Item = Uuid>,
        handle: ConnHandle,
    ) -> (ConnId, bool) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut reg = self.write();
        reg.conns.insert(id, Conn { user_id, handle });
        let user_conns = reg.by_user.entry(user_id).or_default();
        user_conns.insert(id);
        let first = user_conns.len() == 1;
        let rooms: HashSet<Uuid> = rooms.into_iter().collect();
        for room in &rooms {
            reg.by_room.entry(*room).or_default().insert(id);
        }
        reg.rooms_of_conn.insert(id, rooms);
        (id, first)
    }

    /// Removes a connection; returns whether it was the user's last one.
    pub fn unregister(&self, id: ConnId) -> bool {
        let mut reg = self.write();
        let Some(conn) = reg.conns.remove(&id) else {
            return false;
        };
        for room in reg.rooms_of_conn.remove(&id).unwrap_or_default() {
            if let Some(set) = reg.by_room.get_mut(&room) {
                set.remove(&id);
                if set.is_empty() {
                    reg.by_room.remove(&room);
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
        last
    }

    pub fn is_online(&self, user_id: Uuid) -> bool {
        self.read().by_user.contains_key(&user_id)
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

    /// Delivers events in order, skipping connection `except` (the one that
    /// caused them, which gets its own answer).
    pub fn publish(&self, events: Vec<Outbound>, except: Option<ConnId>) {
        for outbound in events {
            self.apply_membership(&outbound);
            self.deliver(&outbound, except);
            self.apply_departure(&outbound);
        }
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
        }
    }

    fn deliver(&self, outbound: &Outbound, except: Option<ConnId>) {
        let frame: Arc<str> = match serde_json::to_string(&outbound.event) {
            Ok(json) => json.into(),
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise event");
                return;
            }
        };
        let reg = self.read();
        let targets = match outbound.audience {
            Audience::Room(room) => reg.by_room.get(&room),
            Audience::User(user) => reg.by_user.get(&user),
        };
        let Some(targets) = targets else { return };
        for id in targets.iter().filter(|id| Some(**id) != except) {
            let Some(conn) = reg.conns.get(id) else {
                continue;
            };
            if conn.handle.tx.try_send(frame.clone()).is_err() {
                // Full, so the client is not keeping up (or already gone):
                // its gateway task hangs up and the client catches up later.
                conn.handle.too_slow.notify_one();
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

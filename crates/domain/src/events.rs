//! What the rules say happened, for the live layer to deliver: events
//! addressed to a room or a user, and the connection that caused them.
//!
//! Defined here, below the server's `delivery`, so that the rules describe events
//! without knowing how they travel; `delivery` carries them after commit.

use protocol::{RoomId, ServerEvent, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A live connection's number on its node.
pub type ConnId = u64;

/// Who an event is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every connection of every member of the room.
    Room(RoomId),
    /// Every connection of one user.
    User(UserId),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outbound {
    pub audience: Audience,
    pub event: ServerEvent,
}

impl Outbound {
    pub fn room(room_id: RoomId, event: ServerEvent) -> Self {
        Self {
            audience: Audience::Room(room_id),
            event,
        }
    }
    pub fn user(user_id: UserId, event: ServerEvent) -> Self {
        Self {
            audience: Audience::User(user_id),
            event,
        }
    }
}

/// What a write of the rules returns: its answer and the events it caused,
/// which are published only after the write commits (`AppState::commit`).
pub trait Caused {
    type Value;
    fn split(self) -> (Self::Value, Vec<Outbound>);
}

impl Caused for Vec<Outbound> {
    type Value = ();
    fn split(self) -> ((), Vec<Outbound>) {
        ((), self)
    }
}

impl<T> Caused for (T, Vec<Outbound>) {
    type Value = T;
    fn split(self) -> (T, Vec<Outbound>) {
        self
    }
}

impl<A, B> Caused for (A, B, Vec<Outbound>) {
    type Value = (A, B);
    fn split(self) -> ((A, B), Vec<Outbound>) {
        let (a, b, events) = self;
        ((a, b), events)
    }
}

/// The connection whose frame caused the events: it gets an `ack` instead of
/// its own `message`, and nothing else of what it caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub node: Uuid,
    pub conn: ConnId,
}

//! Live events: who is connected, and delivering events to them.
//!
//! Domain code describes *what* happened as [`Outbound`] events addressed to a
//! room or a user; the [`Hub`] knows which connections that means. REST and
//! WebSocket changes both persist first and publish after, so a client never
//! hears of something it cannot then read.

pub mod hub;

pub use hub::{ConnId, Hub};

use protocol::ServerEvent;
use uuid::Uuid;

/// Who an event is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every connection of every member of the room.
    Room(Uuid),
    /// Every connection of one user.
    User(Uuid),
}

#[derive(Debug, Clone)]
pub struct Outbound {
    pub audience: Audience,
    pub event: ServerEvent,
}

impl Outbound {
    pub fn room(room_id: Uuid, event: ServerEvent) -> Self {
        Self {
            audience: Audience::Room(room_id),
            event,
        }
    }
    pub fn user(user_id: Uuid, event: ServerEvent) -> Self {
        Self {
            audience: Audience::User(user_id),
            event,
        }
    }
}

//! Live events: who is connected, and getting events to them in order.
//!
//! Domain code describes *what* happened as [`Outbound`] events addressed to a
//! room or a user. REST and WebSocket changes both persist first and publish
//! after, so a client never hears of something it cannot then read. The
//! [`bus::Bus`] carries events between nodes (through Redis when configured);
//! each node's [`Hub`] turns them into frames on its own connections.

pub mod bus;
pub mod gateway;
pub mod hub;
pub mod presence;
pub mod rate_limit;
pub mod read_flush;

pub use bus::Bus;
pub use hub::{ConnId, Hub};

use protocol::ServerEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who an event is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every connection of every member of the room.
    Room(Uuid),
    /// Every connection of one user.
    User(Uuid),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// The connection whose frame caused the events: it gets an `ack` instead of
/// its own `message`, and nothing else of what it caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub node: Uuid,
    pub conn: ConnId,
}

/// One publication: events in order, and where they came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub events: Vec<Outbound>,
    pub origin: Option<Origin>,
    /// A user came online or went offline, cluster-wide.
    #[serde(default)]
    pub presence: Option<(Uuid, bool)>,
}

impl Envelope {
    pub fn new(events: Vec<Outbound>, origin: Option<Origin>) -> Self {
        Self {
            events,
            origin,
            presence: None,
        }
    }
}

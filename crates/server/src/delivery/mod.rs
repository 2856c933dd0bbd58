//! Live events: who is connected, and getting events to them in order.
//!
//! Domain code describes *what* happened as [`Outbound`] events addressed to a
//! room or a user. REST and WebSocket changes both persist first and publish
//! after, so a client never hears of something it cannot then read. The
//! [`bus::Bus`] carries events between nodes (through Redis when configured);
//! each node's [`Hub`] turns them into frames on its own connections.

pub mod bus;
pub mod hub;
pub mod pollers;
pub mod presence;
mod wire;

pub use bus::Bus;
pub use hub::Hub;
// What domain code publishes; defined there so the rules need nothing from
// this layer.
pub use domain::events::{Audience, ConnId, Origin, Outbound};

use protocol::{SessionId, UserId};
use serde::{Deserialize, Serialize};

/// One publication: events in order, and where they came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub events: Vec<Outbound>,
    pub origin: Option<Origin>,
    /// A user came online or went offline, cluster-wide.
    #[serde(default)]
    pub presence: Option<(UserId, bool)>,
    /// Sessions that ended: every node closes their sockets.
    #[serde(default)]
    pub revoke: Option<Revocation>,
}

impl Envelope {
    pub fn new(events: Vec<Outbound>, origin: Option<Origin>) -> Self {
        Self {
            events,
            origin,
            presence: None,
            revoke: None,
        }
    }

    pub fn revocation(revocation: Revocation) -> Self {
        Self {
            revoke: Some(revocation),
            ..Self::new(Vec::new(), None)
        }
    }
}

/// Sessions of one user that ended: their sockets must close at once, on
/// every node (a token stays valid until it expires, a socket would forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub user: UserId,
    pub sessions: RevokedSessions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevokedSessions {
    /// Sign-out of one device.
    One(SessionId),
    /// A password change: every device but the one that changed it.
    AllBut(SessionId),
    /// The account is gone.
    All,
}

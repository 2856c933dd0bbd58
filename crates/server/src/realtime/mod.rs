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
pub use hub::Hub;
// What domain code publishes; defined there so the rules need nothing from
// this layer.
pub use crate::domain::events::{Audience, ConnId, Origin, Outbound};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

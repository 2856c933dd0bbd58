//! How an envelope crosses the bus: each event with who it is for in
//! front of it, so that a node reads only the events it has someone for.
//!
//! Every node receives every envelope. Decoding each event (a message with
//! its sender, reactions and attachments) on every node, only to find that
//! nobody connected there is in the room, is most of what a node of a big
//! cluster would do; here the audience is read first and the event is
//! decoded only when a connection on this node is in it.

use protocol::{ServerEvent, UserId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::hub::joiner;
use super::{Audience, Envelope, Hub, Origin, Revocation};

#[derive(Serialize)]
struct Sent<'a> {
    events: Vec<SentEvent<'a>>,
    origin: Option<Origin>,
    presence: Option<(UserId, bool)>,
    revoke: Option<Revocation>,
}

#[derive(Serialize)]
struct SentEvent<'a> {
    audience: &'a Audience,
    /// A join is for the joiner's connections too, which are not in the
    /// room yet: the hub subscribes them as it delivers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    joiner: Option<UserId>,
    event: &'a ServerEvent,
}

#[derive(Deserialize)]
struct Received<'a> {
    #[serde(borrow)]
    events: Vec<ReceivedEvent<'a>>,
    origin: Option<Origin>,
    #[serde(default)]
    presence: Option<(UserId, bool)>,
    #[serde(default)]
    revoke: Option<Revocation>,
}

#[derive(Deserialize)]
struct ReceivedEvent<'a> {
    audience: Audience,
    #[serde(default)]
    joiner: Option<UserId>,
    /// Left as text until someone here is found to be in the audience.
    #[serde(borrow)]
    event: &'a RawValue,
}

/// The envelope as it goes onto the bus.
pub fn encode(envelope: &Envelope) -> serde_json::Result<String> {
    serde_json::to_string(&Sent {
        events: envelope
            .events
            .iter()
            .map(|o| SentEvent {
                audience: &o.audience,
                joiner: joiner(&o.event),
                event: &o.event,
            })
            .collect(),
        origin: envelope.origin,
        presence: envelope.presence,
        revoke: envelope.revoke,
    })
}

/// An envelope from the bus with only the events `hub` has someone for,
/// and how many were skipped unread.
pub fn decode(payload: &str, hub: &Hub) -> serde_json::Result<(Envelope, usize)> {
    let received: Received<'_> = serde_json::from_str(payload)?;
    let mut events = Vec::with_capacity(received.events.len());
    let mut skipped = 0;
    for e in received.events {
        if !hub.has_audience(&e.audience, e.joiner) {
            skipped += 1;
            continue;
        }
        events.push(super::Outbound {
            audience: e.audience,
            event: serde_json::from_str(e.event.get())?,
        });
    }
    let envelope = Envelope {
        events,
        origin: received.origin,
        presence: received.presence,
        revoke: received.revoke,
    };
    Ok((envelope, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Outbound;
    use protocol::RoomId;
    use uuid::Uuid;

    fn typing(room: RoomId) -> Outbound {
        Outbound::room(
            room,
            ServerEvent::Typing {
                room_id: room,
                user: protocol::UserRef {
                    id: UserId::from(Uuid::new_v4()),
                    username: "ann".into(),
                    display_name: "Ann".into(),
                    avatar_url: None,
                },
            },
        )
    }

    #[test]
    fn a_node_reads_only_the_events_it_has_someone_for() {
        let hub = Hub::new();
        let followed = RoomId::from(Uuid::new_v4());
        let (tx, _rx) = tokio::sync::mpsc::channel(4);
        let handle = crate::delivery::hub::ConnHandle {
            tx,
            closer: Default::default(),
            stall: Default::default(),
        };
        hub.register(
            UserId::from(Uuid::new_v4()),
            protocol::SessionId::from(Uuid::new_v4()),
            &[(followed, 0)],
            handle,
        );
        let elsewhere = RoomId::from(Uuid::new_v4());
        let sent = Envelope::new(vec![typing(elsewhere), typing(followed)], None);

        let (received, skipped) = decode(&encode(&sent).expect("encodes"), &hub).expect("decodes");

        assert_eq!(skipped, 1);
        assert_eq!(received.events.len(), 1);
        assert_eq!(received.events[0].audience, Audience::Room(followed));
    }
}

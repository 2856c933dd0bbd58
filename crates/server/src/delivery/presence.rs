//! Telling people who came online and who left.
//!
//! `presence` goes to a user's friends and to everyone sharing a room with
//! them (not through a crowd: see [`domain::crowd`]), on every node. With
//! Redis, each node also sweeps up after nodes that died without saying
//! goodbye (see [`super::bus`]): their users go offline.

use protocol::ServerEvent;

use super::Bus;
use super::{Envelope, Outbound};
use domain::crowd::Crowd;
use domain::{Database, live};
use protocol::UserId;

/// Publishes `user`'s new presence to friends and co-members (of rooms that
/// are not crowds), and to every node's idea of who is online.
pub async fn announce(db: &Database, bus: &Bus, crowd: Crowd, user: UserId, online: bool) {
    let audience = db
        .run(move |c| live::presence_audience(c, user, crowd))
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot load the presence audience");
            Vec::new()
        });
    let events = audience
        .into_iter()
        .map(|other| {
            Outbound::user(
                other,
                ServerEvent::Presence {
                    user_id: user,
                    online,
                },
            )
        })
        .collect();
    bus.publish(Envelope {
        presence: Some((user, online)),
        ..Envelope::new(events, None)
    });
}

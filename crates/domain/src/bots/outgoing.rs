//! Outgoing webhooks: ThemeChat calls the owner's URL when the bot is
//! written to (every message in its rooms, or those that mention it).
//!
//! The calls are read from an event queue of the bot's, the same queue a
//! long-polling client reads: the message path does not know webhooks
//! exist, and a slow or dead receiver delays nobody's messages. Who calls
//! and retries is the server's business (`workers::webhook_calls`);
//! here are the rules: who may set one, which messages call it, and how a
//! call is signed.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use protocol::limits::PAGE_MAX;
use protocol::markup;
use protocol::validate;
use protocol::{
    EventQueueId, IssuedOutgoingWebhook, Message, OutgoingTrigger, OutgoingWebhook,
    OutgoingWebhookRequest, RoomId, RoomSummary, UserId,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{bot_session, owned};
use crate::error::{DomainError, DomainResult};
use crate::event_queues::{self, Queue};
use crate::messages;
use storage::DbConn;
use storage::models::{BotRow, utc};
use storage::queries::{bots as stored, event_queues as queues, members, sessions};

/// What the owner sees of the bot's outgoing webhook.
pub(super) fn view(bot: &BotRow) -> Option<OutgoingWebhook> {
    Some(OutgoingWebhook {
        url: bot.outgoing_url.clone()?,
        trigger: (*bot.outgoing_trigger)?,
        last_delivered_at: bot.delivered_at.map(utc),
        last_error: bot.last_error.clone(),
    })
}

/// Sets (or replaces) the bot's outgoing webhook, with a new signing key
/// and a new queue: calls start with the next message.
pub fn set(
    conn: &mut DbConn,
    owner: UserId,
    bot: UserId,
    req: OutgoingWebhookRequest,
) -> DomainResult<IssuedOutgoingWebhook> {
    let url = validate::webhook_url(&req.url)?;
    let (row, _) = owned(conn, owner, bot)?;
    drop_queue(conn, &row)?;
    let session = bot_session(bot, "outgoing webhook");
    sessions::insert(conn, &session)?;
    let queue = event_queues::register(conn, bot, *session.id)?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    stored::set_outgoing(
        conn,
        bot,
        Some(stored::Outgoing {
            url: &url,
            trigger: req.trigger,
            secret: &secret,
            queue: queue.id,
        }),
    )?;
    start_now(conn, bot, queue.id)?;
    Ok(IssuedOutgoingWebhook {
        signing_secret: secret,
        info: OutgoingWebhook {
            url,
            trigger: req.trigger,
            last_delivered_at: None,
            last_error: None,
        },
    })
}

pub fn remove(conn: &mut DbConn, owner: UserId, bot: UserId) -> DomainResult<()> {
    let (row, _) = owned(conn, owner, bot)?;
    if row.outgoing_url.is_none() {
        return Err(DomainError::NotFound(crate::error::Missing::Webhook));
    }
    drop_queue(conn, &row)?;
    stored::set_outgoing(conn, bot, None)?;
    Ok(())
}

/// The old webhook's queue goes, and the session it was fed under.
fn drop_queue(conn: &mut DbConn, row: &BotRow) -> DomainResult<()> {
    if let Some(queue) = *row.outgoing_queue {
        if let Some(found) = queues::find(conn, queue)? {
            sessions::revoke(conn, *found.session_id)?;
        }
        queues::delete(conn, queue)?;
    }
    Ok(())
}

/// An outgoing webhook to call, as the caller needs it.
#[derive(Debug, Clone)]
pub struct Target {
    pub bot: UserId,
    /// Lower-cased, to find `@mentions` of the bot.
    pub username_key: String,
    pub url: String,
    pub trigger: OutgoingTrigger,
    pub secret: String,
    pub queue: Queue,
}

/// The outgoing webhooks to call, and those whose queue is gone (swept
/// while no node ran): [`renew`] gives them one.
pub struct Scan {
    pub targets: Vec<Target>,
    pub orphaned: Vec<(UserId, EventQueueId)>,
}

pub fn scan(conn: &mut DbConn) -> DomainResult<Scan> {
    let mut found = Scan {
        targets: Vec::new(),
        orphaned: Vec::new(),
    };
    for (bot, user) in stored::with_outgoing(conn)? {
        let (Some(url), Some(trigger), Some(secret), Some(queue)) = (
            bot.outgoing_url.clone(),
            *bot.outgoing_trigger,
            bot.outgoing_secret.clone(),
            *bot.outgoing_queue,
        ) else {
            continue;
        };
        let Some(row) = queues::find(conn, queue)? else {
            found.orphaned.push((*user.id, queue));
            continue;
        };
        found.targets.push(Target {
            bot: *user.id,
            username_key: user.username_key.clone(),
            url,
            trigger,
            secret,
            queue: Queue::from(&row),
        });
    }
    Ok(found)
}

/// A new queue for the webhook whose queue `old` is gone, unless it was set
/// anew meanwhile: calls go on from the next message.
pub fn renew(conn: &mut DbConn, bot: UserId, old: EventQueueId) -> DomainResult<()> {
    let current = stored::find(conn, bot)?.and_then(|(row, _)| *row.outgoing_queue);
    if current != Some(old) {
        return Ok(());
    }
    let session = bot_session(bot, "outgoing webhook");
    sessions::insert(conn, &session)?;
    let queue = event_queues::register(conn, bot, *session.id)?;
    stored::replace_queue(conn, bot, old, queue.id)?;
    start_now(conn, bot, queue.id)
}

/// Marks every room of the bot at its newest message, for the webhook
/// reading `queue`: calls start with the next message. No node feeds the
/// new queue yet (one picks it up within a rescan, and its `ready` comes
/// after whatever was said meanwhile); with these marks that `ready` shows
/// the rooms behind, and what was said since now is caught up from their
/// history. Without them the first `ready` would count as the start, and
/// the first seconds' messages would never call.
fn start_now(conn: &mut DbConn, bot: UserId, queue: EventQueueId) -> DomainResult<()> {
    let marks = Watermarks(
        members::rooms_of(conn, bot)?
            .into_iter()
            .map(|(_, room)| (*room.id, Mark { seq: room.last_seq }))
            .collect(),
    );
    save_watermarks(conn, bot, queue, &marks)
}

/// Where an outgoing webhook's calls stand: the newest message handled in
/// each room. A queue is fed only while some node follows the bot's rooms
/// for it; when the feeding node stops, the node taking over queues a
/// fresh `ready`, and the rooms it shows newer than their mark are what
/// nobody called for meanwhile. The marks also drop a message seen twice
/// (the live event of one the catch-up fetched).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Watermarks(HashMap<RoomId, Mark>);

/// The `seq` of the newest message handled in a room (0: none yet).
/// (Marks saved before also name its id, which is no longer read.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Mark {
    seq: i64,
}

impl Watermarks {
    /// Marks the rooms a `ready` shows that have no mark yet at their
    /// newest message: what was said before the webhook (or before the bot
    /// joined) is not called for.
    pub fn start(&mut self, rooms: &[RoomSummary]) {
        for summary in rooms {
            if let Some(last) = &summary.last_message {
                self.0
                    .entry(summary.room.id)
                    .or_insert(Mark { seq: last.seq });
            }
        }
    }

    /// The rooms a `ready` shows newer than their mark, each with the
    /// `seq` of the last message handled there: fetch what follows it.
    pub fn behind(&self, rooms: &[RoomSummary]) -> Vec<(RoomId, i64)> {
        rooms
            .iter()
            .filter_map(|summary| {
                let mark = self.0.get(&summary.room.id)?;
                let newest = summary.last_message.as_ref()?.seq;
                (newest > mark.seq).then_some((summary.room.id, mark.seq))
            })
            .collect()
    }

    /// Whether `message` is new here (and marks it so).
    pub fn fresh(&mut self, message: &Message) -> bool {
        let mark = Mark { seq: message.seq };
        match self.0.get(&message.room_id) {
            Some(seen) if seen.seq >= message.seq => false,
            _ => {
                self.0.insert(message.room_id, mark);
                true
            }
        }
    }
}

/// The marks of the webhook reading `queue`; `None` before its first
/// `ready` was read.
pub fn watermarks(
    conn: &mut DbConn,
    bot: UserId,
    queue: EventQueueId,
) -> DomainResult<Option<Watermarks>> {
    let Some(text) = stored::seen(conn, bot, queue)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| DomainError::internal(format!("bots.outgoing_seen: {e}")))
}

pub fn save_watermarks(
    conn: &mut DbConn,
    bot: UserId,
    queue: EventQueueId,
    marks: &Watermarks,
) -> DomainResult<()> {
    let text = serde_json::to_string(marks)
        .map_err(|e| DomainError::internal(format!("watermarks: {e}")))?;
    Ok(stored::set_seen(conn, bot, queue, &text)?)
}

/// Messages the bot may read in `room` numbered after `after`, oldest
/// first, for a catch-up (at most a few pages: a webhook is not a history
/// export).
pub fn missed(
    conn: &mut DbConn,
    bot: UserId,
    room: RoomId,
    after: i64,
) -> DomainResult<Vec<Message>> {
    const PAGES: usize = 5;
    let mut found: Vec<Message> = Vec::new();
    let mut cursor = after;
    for _ in 0..PAGES {
        let page = messages::after_seq(conn, bot, room, cursor, PAGE_MAX)?;
        let full = page.len() as i64 == PAGE_MAX;
        match page.last() {
            Some(last) => cursor = last.seq,
            None => break,
        }
        found.extend(page);
        if !full {
            break;
        }
    }
    Ok(found)
}

/// Whether `message` calls the webhook: never the bot's own, then every
/// one or those that mention it.
pub fn calls(target: &Target, message: &Message) -> bool {
    if message.deleted || message.sender.as_ref().is_none_or(|s| s.id == target.bot) {
        return false;
    }
    match target.trigger {
        OutgoingTrigger::Messages => true,
        OutgoingTrigger::Mentions => markup::mentions_in(&markup::blocks(&message.body))
            .iter()
            .any(|m| m.trim_start_matches('@').to_lowercase() == target.username_key),
    }
}

/// `sha256=<hex>`: the HMAC-SHA256 under `secret` of `<timestamp>.<body>`.
/// The timestamp is signed too, so a recorded call cannot be replayed as a
/// fresh one.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let timestamp = timestamp.to_string();
    format!(
        "sha256={}",
        mac_hex(secret, &[timestamp.as_bytes(), b".", body])
    )
}

#[allow(
    clippy::expect_used,
    reason = "HMAC takes a key of any length: new_from_slice cannot fail"
)]
fn mac_hex(secret: &str, parts: &[&[u8]]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Records how a call went, for the owner's page.
pub fn record(
    conn: &mut DbConn,
    bot: UserId,
    queue: EventQueueId,
    error: Option<&str>,
) -> DomainResult<()> {
    Ok(stored::record_call(conn, bot, queue, error)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::MessageId;

    /// The widely published HMAC-SHA256 of the pangram under "key".
    #[test]
    fn the_mac_is_hmac_sha256() {
        assert_eq!(
            mac_hex(
                "key",
                &[b"The quick brown fox ", b"jumps over the lazy dog"]
            ),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert_ne!(signature("k", 1, b"x"), signature("k", 2, b"x"));
        assert!(signature("k", 1, b"x").starts_with("sha256="));
    }

    fn message(room: RoomId, seq: i64) -> Message {
        Message {
            id: MessageId::from(uuid::Uuid::now_v7()),
            room_id: room,
            seq,
            sender: None,
            body: "x".into(),
            created_at: chrono::Utc::now(),
            edited_at: None,
            deleted: false,
            reply_to: None,
            reply_count: 0,
            client_id: None,
            reactions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// A message is new once per room and seq, whichever way it came (its
    /// live event, or a catch-up that fetched it too).
    #[test]
    fn marks_let_each_message_through_once() {
        let (a, b) = (
            RoomId::from(uuid::Uuid::now_v7()),
            RoomId::from(uuid::Uuid::now_v7()),
        );
        let mut marks = Watermarks::default();
        assert!(marks.fresh(&message(a, 1)));
        assert!(marks.fresh(&message(a, 3)));
        assert!(!marks.fresh(&message(a, 3)), "seen already");
        assert!(!marks.fresh(&message(a, 2)), "older than the mark");
        assert!(marks.fresh(&message(b, 1)), "rooms are apart");
        let saved = serde_json::to_string(&marks).expect("marks serialize");
        let read: Watermarks = serde_json::from_str(&saved).expect("and read back");
        assert_eq!(read, marks);
        // Marks saved when they named the message's id too still read.
        let older = format!(r#"{{"{a}":{{"seq":3,"id":"{}"}}}}"#, uuid::Uuid::now_v7());
        let mut read: Watermarks = serde_json::from_str(&older).expect("old marks read");
        assert!(!read.fresh(&message(a, 3)) && read.fresh(&message(a, 4)));
    }
}

//! Emoji reactions on messages: who may add them, and how they are shown.

use std::collections::HashMap;

use protocol::limits::REACTIONS_MAX;
use protocol::validate;
use protocol::{Message, MessageId, Reaction, RoomKind, ServerEvent, UserId};

use super::access::readable_message;
use super::events::Outbound;
use crate::blocks;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{ReactionRow, Stored, now};
use storage::queries::reactions;

/// Adds (`add`) or takes back `user`'s reaction with `emoji` to a message
/// they can read. Answers the message's reactions after the change; the
/// room hears of it only when something changed.
pub fn react(
    conn: &mut DbConn,
    user: UserId,
    message_id: MessageId,
    emoji: &str,
    add: bool,
) -> DomainResult<(Vec<Reaction>, Vec<Outbound>)> {
    let emoji = validate::emoji(emoji)?;
    let (message, room, _) = readable_message(conn, user, message_id)?;
    if message.deleted {
        return Err(DomainError::NotFound(Missing::Message));
    }
    // A direct conversation stays, but nobody acts in it across a block.
    if room.kind() == RoomKind::Direct
        && let Some((a, b)) = room.direct_pair()
        && blocks::either_way(conn, a, b)?
    {
        return Err(DomainError::blocked());
    }
    let changed = if add {
        let used = of_messages(conn, &[message_id])?.remove(&message_id);
        let used = used.unwrap_or_default();
        if used.len() >= REACTIONS_MAX && !used.iter().any(|r| r.emoji == emoji) {
            return Err(DomainError::validation(format!(
                "a message takes at most {REACTIONS_MAX} different emoji"
            )));
        }
        let row = ReactionRow {
            message_id: Stored(message_id),
            user_id: Stored(user),
            emoji: emoji.clone(),
            created_at: now(),
        };
        reactions::add(conn, &row)?
    } else {
        reactions::remove(conn, message_id, user, &emoji)?
    };
    let list = of_messages(conn, &[message_id])?
        .remove(&message_id)
        .unwrap_or_default();
    let events = if changed {
        let room_id = *room.id;
        let event = ServerEvent::Reaction {
            room_id,
            message_id,
            user_id: user,
            emoji,
            added: add,
            reactions: list.clone(),
        };
        vec![Outbound::room(room_id, event)]
    } else {
        Vec::new()
    };
    Ok((list, events))
}

/// Fills in the reactions of these messages: one statement for the lot.
pub fn attach<'a>(
    conn: &mut DbConn,
    messages: impl IntoIterator<Item = &'a mut Message>,
) -> DomainResult<()> {
    let messages: Vec<&mut Message> = messages.into_iter().collect();
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut found = of_messages(conn, &ids)?;
    for message in messages {
        message.reactions = found.remove(&message.id).unwrap_or_default();
    }
    Ok(())
}

/// Each message's reactions, grouped by emoji in the order each emoji was
/// first used, and each group's people earliest first.
fn of_messages(
    conn: &mut DbConn,
    ids: &[MessageId],
) -> DomainResult<HashMap<MessageId, Vec<Reaction>>> {
    let mut grouped: HashMap<MessageId, Vec<Reaction>> = HashMap::new();
    for row in reactions::of_messages(conn, ids)? {
        let list = grouped.entry(*row.message_id).or_default();
        match list.iter_mut().find(|r| r.emoji == row.emoji) {
            Some(reaction) => {
                reaction.count += 1;
                reaction.user_ids.push(*row.user_id);
            }
            None => list.push(Reaction {
                emoji: row.emoji,
                count: 1,
                user_ids: vec![*row.user_id],
            }),
        }
    }
    Ok(grouped)
}

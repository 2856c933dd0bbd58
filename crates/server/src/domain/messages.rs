//! Posting, paging, editing and deleting messages; read markers.

use protocol::validate::{self, MessageBody};
use protocol::{
    AuditAction, Message, NotificationKind, NotificationLevel, ReadMarker, RoomKind, ServerEvent,
    Thread,
};

use super::Presence;
use super::access::visible_room;
use super::mentions;
use super::notifications::{About, notify};
use super::profanity::ProfanityFilter;
use crate::db::DbConn;
use crate::db::is_unique_violation;
use crate::db::models::{MentionRow, MessageRow, RoomRow, id, new_id, now};
use crate::db::queries::{members, messages, rooms, social, users};
use crate::error::{AppError, AppResult};
use crate::realtime::Outbound;

/// The code `post` fails with when a concurrent send with the same
/// `client_id` won the race; the caller then answers with that message.
pub const DUPLICATE_CLIENT_ID: &str = "duplicate_client_id";

/// A message to post, checked and cleaned before any transaction starts.
#[derive(Debug, Clone)]
pub struct Draft {
    pub body: String,
    pub client_id: Option<String>,
    pub reply_to: Option<String>,
}

impl Draft {
    pub fn parse(
        body: &str,
        client_id: Option<&str>,
        reply_to: Option<uuid::Uuid>,
        filter: &ProfanityFilter,
    ) -> AppResult<Self> {
        let body = MessageBody::parse(body)?;
        Ok(Self {
            body: filter.apply(body.as_str()),
            client_id: client_id.map(validate::client_id).transpose()?,
            reply_to: reply_to.map(|r| r.to_string()),
        })
    }
}

pub struct Posted {
    pub message: Message,
    /// False when the `client_id` was seen before: nothing new was stored.
    pub created: bool,
    pub events: Vec<Outbound>,
}

/// A message of a room the caller may read, and that room.
fn readable_message(
    conn: &mut DbConn,
    user_id: &str,
    message_id: &str,
) -> AppResult<(MessageRow, RoomRow, crate::db::models::MembershipRow)> {
    let row = messages::find(conn, message_id)?.ok_or(AppError::NotFound("message"))?;
    let (room, membership) = visible_room(conn, &row.room_id, user_id)
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("message"),
            other => other,
        })?
        .member()?;
    Ok((row, room, membership))
}

fn load(conn: &mut DbConn, message_id: &str) -> AppResult<Message> {
    messages::load(conn, message_id)?.ok_or(AppError::NotFound("message"))
}

/// A cursor must be a message of this very room.
fn cursor_seq(
    conn: &mut DbConn,
    room_id: &str,
    message_id: Option<uuid::Uuid>,
) -> AppResult<Option<i64>> {
    let Some(message_id) = message_id else {
        return Ok(None);
    };
    match messages::find(conn, &message_id.to_string())? {
        Some(m) if m.room_id == room_id => Ok(Some(m.seq)),
        _ => Err(AppError::NotFound("message")),
    }
}

pub fn history(
    conn: &mut DbConn,
    user_id: &str,
    room_id: &str,
    before: Option<uuid::Uuid>,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> AppResult<Vec<Message>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let before = cursor_seq(conn, room_id, before)?;
    let after = cursor_seq(conn, room_id, after)?;
    Ok(match after {
        Some(after) => messages::page_after(conn, room_id, after, before, limit)?,
        None => messages::page_before(conn, room_id, before, limit)?,
    })
}

/// Stores a message (or finds the one already stored under its
/// `client_id`). Runs inside a write transaction.
pub fn post(
    conn: &mut DbConn,
    sender: &str,
    room_id: &str,
    draft: Draft,
    presence: &dyn Presence,
) -> AppResult<Posted> {
    let (room, _) = visible_room(conn, room_id, sender)?.member()?;
    if let Some(client_id) = &draft.client_id
        && let Some(existing) = messages::find_by_client_id(conn, sender, client_id)?
    {
        return Ok(Posted {
            message: load(conn, &existing.id)?,
            created: false,
            events: Vec::new(),
        });
    }
    let root = match &draft.reply_to {
        Some(root_id) => match messages::find(conn, root_id)? {
            Some(root) if root.room_id == room_id => Some(root),
            _ => return Err(AppError::NotFound("message")),
        },
        None => None,
    };

    let seq = rooms::next_seq(conn, room_id)?;
    let row = MessageRow {
        id: new_id(),
        room_id: room_id.to_owned(),
        seq,
        sender_id: Some(sender.to_owned()),
        body: draft.body,
        client_id: draft.client_id,
        reply_to: root.as_ref().map(|r| r.id.clone()),
        reply_count: 0,
        deleted: false,
        created_at: now(),
        edited_at: None,
    };
    match messages::insert(conn, &row) {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::conflict(
                DUPLICATE_CLIENT_ID,
                "a message with this client_id is being stored",
            ));
        }
        other => other?,
    }
    let mentioned = record_mentions(conn, &row)?;

    let room_uuid = id(room_id);
    let message = load(conn, &row.id)?;
    let mut events = vec![Outbound::room(
        room_uuid,
        ServerEvent::Message {
            message: message.clone(),
        },
    )];
    if let Some(root) = root {
        messages::add_reply(conn, &root.id)?;
        events.push(Outbound::room(
            room_uuid,
            ServerEvent::MessageUpdated {
                message: load(conn, &root.id)?,
            },
        ));
    }
    events.extend(notify_recipients(conn, &room, &row, &mentioned, presence)?);
    Ok(Posted {
        message,
        created: true,
        events,
    })
}

/// Mentions notify (unless the room is muted for them); a direct message
/// notifies a recipient who has no live connection to see it arrive.
fn notify_recipients(
    conn: &mut DbConn,
    room: &RoomRow,
    row: &MessageRow,
    mentioned: &[String],
    presence: &dyn Presence,
) -> AppResult<Vec<Outbound>> {
    let sender = row.sender_id.as_deref().unwrap_or_default();
    let mut events = Vec::new();
    let about = |kind| About {
        kind,
        actor: Some(sender),
        room: Some(&row.room_id),
        message: Some(&row.id),
    };
    for user in mentioned {
        let muted = members::find(conn, &row.room_id, user)?
            .is_none_or(|m| m.level() == NotificationLevel::None);
        if !muted {
            events.push(notify(
                conn,
                user,
                about(NotificationKind::Mention),
                presence,
            )?);
        }
    }
    if room.kind() == RoomKind::Direct {
        for (membership, user) in members::list(conn, &row.room_id)? {
            let offline = !presence.is_online(user.uuid());
            let wants = membership.level() != NotificationLevel::None;
            if user.id != sender
                && offline
                && wants
                && !mentioned.contains(&user.id)
                && !social::has_blocked(conn, &user.id, sender)?
            {
                events.push(notify(
                    conn,
                    &user.id,
                    about(NotificationKind::DirectMessage),
                    presence,
                )?);
            }
        }
    }
    Ok(events)
}

/// Mentions count only for members of the room, never the sender, and never
/// someone who blocked the sender.
fn record_mentions(conn: &mut DbConn, row: &MessageRow) -> AppResult<Vec<String>> {
    let names = mentions::extract(&row.body);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sender = row.sender_id.as_deref().unwrap_or_default();
    let mut mentioned: Vec<String> = Vec::new();
    for user in users::find_by_usernames(conn, &names)? {
        if user.id != sender && members::find(conn, &row.room_id, &user.id)?.is_some() {
            mentioned.push(user.id);
        }
    }
    let blockers = social::blockers_of(conn, sender, &mentioned)?;
    mentioned.retain(|u| !blockers.contains(u));
    for user_id in &mentioned {
        messages::insert_mention(
            conn,
            &MentionRow {
                message_id: row.id.clone(),
                user_id: user_id.clone(),
                room_id: row.room_id.clone(),
                seq: row.seq,
            },
        )?;
    }
    Ok(mentioned)
}

pub fn edit(
    conn: &mut DbConn,
    user_id: &str,
    message_id: &str,
    body: &str,
    filter: &ProfanityFilter,
) -> AppResult<(Message, Vec<Outbound>)> {
    let body = MessageBody::parse(body)?;
    let (row, _, _) = readable_message(conn, user_id, message_id)?;
    if row.sender_id.as_deref() != Some(user_id) {
        return Err(AppError::forbidden("only the author may edit a message"));
    }
    if row.deleted {
        return Err(AppError::NotFound("message"));
    }
    messages::set_body(conn, message_id, &filter.apply(body.as_str()))?;
    let message = load(conn, message_id)?;
    let event = Outbound::room(
        message.room_id,
        ServerEvent::MessageUpdated {
            message: message.clone(),
        },
    );
    Ok((message, vec![event]))
}

pub fn delete(conn: &mut DbConn, user_id: &str, message_id: &str) -> AppResult<Vec<Outbound>> {
    let (row, room, membership) = readable_message(conn, user_id, message_id)?;
    let own = row.sender_id.as_deref() == Some(user_id);
    if !own && !membership.role().can_moderate() {
        return Err(AppError::forbidden(
            "only the author or a moderator may delete a message",
        ));
    }
    if row.deleted {
        return Ok(Vec::new());
    }
    messages::mark_deleted(conn, message_id)?;
    if !own {
        super::rooms::audit(
            conn,
            &room.id,
            user_id,
            AuditAction::MessageDelete,
            row.sender_id.as_deref(),
            Some(message_id),
            None,
        )?;
    }
    let room_id = room.uuid();
    Ok(vec![Outbound::room(
        room_id,
        ServerEvent::MessageDeleted {
            room_id,
            message_id: id(message_id),
        },
    )])
}

pub fn thread(conn: &mut DbConn, user_id: &str, message_id: &str) -> AppResult<Thread> {
    readable_message(conn, user_id, message_id)?;
    Ok(Thread {
        root: load(conn, message_id)?,
        replies: messages::replies(conn, message_id, 1000)?,
    })
}

/// Moves the caller's marker forward (never back).
pub fn mark_read(
    conn: &mut DbConn,
    user_id: &str,
    room_id: &str,
    message_id: uuid::Uuid,
) -> AppResult<Vec<Outbound>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let Some(seq) = cursor_seq(conn, room_id, Some(message_id))? else {
        return Ok(Vec::new());
    };
    if !messages::advance_marker(conn, room_id, user_id, &message_id.to_string(), seq)? {
        return Ok(Vec::new());
    }
    Ok(vec![Outbound::room(
        id(room_id),
        ServerEvent::Read {
            room_id: id(room_id),
            user_id: id(user_id),
            message_id,
        },
    )])
}

pub fn read_markers(conn: &mut DbConn, user_id: &str, room_id: &str) -> AppResult<Vec<ReadMarker>> {
    visible_room(conn, room_id, user_id)?.member()?;
    Ok(messages::markers(conn, room_id)?
        .into_iter()
        .map(|m| ReadMarker {
            user_id: id(&m.user_id),
            message_id: id(&m.message_id),
        })
        .collect())
}

/// The message a user already stored under `client_id`.
pub fn existing(conn: &mut DbConn, sender: &str, client_id: &str) -> AppResult<Posted> {
    let row = messages::find_by_client_id(conn, sender, client_id)?
        .ok_or(AppError::NotFound("message"))?;
    Ok(Posted {
        message: load(conn, &row.id)?,
        created: false,
        events: Vec::new(),
    })
}

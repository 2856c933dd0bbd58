//! Posting, paging, editing and deleting messages; read markers.

mod batch;
pub mod shown;

pub use batch::{NewPost, post_batch};

use protocol::limits::ATTACHMENTS_MAX;
use protocol::validate::{self, MessageBody};
use protocol::{
    AttachmentId, AuditAction, Message, MessageId, MessageVersion, ReadMarker, RoomId, ServerEvent,
    Thread, UserId, VersionId,
};

use super::access::{readable_message, visible_room};
use super::crowd::Crowd;
use super::events::Outbound;
use super::profanity::ProfanityFilter;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{MessageEditRow, Stored, now, utc};
use storage::queries::{edits, members, messages};

/// A message to post, checked and cleaned before any transaction starts.
#[derive(Debug, Clone)]
pub struct Draft {
    pub body: String,
    pub client_id: Option<String>,
    pub reply_to: Option<MessageId>,
    /// Uploads to send with it, in order (checked when it is stored).
    pub attachments: Vec<AttachmentId>,
}

impl Draft {
    /// A message needs words or files: the body may be empty only when it
    /// carries attachments.
    pub fn parse(
        body: &str,
        client_id: Option<&str>,
        reply_to: Option<MessageId>,
        attachments: Vec<AttachmentId>,
        filter: &ProfanityFilter,
    ) -> DomainResult<Self> {
        let body = if body.trim().is_empty() && !attachments.is_empty() {
            String::new()
        } else {
            filter.apply(MessageBody::parse(body)?.as_str())
        };
        if attachments.len() > ATTACHMENTS_MAX {
            return Err(DomainError::validation(format!(
                "a message carries at most {ATTACHMENTS_MAX} attachments"
            )));
        }
        Ok(Self {
            body,
            client_id: client_id.map(validate::client_id).transpose()?,
            reply_to,
            attachments,
        })
    }
}

pub struct Posted {
    pub message: Message,
    /// False when the `client_id` was seen before: nothing new was stored.
    pub created: bool,
    pub events: Vec<Outbound>,
}

/// One message as clients see it, reactions included.
pub(super) fn load(conn: &mut DbConn, message_id: MessageId) -> DomainResult<Message> {
    let mut message =
        messages::load(conn, message_id)?.ok_or(DomainError::NotFound(Missing::Message))?;
    shown::complete(conn, [&mut message])?;
    Ok(message)
}

/// A cursor must be a message of this very room.
fn cursor_seq(
    conn: &mut DbConn,
    room_id: RoomId,
    message_id: Option<MessageId>,
) -> DomainResult<Option<i64>> {
    let Some(message_id) = message_id else {
        return Ok(None);
    };
    match messages::find(conn, message_id)? {
        Some(m) if *m.room_id == room_id => Ok(Some(m.seq)),
        _ => Err(DomainError::NotFound(Missing::Message)),
    }
}

pub fn history(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    before: Option<MessageId>,
    after: Option<MessageId>,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let page = messages::page(conn, room_id, before, after, limit)?;
    if page.is_empty() {
        // Empty because a cursor names no message of this room? That is a
        // 404 (checked only here: a page with messages proves its cursors).
        for cursor in [before, after].into_iter().flatten() {
            match messages::find(conn, cursor)? {
                Some(m) if *m.room_id == room_id => {}
                _ => return Err(DomainError::NotFound(Missing::Message)),
            }
        }
    }
    shown::completed(conn, page)
}

/// The newest `limit` messages of a room, oldest first, for a look before
/// joining: members, and anyone who may see a public room (a private one
/// stays 404) unless banned from it. History past them stays members'.
pub fn preview(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    let access = visible_room(conn, room_id, user_id)?;
    if access.membership.is_none() && storage::queries::members::is_banned(conn, room_id, user_id)?
    {
        return Err(DomainError::refused(
            protocol::ErrorCode::Banned,
            "you are banned from this room",
        ));
    }
    let page = messages::page(conn, room_id, None, None, limit)?;
    shown::completed(conn, page)
}

/// Up to `limit` messages of a room that `user` reads, numbered after
/// `seq`, oldest first: what followed a point known by number only.
pub fn after_seq(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    seq: i64,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let page = messages::after_seq(conn, room_id, seq, limit)?;
    shown::completed(conn, page)
}

/// The page of history around one message, the message included (a link
/// to it, a search result opened in context): about half older, the rest
/// newer, oldest first.
pub fn context(
    conn: &mut DbConn,
    user_id: UserId,
    message_id: MessageId,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    let (row, _, _) = readable_message(conn, user_id, message_id)?;
    let page = messages::around(conn, *row.room_id, message_id, limit)?;
    shown::completed(conn, page)
}

/// The page a reader opens a room at: around the first message after their
/// read marker (the room's first when they have none), about half older
/// for context; the newest page when nothing follows the marker. Opening
/// there, rather than at the newest page, means a reader with a long
/// backlog starts where they stopped and reads on without a gap.
pub fn first_unread_page(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let page = match messages::first_after_marker(conn, room_id, user_id)? {
        Some(first) => messages::around(conn, room_id, first, limit)?,
        None => messages::page(conn, room_id, None, None, limit)?,
    };
    shown::completed(conn, page)
}

pub fn edit(
    conn: &mut DbConn,
    user_id: UserId,
    message_id: MessageId,
    body: &str,
    filter: &ProfanityFilter,
) -> DomainResult<(Message, Vec<Outbound>)> {
    let body = MessageBody::parse(body)?;
    let (row, _, _) = readable_message(conn, user_id, message_id)?;
    if *row.sender_id != Some(user_id) {
        return Err(DomainError::forbidden("only the author may edit a message"));
    }
    if row.deleted {
        return Err(DomainError::NotFound(Missing::Message));
    }
    let body = filter.apply(body.as_str());
    if body == row.body {
        // Nothing changed: no new version, nothing to announce.
        return Ok((load(conn, message_id)?, Vec::new()));
    }
    // One instant: the old version's end is the new one's start.
    let at = now();
    let replaced = MessageEditRow {
        id: Stored(VersionId::from_uuid(uuid::Uuid::now_v7())),
        message_id: row.id,
        written_at: row.edited_at.unwrap_or(row.created_at),
        replaced_at: at,
        body: row.body,
    };
    edits::insert(conn, &replaced)?;
    messages::set_body(conn, message_id, &body, at)?;
    let message = load(conn, message_id)?;
    let event = Outbound::room(
        message.room_id,
        ServerEvent::MessageUpdated {
            message: message.clone(),
        },
    );
    Ok((message, vec![event]))
}

pub fn delete(
    conn: &mut DbConn,
    user_id: UserId,
    message_id: MessageId,
) -> DomainResult<Vec<Outbound>> {
    let (row, room, membership) = readable_message(conn, user_id, message_id)?;
    let own = *row.sender_id == Some(user_id);
    if !own && !membership.role().can_moderate() {
        return Err(DomainError::forbidden(
            "only the author or a moderator may delete a message",
        ));
    }
    if row.deleted {
        return Ok(Vec::new());
    }
    messages::mark_deleted(conn, message_id)?;
    edits::clear(conn, message_id)?;
    storage::queries::reactions::clear(conn, message_id)?;
    let was_pinned = storage::queries::pins::remove(conn, message_id)?;
    if !own {
        crate::audit::audit(
            conn,
            *room.id,
            user_id,
            AuditAction::MessageDelete,
            *row.sender_id,
            Some(message_id),
            None,
        )?;
    }
    let room_id = *room.id;
    let mut events = vec![Outbound::room(
        room_id,
        ServerEvent::MessageDeleted {
            room_id,
            message_id,
        },
    )];
    if was_pinned {
        let unpinned = ServerEvent::MessageUnpinned {
            room_id,
            message_id,
        };
        events.push(Outbound::room(room_id, unpinned));
    }
    Ok(events)
}

pub fn thread(conn: &mut DbConn, user_id: UserId, message_id: MessageId) -> DomainResult<Thread> {
    readable_message(conn, user_id, message_id)?;
    let root = load(conn, message_id)?;
    let replies = messages::replies(conn, message_id, 1000)?;
    Ok(Thread {
        root,
        replies: shown::completed(conn, replies)?,
    })
}

/// A page of the earlier versions of a message the caller can read,
/// oldest first: at most `limit`, those after the version `after` (none
/// for a message never edited). A deleted message has none to show; a
/// cursor that is no version of this message is not found.
pub fn versions(
    conn: &mut DbConn,
    user_id: UserId,
    message_id: MessageId,
    after: Option<VersionId>,
    limit: i64,
) -> DomainResult<Vec<MessageVersion>> {
    let (row, _, _) = readable_message(conn, user_id, message_id)?;
    if row.deleted {
        return Err(DomainError::NotFound(Missing::Message));
    }
    let cursor = match after {
        Some(id) => Some(
            edits::find(conn, id)?
                .filter(|e| *e.message_id == message_id)
                .ok_or(DomainError::NotFound(Missing::Version))?,
        ),
        None => None,
    };
    Ok(edits::page(conn, message_id, cursor.as_ref(), limit)?
        .into_iter()
        .map(|e| MessageVersion {
            id: *e.id,
            body: e.body,
            written_at: utc(e.written_at),
            replaced_at: utc(e.replaced_at),
        })
        .collect())
}

/// Moves the caller's marker forward (never back).
pub fn mark_read(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    message_id: MessageId,
    crowd: Crowd,
) -> DomainResult<Vec<Outbound>> {
    visible_room(conn, room_id, user_id)?.member()?;
    let Some(seq) = cursor_seq(conn, room_id, Some(message_id))? else {
        return Ok(Vec::new());
    };
    if !messages::advance_marker(conn, room_id, user_id, message_id, seq)? {
        return Ok(Vec::new());
    }
    let in_crowd = members::counts(conn, &[room_id])?
        .first()
        .is_some_and(|&(_, size)| crowd.is_crowd(size));
    Ok(vec![crate::read_markers::receipt(
        room_id, user_id, message_id, in_crowd,
    )])
}

pub fn read_markers(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    after: Option<UserId>,
    limit: i64,
) -> DomainResult<Vec<ReadMarker>> {
    visible_room(conn, room_id, user_id)?.member()?;
    Ok(messages::markers(conn, room_id, after, limit)?
        .into_iter()
        .map(|m| ReadMarker {
            user_id: *m.user_id,
            message_id: *m.message_id,
        })
        .collect())
}

//! Pinned messages: moderators pin what a room should keep in view (in a
//! direct conversation, either person may); every member sees the list.

use std::collections::HashMap;

use protocol::limits::PINS_MAX;
use protocol::{AuditAction, MessageId, Pin, RoomId, RoomKind, ServerEvent, UserId};

use super::access::visible_room;
use super::events::Outbound;
use super::messages::shown::completed;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{PinRow, RoomRow, Stored, now, utc};
use storage::queries::{messages, pins};

/// The room, if `user` may change its pins.
fn pinnable(conn: &mut DbConn, user: UserId, room_id: RoomId) -> DomainResult<RoomRow> {
    let access = visible_room(conn, room_id, user)?;
    if access.room.kind() == RoomKind::Direct {
        return Ok(access.member()?.0);
    }
    Ok(access.moderator()?.0)
}

/// A room's pins, newest first, each with its message as members see it.
pub fn list(conn: &mut DbConn, user: UserId, room_id: RoomId) -> DomainResult<Vec<Pin>> {
    visible_room(conn, room_id, user)?.member()?;
    let rows = pins::of_room(conn, room_id)?;
    let ids: Vec<MessageId> = rows.iter().map(|p| *p.message_id).collect();
    let loaded = messages::load_many(conn, &ids)?;
    let mut found: HashMap<MessageId, protocol::Message> = completed(conn, loaded)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Pin {
                message: found.remove(&*row.message_id)?,
                pinned_by: *row.pinned_by,
                pinned_at: utc(row.pinned_at),
            })
        })
        .collect())
}

/// Pins a message of the room; pinning it again changes nothing.
pub fn pin(
    conn: &mut DbConn,
    user: UserId,
    room_id: RoomId,
    message_id: MessageId,
) -> DomainResult<(Pin, Vec<Outbound>)> {
    let room = pinnable(conn, user, room_id)?;
    let message = match messages::find(conn, message_id)? {
        Some(m) if *m.room_id == room_id && !m.deleted => m,
        _ => return Err(DomainError::NotFound(Missing::Message)),
    };
    let row = PinRow {
        message_id: message.id,
        room_id: Stored(room_id),
        pinned_by: Stored(Some(user)),
        pinned_at: now(),
    };
    if let Some(existing) = pins::find(conn, message_id)? {
        return Ok((view(conn, existing)?, Vec::new()));
    }
    if pins::count(conn, room_id)? >= PINS_MAX as i64 {
        return Err(DomainError::validation(format!(
            "a room keeps at most {PINS_MAX} pinned messages; unpin one first"
        )));
    }
    if !pins::add(conn, &row)? {
        // Pinned by someone else at the same moment: theirs stands.
        let existing =
            pins::find(conn, message_id)?.ok_or(DomainError::NotFound(Missing::Message))?;
        return Ok((view(conn, existing)?, Vec::new()));
    }
    if room.kind() == RoomKind::Group {
        crate::audit::audit(
            conn,
            room_id,
            user,
            AuditAction::Pin,
            None,
            Some(message_id),
            None,
        )?;
    }
    let pin = view(conn, row)?;
    let event = ServerEvent::MessagePinned {
        room_id,
        pin: pin.clone(),
    };
    Ok((pin, vec![Outbound::room(room_id, event)]))
}

/// Unpins a message of the room; unpinning one that is not pinned changes
/// nothing.
pub fn unpin(
    conn: &mut DbConn,
    user: UserId,
    room_id: RoomId,
    message_id: MessageId,
) -> DomainResult<Vec<Outbound>> {
    let room = pinnable(conn, user, room_id)?;
    match pins::find(conn, message_id)? {
        Some(row) if *row.room_id == room_id => {}
        _ => return Ok(Vec::new()),
    }
    if !pins::remove(conn, message_id)? {
        return Ok(Vec::new());
    }
    if room.kind() == RoomKind::Group {
        crate::audit::audit(
            conn,
            room_id,
            user,
            AuditAction::Unpin,
            None,
            Some(message_id),
            None,
        )?;
    }
    let event = ServerEvent::MessageUnpinned {
        room_id,
        message_id,
    };
    Ok(vec![Outbound::room(room_id, event)])
}

fn view(conn: &mut DbConn, row: PinRow) -> DomainResult<Pin> {
    let message = super::messages::load(conn, *row.message_id)?;
    Ok(Pin {
        message,
        pinned_by: *row.pinned_by,
        pinned_at: utc(row.pinned_at),
    })
}

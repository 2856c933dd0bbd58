//! Groups: creating, finding, joining, leaving and running them.

mod membership;

pub use membership::*;

use std::cmp::Reverse;

use protocol::validate::{self, RoomName};
use protocol::{
    AuditAction, CreateRoomRequest, Role, Room, RoomId, RoomKind, RoomSummary, ServerEvent,
    UpdateRoomRequest, UserId, Visibility,
};

use super::Presence;
use super::access::visible_room;
use super::audit::audit;
use super::events::Outbound;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{RoomRow, Stored, new_id, now};
use storage::queries::{members, messages, rooms, social};

pub fn are_friends(conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<bool> {
    Ok(social::are_friends(conn, a, b)?)
}

/// The name `viewer` sees: a direct room is named for the other person.
fn name_for(conn: &mut DbConn, room: &RoomRow, viewer: UserId) -> DomainResult<String> {
    if room.kind() != RoomKind::Direct {
        return Ok(room.name.clone());
    }
    let other = members::list(conn, *room.id)?
        .into_iter()
        .find(|(m, _)| *m.user_id != viewer)
        .map(|(_, u)| u.display_name);
    Ok(other.unwrap_or_else(|| "Deleted user".to_owned()))
}

pub fn room_view(
    conn: &mut DbConn,
    room: &RoomRow,
    viewer: UserId,
    role: Option<Role>,
) -> DomainResult<Room> {
    let count = rooms::member_count(conn, *room.id)?;
    let name = name_for(conn, room, viewer)?;
    Ok(room.to_room(name, count, role))
}

/// Creates a group with `owner` in it. The `member_joined` event is what
/// makes the owner's open connections follow the new room.
pub fn create(
    conn: &mut DbConn,
    owner: UserId,
    req: CreateRoomRequest,
    presence: &dyn Presence,
) -> DomainResult<(Room, Vec<Outbound>)> {
    let name = RoomName::parse(&req.name)?;
    let topic = validate::topic(req.topic.as_deref().unwrap_or(""))?;
    let visibility = req.visibility.unwrap_or(Visibility::Public);
    let created = now();
    let room = RoomRow {
        id: Stored(new_id()),
        kind: Stored(RoomKind::Group),
        name: name.into_inner(),
        topic,
        visibility: Stored(visibility),
        direct_key: None,
        created_by: Stored(Some(owner)),
        created_at: created,
        last_seq: 0,
        last_activity_at: created,
    };
    rooms::insert(conn, &room)?;
    add_member(conn, *room.id, owner, Role::Owner, None)?;
    let view = room_view(conn, &room, owner, Some(Role::Owner))?;
    let event = membership::member_joined(conn, &view, owner, presence)?;
    Ok((view, vec![event]))
}

pub fn explore(
    conn: &mut DbConn,
    viewer: UserId,
    q: Option<&str>,
    before: Option<RoomId>,
    limit: i64,
) -> DomainResult<Vec<Room>> {
    let q = q.map(protocol::validate::search_query).transpose()?;
    let q = q.as_deref().filter(|q| !q.is_empty());
    let found = rooms::explore(conn, q, before, limit)?;
    let ids: Vec<RoomId> = found.iter().map(|r| *r.id).collect();
    let counts = rooms::member_counts(conn, &ids)?;
    let roles: std::collections::HashMap<RoomId, Role> = members::of_user_in(conn, viewer, &ids)?
        .into_iter()
        .map(|m| (*m.room_id, m.role()))
        .collect();
    Ok(found
        .iter()
        .map(|room| {
            let count = counts.get(&*room.id).copied().unwrap_or(0);
            room.to_room(room.name.clone(), count, roles.get(&*room.id).copied())
        })
        .collect())
}

/// The sidebar: every room the user is in, most recently active first.
pub fn mine(conn: &mut DbConn, user_id: UserId) -> DomainResult<Vec<RoomSummary>> {
    // Rooms, markers and newest messages in one statement; the two counts
    // stay per room, each an index range from the marker on.
    let rows = members::sidebar_rows(conn, user_id)?;
    let ids: Vec<RoomId> = rows.iter().map(|(_, r, ..)| *r.id).collect();
    let counts = rooms::member_counts(conn, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for (membership, room, marker, newest, sender) in rows {
        let read_seq = marker.as_ref().map_or(0, |m| m.seq);
        let last_message = newest.map(|m| m.into_message(sender));
        let summary = RoomSummary {
            room: room.to_room(
                name_for(conn, &room, user_id)?,
                counts.get(&*room.id).copied().unwrap_or(0),
                Some(membership.role()),
            ),
            unread_count: messages::unread_count(conn, *room.id, user_id, read_seq)?,
            mention_count: messages::mention_count(conn, *room.id, user_id, read_seq)?,
            last_message,
            last_read_message_id: marker.map(|m| *m.message_id),
            notification_level: membership.level(),
        };
        let active = room.last_activity_at.max(membership.joined_at);
        out.push((active, summary));
    }
    let newest = out.iter_mut().filter_map(|(_, s)| s.last_message.as_mut());
    super::messages::shown::complete(conn, newest)?;
    out.sort_by_key(|(active, s)| (Reverse(*active), s.room.id));
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

pub fn get(conn: &mut DbConn, viewer: UserId, room_id: RoomId) -> DomainResult<Room> {
    let access = visible_room(conn, room_id, viewer)?;
    room_view(conn, &access.room, viewer, access.role())
}

pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    room_id: RoomId,
    req: UpdateRoomRequest,
) -> DomainResult<(Room, Vec<Outbound>)> {
    let (room, membership) = visible_room(conn, room_id, actor)?.moderator()?;
    if room.kind() == RoomKind::Direct {
        return Err(DomainError::forbidden(
            "direct conversations cannot be edited",
        ));
    }
    let changes = rooms::RoomChanges {
        name: req
            .name
            .map(|n| RoomName::parse(&n).map(RoomName::into_inner))
            .transpose()?,
        topic: req.topic.map(|t| validate::topic(&t)).transpose()?,
        visibility: req.visibility.map(|v| v.as_str().to_owned()),
    };
    let mut detail = Vec::new();
    if let Some(name) = &changes.name {
        detail.push(format!("name: {name}"));
    }
    if let Some(topic) = &changes.topic {
        detail.push(format!("topic: {topic}"));
    }
    if let Some(visibility) = &changes.visibility {
        detail.push(format!("visibility: {visibility}"));
    }
    if detail.is_empty() {
        let view = room_view(conn, &room, actor, Some(membership.role()))?;
        return Ok((view, Vec::new()));
    }
    rooms::update(conn, room_id, &changes)?;
    audit(
        conn,
        room_id,
        actor,
        AuditAction::RoomUpdate,
        None,
        None,
        Some(detail.join(", ")),
    )?;
    let room = rooms::find(conn, room_id)?.ok_or(DomainError::NotFound(Missing::Room))?;
    let view = room_view(conn, &room, actor, Some(membership.role()))?;
    // Everyone gets the same room; `my_role` is per person, so it is left out.
    let broadcast = Room {
        my_role: None,
        joined: true,
        ..view.clone()
    };
    let event = Outbound::room(view.id, ServerEvent::RoomUpdated { room: broadcast });
    Ok((view, vec![event]))
}

pub fn delete(conn: &mut DbConn, actor: UserId, room_id: RoomId) -> DomainResult<Vec<Outbound>> {
    let (room, _) = visible_room(conn, room_id, actor)?.owner()?;
    rooms::delete(conn, room_id)?;
    let room_id = *room.id;
    Ok(vec![Outbound::room(
        room_id,
        ServerEvent::RoomDeleted { room_id },
    )])
}

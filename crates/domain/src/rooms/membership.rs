//! Who is in a room: joining, leaving, invitations, handing over
//! ownership, member lists and notification levels.

use protocol::ErrorCode;

use protocol::{
    ActivityKind, AuditAction, Member, NotificationLevel, Role, Room, RoomId, RoomKind,
    RoomSummary, ServerEvent, UserId,
};

use super::*;
use crate::Presence;
use crate::access::visible_room;
use crate::audit::audit;
use crate::error::{DomainError, DomainResult, Missing};
use crate::events::Outbound;
use storage::DbConn;
use storage::models::{ActivityRow, InviteRow, MembershipRow, Stored, now};
use storage::queries::{activity, members, rooms, social, users};

/// Adds a membership and records the join everywhere it shows.
pub(super) fn add_member(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    role: Role,
    actor: Option<UserId>,
) -> DomainResult<bool> {
    let inserted = members::insert(
        conn,
        &MembershipRow {
            room_id: Stored(room_id),
            user_id: Stored(user_id),
            role: Stored(role),
            notification_level: Stored(NotificationLevel::All),
            joined_at: now(),
        },
    )?;
    if !inserted {
        return Ok(false); // a concurrent join got there first
    }
    members::record_event(conn, room_id, user_id, actor, "join", None)?;
    activity::insert(
        conn,
        &ActivityRow::new(user_id, ActivityKind::Join, Some(room_id), None),
    )?;
    Ok(true)
}

pub fn join(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    presence: &dyn Presence,
) -> DomainResult<(Room, Vec<Outbound>)> {
    let room = rooms::find(conn, room_id)?.ok_or(DomainError::NotFound(Missing::Room))?;
    if let Some(m) = members::find(conn, room_id, user_id)? {
        return Ok((room_view(conn, &room, user_id, Some(m.role()))?, Vec::new()));
    }
    let invited = members::has_invite(conn, room_id, user_id)?;
    if room.kind() == RoomKind::Direct || (!room.is_public() && !invited) {
        return Err(DomainError::NotFound(Missing::Room));
    }
    if members::is_banned(conn, room_id, user_id)? {
        return Err(DomainError::refused(
            ErrorCode::Banned,
            "you are banned from this room",
        ));
    }
    if owner_banned(conn, room_id, user_id)? {
        return Err(DomainError::refused(
            ErrorCode::Banned,
            "this bot's owner is banned from this room",
        ));
    }
    if !add_member(conn, room_id, user_id, Role::Member, None)? {
        let role = members::find(conn, room_id, user_id)?.map(|m| m.role());
        return Ok((room_view(conn, &room, user_id, role)?, Vec::new()));
    }
    members::remove_invite(conn, room_id, user_id)?;
    let view = room_view(conn, &room, user_id, Some(Role::Member))?;
    let event = member_joined(conn, &view, user_id, presence)?;
    Ok((view, vec![event]))
}

/// Whether `user_id` is a bot whose owner is banned from the room: a bot
/// acts for its owner, so the ban keeps it out too.
fn owner_banned(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DomainResult<bool> {
    match crate::owners::owner_of(conn, user_id)? {
        Some(owner) => Ok(members::is_banned(conn, room_id, owner)?),
        None => Ok(false),
    }
}

/// `member_joined` for `user_id`, to the room `view` shows.
pub(super) fn member_joined(
    conn: &mut DbConn,
    view: &Room,
    user_id: UserId,
    presence: &dyn Presence,
) -> DomainResult<Outbound> {
    let user = users::find(conn, user_id)?.ok_or(DomainError::InvalidToken)?;
    Ok(Outbound::room(
        view.id,
        ServerEvent::MemberJoined {
            room_id: view.id,
            user: user.to_user_for_anyone(presence.is_online(*user.id)),
        },
    ))
}

/// Moves ownership on when the owner goes; returns the heir, if any. A group
/// nobody is left in is kept, for its history.
pub fn hand_over_if_owner(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
) -> DomainResult<Option<UserId>> {
    let Some(m) = members::find(conn, room_id, user_id)? else {
        return Ok(None);
    };
    if m.role() != Role::Owner {
        return Ok(None);
    }
    let Some(heir) = members::successor(conn, room_id)? else {
        return Ok(None);
    };
    let heir = *heir.user_id;
    members::set_role(conn, room_id, heir, Role::Owner)?;
    audit(
        conn,
        room_id,
        user_id,
        AuditAction::RoleChange,
        Some(heir),
        None,
        Some("owner (inherited)".into()),
    )?;
    Ok(Some(heir))
}

pub fn leave(conn: &mut DbConn, user_id: UserId, room_id: RoomId) -> DomainResult<Vec<Outbound>> {
    let room = rooms::find(conn, room_id)?.ok_or(DomainError::NotFound(Missing::Room))?;
    if members::find(conn, room_id, user_id)?.is_none() {
        // Leaving twice is fine, but a private room stays invisible.
        return if room.is_public() {
            Ok(Vec::new())
        } else {
            Err(DomainError::NotFound(Missing::Room))
        };
    }
    hand_over_if_owner(conn, room_id, user_id)?;
    members::delete(conn, room_id, user_id)?;
    members::record_event(conn, room_id, user_id, None, "leave", None)?;
    activity::insert(
        conn,
        &ActivityRow::new(user_id, ActivityKind::Leave, Some(room_id), None),
    )?;
    let room_id = *room.id;
    Ok(vec![Outbound::room(
        room_id,
        ServerEvent::MemberLeft { room_id, user_id },
    )])
}

/// A page of the room's members, owners first, then moderators, then by
/// join time; after the member `after` (404 when that is not a member).
pub fn members_of(
    conn: &mut DbConn,
    viewer: UserId,
    room_id: RoomId,
    after: Option<UserId>,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<Vec<Member>> {
    visible_room(conn, room_id, viewer)?.member()?;
    let cursor = match after {
        Some(user) => Some(
            members::find(conn, room_id, user)?.ok_or(DomainError::NotFound(Missing::Member))?,
        ),
        None => None,
    };
    let friends: std::collections::HashSet<UserId> =
        social::friend_ids(conn, viewer)?.into_iter().collect();
    Ok(members::page(conn, room_id, cursor.as_ref(), limit)?
        .into_iter()
        .map(|(m, u)| {
            let full = *u.id == viewer || friends.contains(&*u.id);
            m.to_member(&u, presence.is_online(*u.id), full)
        })
        .collect())
}

pub fn invite(
    conn: &mut DbConn,
    actor: UserId,
    room_id: RoomId,
    invitee: UserId,
    presence: &dyn Presence,
) -> DomainResult<Vec<Outbound>> {
    let (room, _) = visible_room(conn, room_id, actor)?.moderator()?;
    if room.kind() == RoomKind::Direct {
        return Err(DomainError::forbidden(
            "direct conversations take no invites",
        ));
    }
    users::find(conn, invitee)?.ok_or(DomainError::NotFound(Missing::User))?;
    if members::find(conn, room_id, invitee)?.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyMember,
            "that user is already a member",
        ));
    }
    if members::is_banned(conn, room_id, invitee)? {
        return Err(DomainError::refused(
            ErrorCode::Banned,
            "that user is banned from this room",
        ));
    }
    if owner_banned(conn, room_id, invitee)? {
        return Err(DomainError::refused(
            ErrorCode::Banned,
            "that bot's owner is banned from this room",
        ));
    }
    if crate::blocks::either_way(conn, actor, invitee)? {
        return Err(DomainError::blocked());
    }
    let fresh = members::add_invite(
        conn,
        &InviteRow {
            room_id: Stored(room_id),
            user_id: Stored(invitee),
            inviter_id: Stored(Some(actor)),
            created_at: now(),
        },
    )?;
    if !fresh {
        // Asking again changes nothing and must not nag: one notification.
        return Ok(Vec::new());
    }
    let about = crate::notifications::About {
        kind: protocol::NotificationKind::RoomInvite,
        actor: Some(actor),
        room: Some(room_id),
        message: None,
    };
    Ok(vec![crate::notifications::notify(
        conn, invitee, about, presence,
    )?])
}

pub fn set_notification_level(
    conn: &mut DbConn,
    user_id: UserId,
    room_id: RoomId,
    level: NotificationLevel,
) -> DomainResult<RoomSummary> {
    visible_room(conn, room_id, user_id)?.member()?;
    members::set_level(conn, room_id, user_id, level)?;
    mine(conn, user_id)?
        .into_iter()
        .find(|s| s.room.id == room_id)
        .ok_or(DomainError::NotFound(Missing::Room))
}

//! Running a group: roles, kicks, bans and the audit log.
//!
//! The owner may do everything; a moderator may act on plain members only;
//! members may do none of it. Every act lands in the room's audit log.

use protocol::{
    ActivityKind, AuditAction, AuditEntry, AuditEntryId, Member, RemoveMemberRequest, Role, RoomId,
    RoomKind, ServerEvent, UserId, validate,
};

use super::Presence;
use super::access::visible_room;
use super::audit::audit;
use super::events::Outbound;
use super::people::{visible_profile, visible_profiles};
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{ActivityRow, AuditRow, BanRow, Stored, now, utc};
use storage::queries::{activity, audit as audit_log, members, users};

pub fn set_role(
    conn: &mut DbConn,
    actor: UserId,
    room_id: RoomId,
    target: UserId,
    role: Role,
    presence: &dyn Presence,
) -> DomainResult<Member> {
    let (room, _) = visible_room(conn, room_id, actor)?.owner()?;
    let role = match role {
        Role::Moderator | Role::Member => role,
        Role::Owner => {
            return Err(DomainError::validation(
                "role must be `moderator` or `member`",
            ));
        }
    };
    if room.kind() == RoomKind::Direct {
        return Err(DomainError::forbidden("direct conversations have no roles"));
    }
    if target == actor {
        return Err(DomainError::forbidden(
            "the owner's role cannot change; leave to hand the room over",
        ));
    }
    let membership =
        members::find(conn, room_id, target)?.ok_or(DomainError::NotFound(Missing::Member))?;
    if membership.role() != role {
        members::set_role(conn, room_id, target, role)?;
        audit(
            conn,
            room_id,
            actor,
            AuditAction::RoleChange,
            Some(target),
            None,
            Some(role.as_str().to_owned()),
        )?;
    }
    let user = users::find(conn, target)?.ok_or(DomainError::NotFound(Missing::Member))?;
    let online = presence.is_online(*user.id);
    Ok(Member {
        user: visible_profile(conn, actor, user, presence)?,
        role,
        joined_at: utc(membership.joined_at),
        online,
    })
}

/// Kicks (or bans) `target`. A ban also works on someone not in the room,
/// to keep them out.
pub fn remove_member(
    conn: &mut DbConn,
    actor: UserId,
    room_id: RoomId,
    target: UserId,
    req: RemoveMemberRequest,
) -> DomainResult<Vec<Outbound>> {
    let (room, actor_membership) = visible_room(conn, room_id, actor)?.moderator()?;
    if room.kind() == RoomKind::Direct {
        return Err(DomainError::forbidden(
            "nobody can be removed from a direct conversation",
        ));
    }
    if target == actor {
        return Err(DomainError::validation(
            "leave the room instead of removing yourself",
        ));
    }
    let ban = req.ban.unwrap_or(false);
    let reason = req.reason.as_deref().map(validate::reason).transpose()?;
    let reason = reason.filter(|r| !r.is_empty());
    users::find(conn, target)?.ok_or(DomainError::NotFound(Missing::User))?;
    let membership = members::find(conn, room_id, target)?;
    let actor_role = actor_membership.role();
    if let Some(m) = &membership {
        if !may_remove(actor_role, m.role()) {
            return Err(DomainError::forbidden(
                "moderators may only remove members; nobody may remove the owner",
            ));
        }
    } else if !ban {
        return Err(DomainError::NotFound(Missing::Member));
    }

    let (kind, action, activity_kind) = if ban {
        ("ban", AuditAction::Ban, ActivityKind::Banned)
    } else {
        ("kick", AuditAction::Kick, ActivityKind::Kicked)
    };
    let newly_banned = ban
        && members::add_ban(
            conn,
            &BanRow {
                room_id: Stored(room_id),
                user_id: Stored(target),
                actor_id: Stored(Some(actor)),
                reason: reason.clone(),
                created_at: now(),
            },
        )?;
    let mut events = Vec::new();
    if ban {
        members::remove_invite(conn, room_id, target)?;
        events = remove_bots_of(conn, room_id, target, actor, actor_role, reason.as_deref())?;
    }
    // Whoever removes the member first records it; a concurrent second
    // attempt finds nobody to remove.
    let removed = membership.is_some() && members::delete(conn, room_id, target)?;
    if !removed && !newly_banned {
        return if ban {
            Ok(events)
        } else {
            Err(DomainError::NotFound(Missing::Member))
        };
    }
    audit(
        conn,
        room_id,
        actor,
        action,
        Some(target),
        None,
        reason.clone(),
    )?;
    if !removed {
        return Ok(events);
    }
    members::record_event(conn, room_id, target, Some(actor), kind, reason.as_deref())?;
    activity::insert(
        conn,
        &ActivityRow::new(target, activity_kind, Some(room_id), Some(actor)),
    )?;
    events.push(Outbound::room(
        room_id,
        ServerEvent::MemberLeft {
            room_id,
            user_id: target,
        },
    ));
    Ok(events)
}

/// Whether someone of `actor`'s role may remove a member of `target`'s.
fn may_remove(actor: Role, target: Role) -> bool {
    match actor {
        Role::Owner => true,
        Role::Moderator => target == Role::Member,
        Role::Member => false,
    }
}

/// A ban covers the bots of the banned person: they act for their owner.
/// Those in the room (that the actor may remove) leave it with them; none
/// of them may join or post there while the ban stands (see
/// `rooms::membership::join` and `messages::post_batch`).
fn remove_bots_of(
    conn: &mut DbConn,
    room_id: RoomId,
    owner: UserId,
    actor: UserId,
    actor_role: Role,
    reason: Option<&str>,
) -> DomainResult<Vec<Outbound>> {
    let mut events = Vec::new();
    for bot in super::owners::ids_of_owner(conn, owner)? {
        let Some(membership) = members::find(conn, room_id, bot)? else {
            continue;
        };
        if !may_remove(actor_role, membership.role()) || !members::delete(conn, room_id, bot)? {
            continue;
        }
        members::record_event(conn, room_id, bot, Some(actor), "ban", reason)?;
        events.push(Outbound::room(
            room_id,
            ServerEvent::MemberLeft {
                room_id,
                user_id: bot,
            },
        ));
    }
    Ok(events)
}

pub fn unban(
    conn: &mut DbConn,
    actor: UserId,
    room_id: RoomId,
    target: UserId,
) -> DomainResult<()> {
    visible_room(conn, room_id, actor)?.moderator()?;
    if !members::remove_ban(conn, room_id, target)? {
        return Err(DomainError::NotFound(Missing::Ban));
    }
    members::record_event(conn, room_id, target, Some(actor), "unban", None)?;
    audit(
        conn,
        room_id,
        actor,
        AuditAction::Unban,
        Some(target),
        None,
        None,
    )
}

pub fn audit_entries(
    conn: &mut DbConn,
    viewer: UserId,
    room_id: RoomId,
    before: Option<AuditEntryId>,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<Vec<AuditEntry>> {
    visible_room(conn, room_id, viewer)?.moderator()?;
    let rows = audit_log::list(conn, room_id, before, limit)?;
    let actors: Vec<UserId> = rows.iter().filter_map(|r| *r.actor_id).collect();
    let profiles = visible_profiles(conn, viewer, &actors, presence)?;
    rows.into_iter()
        .map(|row| {
            let actor = row.actor_id.and_then(|a| profiles.get(&a).cloned());
            entry(row, actor)
        })
        .collect()
}

fn entry(row: AuditRow, actor: Option<protocol::User>) -> DomainResult<AuditEntry> {
    Ok(AuditEntry {
        action: *row.action,
        id: *row.id,
        room_id: *row.room_id,
        actor,
        target_user_id: *row.target_user_id,
        message_id: *row.message_id,
        detail: row.detail,
        created_at: utc(row.created_at),
    })
}

//! Friends, blocks and direct conversations.

use protocol::ErrorCode;
use protocol::{
    ActivityKind, FriendRequest, FriendRequestId, FriendRequests, NotificationKind, Role, Room,
    RoomKind, ServerEvent, User, UserId, Visibility,
};

use super::Presence;
use super::blocks;
use super::events::Outbound;
use super::notifications::{About, friend_request_answered, notify};
use super::people::{find_user, visible_profile, visible_profiles};
use crate::error::{DomainError, DomainResult, Missing, Race};
use storage::DbConn;
use storage::models::{
    ActivityRow, FriendRequestRow, MembershipRow, RoomRow, Stored, new_id, now, utc,
};
use storage::queries::{activity, members, rooms, social};
use storage::{DbError, UniqueKey};

fn not_yourself(what: &str) -> DomainError {
    DomainError::validation(format!("you cannot {what} yourself"))
}

fn request_view(
    conn: &mut DbConn,
    viewer: UserId,
    row: &FriendRequestRow,
    presence: &dyn Presence,
) -> DomainResult<FriendRequest> {
    request_views(conn, viewer, std::slice::from_ref(row), presence)?
        .pop()
        .ok_or(DomainError::NotFound(Missing::User))
}

/// Requests as `viewer` sees them, both people of every one read at once.
/// A request whose sender or recipient is gone is left out.
fn request_views(
    conn: &mut DbConn,
    viewer: UserId,
    rows: &[FriendRequestRow],
    presence: &dyn Presence,
) -> DomainResult<Vec<FriendRequest>> {
    let people: Vec<UserId> = rows.iter().flat_map(|r| [*r.from_id, *r.to_id]).collect();
    let profiles = visible_profiles(conn, viewer, &people, presence)?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some(FriendRequest {
                id: *row.id,
                from: profiles.get(&*row.from_id)?.clone(),
                to: profiles.get(&*row.to_id)?.clone(),
                created_at: utc(row.created_at),
            })
        })
        .collect())
}

fn befriend(conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<()> {
    social::add_friendship(conn, a, b)?;
    social::delete_requests_between(conn, &[a], &[b])?;
    for (user, other) in [(a, b), (b, a)] {
        activity::insert(
            conn,
            &ActivityRow::new(user, ActivityKind::FriendAdded, None, Some(other)),
        )?;
    }
    Ok(())
}

/// The events of `accepter` accepting `requester`'s request.
fn accepted(
    conn: &mut DbConn,
    accepter: UserId,
    requester: UserId,
    presence: &dyn Presence,
) -> DomainResult<Vec<Outbound>> {
    let accepter_row = find_user(conn, accepter)?;
    let user = visible_profile(conn, requester, accepter_row, presence)?;
    let about = About {
        kind: NotificationKind::FriendAccepted,
        actor: Some(accepter),
        room: None,
        message: None,
    };
    Ok(vec![
        Outbound::user(requester, ServerEvent::FriendAccepted { user }),
        notify(conn, requester, about, presence)?,
    ])
}

pub enum RequestOutcome {
    /// A new pending request (201).
    Sent(FriendRequest),
    /// They had already asked: now friends (200), with their request.
    Befriended(FriendRequest),
}

pub fn send_request(
    conn: &mut DbConn,
    from: UserId,
    to: UserId,
    presence: &dyn Presence,
) -> DomainResult<(RequestOutcome, Vec<Outbound>)> {
    if from == to {
        return Err(not_yourself("befriend"));
    }
    find_user(conn, to)?;
    // Two people asking each other at the same moment must end as friends.
    lock_pair(conn, from, to)?;
    if blocks::either_way(conn, from, to)? {
        return Err(DomainError::blocked());
    }
    if social::are_friends(conn, from, to)? {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyFriends,
            "you are already friends",
        ));
    }
    if social::request_between(conn, from, to)?.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyRequested,
            "you have already asked this person",
        ));
    }
    if let Some(theirs) = social::request_between(conn, to, from)? {
        let view = request_view(conn, from, &theirs, presence)?;
        befriend(conn, from, to)?;
        let events = accepted(conn, from, to, presence)?;
        return Ok((RequestOutcome::Befriended(view), events));
    }
    let row = FriendRequestRow {
        id: Stored(new_id()),
        from_id: Stored(from),
        to_id: Stored(to),
        created_at: now(),
    };
    match social::insert_request(conn, &row) {
        Err(DbError::Duplicate(UniqueKey::FriendRequest)) => {
            return Err(DomainError::conflict(
                ErrorCode::AlreadyRequested,
                "you have already asked this person",
            ));
        }
        other => other?,
    }
    let for_recipient = request_view(conn, to, &row, presence)?;
    // The recipient's list of requests changes either way; a notification
    // comes once per question, as an invite's does: asking again after a
    // cancel (fifteen times, say) must not nag. An answer (accept,
    // decline) or a block ends the question.
    let mut events = vec![Outbound::user(
        to,
        ServerEvent::FriendRequest {
            request: for_recipient,
        },
    )];
    if social::note_request_announced(conn, from, to)? {
        let about = About {
            kind: NotificationKind::FriendRequest,
            actor: Some(from),
            room: None,
            message: None,
        };
        events.push(notify(conn, to, about, presence)?);
    }
    Ok((
        RequestOutcome::Sent(request_view(conn, from, &row, presence)?),
        events,
    ))
}

/// A request another call removed meanwhile is as gone as one never made.
fn taken(existed: bool) -> DomainResult<()> {
    if existed {
        Ok(())
    } else {
        Err(DomainError::NotFound(Missing::FriendRequest))
    }
}

/// The lock that serialises decisions about one pair of users.
fn lock_pair(conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<()> {
    let key = if a < b {
        format!("pair:{a}:{b}")
    } else {
        format!("pair:{b}:{a}")
    };
    Ok(storage::lock_key(conn, &key)?)
}

/// A request `user` is party to; anyone else's looks like no request at all.
fn my_request(
    conn: &mut DbConn,
    user: UserId,
    request_id: FriendRequestId,
) -> DomainResult<FriendRequestRow> {
    match social::find_request(conn, request_id)? {
        Some(row) if *row.from_id == user || *row.to_id == user => Ok(row),
        _ => Err(DomainError::NotFound(Missing::FriendRequest)),
    }
}

pub fn accept(
    conn: &mut DbConn,
    user: UserId,
    request_id: FriendRequestId,
    presence: &dyn Presence,
) -> DomainResult<(User, Vec<Outbound>)> {
    let row = my_request(conn, user, request_id)?;
    if *row.to_id != user {
        return Err(DomainError::forbidden(
            "only the recipient may accept a request",
        ));
    }
    // A request from someone's bot outlives a block of its owner only
    // until now: it cannot be taken up across the block.
    if blocks::either_way(conn, user, *row.from_id)? {
        return Err(DomainError::blocked());
    }
    // Taking the request out first makes a double accept a clean 404.
    taken(social::delete_request(conn, *row.id)?)?;
    friend_request_answered(conn, user, *row.from_id)?;
    befriend(conn, user, *row.from_id)?;
    let events = accepted(conn, user, *row.from_id, presence)?;
    let requester = find_user(conn, *row.from_id)?;
    Ok((visible_profile(conn, user, requester, presence)?, events))
}

pub fn decline(conn: &mut DbConn, user: UserId, request_id: FriendRequestId) -> DomainResult<()> {
    let row = my_request(conn, user, request_id)?;
    if *row.to_id != user {
        return Err(DomainError::forbidden(
            "only the recipient may decline a request",
        ));
    }
    taken(social::delete_request(conn, *row.id)?)?;
    friend_request_answered(conn, user, *row.from_id)?;
    // Answered: a later request is a new question, announced again.
    Ok(social::forget_request_announced(conn, *row.from_id, user)?)
}

pub fn cancel(conn: &mut DbConn, user: UserId, request_id: FriendRequestId) -> DomainResult<()> {
    let row = my_request(conn, user, request_id)?;
    if *row.from_id != user {
        return Err(DomainError::forbidden(
            "only the sender may cancel a request",
        ));
    }
    taken(social::delete_request(conn, *row.id)?)
}

pub fn requests(
    conn: &mut DbConn,
    user: UserId,
    presence: &dyn Presence,
) -> DomainResult<FriendRequests> {
    let incoming = social::incoming_requests(conn, user)?;
    let incoming = request_views(conn, user, &incoming, presence)?;
    let outgoing = social::outgoing_requests(conn, user)?;
    let outgoing = request_views(conn, user, &outgoing, presence)?;
    Ok(FriendRequests { incoming, outgoing })
}

/// A page of the user's friends by username, after the friend `after`.
pub fn friends(
    conn: &mut DbConn,
    user: UserId,
    after: Option<UserId>,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<Vec<User>> {
    let after_key = match after {
        Some(id) => Some(find_user(conn, id)?.username_key),
        None => None,
    };
    Ok(social::friends_of(conn, user, after_key.as_deref(), limit)?
        .iter()
        .map(|u| u.to_user(presence.is_online(*u.id)))
        .collect())
}

fn end_friendship(conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<bool> {
    if !social::remove_friendship(conn, a, b)? {
        return Ok(false);
    }
    for (user, other) in [(a, b), (b, a)] {
        activity::insert(
            conn,
            &ActivityRow::new(user, ActivityKind::FriendRemoved, None, Some(other)),
        )?;
    }
    Ok(true)
}

pub fn unfriend(conn: &mut DbConn, user: UserId, friend: UserId) -> DomainResult<()> {
    if end_friendship(conn, user, friend)? {
        Ok(())
    } else {
        Err(DomainError::NotFound(Missing::Friend))
    }
}

/// Blocking ends any friendship and pending request between the two, and
/// between each and the other's bots (which the block covers too).
pub fn block(conn: &mut DbConn, user: UserId, target: UserId) -> DomainResult<()> {
    if user == target {
        return Err(not_yourself("block"));
    }
    find_user(conn, target)?;
    social::block(conn, user, target)?;
    let mine = blocks::circle_of(conn, user)?;
    let theirs = blocks::circle_of(conn, target)?;
    for (a, b) in social::friendships_between(conn, &mine, &theirs)? {
        end_friendship(conn, a, b)?;
    }
    social::delete_requests_between(conn, &mine, &theirs)?;
    Ok(())
}

pub fn unblock(conn: &mut DbConn, user: UserId, target: UserId) -> DomainResult<()> {
    Ok(social::unblock(conn, user, target)?)
}

pub fn blocked_users(conn: &mut DbConn, user: UserId) -> DomainResult<Vec<User>> {
    Ok(social::blocked_by(conn, user)?
        .iter()
        .map(|u| u.to_limited_user(false))
        .collect())
}

/// The one direct room of a pair, created on first use. Two concurrent
/// first calls race on the unique `direct_key`; the loser reads the
/// winner's room. Returns the room and whether this call created it.
pub fn open_direct(
    conn: &mut DbConn,
    user: UserId,
    other: UserId,
    presence: &dyn Presence,
) -> DomainResult<(Room, bool, Vec<Outbound>)> {
    if user == other {
        return Err(not_yourself("message"));
    }
    find_user(conn, other)?;
    lock_pair(conn, user, other)?;
    if blocks::either_way(conn, user, other)? {
        return Err(DomainError::blocked());
    }
    let key = if user < other {
        format!("{user}:{other}")
    } else {
        format!("{other}:{user}")
    };
    if let Some(room) = rooms::find_direct(conn, &key)? {
        // Someone who left the conversation is brought back into it.
        let mut events = Vec::new();
        for member in [user, other] {
            if members::find(conn, *room.id, member)?.is_none() {
                events.extend(add_direct_member(conn, &room, member, presence)?);
            }
        }
        let view = super::rooms::room_view(conn, &room, user, Some(Role::Member))?;
        return Ok((view, false, events));
    }
    let created = now();
    let room = RoomRow {
        id: Stored(new_id()),
        kind: Stored(RoomKind::Direct),
        name: String::new(),
        topic: String::new(),
        visibility: Stored(Visibility::Private),
        direct_key: Some(key),
        created_by: Stored(Some(user)),
        created_at: created,
        last_seq: 0,
        last_activity_at: created,
    };
    rooms::insert(conn, &room).map_err(|e| match e {
        // Lost the race; the caller retries and finds the room.
        DbError::Duplicate(UniqueKey::DirectRoom) => DomainError::Race(Race::DirectRoom),
        other => other.into(),
    })?;
    let mut events = add_direct_member(conn, &room, user, presence)?;
    events.extend(add_direct_member(conn, &room, other, presence)?);
    let view = super::rooms::room_view(conn, &room, user, Some(Role::Member))?;
    Ok((view, true, events))
}

fn add_direct_member(
    conn: &mut DbConn,
    room: &RoomRow,
    user: UserId,
    presence: &dyn Presence,
) -> DomainResult<Vec<Outbound>> {
    let inserted = members::insert(
        conn,
        &MembershipRow {
            room_id: room.id,
            user_id: Stored(user),
            role: Stored(Role::Member),
            notification_level: Stored(protocol::NotificationLevel::All),
            joined_at: now(),
        },
    )?;
    if !inserted {
        return Ok(Vec::new());
    }
    let row = find_user(conn, user)?;
    Ok(vec![Outbound::room(
        *room.id,
        ServerEvent::MemberJoined {
            room_id: *room.id,
            user: row.to_user_for_anyone(presence.is_online(*row.id)),
        },
    )])
}

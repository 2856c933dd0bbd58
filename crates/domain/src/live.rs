//! What the live layer (sockets, presence, the sweeps) asks of storage, so
//! that it never writes a query itself.

use std::collections::{HashMap, HashSet};

use protocol::{Me, RoomId, RoomSummary, SessionId, UserId};

use super::Presence;
use super::crowd::Crowd;
use super::error::{DomainError, DomainResult};
use storage::DbConn;
use storage::queries::{members, sessions, social};

/// The rooms `user` is in, each with its newest `seq`: what a new socket
/// follows.
pub fn followed_rooms(conn: &mut DbConn, user: UserId) -> DomainResult<Vec<(RoomId, i64)>> {
    let rows = members::rooms_of(conn, user)?;
    Ok(rows
        .iter()
        .map(|(_, room)| (*room.id, room.last_seq))
        .collect())
}

/// The `ready` frame's contents, read only while the session is still live:
/// a revocation between the token check and the socket's registration
/// would otherwise have found nothing to close.
pub fn ready_snapshot(
    conn: &mut DbConn,
    session: SessionId,
    user: UserId,
    presence: &dyn Presence,
) -> DomainResult<(Me, Vec<RoomSummary>)> {
    let two_factor = super::two_factor::is_enabled(conn, user)?;
    let me = sessions::live_user(conn, session, user)?
        .ok_or(DomainError::InvalidToken)?
        .to_me(presence.is_online(user), two_factor);
    let rooms = super::rooms::mine(conn, user)?;
    Ok((me, rooms))
}

/// Whether a session is still signed in (not revoked, not expired, its
/// account not deleted).
pub fn session_is_live(conn: &mut DbConn, session: SessionId, user: UserId) -> DomainResult<bool> {
    Ok(sessions::is_live(conn, session, user)?)
}

/// Which of `asked` are still live sessions.
pub fn live_sessions(
    conn: &mut DbConn,
    asked: &HashSet<SessionId>,
) -> DomainResult<HashSet<SessionId>> {
    let ids: Vec<SessionId> = asked.iter().copied().collect();
    Ok(sessions::live_among(conn, &ids)?.into_iter().collect())
}

/// Every room of each of `users`, with its newest `seq`.
pub fn memberships(
    conn: &mut DbConn,
    users: &HashSet<UserId>,
) -> DomainResult<HashMap<UserId, HashMap<RoomId, i64>>> {
    let ids: Vec<UserId> = users.iter().copied().collect();
    let mut found: HashMap<UserId, HashMap<RoomId, i64>> = HashMap::new();
    for (user, room, last_seq) in members::of_users(conn, &ids)? {
        found.entry(user).or_default().insert(room, last_seq);
    }
    Ok(found)
}

/// Who hears of `user`'s presence: friends and everyone sharing a room
/// that is not a crowd with them.
pub fn presence_audience(
    conn: &mut DbConn,
    user: UserId,
    crowd: Crowd,
) -> DomainResult<Vec<UserId>> {
    let mut ids = members::co_member_ids_in_rooms_under(conn, user, crowd.from)?;
    ids.extend(social::friend_ids(conn, user)?);
    let audience: HashSet<UserId> = ids.into_iter().filter(|id| *id != user).collect();
    Ok(audience.into_iter().collect())
}

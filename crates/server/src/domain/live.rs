//! What the live layer (sockets, presence, the sweeps) asks of storage, so
//! that it never writes a query itself.

use std::collections::{HashMap, HashSet};

use protocol::{Me, RoomSummary};
use uuid::Uuid;

use super::Presence;
use super::error::{DomainError, DomainResult};
use crate::db::DbConn;
use crate::db::queries::{members, sessions, social};

/// The rooms `user` is in, each with its newest `seq`: what a new socket
/// follows.
pub fn followed_rooms(conn: &mut DbConn, user: Uuid) -> DomainResult<Vec<(Uuid, i64)>> {
    let rows = members::rooms_of(conn, &user.to_string())?;
    Ok(rows
        .iter()
        .map(|(_, room)| (room.uuid(), room.last_seq))
        .collect())
}

/// The `ready` frame's contents, read only while the session is still live:
/// a revocation between the token check and the socket's registration
/// would otherwise have found nothing to close.
pub fn ready_snapshot(
    conn: &mut DbConn,
    session: Uuid,
    user: Uuid,
    presence: &dyn Presence,
) -> DomainResult<(Me, Vec<RoomSummary>)> {
    let user_id = user.to_string();
    let me = sessions::live_user(conn, &session.to_string(), &user_id)?
        .ok_or(DomainError::InvalidToken)?
        .to_me(presence.is_online(user));
    let rooms = super::rooms::mine(conn, &user_id)?;
    Ok((me, rooms))
}

/// Whether a session is still signed in (not revoked, not expired, its
/// account not deleted).
pub fn session_is_live(conn: &mut DbConn, session: Uuid, user: Uuid) -> DomainResult<bool> {
    Ok(sessions::is_live(
        conn,
        &session.to_string(),
        &user.to_string(),
    )?)
}

/// Which of `asked` are still live sessions.
pub fn live_sessions(conn: &mut DbConn, asked: &HashSet<Uuid>) -> DomainResult<HashSet<Uuid>> {
    let ids: Vec<String> = asked.iter().map(Uuid::to_string).collect();
    Ok(sessions::live_among(conn, &ids)?
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

/// Every room of each of `users`, with its newest `seq`.
pub fn memberships(
    conn: &mut DbConn,
    users: &HashSet<Uuid>,
) -> DomainResult<HashMap<Uuid, HashMap<Uuid, i64>>> {
    let ids: Vec<String> = users.iter().map(Uuid::to_string).collect();
    let mut found: HashMap<Uuid, HashMap<Uuid, i64>> = HashMap::new();
    for (user, room, last_seq) in members::of_users(conn, &ids)? {
        if let (Ok(user), Ok(room)) = (Uuid::parse_str(&user), Uuid::parse_str(&room)) {
            found.entry(user).or_default().insert(room, last_seq);
        }
    }
    Ok(found)
}

/// Who hears of `user`'s presence: friends and everyone sharing a room.
pub fn presence_audience(conn: &mut DbConn, user: Uuid) -> DomainResult<Vec<Uuid>> {
    let uid = user.to_string();
    let mut ids = members::co_member_ids(conn, &uid)?;
    ids.extend(social::friend_ids(conn, &uid)?);
    let audience: HashSet<Uuid> = ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .filter(|id| *id != user)
        .collect();
    Ok(audience.into_iter().collect())
}

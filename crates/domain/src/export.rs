//! Taking data away: a person's own (profile, friends, rooms, every message
//! they wrote) and, for its owner, a room's whole history, as JSON.
//!
//! An export is written as it is read: a head (everything but the
//! messages), then the messages a page at a time, so no export holds a
//! whole history in memory however long it is.

use chrono::{DateTime, Utc};
use protocol::{Me, Message, MessageId, Role, Room, RoomId, RoomKind, User, UserId};
use serde::Serialize;

use super::Presence;
use super::access::visible_room;
use super::messages::shown::completed;
use crate::error::{DomainError, DomainResult};
use storage::DbConn;
use storage::queries::{messages, social};

/// Messages read (and written out) at a time.
pub const PAGE: i64 = 500;

/// Friends in an account export; more than anyone has.
const FRIENDS_MAX: i64 = 100_000;

/// A room one belongs to, as an export names it.
#[derive(Debug, Serialize)]
pub struct RoomEntry {
    pub id: RoomId,
    pub name: String,
    pub kind: RoomKind,
}

/// An account export, but its messages.
#[derive(Debug, Serialize)]
pub struct AccountHead {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    pub profile: Me,
    pub friends: Vec<User>,
    pub rooms: Vec<RoomEntry>,
}

/// A room export, but its messages.
#[derive(Debug, Serialize)]
pub struct RoomHead {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    pub room: Room,
}

pub fn account(
    conn: &mut DbConn,
    user: UserId,
    presence: &dyn Presence,
) -> DomainResult<AccountHead> {
    let profile = super::accounts::me(conn, user, presence)?;
    let friends = social::friends_of(conn, user, None, FRIENDS_MAX)?
        .iter()
        .map(|u| u.to_user(presence.is_online(*u.id)))
        .collect();
    let rooms = super::rooms::mine(conn, user)?
        .into_iter()
        .map(|summary| RoomEntry {
            id: summary.room.id,
            name: summary.room.name,
            kind: summary.room.kind,
        })
        .collect();
    Ok(AccountHead {
        format: "themechat-account-export/1",
        exported_at: Utc::now(),
        profile,
        friends,
        rooms,
    })
}

/// The next page of everything `user` wrote, in every room, oldest first.
pub fn account_messages(
    conn: &mut DbConn,
    user: UserId,
    after: Option<MessageId>,
) -> DomainResult<Vec<Message>> {
    let page = messages::by_sender(conn, user, after, PAGE)?;
    completed(conn, page)
}

/// The head of a room's export; only its owner may take one.
pub fn room(conn: &mut DbConn, user: UserId, room_id: RoomId) -> DomainResult<RoomHead> {
    let access = visible_room(conn, room_id, user)?;
    let role = access.role();
    let (room, _) = access.member()?;
    if room.kind() == RoomKind::Group && role != Some(Role::Owner) {
        return Err(DomainError::forbidden(
            "only the owner may export a room's history",
        ));
    }
    Ok(RoomHead {
        format: "themechat-room-export/1",
        exported_at: Utc::now(),
        room: super::rooms::get(conn, user, room_id)?,
    })
}

/// The next page of a room's history, oldest first (deleted messages keep
/// their place, without their content).
pub fn room_messages(
    conn: &mut DbConn,
    room_id: RoomId,
    after: Option<MessageId>,
) -> DomainResult<Vec<Message>> {
    let page = match after {
        Some(after) => messages::page(conn, room_id, None, Some(after), PAGE)?,
        None => messages::oldest(conn, room_id, PAGE)?,
    };
    completed(conn, page)
}

/// A head as the start of its JSON object, open for the messages to
/// follow: `{…,"messages":[`.
pub fn opening(head: &impl Serialize) -> DomainResult<Vec<u8>> {
    let mut out = serde_json::to_vec(head)
        .map_err(|e| DomainError::internal(format!("writing an export: {e}")))?;
    if out.pop() != Some(b'}') {
        return Err(DomainError::internal("an export head is not an object"));
    }
    out.extend_from_slice(b",\"messages\":[");
    Ok(out)
}

/// What closes an export's JSON after the last message.
pub const CLOSING: &[u8] = b"]}";

//! Who may see and act in a room.
//!
//! Private rooms (and direct conversations) do not exist for outsiders: every
//! route answers 404. Public rooms are visible to all, but reading their
//! history or posting needs membership (403 `not_a_member`).

use protocol::{MessageId, Role, RoomId, UserId};

use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{MembershipRow, MessageRow, RoomRow};
use storage::queries::{messages, rooms};

/// A room as one user may see it.
pub struct RoomAccess {
    pub room: RoomRow,
    pub membership: Option<MembershipRow>,
}

impl RoomAccess {
    pub fn role(&self) -> Option<Role> {
        self.membership.as_ref().map(MembershipRow::role)
    }

    /// Members only; outsiders of a public room get 403 `not_a_member`.
    pub fn member(self) -> DomainResult<(RoomRow, MembershipRow)> {
        match self.membership {
            Some(m) => Ok((self.room, m)),
            None => Err(DomainError::not_a_member()),
        }
    }

    /// Owners and moderators only.
    pub fn moderator(self) -> DomainResult<(RoomRow, MembershipRow)> {
        let (room, m) = self.member()?;
        if !m.role().can_moderate() {
            return Err(DomainError::forbidden(
                "only the owner or a moderator may do that",
            ));
        }
        Ok((room, m))
    }

    pub fn owner(self) -> DomainResult<(RoomRow, MembershipRow)> {
        let (room, m) = self.member()?;
        if m.role() != Role::Owner {
            return Err(DomainError::forbidden("only the owner may do that"));
        }
        Ok((room, m))
    }
}

/// Loads a room the user may see: a room that does not exist and a private
/// room they are not in look the same.
pub fn visible_room(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
) -> DomainResult<RoomAccess> {
    let (room, membership) = rooms::find_with_membership(conn, room_id, user_id)?
        .ok_or(DomainError::NotFound(Missing::Room))?;
    if membership.is_none() && !room.is_public() {
        return Err(DomainError::NotFound(Missing::Room));
    }
    Ok(RoomAccess { room, membership })
}

/// A message of a room the caller may read, and that room.
pub(crate) fn readable_message(
    conn: &mut DbConn,
    user_id: UserId,
    message_id: MessageId,
) -> DomainResult<(MessageRow, RoomRow, MembershipRow)> {
    let row = messages::find(conn, message_id)?.ok_or(DomainError::NotFound(Missing::Message))?;
    let (room, membership) = visible_room(conn, *row.room_id, user_id)
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound(Missing::Message),
            other => other,
        })?
        .member()?;
    Ok((row, room, membership))
}

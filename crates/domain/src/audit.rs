//! The room's moderation log: every rule that moderates (rooms, membership,
//! messages, pins, moderation) writes its entry here, below all of them.

use protocol::{AuditAction, MessageId, RoomId, UserId};

use crate::error::{DomainError, DomainResult};
use storage::DbConn;
use storage::models::{AuditRow, Stored, new_id, now};

/// Appends to the room's moderation log.
pub fn audit(
    conn: &mut DbConn,
    room_id: RoomId,
    actor: UserId,
    action: AuditAction,
    target_user: Option<UserId>,
    message_id: Option<MessageId>,
    detail: Option<String>,
) -> DomainResult<()> {
    storage::queries::audit::insert(
        conn,
        &AuditRow {
            id: Stored(new_id()),
            room_id: Stored(room_id),
            actor_id: Stored(Some(actor)),
            action: Stored(action),
            target_user_id: Stored(target_user),
            message_id: Stored(message_id),
            detail,
            created_at: now(),
        },
    )
    .map_err(DomainError::from)
}

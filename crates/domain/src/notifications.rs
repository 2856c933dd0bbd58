//! Stored notifications, each also pushed live to its recipient.

use protocol::{
    MessageId, Notification, NotificationId, NotificationKind, RoomId, ServerEvent, UserId,
};

use super::Presence;
use super::events::Outbound;
use super::people::visible_profiles;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{NotificationRow, Stored, new_id, now, utc};
use storage::queries::notifications;

/// What a notification is about.
pub struct About {
    pub kind: NotificationKind,
    pub actor: Option<UserId>,
    pub room: Option<RoomId>,
    pub message: Option<MessageId>,
}

/// A friend request was answered (accepted or declined): the notice that
/// asked has done its job, so it no longer counts as unread anywhere.
pub fn friend_request_answered(
    conn: &mut DbConn,
    recipient: UserId,
    requester: UserId,
) -> DomainResult<()> {
    notifications::mark_read_from(
        conn,
        recipient,
        NotificationKind::FriendRequest.as_str(),
        requester,
    )?;
    Ok(())
}

/// Stores a notification for `recipient` and returns its live event.
pub fn notify(
    conn: &mut DbConn,
    recipient: UserId,
    about: About,
    presence: &dyn Presence,
) -> DomainResult<Outbound> {
    let row = NotificationRow {
        id: Stored(new_id()),
        user_id: Stored(recipient),
        kind: Stored(about.kind),
        actor_id: Stored(about.actor),
        room_id: Stored(about.room),
        message_id: Stored(about.message),
        created_at: now(),
        read: false,
    };
    notifications::insert(conn, &row)?;
    let notification = views(conn, recipient, vec![row], presence)?
        .pop()
        .ok_or_else(|| DomainError::internal("a notification went missing"))?;
    Ok(Outbound::user(
        recipient,
        ServerEvent::Notification { notification },
    ))
}

/// Notifications as their recipient sees them, their actors read at once.
fn views(
    conn: &mut DbConn,
    viewer: UserId,
    rows: Vec<NotificationRow>,
    presence: &dyn Presence,
) -> DomainResult<Vec<Notification>> {
    let actors: Vec<UserId> = rows.iter().filter_map(|r| *r.actor_id).collect();
    let profiles = visible_profiles(conn, viewer, &actors, presence)?;
    rows.into_iter()
        .map(|row| {
            let actor = row.actor_id.and_then(|actor| profiles.get(&actor).cloned());
            view(row, actor)
        })
        .collect()
}

fn view(row: NotificationRow, actor: Option<protocol::User>) -> DomainResult<Notification> {
    Ok(Notification {
        id: *row.id,
        kind: *row.kind,
        actor,
        room_id: *row.room_id,
        message_id: *row.message_id,
        created_at: utc(row.created_at),
        read: row.read,
    })
}

/// A page of notifications and the user's total unread count.
pub fn list(
    conn: &mut DbConn,
    user_id: UserId,
    unread_only: bool,
    before: Option<NotificationId>,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<(Vec<Notification>, i64)> {
    let rows = notifications::list(conn, user_id, unread_only, before, limit)?;
    let list = views(conn, user_id, rows, presence)?;
    Ok((list, notifications::unread_count(conn, user_id)?))
}

pub fn mark_read(
    conn: &mut DbConn,
    user_id: UserId,
    notification_id: NotificationId,
) -> DomainResult<()> {
    if notifications::mark_read(conn, user_id, notification_id)? {
        Ok(())
    } else {
        Err(DomainError::NotFound(Missing::Notification))
    }
}

pub fn mark_all_read(conn: &mut DbConn, user_id: UserId) -> DomainResult<()> {
    Ok(notifications::mark_all_read(conn, user_id)?)
}

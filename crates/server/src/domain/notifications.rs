//! Stored notifications, each also pushed live to its recipient.

use protocol::{Notification, NotificationKind, ServerEvent};

use super::Presence;
use super::accounts::visible_profiles;
use super::events::Outbound;
use crate::db::DbConn;
use crate::db::models::{NotificationRow, Stored, id, new_id, now, opt_id, utc};
use crate::db::queries::notifications;
use crate::domain::error::{DomainError, DomainResult, Missing};

/// What a notification is about.
pub struct About<'a> {
    pub kind: NotificationKind,
    pub actor: Option<&'a str>,
    pub room: Option<&'a str>,
    pub message: Option<&'a str>,
}

/// Stores a notification for `recipient` and returns its live event.
pub fn notify(
    conn: &mut DbConn,
    recipient: &str,
    about: About<'_>,
    presence: &dyn Presence,
) -> DomainResult<Outbound> {
    let row = NotificationRow {
        id: new_id(),
        user_id: recipient.to_owned(),
        kind: Stored(about.kind),
        actor_id: about.actor.map(str::to_owned),
        room_id: about.room.map(str::to_owned),
        message_id: about.message.map(str::to_owned),
        created_at: now(),
        read: false,
    };
    notifications::insert(conn, &row)?;
    let notification = views(conn, recipient, vec![row], presence)?
        .pop()
        .ok_or_else(|| DomainError::internal("a notification went missing"))?;
    Ok(Outbound::user(
        id(recipient),
        ServerEvent::Notification { notification },
    ))
}

/// Notifications as their recipient sees them, their actors read at once.
fn views(
    conn: &mut DbConn,
    viewer: &str,
    rows: Vec<NotificationRow>,
    presence: &dyn Presence,
) -> DomainResult<Vec<Notification>> {
    let actors: Vec<&str> = rows.iter().filter_map(|r| r.actor_id.as_deref()).collect();
    let profiles = visible_profiles(conn, viewer, &actors, presence)?;
    rows.into_iter()
        .map(|row| {
            let actor = row
                .actor_id
                .as_ref()
                .and_then(|actor| profiles.get(actor).cloned());
            view(row, actor)
        })
        .collect()
}

fn view(row: NotificationRow, actor: Option<protocol::User>) -> DomainResult<Notification> {
    Ok(Notification {
        id: id(&row.id),
        kind: row.kind.0,
        actor,
        room_id: opt_id(row.room_id.as_deref()),
        message_id: opt_id(row.message_id.as_deref()),
        created_at: utc(row.created_at),
        read: row.read,
    })
}

/// A page of notifications and the user's total unread count.
pub fn list(
    conn: &mut DbConn,
    user_id: &str,
    unread_only: bool,
    before: Option<&str>,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<(Vec<Notification>, i64)> {
    let rows = notifications::list(conn, user_id, unread_only, before, limit)?;
    let list = views(conn, user_id, rows, presence)?;
    Ok((list, notifications::unread_count(conn, user_id)?))
}

pub fn mark_read(conn: &mut DbConn, user_id: &str, notification_id: &str) -> DomainResult<()> {
    if notifications::mark_read(conn, user_id, notification_id)? {
        Ok(())
    } else {
        Err(DomainError::NotFound(Missing::Notification))
    }
}

pub fn mark_all_read(conn: &mut DbConn, user_id: &str) -> DomainResult<()> {
    Ok(notifications::mark_all_read(conn, user_id)?)
}

//! The `notifications` table.

use diesel::prelude::*;

use crate::models::NotificationRow;
use crate::schema::notifications;
use crate::{DbConn, DbResult};
use protocol::{NotificationId, UserId};

pub fn insert(conn: &mut DbConn, row: &NotificationRow) -> DbResult<()> {
    Ok(diesel::insert_into(notifications::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// Newest first.
pub fn list(
    conn: &mut DbConn,
    user_id: UserId,
    unread_only: bool,
    before: Option<NotificationId>,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id.to_string()))
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read.eq(false));
    }
    if let Some(before) = before {
        query = query.filter(notifications::id.lt(before.to_string()));
    }
    Ok(query
        .order(notifications::id.desc())
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?)
}

pub fn unread_count(conn: &mut DbConn, user_id: UserId) -> DbResult<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id.to_string()))
        .filter(notifications::read.eq(false))
        .count()
        .get_result(conn)?)
}

/// Marks one of the user's notifications read; false if it is not theirs.
pub fn mark_read(conn: &mut DbConn, user_id: UserId, id: NotificationId) -> DbResult<bool> {
    let mine: i64 = notifications::table
        .filter(notifications::id.eq(id.to_string()))
        .filter(notifications::user_id.eq(user_id.to_string()))
        .count()
        .get_result(conn)?;
    if mine == 0 {
        return Ok(false);
    }
    diesel::update(notifications::table.find(id.to_string()))
        .set(notifications::read.eq(true))
        .execute(conn)?;
    Ok(true)
}

pub fn mark_all_read(conn: &mut DbConn, user_id: UserId) -> DbResult<()> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id.to_string()))
            .filter(notifications::read.eq(false)),
    )
    .set(notifications::read.eq(true))
    .execute(conn)
    .map(drop)?)
}

/// Marks read the user's unread notifications of `kind` from `actor` (a
/// friend request once it is answered); returns how many.
pub fn mark_read_from(
    conn: &mut DbConn,
    user_id: UserId,
    kind: &str,
    actor: UserId,
) -> DbResult<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id.to_string()))
            .filter(notifications::kind.eq(kind))
            .filter(notifications::actor_id.eq(actor.to_string()))
            .filter(notifications::read.eq(false)),
    )
    .set(notifications::read.eq(true))
    .execute(conn)?)
}

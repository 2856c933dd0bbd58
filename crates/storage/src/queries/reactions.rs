//! The `reactions` table: one row per person, message and emoji.

use diesel::prelude::*;
use protocol::{MessageId, UserId};

use crate::models::ReactionRow;
use crate::queries::keys;
use crate::schema::reactions;
use crate::{DbConn, DbResult, on_backend};

/// False when the person had already reacted so.
pub fn add(conn: &mut DbConn, row: &ReactionRow) -> DbResult<bool> {
    Ok(on_backend!(conn, |c| diesel::insert_into(reactions::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n > 0)?)
}

/// False when there was no such reaction.
pub fn remove(conn: &mut DbConn, message: MessageId, user: UserId, emoji: &str) -> DbResult<bool> {
    let key = (message.to_string(), emoji.to_owned(), user.to_string());
    Ok(diesel::delete(reactions::table.find(key))
        .execute(conn)
        .map(|n| n > 0)?)
}

/// The reactions of these messages, oldest first.
pub fn of_messages(conn: &mut DbConn, ids: &[MessageId]) -> DbResult<Vec<ReactionRow>> {
    let mut found = Vec::new();
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in ids.chunks(1000) {
        found.extend(
            reactions::table
                .filter(reactions::message_id.eq_any(keys(chunk)))
                .order((reactions::created_at.asc(), reactions::user_id.asc()))
                .select(ReactionRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// A deleted message keeps nothing of what people added to it.
pub fn clear(conn: &mut DbConn, message: MessageId) -> DbResult<()> {
    Ok(
        diesel::delete(reactions::table.filter(reactions::message_id.eq(message.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

/// Someone who deletes their account takes their reactions with them.
pub fn remove_all_of(conn: &mut DbConn, user: UserId) -> DbResult<()> {
    Ok(
        diesel::delete(reactions::table.filter(reactions::user_id.eq(user.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

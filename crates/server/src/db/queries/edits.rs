//! The `message_edits` table: earlier versions of edited messages.

use diesel::prelude::*;
use protocol::MessageId;

use crate::db::models::MessageEditRow;
use crate::db::schema::message_edits;
use crate::db::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &MessageEditRow) -> DbResult<()> {
    Ok(diesel::insert_into(message_edits::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// A message's earlier versions, oldest first.
pub fn of_message(conn: &mut DbConn, message: MessageId) -> DbResult<Vec<MessageEditRow>> {
    Ok(message_edits::table
        .filter(message_edits::message_id.eq(message.to_string()))
        .order((message_edits::replaced_at.asc(), message_edits::id.asc()))
        .select(MessageEditRow::as_select())
        .load(conn)?)
}

/// A deleted message keeps none of its words, earlier ones included.
pub fn clear(conn: &mut DbConn, message: MessageId) -> DbResult<()> {
    Ok(diesel::delete(
        message_edits::table.filter(message_edits::message_id.eq(message.to_string())),
    )
    .execute(conn)
    .map(drop)?)
}

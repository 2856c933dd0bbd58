//! The `message_edits` table: earlier versions of edited messages.

use diesel::prelude::*;
use protocol::{MessageId, VersionId};

use crate::models::MessageEditRow;
use crate::schema::message_edits;
use crate::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &MessageEditRow) -> DbResult<()> {
    Ok(diesel::insert_into(message_edits::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

pub fn find(conn: &mut DbConn, id: VersionId) -> DbResult<Option<MessageEditRow>> {
    Ok(message_edits::table
        .find(id.to_string())
        .select(MessageEditRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` of a message's earlier versions, oldest first, those
/// replaced after `after` (a version of the same message) only.
pub fn page(
    conn: &mut DbConn,
    message: MessageId,
    after: Option<&MessageEditRow>,
    limit: i64,
) -> DbResult<Vec<MessageEditRow>> {
    let mut query = message_edits::table
        .filter(message_edits::message_id.eq(message.to_string()))
        .into_boxed();
    if let Some(cursor) = after {
        let (at, id) = (cursor.replaced_at, cursor.id.to_string());
        query = query.filter(
            message_edits::replaced_at
                .gt(at)
                .or(message_edits::replaced_at
                    .eq(at)
                    .and(message_edits::id.gt(id))),
        );
    }
    Ok(query
        .order((message_edits::replaced_at.asc(), message_edits::id.asc()))
        .limit(limit)
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

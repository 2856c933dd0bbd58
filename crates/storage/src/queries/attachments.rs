//! The `attachments` table: uploaded files, sent or waiting to be.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use protocol::{AttachmentId, MessageId, UserId};

use super::keys;
use crate::models::AttachmentRow;
use crate::schema::{attachments, messages, rooms};
use crate::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &AttachmentRow) -> DbResult<()> {
    diesel::insert_into(attachments::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: AttachmentId) -> DbResult<Option<AttachmentRow>> {
    Ok(attachments::table
        .find(id.to_string())
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_many(conn: &mut DbConn, ids: &[AttachmentId]) -> DbResult<Vec<AttachmentRow>> {
    Ok(attachments::table
        .filter(attachments::id.eq_any(keys(ids)))
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// The files of these messages, each message's in their order.
pub fn of_messages(conn: &mut DbConn, ids: &[MessageId]) -> DbResult<Vec<AttachmentRow>> {
    let mut found = Vec::new();
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in ids.chunks(1000) {
        found.extend(
            attachments::table
                .filter(attachments::message_id.eq_any(keys(chunk)))
                .order((attachments::message_id, attachments::position))
                .select(AttachmentRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Gives unsent files to a message, in the order given. Answers how many
/// were still unsent: fewer than asked means another message took one first.
pub fn attach(conn: &mut DbConn, message: MessageId, ids: &[AttachmentId]) -> DbResult<usize> {
    let mut taken = 0;
    for (position, id) in ids.iter().enumerate() {
        taken += diesel::update(
            attachments::table
                .filter(attachments::id.eq(id.to_string()))
                .filter(attachments::message_id.is_null()),
        )
        .set((
            attachments::message_id.eq(Some(message.to_string())),
            attachments::position.eq(position as i32),
        ))
        .execute(conn)?;
    }
    Ok(taken)
}

/// Files nobody can see any more, whose bytes may go: those of deleted or
/// vanished messages, and uploads never sent by `unsent_before` or whose
/// room is gone.
pub fn unreachable(
    conn: &mut DbConn,
    unsent_before: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<AttachmentRow>> {
    let message_shown = exists(
        messages::table
            .filter(messages::id.nullable().eq(attachments::message_id))
            .filter(messages::deleted.eq(false)),
    );
    let room_there = exists(rooms::table.filter(rooms::id.eq(attachments::room_id)));
    let unsent = attachments::message_id.is_null();
    Ok(attachments::table
        .filter(
            unsent
                .and(
                    attachments::created_at
                        .lt(unsent_before)
                        .or(not(room_there)),
                )
                .or(attachments::message_id
                    .is_not_null()
                    .and(not(message_shown))),
        )
        .order(attachments::created_at)
        .limit(limit)
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// Bytes of the files `uploader` keeps: uploads not sent yet, and those of
/// messages not deleted. A deleted message's files stop counting at once,
/// before the sweep takes their bytes.
pub fn bytes_kept_by(conn: &mut DbConn, uploader: UserId) -> DbResult<i64> {
    let message_shown = exists(
        messages::table
            .filter(messages::id.nullable().eq(attachments::message_id))
            .filter(messages::deleted.eq(false)),
    );
    Ok(attachments::table
        .filter(attachments::uploader_id.eq(uploader.to_string()))
        .filter(attachments::message_id.is_null().or(message_shown))
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back (portable).
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(attachments.size), 0) AS BIGINT)",
        ))
        .get_result(conn)?)
}

pub fn remove(conn: &mut DbConn, ids: &[AttachmentId]) -> DbResult<usize> {
    Ok(
        diesel::delete(attachments::table.filter(attachments::id.eq_any(keys(ids))))
            .execute(conn)?,
    )
}

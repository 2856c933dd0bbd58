//! The `pins` table: a room's pinned messages.

use diesel::prelude::*;
use protocol::{MessageId, RoomId};

use crate::models::PinRow;
use crate::schema::pins;
use crate::{DbConn, DbResult, on_backend};

/// False when the message was pinned already.
pub fn add(conn: &mut DbConn, row: &PinRow) -> DbResult<bool> {
    Ok(on_backend!(conn, |c| diesel::insert_into(pins::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n > 0)?)
}

/// False when the message was not pinned.
pub fn remove(conn: &mut DbConn, message: MessageId) -> DbResult<bool> {
    Ok(diesel::delete(pins::table.find(message.to_string()))
        .execute(conn)
        .map(|n| n > 0)?)
}

pub fn find(conn: &mut DbConn, message: MessageId) -> DbResult<Option<PinRow>> {
    Ok(pins::table
        .find(message.to_string())
        .select(PinRow::as_select())
        .first(conn)
        .optional()?)
}

/// A room's pins, newest first.
pub fn of_room(conn: &mut DbConn, room: RoomId) -> DbResult<Vec<PinRow>> {
    Ok(pins::table
        .filter(pins::room_id.eq(room.to_string()))
        .order((pins::pinned_at.desc(), pins::message_id.desc()))
        .select(PinRow::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConn, room: RoomId) -> DbResult<i64> {
    Ok(pins::table
        .filter(pins::room_id.eq(room.to_string()))
        .count()
        .get_result(conn)?)
}

//! The `audit_log` table: what moderators did in a room.

use diesel::prelude::*;

use crate::models::AuditRow;
use crate::schema::audit_log;
use crate::{DbConn, DbResult};
use protocol::{AuditEntryId, RoomId};

pub fn insert(conn: &mut DbConn, row: &AuditRow) -> DbResult<()> {
    Ok(diesel::insert_into(audit_log::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

pub fn list(
    conn: &mut DbConn,
    room_id: RoomId,
    before: Option<AuditEntryId>,
    limit: i64,
) -> DbResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .filter(audit_log::room_id.eq(room_id.to_string()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before.to_string()));
    }
    Ok(query
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

//! The `rooms` table.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{contains_pattern, lower};
use crate::models::Stored;
use crate::models::{MembershipRow, RoomRow, now};
use crate::queries::keys;
use crate::schema::{memberships, rooms};
use crate::{DbConn, DbResult};
use protocol::{RoomId, RoomKind, UserId, Visibility};

pub fn insert(conn: &mut DbConn, row: &RoomRow) -> DbResult<()> {
    Ok(diesel::insert_into(rooms::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

pub fn find(conn: &mut DbConn, id: RoomId) -> DbResult<Option<RoomRow>> {
    Ok(rooms::table
        .find(id.to_string())
        .select(RoomRow::as_select())
        .first(conn)
        .optional()?)
}

/// The room and the user's membership of it, in one round trip: every room
/// route starts with this check.
pub fn find_with_membership(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
) -> DbResult<Option<(RoomRow, Option<MembershipRow>)>> {
    Ok(rooms::table
        .left_join(
            memberships::table.on(memberships::room_id
                .eq(rooms::id)
                .and(memberships::user_id.eq(user_id.to_string()))),
        )
        .filter(rooms::id.eq(room_id.to_string()))
        .select((RoomRow::as_select(), Option::<MembershipRow>::as_select()))
        .first(conn)
        .optional()?)
}

/// The rooms among `ids` that exist.
pub fn find_many(conn: &mut DbConn, ids: &[RoomId]) -> DbResult<Vec<RoomRow>> {
    Ok(rooms::table
        .filter(rooms::id.eq_any(keys(ids)))
        .select(RoomRow::as_select())
        .load(conn)?)
}

pub fn find_direct(conn: &mut DbConn, key: &str) -> DbResult<Option<RoomRow>> {
    Ok(rooms::table
        .filter(rooms::direct_key.eq(key))
        .select(RoomRow::as_select())
        .first(conn)
        .optional()?)
}

/// Public groups for Explore, newest first, optionally by name.
pub fn explore(
    conn: &mut DbConn,
    q: Option<&str>,
    before: Option<RoomId>,
    limit: i64,
) -> DbResult<Vec<RoomRow>> {
    let mut query = rooms::table
        .filter(rooms::kind.eq(RoomKind::Group.as_str()))
        .filter(rooms::visibility.eq(Visibility::Public.as_str()))
        .into_boxed();
    if let Some(q) = q {
        let pattern = contains_pattern(&q.to_lowercase());
        query = query.filter(
            lower(rooms::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(rooms::topic).like(pattern).escape('\\')),
        );
    }
    if let Some(before) = before {
        query = query.filter(rooms::id.lt(before.to_string()));
    }
    Ok(query
        .order(rooms::id.desc())
        .limit(limit)
        .select(RoomRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = rooms)]
pub struct RoomChanges {
    pub name: Option<String>,
    pub topic: Option<String>,
    pub visibility: Option<String>,
}

pub fn update(conn: &mut DbConn, id: RoomId, changes: &RoomChanges) -> DbResult<()> {
    if changes.name.is_none() && changes.topic.is_none() && changes.visibility.is_none() {
        return Ok(());
    }
    Ok(diesel::update(rooms::table.find(id.to_string()))
        .set(changes)
        .execute(conn)
        .map(drop)?)
}

pub fn delete(conn: &mut DbConn, id: RoomId) -> DbResult<()> {
    Ok(diesel::delete(rooms::table.find(id.to_string()))
        .execute(conn)
        .map(drop)?)
}

/// Takes the next `seq` of the room. The row lock this update takes (or
/// SQLite's write lock) serialises concurrent senders, and rolling back
/// the transaction gives the number back: seqs never skip.
/// Reserves `count` consecutive numbers in the room and returns the last.
/// The row stays locked until the transaction ends, which is what keeps
/// `seq` gap-free and ordered; a rollback gives the numbers back.
pub fn take_seqs(conn: &mut DbConn, id: RoomId, count: i64) -> DbResult<i64> {
    Ok(diesel::update(rooms::table.find(id.to_string()))
        .set((
            rooms::last_seq.eq(rooms::last_seq + count),
            rooms::last_activity_at.eq(now()),
        ))
        .returning(rooms::last_seq)
        .get_result(conn)?)
}

pub fn member_count(conn: &mut DbConn, room_id: RoomId) -> DbResult<i64> {
    Ok(memberships::table
        .filter(memberships::room_id.eq(room_id.to_string()))
        .count()
        .get_result(conn)?)
}

pub fn member_counts(conn: &mut DbConn, room_ids: &[RoomId]) -> DbResult<HashMap<RoomId, i64>> {
    let rows: Vec<(String, i64)> = memberships::table
        .filter(memberships::room_id.eq_any(keys(room_ids)))
        .group_by(memberships::room_id)
        .select((memberships::room_id, diesel::dsl::count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(|(room, count)| Ok((*Stored::<RoomId>::try_from(room)?, count)))
        .collect()
}

//! Friendships and blocks.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{blocks, friendships};

pub fn are_friends(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<bool> {
    let n: i64 = friendships::table
        .filter(friendships::user_id.eq(a))
        .filter(friendships::friend_id.eq(b))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether either user blocked the other.
pub fn blocked_either_way(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<bool> {
    let n: i64 = blocks::table
        .filter(
            blocks::blocker_id
                .eq(a)
                .and(blocks::blocked_id.eq(b))
                .or(blocks::blocker_id.eq(b).and(blocks::blocked_id.eq(a))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Users among `candidates` who blocked `sender`.
pub fn blockers_of(
    conn: &mut DbConn,
    sender: &str,
    candidates: &[String],
) -> QueryResult<Vec<String>> {
    blocks::table
        .filter(blocks::blocked_id.eq(sender))
        .filter(blocks::blocker_id.eq_any(candidates))
        .select(blocks::blocker_id)
        .load(conn)
}

pub fn friend_ids(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    friendships::table
        .filter(friendships::user_id.eq(user_id))
        .select(friendships::friend_id)
        .load(conn)
}

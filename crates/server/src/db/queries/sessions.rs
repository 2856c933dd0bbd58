//! The `sessions` table: one row per signed-in device.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::{SessionRow, now};
use crate::db::schema::{sessions, users};

pub fn insert(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The session exists, is not revoked or expired, and its user still exists.
pub fn is_live(conn: &mut DbConn, session_id: &str, user_id: &str) -> QueryResult<bool> {
    let count: i64 = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .filter(users::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn find_live_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .filter(sessions::token_hash.eq(hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// Swaps the refresh token only if `old_hash` is still current, so two
/// concurrent refreshes with one token cannot both succeed.
pub fn rotate(
    conn: &mut DbConn,
    session_id: &str,
    old_hash: &str,
    new_hash: &str,
    expires_at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::token_hash.eq(old_hash))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::token_hash.eq(new_hash),
        sessions::last_used_at.eq(now()),
        sessions::expires_at.eq(expires_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke(conn: &mut DbConn, session_id: &str) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
        .map(drop)
}

/// Every session of the user but `keep` (when given).
pub fn revoke_all(conn: &mut DbConn, user_id: &str, keep: Option<&str>) -> QueryResult<()> {
    let target = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(keep.unwrap_or("")));
    diesel::update(target)
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
        .map(drop)
}

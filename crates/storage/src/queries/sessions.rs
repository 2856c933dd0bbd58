//! The `sessions` table: one row per signed-in device.

use diesel::prelude::*;

use crate::models::{SessionRow, now};
use crate::queries::{keys, parsed};
use crate::schema::{sessions, users};
use crate::{DbConn, DbResult};
use protocol::{SessionId, UserId};

pub fn insert(conn: &mut DbConn, row: &SessionRow) -> DbResult<()> {
    Ok(diesel::insert_into(sessions::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// The sessions that still let their user in, joined with that user: not
/// revoked, not expired, the account not deleted. One rule for every
/// question below.
macro_rules! live_sessions {
    () => {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now()))
            .filter(users::deleted_at.is_null())
    };
}

/// Whether the session is live and the user's.
///
/// A count, not `live_user`'s row: every authenticated request asks this.
pub fn is_live(conn: &mut DbConn, session_id: SessionId, user_id: UserId) -> DbResult<bool> {
    let count: i64 = live_sessions!()
        .filter(sessions::id.eq(session_id.to_string()))
        .filter(sessions::user_id.eq(user_id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// The user of a live session (as [`is_live`] has it), in one statement.
pub fn live_user(
    conn: &mut DbConn,
    session_id: SessionId,
    user_id: UserId,
) -> DbResult<Option<crate::models::UserRow>> {
    Ok(live_sessions!()
        .filter(sessions::id.eq(session_id.to_string()))
        .filter(sessions::user_id.eq(user_id.to_string()))
        .select(crate::models::UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of these sessions are live (as [`is_live`] has it).
pub fn live_among(conn: &mut DbConn, session_ids: &[SessionId]) -> DbResult<Vec<SessionId>> {
    // SQLite binds at most 32,766 parameters in one statement.
    let mut live = Vec::new();
    for chunk in session_ids.chunks(1000) {
        live.extend(
            live_sessions!()
                .filter(sessions::id.eq_any(keys(chunk)))
                .select(sessions::id)
                .load::<String>(conn)?,
        );
    }
    parsed(live)
}

pub fn find_live_by_hash(conn: &mut DbConn, hash: &str) -> DbResult<Option<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::token_hash.eq(hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The session whose refresh token was `hash` before its last rotation.
pub fn find_by_previous_hash(conn: &mut DbConn, hash: &str) -> DbResult<Option<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::previous_hash.eq(hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Swaps the refresh token only if `old_hash` is still current, so two
/// concurrent refreshes with one token cannot both succeed; the old hash is
/// kept to recognise it if it ever comes back.
pub fn rotate(
    conn: &mut DbConn,
    session_id: SessionId,
    old_hash: &str,
    new_hash: &str,
    expires_at: chrono::NaiveDateTime,
    address: &str,
) -> DbResult<bool> {
    let at = now();
    let changed = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id.to_string()))
            .filter(sessions::token_hash.eq(old_hash))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::token_hash.eq(new_hash),
        sessions::previous_hash.eq(Some(old_hash)),
        sessions::rotated_at.eq(Some(at)),
        sessions::last_used_at.eq(at),
        sessions::expires_at.eq(expires_at),
        sessions::address.eq(Some(address)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The user's live sessions, most recently used first.
pub fn live_of(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<SessionRow>> {
    Ok(live_sessions!()
        .filter(sessions::user_id.eq(user_id.to_string()))
        .order((sessions::last_used_at.desc(), sessions::id.desc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Records that a session was used now (a bot token; a person's session
/// is touched by its refreshes).
pub fn touch(conn: &mut DbConn, session_id: SessionId) -> DbResult<()> {
    diesel::update(sessions::table.find(session_id.to_string()))
        .set(sessions::last_used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

pub fn revoke(conn: &mut DbConn, session_id: SessionId) -> DbResult<()> {
    Ok(diesel::update(sessions::table.find(session_id.to_string()))
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
        .map(drop)?)
}

/// Every session of the user but `keep` (when given).
pub fn revoke_all(conn: &mut DbConn, user_id: UserId, keep: Option<SessionId>) -> DbResult<()> {
    let target = sessions::table
        .filter(sessions::user_id.eq(user_id.to_string()))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(keep.map(|id| id.to_string()).unwrap_or_default()));
    Ok(diesel::update(target)
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
        .map(drop)?)
}

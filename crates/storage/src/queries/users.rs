//! The `users` table.

use diesel::prelude::*;

use super::{contains_pattern, lower};
use crate::models::{SenderRow, UserRow, now};
use crate::queries::keys;
use crate::schema::users;
use crate::{DbConn, DbResult};
use protocol::UserId;

pub fn insert(conn: &mut DbConn, row: &UserRow) -> DbResult<()> {
    Ok(diesel::insert_into(users::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// A live (not deleted) account.
pub fn find(conn: &mut DbConn, id: UserId) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .find(id.to_string())
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The live accounts among `ids` (missing and deleted ones are left out).
pub fn find_many(conn: &mut DbConn, ids: &[UserId]) -> DbResult<Vec<UserRow>> {
    let mut found = Vec::with_capacity(ids.len());
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in ids.chunks(1000) {
        found.extend(
            users::table
                .filter(users::id.eq_any(keys(chunk)))
                .filter(users::deleted_at.is_null())
                .select(UserRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

pub fn find_by_username(conn: &mut DbConn, key: &str) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::username_key.eq(key))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Live accounts whose lower-cased usernames are in `keys`.
pub fn find_by_usernames(conn: &mut DbConn, keys: &[String]) -> DbResult<Vec<UserRow>> {
    Ok(users::table
        .filter(users::username_key.eq_any(keys))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .load(conn)?)
}

/// The sender columns of the accounts among `ids`, as messages show them.
/// On SQLite a cached lookup per id (see `messages::insert_many`).
pub fn senders(conn: &mut DbConn, ids: &[UserId]) -> DbResult<Vec<SenderRow>> {
    if let DbConn::Sqlite(_) = conn {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let sender = users::table
                .find(id.to_string())
                .select(SenderRow::as_select())
                .first(conn)
                .optional()?;
            found.extend(sender);
        }
        return Ok(found);
    }
    Ok(users::table
        .filter(users::id.eq_any(keys(ids)))
        .select(SenderRow::as_select())
        .load(conn)?)
}

/// Username or display name containing `q`, any case; exact username first.
pub fn search(conn: &mut DbConn, q: &str, limit: i64) -> DbResult<Vec<UserRow>> {
    let needle = q.to_lowercase();
    let pattern = contains_pattern(&needle);
    Ok(users::table
        .filter(users::deleted_at.is_null())
        .filter(
            users::username_key
                .like(&pattern)
                .escape('\\')
                .or(lower(users::display_name).like(&pattern).escape('\\')),
        )
        .order((users::username_key.ne(&needle), users::username_key))
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub interests: Option<String>,
    pub avatar_url: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub profile_visibility: Option<String>,
}

pub fn update_profile(conn: &mut DbConn, id: UserId, changes: &ProfileChanges) -> DbResult<()> {
    if changes.display_name.is_none()
        && changes.bio.is_none()
        && changes.interests.is_none()
        && changes.avatar_url.is_none()
        && changes.email.is_none()
        && changes.profile_visibility.is_none()
    {
        return Ok(()); // Diesel rejects an empty SET.
    }
    Ok(diesel::update(users::table.find(id.to_string()))
        .set(changes)
        .execute(conn)
        .map(drop)?)
}

pub fn set_password(conn: &mut DbConn, id: UserId, hash: &str) -> DbResult<()> {
    Ok(diesel::update(users::table.find(id.to_string()))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(drop)?)
}

/// Erases the person but keeps the row, so the username stays reserved.
pub fn tombstone(conn: &mut DbConn, id: UserId) -> DbResult<()> {
    Ok(diesel::update(users::table.find(id.to_string()))
        .set((
            users::deleted_at.eq(Some(now())),
            users::password_hash.eq(""),
            users::display_name.eq("Deleted user"),
            users::bio.eq(""),
            users::interests.eq("[]"),
            users::avatar_url.eq(None::<String>),
            users::email.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)?)
}

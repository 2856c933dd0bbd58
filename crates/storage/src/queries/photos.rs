//! The `photos` table: people's photo libraries.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use protocol::{PhotoId, UserId};

use super::keys;
use crate::models::PhotoRow;
use crate::schema::{photos, users};
use crate::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &PhotoRow) -> DbResult<()> {
    diesel::insert_into(photos::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// A photo that is still shown (not removed).
pub fn find(conn: &mut DbConn, id: PhotoId) -> DbResult<Option<PhotoRow>> {
    Ok(photos::table
        .find(id.to_string())
        .filter(photos::removed_at.is_null())
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()?)
}

/// Someone's photos, newest first.
pub fn of_owner(conn: &mut DbConn, owner: UserId) -> DbResult<Vec<PhotoRow>> {
    Ok(photos::table
        .filter(photos::owner_id.eq(owner.to_string()))
        .filter(photos::removed_at.is_null())
        .order((photos::created_at.desc(), photos::id.desc()))
        .select(PhotoRow::as_select())
        .load(conn)?)
}

pub fn count_of_owner(conn: &mut DbConn, owner: UserId) -> DbResult<i64> {
    Ok(photos::table
        .filter(photos::owner_id.eq(owner.to_string()))
        .filter(photos::removed_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Bytes of the photos `owner` keeps (removed ones stop counting at once).
pub fn bytes_kept_by(conn: &mut DbConn, owner: UserId) -> DbResult<i64> {
    Ok(photos::table
        .filter(photos::owner_id.eq(owner.to_string()))
        .filter(photos::removed_at.is_null())
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(photos.size), 0) AS BIGINT)",
        ))
        .get_result(conn)?)
}

/// Takes a photo out of its owner's library; false when it was not theirs
/// (or gone already). Its bytes go with the next sweep.
pub fn mark_removed(
    conn: &mut DbConn,
    owner: UserId,
    id: PhotoId,
    at: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(
        photos::table
            .find(id.to_string())
            .filter(photos::owner_id.eq(owner.to_string()))
            .filter(photos::removed_at.is_null()),
    )
    .set(photos::removed_at.eq(Some(at)))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Photos whose bytes may go: removed ones, and those of deleted accounts.
pub fn unreachable(conn: &mut DbConn, limit: i64) -> DbResult<Vec<PhotoId>> {
    let owner_gone = exists(
        users::table
            .filter(users::id.eq(photos::owner_id))
            .filter(users::deleted_at.is_not_null()),
    );
    let ids: Vec<String> = photos::table
        .filter(photos::removed_at.is_not_null().or(owner_gone))
        .order(photos::created_at)
        .limit(limit)
        .select(photos::id)
        .load(conn)?;
    super::parsed(ids)
}

pub fn remove(conn: &mut DbConn, ids: &[PhotoId]) -> DbResult<usize> {
    Ok(diesel::delete(photos::table.filter(photos::id.eq_any(keys(ids)))).execute(conn)?)
}

//! The `two_factor` and `recovery_codes` tables: a user's TOTP secret and
//! the hashes of their recovery codes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use protocol::UserId;

use crate::models::TwoFactorRow;
use crate::schema::{recovery_codes, two_factor};
use crate::{DbConn, DbResult};

pub fn find(conn: &mut DbConn, user: UserId) -> DbResult<Option<TwoFactorRow>> {
    Ok(two_factor::table
        .find(user.to_string())
        .select(TwoFactorRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn is_enabled(conn: &mut DbConn, user: UserId) -> DbResult<bool> {
    Ok(find(conn, user)?.is_some_and(|row| row.enabled_at.is_some()))
}

/// Stores a new pending secret in place of whatever was there.
pub fn put_pending(conn: &mut DbConn, row: &TwoFactorRow) -> DbResult<()> {
    remove(conn, *row.user_id)?;
    diesel::insert_into(two_factor::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn enable(conn: &mut DbConn, user: UserId, at: NaiveDateTime, step: i64) -> DbResult<()> {
    diesel::update(two_factor::table.find(user.to_string()))
        .set((
            two_factor::enabled_at.eq(Some(at)),
            two_factor::last_step.eq(step),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records that the code of `step` signed in, unless that step or a later
/// one did already (false then: a code works once).
pub fn use_step(conn: &mut DbConn, user: UserId, step: i64) -> DbResult<bool> {
    let updated = diesel::update(
        two_factor::table
            .find(user.to_string())
            .filter(two_factor::last_step.lt(step)),
    )
    .set(two_factor::last_step.eq(step))
    .execute(conn)?;
    Ok(updated > 0)
}

/// Turns two-factor sign-in off: the secret and the recovery codes go.
pub fn remove(conn: &mut DbConn, user: UserId) -> DbResult<()> {
    diesel::delete(two_factor::table.find(user.to_string())).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.to_string())))
        .execute(conn)?;
    Ok(())
}

pub fn put_recovery_codes(conn: &mut DbConn, user: UserId, hashes: &[String]) -> DbResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.to_string())))
        .execute(conn)?;
    for hash in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::code_hash.eq(hash.clone()),
                recovery_codes::user_id.eq(user.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses up a recovery code; false when it is not one of the user's.
pub fn take_recovery_code(conn: &mut DbConn, user: UserId, hash: &str) -> DbResult<bool> {
    let taken = diesel::delete(
        recovery_codes::table
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::user_id.eq(user.to_string())),
    )
    .execute(conn)?;
    Ok(taken > 0)
}

pub fn recovery_codes_left(conn: &mut DbConn, user: UserId) -> DbResult<i64> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?)
}

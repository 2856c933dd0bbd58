//! The `activities` table: a person's own history.

use diesel::prelude::*;

use crate::models::ActivityRow;
use crate::schema::activities;
use crate::{DbConn, DbResult};
use protocol::{ActivityId, UserId};

pub fn insert(conn: &mut DbConn, row: &ActivityRow) -> DbResult<()> {
    Ok(diesel::insert_into(activities::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// Newest first; ids are time-ordered so `before` is a plain comparison.
pub fn list(
    conn: &mut DbConn,
    user_id: UserId,
    before: Option<ActivityId>,
    limit: i64,
) -> DbResult<Vec<ActivityRow>> {
    let mut query = activities::table
        .filter(activities::user_id.eq(user_id.to_string()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(activities::id.lt(before.to_string()));
    }
    Ok(query
        .order(activities::id.desc())
        .limit(limit)
        .select(ActivityRow::as_select())
        .load(conn)?)
}

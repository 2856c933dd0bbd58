//! Friendships and blocks.

use diesel::prelude::*;

use crate::models::{FriendRequestRow, UserRow};
use crate::queries::{keys, parsed};
use crate::schema::{blocks, friend_request_notices, friend_requests, friendships, users};
use crate::{DbConn, DbResult, on_backend};
use protocol::{FriendRequestId, UserId};

pub fn are_friends(conn: &mut DbConn, a: UserId, b: UserId) -> DbResult<bool> {
    let n: i64 = friendships::table
        .filter(friendships::user_id.eq(a.to_string()))
        .filter(friendships::friend_id.eq(b.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Which of `others` are friends of `user`.
pub fn friends_among(conn: &mut DbConn, user: UserId, others: &[UserId]) -> DbResult<Vec<UserId>> {
    let mut found = Vec::new();
    for chunk in others.chunks(1000) {
        found.extend(
            friendships::table
                .filter(friendships::user_id.eq(user.to_string()))
                .filter(friendships::friend_id.eq_any(keys(chunk)))
                .select(friendships::friend_id)
                .load::<String>(conn)?,
        );
    }
    parsed(found)
}

/// Whether anyone of `a` blocked anyone of `b`, or the other way.
pub fn blocked_between(conn: &mut DbConn, a: &[UserId], b: &[UserId]) -> DbResult<bool> {
    let n: i64 = blocks::table
        .filter(
            blocks::blocker_id
                .eq_any(keys(a))
                .and(blocks::blocked_id.eq_any(keys(b)))
                .or(blocks::blocker_id
                    .eq_any(keys(b))
                    .and(blocks::blocked_id.eq_any(keys(a)))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Those of `candidates` who blocked anyone of `blocked`.
pub fn blockers_among(
    conn: &mut DbConn,
    blocked: &[UserId],
    candidates: &[UserId],
) -> DbResult<Vec<UserId>> {
    parsed(
        blocks::table
            .filter(blocks::blocked_id.eq_any(keys(blocked)))
            .filter(blocks::blocker_id.eq_any(keys(candidates)))
            .select(blocks::blocker_id)
            .distinct()
            .load(conn)?,
    )
}

/// The friendships between anyone of `a` and anyone of `b`, each once
/// (as `(one of a, one of b)`).
pub fn friendships_between(
    conn: &mut DbConn,
    a: &[UserId],
    b: &[UserId],
) -> DbResult<Vec<(UserId, UserId)>> {
    let rows: Vec<(String, String)> = friendships::table
        .filter(friendships::user_id.eq_any(keys(a)))
        .filter(friendships::friend_id.eq_any(keys(b)))
        .select((friendships::user_id, friendships::friend_id))
        .load(conn)?;
    let (ones, others): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
    Ok(parsed(ones)?.into_iter().zip(parsed(others)?).collect())
}

pub fn friend_ids(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<UserId>> {
    parsed(
        friendships::table
            .filter(friendships::user_id.eq(user_id.to_string()))
            .select(friendships::friend_id)
            .load(conn)?,
    )
}

pub fn add_friendship(conn: &mut DbConn, a: UserId, b: UserId) -> DbResult<()> {
    let now = crate::models::now();
    for (user, friend) in [(a, b), (b, a)] {
        let row = (
            friendships::user_id.eq(user.to_string()),
            friendships::friend_id.eq(friend.to_string()),
            friendships::created_at.eq(now),
        );
        on_backend!(conn, |c| diesel::insert_into(friendships::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Ends a friendship both ways; returns whether there was one.
pub fn remove_friendship(conn: &mut DbConn, a: UserId, b: UserId) -> DbResult<bool> {
    let removed = diesel::delete(
        friendships::table.filter(
            friendships::user_id
                .eq(a.to_string())
                .and(friendships::friend_id.eq(b.to_string()))
                .or(friendships::user_id
                    .eq(b.to_string())
                    .and(friendships::friend_id.eq(a.to_string()))),
        ),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// A page of the user's friends by username, after the one whose
/// username key is `after`.
pub fn friends_of(
    conn: &mut DbConn,
    user_id: UserId,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<UserRow>> {
    let mut query = friendships::table
        .inner_join(users::table.on(users::id.eq(friendships::friend_id)))
        .filter(friendships::user_id.eq(user_id.to_string()))
        .filter(users::deleted_at.is_null())
        .into_boxed();
    if let Some(key) = after {
        query = query.filter(users::username_key.gt(key.to_owned()));
    }
    Ok(query
        .order(users::username_key.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

pub fn insert_request(conn: &mut DbConn, row: &FriendRequestRow) -> DbResult<()> {
    Ok(diesel::insert_into(friend_requests::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

pub fn find_request(conn: &mut DbConn, id: FriendRequestId) -> DbResult<Option<FriendRequestRow>> {
    Ok(friend_requests::table
        .find(id.to_string())
        .select(FriendRequestRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn request_between(
    conn: &mut DbConn,
    from: UserId,
    to: UserId,
) -> DbResult<Option<FriendRequestRow>> {
    Ok(friend_requests::table
        .filter(friend_requests::from_id.eq(from.to_string()))
        .filter(friend_requests::to_id.eq(to.to_string()))
        .select(FriendRequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Returns whether there was such a request (a concurrent call may have
/// taken it first).
pub fn delete_request(conn: &mut DbConn, id: FriendRequestId) -> DbResult<bool> {
    Ok(diesel::delete(friend_requests::table.find(id.to_string()))
        .execute(conn)
        .map(|n| n > 0)?)
}

/// Pending requests either way between anyone of `a` and anyone of `b`,
/// and that they were announced: what comes between them after this is new.
pub fn delete_requests_between(conn: &mut DbConn, a: &[UserId], b: &[UserId]) -> DbResult<()> {
    diesel::delete(
        friend_request_notices::table.filter(
            friend_request_notices::from_id
                .eq_any(keys(a))
                .and(friend_request_notices::to_id.eq_any(keys(b)))
                .or(friend_request_notices::from_id
                    .eq_any(keys(b))
                    .and(friend_request_notices::to_id.eq_any(keys(a)))),
        ),
    )
    .execute(conn)?;
    Ok(diesel::delete(
        friend_requests::table.filter(
            friend_requests::from_id
                .eq_any(keys(a))
                .and(friend_requests::to_id.eq_any(keys(b)))
                .or(friend_requests::from_id
                    .eq_any(keys(b))
                    .and(friend_requests::to_id.eq_any(keys(a)))),
        ),
    )
    .execute(conn)
    .map(drop)?)
}

/// Records that `to` was told of a request from `from`. False when they
/// had been told already (and not answered since): no second notification.
pub fn note_request_announced(conn: &mut DbConn, from: UserId, to: UserId) -> DbResult<bool> {
    let row = (
        friend_request_notices::from_id.eq(from.to_string()),
        friend_request_notices::to_id.eq(to.to_string()),
        friend_request_notices::created_at.eq(crate::models::now()),
    );
    Ok(
        on_backend!(conn, |c| diesel::insert_into(friend_request_notices::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))
        .map(|n| n > 0)?,
    )
}

/// Forgets that `to` was told of `from`'s request (they answered it).
pub fn forget_request_announced(conn: &mut DbConn, from: UserId, to: UserId) -> DbResult<()> {
    Ok(
        diesel::delete(friend_request_notices::table.find((from.to_string(), to.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn incoming_requests(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<FriendRequestRow>> {
    Ok(friend_requests::table
        .filter(friend_requests::to_id.eq(user_id.to_string()))
        .order(friend_requests::id.desc())
        // The newest pending ones; older ones show as these are answered.
        .limit(protocol::limits::PAGE_MAX)
        .select(FriendRequestRow::as_select())
        .load(conn)?)
}

pub fn outgoing_requests(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<FriendRequestRow>> {
    Ok(friend_requests::table
        .filter(friend_requests::from_id.eq(user_id.to_string()))
        .order(friend_requests::id.desc())
        .limit(protocol::limits::PAGE_MAX)
        .select(FriendRequestRow::as_select())
        .load(conn)?)
}

pub fn block(conn: &mut DbConn, blocker: UserId, blocked: UserId) -> DbResult<()> {
    let row = (
        blocks::blocker_id.eq(blocker.to_string()),
        blocks::blocked_id.eq(blocked.to_string()),
        blocks::created_at.eq(crate::models::now()),
    );
    Ok(on_backend!(conn, |c| diesel::insert_into(blocks::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(drop)?)
}

pub fn unblock(conn: &mut DbConn, blocker: UserId, blocked: UserId) -> DbResult<()> {
    Ok(
        diesel::delete(blocks::table.find((blocker.to_string(), blocked.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn blocked_by(conn: &mut DbConn, blocker: UserId) -> DbResult<Vec<UserRow>> {
    Ok(blocks::table
        .inner_join(users::table.on(users::id.eq(blocks::blocked_id)))
        .filter(blocks::blocker_id.eq(blocker.to_string()))
        .select(UserRow::as_select())
        .load(conn)?)
}

//! Reading people: one account, or profiles as a viewer may see them. Below
//! every rule that names a person (accounts, friends, notifications,
//! moderation, two-factor sign-in), so none of them needs another for it.

use std::collections::{HashMap, HashSet};

use protocol::{User, UserId};

use super::Presence;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::UserRow;
use storage::queries::{social, users};

pub fn find_user(conn: &mut DbConn, user_id: UserId) -> DomainResult<UserRow> {
    users::find(conn, user_id)?.ok_or(DomainError::NotFound(Missing::User))
}

/// Several people as `viewer` may see them, keyed by id: two statements
/// however many there are (lists of notifications, audit entries, search
/// results name one person a row). Missing and deleted accounts are absent.
pub fn visible_profiles(
    conn: &mut DbConn,
    viewer: UserId,
    ids: &[UserId],
    presence: &dyn Presence,
) -> DomainResult<HashMap<UserId, User>> {
    let ids = super::distinct_ids(ids.iter().copied());
    let rows = users::find_many(conn, &ids)?;
    Ok(visible_rows(conn, viewer, &rows, presence)?
        .into_iter()
        .map(|view| (view.id, view))
        .collect())
}

/// `rows` as `viewer` may see them, in their order: all of a public
/// profile, one's own or a friend's, only the basics of a `friends`-only
/// stranger. Friendship is asked in one statement, and only about the rows
/// whose visibility depends on it.
pub(crate) fn visible_rows(
    conn: &mut DbConn,
    viewer: UserId,
    rows: &[UserRow],
    presence: &dyn Presence,
) -> DomainResult<Vec<User>> {
    let open = |user: &UserRow| {
        *user.id == viewer || user.visibility() == protocol::ProfileVisibility::Public
    };
    let ask: Vec<UserId> = rows.iter().filter(|u| !open(u)).map(|u| *u.id).collect();
    let friends: HashSet<UserId> = if ask.is_empty() {
        HashSet::new()
    } else {
        social::friends_among(conn, viewer, &ask)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .iter()
        .map(|user| {
            let online = presence.is_online(*user.id);
            if open(user) || friends.contains(&*user.id) {
                user.to_user(online)
            } else {
                user.to_limited_user(online)
            }
        })
        .collect())
}

/// `user` as `viewer` may see them: all of a public profile or a friend's,
/// only the basics of a `friends`-only stranger.
pub fn visible_profile(
    conn: &mut DbConn,
    viewer: UserId,
    user: UserRow,
    presence: &dyn Presence,
) -> DomainResult<User> {
    let mut views = visible_rows(conn, viewer, std::slice::from_ref(&user), presence)?;
    views
        .pop()
        .ok_or_else(|| DomainError::internal("a profile went missing"))
}

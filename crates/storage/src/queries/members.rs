//! Memberships, their history, invites and bans.

use std::collections::{BTreeSet, HashSet};

use diesel::prelude::*;

use crate::models::Stored;
use crate::models::{
    BanRow, InviteRow, MembershipEventRow, MembershipRow, MessageRow, ReadMarkerRow, RoomRow,
    SenderRow, UserRow, now,
};
use crate::queries::{keys, parsed};
use crate::schema::{
    invites, membership_events, memberships, messages, read_markers, room_bans, rooms, users,
};
use crate::{DbConn, DbResult, on_backend};
use protocol::{Role, RoomId, UserId};

pub fn find(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
) -> DbResult<Option<MembershipRow>> {
    Ok(memberships::table
        .find((room_id.to_string(), user_id.to_string()))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

/// The memberships among these `(room, user)` pairs that exist: one
/// statement on PostgreSQL; on SQLite a cached primary-key lookup per pair,
/// cheaper in process than preparing an `IN` list afresh each time.
pub fn find_pairs(conn: &mut DbConn, pairs: &[(RoomId, UserId)]) -> DbResult<Vec<MembershipRow>> {
    if let DbConn::Sqlite(_) = conn {
        let mut found = Vec::new();
        for &(room, user) in pairs {
            found.extend(find(conn, room, user)?);
        }
        return Ok(found);
    }
    let rooms: BTreeSet<String> = pairs.iter().map(|(room, _)| room.to_string()).collect();
    let users: BTreeSet<String> = pairs.iter().map(|(_, user)| user.to_string()).collect();
    let wanted: HashSet<&(RoomId, UserId)> = pairs.iter().collect();
    let rows: Vec<MembershipRow> = memberships::table
        .filter(memberships::room_id.eq_any(rooms))
        .filter(memberships::user_id.eq_any(users))
        .select(MembershipRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|m| wanted.contains(&(*m.room_id, *m.user_id)))
        .collect())
}

/// Returns false when the user was already a member (a concurrent join).
pub fn insert(conn: &mut DbConn, row: &MembershipRow) -> DbResult<bool> {
    Ok(
        on_backend!(conn, |c| diesel::insert_into(memberships::table)
            .values(row.clone())
            .on_conflict_do_nothing()
            .execute(c))
        .map(|n| n > 0)?,
    )
}

pub fn delete(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DbResult<bool> {
    Ok(
        diesel::delete(memberships::table.find((room_id.to_string(), user_id.to_string())))
            .execute(conn)
            .map(|n| n > 0)?,
    )
}

/// Members with their accounts, owners first, then by join time.
pub fn list(conn: &mut DbConn, room_id: RoomId) -> DbResult<Vec<(MembershipRow, UserRow)>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::room_id.eq(room_id.to_string()))
        .order((memberships::joined_at.asc(), memberships::user_id.asc()))
        .select((MembershipRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

/// A page of members with their accounts: owners first, then moderators,
/// then everyone else (the role names sort that way, descending), each by
/// join time; after the member `after` when given.
pub fn page(
    conn: &mut DbConn,
    room_id: RoomId,
    after: Option<&MembershipRow>,
    limit: i64,
) -> DbResult<Vec<(MembershipRow, UserRow)>> {
    let mut query = memberships::table
        .inner_join(users::table)
        .filter(memberships::room_id.eq(room_id.to_string()))
        .into_boxed();
    if let Some(cursor) = after {
        query = query.filter(
            memberships::role
                .lt(cursor.role.0.as_str())
                .or(memberships::role.eq(cursor.role.0.as_str()).and(
                    memberships::joined_at
                        .gt(cursor.joined_at)
                        .or(memberships::joined_at
                            .eq(cursor.joined_at)
                            .and(memberships::user_id.gt(cursor.user_id.to_string()))),
                )),
        );
    }
    Ok(query
        .order((
            memberships::role.desc(),
            memberships::joined_at.asc(),
            memberships::user_id.asc(),
        ))
        .limit(limit)
        .select((MembershipRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

/// Every room the user is in.
pub fn rooms_of(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<(MembershipRow, RoomRow)>> {
    Ok(memberships::table
        .inner_join(rooms::table)
        .filter(memberships::user_id.eq(user_id.to_string()))
        .select((MembershipRow::as_select(), RoomRow::as_select()))
        .load(conn)?)
}

/// Every membership of these users, with the room's newest seq:
/// `(user, room, last_seq)`.
pub fn of_users(conn: &mut DbConn, user_ids: &[UserId]) -> DbResult<Vec<(UserId, RoomId, i64)>> {
    let mut found = Vec::new();
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in user_ids.chunks(1000) {
        let rows = memberships::table
            .inner_join(rooms::table)
            .filter(memberships::user_id.eq_any(keys(chunk)))
            .select((memberships::user_id, memberships::room_id, rooms::last_seq))
            .load::<(String, String, i64)>(conn)?;
        for (user, room, seq) in rows {
            found.push((*Stored::try_from(user)?, *Stored::try_from(room)?, seq));
        }
    }
    Ok(found)
}

/// One sidebar row: a membership, its room, the member's read marker there,
/// and the room's newest message with its sender.
pub type SidebarRow = (
    MembershipRow,
    RoomRow,
    Option<ReadMarkerRow>,
    Option<MessageRow>,
    Option<SenderRow>,
);

/// Every room of the user with what the sidebar shows of it, in one
/// statement (a fixed one, so the database keeps it prepared).
pub fn sidebar_rows(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<SidebarRow>> {
    Ok(memberships::table
        .inner_join(rooms::table)
        .left_join(
            read_markers::table.on(read_markers::room_id
                .eq(memberships::room_id)
                .and(read_markers::user_id.eq(memberships::user_id))),
        )
        .left_join(
            messages::table.on(messages::room_id
                .eq(rooms::id)
                .and(messages::seq.eq(rooms::last_seq))),
        )
        .left_join(users::table.on(users::id.nullable().eq(messages::sender_id)))
        .filter(memberships::user_id.eq(user_id.to_string()))
        .select((
            MembershipRow::as_select(),
            RoomRow::as_select(),
            Option::<ReadMarkerRow>::as_select(),
            Option::<MessageRow>::as_select(),
            Option::<SenderRow>::as_select(),
        ))
        .load(conn)?)
}

/// `user`'s memberships among `room_ids`.
pub fn of_user_in(
    conn: &mut DbConn,
    user_id: UserId,
    room_ids: &[RoomId],
) -> DbResult<Vec<MembershipRow>> {
    let mut found = Vec::new();
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in room_ids.chunks(1000) {
        found.extend(
            memberships::table
                .filter(memberships::user_id.eq(user_id.to_string()))
                .filter(memberships::room_id.eq_any(keys(chunk)))
                .select(MembershipRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

pub fn room_ids_of(conn: &mut DbConn, user_id: UserId) -> DbResult<Vec<RoomId>> {
    parsed(
        memberships::table
            .filter(memberships::user_id.eq(user_id.to_string()))
            .select(memberships::room_id)
            .load(conn)?,
    )
}

pub fn set_role(conn: &mut DbConn, room_id: RoomId, user_id: UserId, role: Role) -> DbResult<()> {
    Ok(
        diesel::update(memberships::table.find((room_id.to_string(), user_id.to_string())))
            .set(memberships::role.eq(role.as_str()))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn set_level(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    level: protocol::NotificationLevel,
) -> DbResult<()> {
    Ok(
        diesel::update(memberships::table.find((room_id.to_string(), user_id.to_string())))
            .set(memberships::notification_level.eq(level.as_str()))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn remove_all_of(conn: &mut DbConn, user_id: UserId) -> DbResult<()> {
    Ok(
        diesel::delete(memberships::table.filter(memberships::user_id.eq(user_id.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

/// Who would inherit the room: moderators before members, oldest first.
pub fn successor(conn: &mut DbConn, room_id: RoomId) -> DbResult<Option<MembershipRow>> {
    let rows: Vec<MembershipRow> = memberships::table
        .filter(memberships::room_id.eq(room_id.to_string()))
        .filter(memberships::role.ne(Role::Owner.as_str()))
        .order((memberships::joined_at.asc(), memberships::user_id.asc()))
        .select(MembershipRow::as_select())
        .load(conn)?;
    let moderator = rows.iter().find(|m| m.role() == Role::Moderator).cloned();
    Ok(moderator.or_else(|| rows.into_iter().next()))
}

pub fn record_event(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    actor_id: Option<UserId>,
    kind: &str,
    reason: Option<&str>,
) -> DbResult<()> {
    let row = MembershipEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        room_id: Stored(room_id),
        user_id: Stored(user_id),
        actor_id: Stored(actor_id),
        kind: kind.to_owned(),
        reason: reason.map(str::to_owned),
        created_at: now(),
    };
    Ok(diesel::insert_into(membership_events::table)
        .values(row)
        .execute(conn)
        .map(drop)?)
}

pub fn has_invite(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DbResult<bool> {
    let n: i64 = invites::table
        .filter(invites::room_id.eq(room_id.to_string()))
        .filter(invites::user_id.eq(user_id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Idempotent: inviting twice keeps the first invite.
/// False when the user was invited to the room already.
pub fn add_invite(conn: &mut DbConn, row: &InviteRow) -> DbResult<bool> {
    Ok(on_backend!(conn, |c| diesel::insert_into(invites::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n > 0)?)
}

pub fn remove_invite(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DbResult<()> {
    Ok(
        diesel::delete(invites::table.find((room_id.to_string(), user_id.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn is_banned(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DbResult<bool> {
    let n: i64 = room_bans::table
        .filter(room_bans::room_id.eq(room_id.to_string()))
        .filter(room_bans::user_id.eq(user_id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Those of these `(room, user)` pairs where the user is banned from the
/// room.
pub fn banned_pairs(
    conn: &mut DbConn,
    pairs: &[(RoomId, UserId)],
) -> DbResult<Vec<(RoomId, UserId)>> {
    let mut found = Vec::new();
    for &(room, user) in pairs {
        if is_banned(conn, room, user)? {
            found.push((room, user));
        }
    }
    Ok(found)
}

/// Returns false when the user was already banned.
pub fn add_ban(conn: &mut DbConn, row: &BanRow) -> DbResult<bool> {
    Ok(on_backend!(conn, |c| diesel::insert_into(room_bans::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n > 0)?)
}

pub fn remove_ban(conn: &mut DbConn, room_id: RoomId, user_id: UserId) -> DbResult<bool> {
    Ok(
        diesel::delete(room_bans::table.find((room_id.to_string(), user_id.to_string())))
            .execute(conn)
            .map(|n| n > 0)?,
    )
}

/// Everyone who shares a room of fewer than `below` members with the user
/// (the user included).
pub fn co_member_ids_in_rooms_under(
    conn: &mut DbConn,
    user_id: UserId,
    below: i64,
) -> DbResult<Vec<UserId>> {
    let my_rooms = room_ids_of(conn, user_id)?;
    let small: Vec<String> = on_backend!(conn, |c| memberships::table
        .filter(memberships::room_id.eq_any(keys(&my_rooms)))
        .group_by(memberships::room_id)
        .having(diesel::dsl::count_star().lt(below))
        .select(memberships::room_id)
        .load(c))?;
    parsed(
        memberships::table
            .filter(memberships::room_id.eq_any(small))
            .select(memberships::user_id)
            .distinct()
            .load(conn)?,
    )
}

/// How many members each of `rooms` has (a room with none is left out).
pub fn counts(conn: &mut DbConn, rooms: &[RoomId]) -> DbResult<Vec<(RoomId, i64)>> {
    let rows: Vec<(String, i64)> = on_backend!(conn, |c| memberships::table
        .filter(memberships::room_id.eq_any(keys(rooms)))
        .group_by(memberships::room_id)
        .select((memberships::room_id, diesel::dsl::count_star()))
        .load(c))?;
    let (ids, sizes): (Vec<String>, Vec<i64>) = rows.into_iter().unzip();
    Ok(parsed::<RoomId>(ids)?.into_iter().zip(sizes).collect())
}

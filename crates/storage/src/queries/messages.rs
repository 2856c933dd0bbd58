//! Messages, mentions and read markers.

use diesel::prelude::*;
use protocol::{Message, MessageId, RoomId, UserId};

use crate::models::{MentionRow, MessageRow, ReadMarkerRow, SenderRow, Stored, now};
use crate::queries::keys;
use crate::schema::{mentions, messages, read_markers, users};
use crate::{DbConn, DbResult, on_backend};

pub fn insert(conn: &mut DbConn, row: &MessageRow) -> DbResult<()> {
    Ok(diesel::insert_into(messages::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

/// Stores many messages: one multi-row statement on PostgreSQL (a round
/// trip per statement is what costs there); on SQLite, which runs in
/// process, one cached single-row statement per message beats preparing a
/// fresh statement with hundreds of parameters every time.
pub fn insert_many(conn: &mut DbConn, rows: &[MessageRow]) -> DbResult<()> {
    match conn {
        DbConn::Pg(c) if !rows.is_empty() => {
            diesel::insert_into(messages::table)
                .values(rows.to_vec())
                .execute(c)?;
            Ok(())
        }
        DbConn::Pg(_) => Ok(()),
        DbConn::Sqlite(_) => rows.iter().try_for_each(|row| insert(conn, row)),
    }
}

pub fn find_many(conn: &mut DbConn, ids: &[MessageId]) -> DbResult<Vec<MessageRow>> {
    Ok(messages::table
        .filter(messages::id.eq_any(keys(ids)))
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// A `client_id` names one send of one sender into one room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientKey<'a> {
    pub room_id: RoomId,
    pub sender_id: UserId,
    pub client_id: &'a str,
}

/// The messages stored under these keys. Each key is its own term, so the
/// unique index answers every one directly (an `IN` over each column would
/// read all of those senders' messages). On SQLite, a cached lookup per key
/// (see [`insert_many`]).
pub fn find_by_client_ids(conn: &mut DbConn, keys: &[ClientKey<'_>]) -> DbResult<Vec<MessageRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    if let DbConn::Sqlite(_) = conn {
        let mut found = Vec::new();
        for key in keys {
            found.extend(find_by_client_id(conn, *key)?);
        }
        return Ok(found);
    }
    let mut query = messages::table.select(MessageRow::as_select()).into_boxed();
    for key in keys {
        query = query.or_filter(
            messages::room_id
                .eq(key.room_id.to_string())
                .and(messages::sender_id.eq(key.sender_id.to_string()))
                .and(messages::client_id.eq(key.client_id)),
        );
    }
    Ok(query.load(conn)?)
}

pub fn find(conn: &mut DbConn, id: MessageId) -> DbResult<Option<MessageRow>> {
    Ok(messages::table
        .find(id.to_string())
        .select(MessageRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_client_id(conn: &mut DbConn, key: ClientKey<'_>) -> DbResult<Option<MessageRow>> {
    Ok(messages::table
        .filter(messages::room_id.eq(key.room_id.to_string()))
        .filter(messages::sender_id.eq(key.sender_id.to_string()))
        .filter(messages::client_id.eq(key.client_id))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()?)
}

/// Builds the left join with the sender every message read needs.
macro_rules! with_sender {
    () => {
        messages::table
            .left_join(users::table)
            .select((MessageRow::as_select(), Option::<SenderRow>::as_select()))
    };
}

fn into_messages(rows: Vec<(MessageRow, Option<SenderRow>)>) -> Vec<Message> {
    rows.into_iter().map(|(m, s)| m.into_message(s)).collect()
}

pub fn load(conn: &mut DbConn, id: MessageId) -> DbResult<Option<Message>> {
    let row = with_sender!()
        .filter(messages::id.eq(id.to_string()))
        .first::<(MessageRow, Option<SenderRow>)>(conn)
        .optional()?;
    Ok(row.map(|(m, s)| m.into_message(s)))
}

/// These messages with their senders, in no particular order.
pub fn load_many(conn: &mut DbConn, ids: &[MessageId]) -> DbResult<Vec<Message>> {
    let mut found = Vec::with_capacity(ids.len());
    // SQLite binds at most 32,766 parameters in one statement.
    for chunk in ids.chunks(1000) {
        let rows = with_sender!()
            .filter(messages::id.eq_any(keys(chunk)))
            .load::<(MessageRow, Option<SenderRow>)>(conn)?;
        found.extend(into_messages(rows));
    }
    Ok(found)
}

diesel::alias!(messages as cursor: CursorMessages);

/// One page of a room's history between optional cursors (message ids),
/// in one statement: the cursors' `seq` are looked up inside it. Without
/// `after`, the newest `limit` before `before`; with it, the oldest `limit`
/// after it. Oldest first either way. A cursor that names no message of
/// the room matches nothing, so the page comes back empty.
pub fn page(
    conn: &mut DbConn,
    room_id: RoomId,
    before: Option<MessageId>,
    after: Option<MessageId>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let seq_of = |id: MessageId| {
        cursor
            .filter(cursor.field(messages::id).eq(id.to_string()))
            .filter(cursor.field(messages::room_id).eq(room_id.to_string()))
            .select(cursor.field(messages::seq))
            .single_value()
    };
    let mut query = with_sender!()
        .filter(messages::room_id.eq(room_id.to_string()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(messages::seq.nullable().lt(seq_of(before)));
    }
    let rows = match after {
        Some(after) => query
            .filter(messages::seq.nullable().gt(seq_of(after)))
            .order(messages::seq.asc())
            .limit(limit)
            .load::<(MessageRow, Option<SenderRow>)>(conn)?,
        None => {
            let mut rows = query
                .order(messages::seq.desc())
                .limit(limit)
                .load::<(MessageRow, Option<SenderRow>)>(conn)?;
            rows.reverse();
            rows
        }
    };
    Ok(into_messages(rows))
}

/// Up to `limit` messages of a room around one of them: about half older,
/// the message itself, the rest newer (more of one side where the other
/// runs out). Empty when the message is not in that room.
pub fn around(
    conn: &mut DbConn,
    room_id: RoomId,
    id: MessageId,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let Some(seq) = messages::table
        .filter(messages::id.eq(id.to_string()))
        .filter(messages::room_id.eq(room_id.to_string()))
        .select(messages::seq)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let in_room = || {
        with_sender!()
            .filter(messages::room_id.eq(room_id.to_string()))
            .into_boxed()
    };
    // Newer first (the message and what follows), so that a message near
    // the end leaves its room to older ones.
    let newer_wanted = limit - (limit - 1) / 2;
    let newer = in_room()
        .filter(messages::seq.ge(seq))
        .order(messages::seq.asc())
        .limit(newer_wanted)
        .load::<(MessageRow, Option<SenderRow>)>(conn)?;
    let mut older = in_room()
        .filter(messages::seq.lt(seq))
        .order(messages::seq.desc())
        .limit(limit - newer.len() as i64)
        .load::<(MessageRow, Option<SenderRow>)>(conn)?;
    let more_newer = limit - newer.len() as i64 - older.len() as i64;
    let mut rows = newer;
    if more_newer > 0
        && rows.len() as i64 == newer_wanted
        && let Some(last) = rows.last().map(|(m, _)| m.seq)
    {
        rows.extend(
            in_room()
                .filter(messages::seq.gt(last))
                .order(messages::seq.asc())
                .limit(more_newer)
                .load::<(MessageRow, Option<SenderRow>)>(conn)?,
        );
    }
    older.reverse();
    older.extend(rows);
    Ok(into_messages(older))
}

/// The first message of a room after `user`'s read marker (the room's
/// first message when they have none): where their unread messages start.
pub fn first_after_marker(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
) -> DbResult<Option<MessageId>> {
    let marker = read_markers::table
        .filter(read_markers::room_id.eq(room_id.to_string()))
        .filter(read_markers::user_id.eq(user_id.to_string()))
        .select(read_markers::seq)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0);
    let id = messages::table
        .filter(messages::room_id.eq(room_id.to_string()))
        .filter(messages::seq.gt(marker))
        .order(messages::seq.asc())
        .select(messages::id)
        .first::<String>(conn)
        .optional()?;
    Ok(id
        .map(Stored::<MessageId>::try_from)
        .transpose()?
        .map(|id| *id))
}

/// Up to `limit` messages of a room numbered after `seq`, oldest first.
pub fn after_seq(
    conn: &mut DbConn,
    room_id: RoomId,
    seq: i64,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let rows = with_sender!()
        .filter(messages::room_id.eq(room_id.to_string()))
        .filter(messages::seq.gt(seq))
        .order(messages::seq.asc())
        .limit(limit)
        .load::<(MessageRow, Option<SenderRow>)>(conn)?;
    Ok(into_messages(rows))
}

/// The first `limit` messages of a room.
pub fn oldest(conn: &mut DbConn, room_id: RoomId, limit: i64) -> DbResult<Vec<Message>> {
    let rows = with_sender!()
        .filter(messages::room_id.eq(room_id.to_string()))
        .order(messages::seq.asc())
        .limit(limit)
        .load::<(MessageRow, Option<SenderRow>)>(conn)?;
    Ok(into_messages(rows))
}

/// A page of one sender's messages in every room, oldest first, after the
/// message `after` (ids are time-ordered).
pub fn by_sender(
    conn: &mut DbConn,
    sender: UserId,
    after: Option<MessageId>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let mut query = with_sender!()
        .filter(messages::sender_id.eq(sender.to_string()))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(messages::id.gt(after.to_string()));
    }
    let rows = query
        .order(messages::id.asc())
        .limit(limit)
        .load::<(MessageRow, Option<SenderRow>)>(conn)?;
    Ok(into_messages(rows))
}

pub fn replies(conn: &mut DbConn, root_id: MessageId, limit: i64) -> DbResult<Vec<Message>> {
    let rows = with_sender!()
        .filter(messages::reply_to.eq(root_id.to_string()))
        .order(messages::seq.asc())
        .limit(limit)
        .load(conn)?;
    Ok(into_messages(rows))
}

/// An edit: the new body, and when it was made.
pub fn set_body(
    conn: &mut DbConn,
    id: MessageId,
    body: &str,
    at: chrono::NaiveDateTime,
) -> DbResult<()> {
    Ok(diesel::update(messages::table.find(id.to_string()))
        .set((messages::body.eq(body), messages::edited_at.eq(Some(at))))
        .execute(conn)
        .map(drop)?)
}

/// Keeps the row (its place in the room) and drops the content.
pub fn mark_deleted(conn: &mut DbConn, id: MessageId) -> DbResult<()> {
    diesel::update(messages::table.find(id.to_string()))
        .set((messages::deleted.eq(true), messages::body.eq("")))
        .execute(conn)?;
    Ok(
        diesel::delete(mentions::table.filter(mentions::message_id.eq(id.to_string())))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn add_replies(conn: &mut DbConn, root_id: MessageId, count: i64) -> DbResult<()> {
    Ok(diesel::update(messages::table.find(root_id.to_string()))
        .set(messages::reply_count.eq(messages::reply_count + count))
        .execute(conn)
        .map(drop)?)
}

/// Messages after `after_seq` that others sent (deleted ones don't count).
pub fn unread_count(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    after_seq: i64,
) -> DbResult<i64> {
    Ok(messages::table
        .filter(messages::room_id.eq(room_id.to_string()))
        .filter(messages::seq.gt(after_seq))
        .filter(messages::deleted.eq(false))
        .filter(
            messages::sender_id
                .is_null()
                .or(messages::sender_id.ne(user_id.to_string())),
        )
        .count()
        .get_result(conn)?)
}

pub fn forget_sender(conn: &mut DbConn, user_id: UserId) -> DbResult<()> {
    Ok(
        diesel::update(messages::table.filter(messages::sender_id.eq(user_id.to_string())))
            .set(messages::sender_id.eq(None::<String>))
            .execute(conn)
            .map(drop)?,
    )
}

pub fn insert_mention(conn: &mut DbConn, row: &MentionRow) -> DbResult<()> {
    Ok(diesel::insert_into(mentions::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)?)
}

pub fn mention_count(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    after_seq: i64,
) -> DbResult<i64> {
    Ok(mentions::table
        .filter(mentions::user_id.eq(user_id.to_string()))
        .filter(mentions::room_id.eq(room_id.to_string()))
        .filter(mentions::seq.gt(after_seq))
        .count()
        .get_result(conn)?)
}

/// Moves the marker to `message` if that is forward; returns whether it
/// moved. Insert-or-forward in two statements that are each atomic, so
/// concurrent reads from several devices cannot collide or move it back.
pub fn advance_marker(
    conn: &mut DbConn,
    room_id: RoomId,
    user_id: UserId,
    message_id: MessageId,
    seq: i64,
) -> DbResult<bool> {
    let row = ReadMarkerRow {
        room_id: Stored(room_id),
        user_id: Stored(user_id),
        message_id: Stored(message_id),
        seq,
        updated_at: now(),
    };
    let inserted = on_backend!(conn, |c| diesel::insert_into(read_markers::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted > 0 {
        return Ok(true);
    }
    let moved = diesel::update(
        read_markers::table
            .filter(read_markers::room_id.eq(room_id.to_string()))
            .filter(read_markers::user_id.eq(user_id.to_string()))
            .filter(read_markers::seq.lt(seq)),
    )
    .set((
        read_markers::message_id.eq(message_id.to_string()),
        read_markers::seq.eq(seq),
        read_markers::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(moved > 0)
}

/// A page of a room's read markers by user id, after the user `after`.
pub fn markers(
    conn: &mut DbConn,
    room_id: RoomId,
    after: Option<UserId>,
    limit: i64,
) -> DbResult<Vec<ReadMarkerRow>> {
    let mut query = read_markers::table
        .filter(read_markers::room_id.eq(room_id.to_string()))
        .into_boxed();
    if let Some(user) = after {
        query = query.filter(read_markers::user_id.gt(user.to_string()));
    }
    Ok(query
        .order(read_markers::user_id.asc())
        .limit(limit)
        .select(ReadMarkerRow::as_select())
        .load(conn)?)
}

/// Messages matching every word of `words` in the given rooms, newest first.
/// The matching is the one place with backend-specific SQL: PostgreSQL's
/// tsvector column, or SQLite's FTS5 index (see the search migrations).
pub fn search(
    conn: &mut DbConn,
    room_ids: &[RoomId],
    words: &[String],
    before: Option<MessageId>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};

    let matcher = match conn {
        DbConn::Pg(_) => sql::<Bool>("messages.search @@ plainto_tsquery('simple', ")
            .bind::<Text, _>(words.join(" "))
            .sql(")"),
        DbConn::Sqlite(_) => {
            // Each word quoted: FTS5 operators in user input stay plain text.
            let query = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" ");
            sql::<Bool>(
                "messages.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ",
            )
            .bind::<Text, _>(query)
            .sql(")")
        }
    };
    let mut query = with_sender!()
        .filter(messages::room_id.eq_any(keys(room_ids)))
        .filter(messages::deleted.eq(false))
        .filter(matcher)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(messages::id.lt(before.to_string()));
    }
    let rows = query.order(messages::id.desc()).limit(limit).load(conn)?;
    Ok(into_messages(rows))
}

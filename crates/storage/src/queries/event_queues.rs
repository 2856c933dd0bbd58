//! The `event_queues` and `queued_events` tables: long-polling clients'
//! queues of socket frames.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use protocol::{EventQueueId, UserId};

use crate::models::EventQueueRow;
use crate::schema::{event_queues, queued_events};
use crate::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &EventQueueRow) -> DbResult<()> {
    diesel::insert_into(event_queues::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: EventQueueId) -> DbResult<Option<EventQueueRow>> {
    Ok(event_queues::table
        .find(id.to_string())
        .select(EventQueueRow::as_select())
        .first(conn)
        .optional()?)
}

/// A user's queues, oldest first.
pub fn of_user(conn: &mut DbConn, user: UserId) -> DbResult<Vec<EventQueueId>> {
    let ids: Vec<String> = event_queues::table
        .filter(event_queues::user_id.eq(user.to_string()))
        .order((event_queues::created_at.asc(), event_queues::id.asc()))
        .select(event_queues::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|id| EventQueueId::parse(id).ok())
        .collect())
}

/// Makes `node` the one that feeds the queue, unless another node does and
/// said so since `stale_before`; true when `node` has it now.
pub fn claim(
    conn: &mut DbConn,
    id: EventQueueId,
    node: &str,
    at: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> DbResult<bool> {
    let claimed = diesel::update(
        event_queues::table.find(id.to_string()).filter(
            event_queues::node
                .is_null()
                .or(event_queues::node.eq(node))
                .or(event_queues::pumped_at.lt(stale_before)),
        ),
    )
    .set((
        event_queues::node.eq(Some(node)),
        event_queues::pumped_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(claimed > 0)
}

/// Lets go of a queue this node fed (it is then anyone's to claim).
pub fn release(conn: &mut DbConn, id: EventQueueId, node: &str) -> DbResult<()> {
    diesel::update(
        event_queues::table
            .find(id.to_string())
            .filter(event_queues::node.eq(node)),
    )
    .set((
        event_queues::node.eq(None::<String>),
        event_queues::pumped_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Appends frames with the next ids; the new last id, or `None` when the
/// queue is gone or another node has taken it over. Run in a transaction.
pub fn append(
    conn: &mut DbConn,
    id: EventQueueId,
    node: &str,
    at: NaiveDateTime,
    frames: &[String],
) -> DbResult<Option<i64>> {
    let Some(queue) = find(conn, id)? else {
        return Ok(None);
    };
    if queue.node.as_deref() != Some(node) {
        return Ok(None);
    }
    let mut last = queue.last_event_id;
    for frame in frames {
        last += 1;
        diesel::insert_into(queued_events::table)
            .values((
                queued_events::queue_id.eq(id.to_string()),
                queued_events::id.eq(last),
                queued_events::frame.eq(frame),
            ))
            .execute(conn)?;
    }
    diesel::update(event_queues::table.find(id.to_string()))
        .set((
            event_queues::last_event_id.eq(last),
            event_queues::pumped_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(Some(last))
}

/// Up to `limit` events after `after`, oldest first.
pub fn after(
    conn: &mut DbConn,
    id: EventQueueId,
    after: i64,
    limit: i64,
) -> DbResult<Vec<(i64, String)>> {
    Ok(queued_events::table
        .filter(queued_events::queue_id.eq(id.to_string()))
        .filter(queued_events::id.gt(after))
        .order(queued_events::id.asc())
        .limit(limit)
        .select((queued_events::id, queued_events::frame))
        .load(conn)?)
}

/// The client has every event up to `up_to`: they go, and the queue was
/// polled now.
pub fn acknowledge(
    conn: &mut DbConn,
    id: EventQueueId,
    up_to: i64,
    at: NaiveDateTime,
) -> DbResult<()> {
    diesel::delete(
        queued_events::table
            .filter(queued_events::queue_id.eq(id.to_string()))
            .filter(queued_events::id.le(up_to)),
    )
    .execute(conn)?;
    diesel::update(event_queues::table.find(id.to_string()))
        .set(event_queues::polled_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// The oldest event still queued, if any.
pub fn first_id(conn: &mut DbConn, id: EventQueueId) -> DbResult<Option<i64>> {
    use diesel::dsl::min;
    Ok(queued_events::table
        .filter(queued_events::queue_id.eq(id.to_string()))
        .select(min(queued_events::id))
        .first(conn)?)
}

pub fn delete(conn: &mut DbConn, id: EventQueueId) -> DbResult<()> {
    diesel::delete(queued_events::table.filter(queued_events::queue_id.eq(id.to_string())))
        .execute(conn)?;
    diesel::delete(event_queues::table.find(id.to_string())).execute(conn)?;
    Ok(())
}

/// Queues nobody polled since `before`.
pub fn idle_since(conn: &mut DbConn, before: NaiveDateTime) -> DbResult<Vec<EventQueueId>> {
    let ids: Vec<String> = event_queues::table
        .filter(event_queues::polled_at.lt(before))
        .select(event_queues::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|id| EventQueueId::parse(id).ok())
        .collect())
}

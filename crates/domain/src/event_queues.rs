//! Event queues of long-polling clients: who may read one, how many a
//! person keeps, and what a poll acknowledges and reads.
//!
//! A queue holds the frames a socket would have carried, numbered from 1
//! without gaps; a poll names the last one the client has, which
//! acknowledges (and deletes) it and everything before. What the queue is
//! fed from is the server's business (its `polling`).

use chrono::Duration;
use protocol::{EventQueueId, SessionId, UserId};

use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{EventQueueRow, Stored, new_id, now};
use storage::queries::event_queues as stored;

/// Queues one person keeps; registering another drops the oldest.
pub const QUEUES_PER_USER: usize = 10;
/// Events one poll answers at most; the rest come with the next.
pub const EVENTS_PER_POLL: i64 = 500;

/// A queue as the transports see it: whose, and for which session.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    pub id: EventQueueId,
    pub user: UserId,
    pub session: SessionId,
}

impl From<&EventQueueRow> for Queue {
    fn from(row: &EventQueueRow) -> Self {
        Self {
            id: *row.id,
            user: *row.user_id,
            session: *row.session_id,
        }
    }
}

/// A new, empty queue for this user's session.
pub fn register(conn: &mut DbConn, user: UserId, session: SessionId) -> DomainResult<Queue> {
    let mine = stored::of_user(conn, user)?;
    let surplus = (mine.len() + 1).saturating_sub(QUEUES_PER_USER);
    for old in mine.into_iter().take(surplus) {
        stored::delete(conn, old)?;
    }
    let at = now();
    let row = EventQueueRow {
        id: Stored(new_id()),
        user_id: Stored(user),
        session_id: Stored(session),
        last_event_id: 0,
        node: None,
        pumped_at: None,
        created_at: at,
        polled_at: at,
    };
    stored::insert(conn, &row)?;
    Ok(Queue::from(&row))
}

/// The queue, if it is this user's (anyone else's is as unknown as one that
/// never was, or expired).
pub fn owned(conn: &mut DbConn, user: UserId, id: EventQueueId) -> DomainResult<Queue> {
    owned_row(conn, user, id).map(|row| Queue::from(&row))
}

fn owned_row(conn: &mut DbConn, user: UserId, id: EventQueueId) -> DomainResult<EventQueueRow> {
    stored::find(conn, id)?
        .filter(|queue| *queue.user_id == user)
        .ok_or(DomainError::NotFound(Missing::EventQueue))
}

/// What one poll answers: events after the one the client named.
pub struct Batch {
    pub events: Vec<(i64, String)>,
}

/// Acknowledges every event up to `last_seen` and reads those after it.
pub fn poll(
    conn: &mut DbConn,
    user: UserId,
    id: EventQueueId,
    last_seen: i64,
) -> DomainResult<Batch> {
    let queue = owned_row(conn, user, id)?;
    if last_seen < 0 || last_seen > queue.last_event_id {
        return Err(DomainError::validation(format!(
            "last_event_id must be from 0 to {} (the newest event of this queue)",
            queue.last_event_id
        )));
    }
    stored::acknowledge(conn, id, last_seen, now())?;
    // The oldest event kept must be the next one the client lacks: older
    // ones were acknowledged (in an earlier poll naming a later id), and
    // skipping them silently would lose events.
    let next = stored::first_id(conn, id)?.unwrap_or(queue.last_event_id + 1);
    if next > last_seen + 1 {
        return Err(DomainError::conflict(
            protocol::ErrorCode::Conflict,
            format!(
                "events {} to {} were acknowledged already: poll with the last id you have, \
                 or register a new queue",
                last_seen + 1,
                next - 1
            ),
        ));
    }
    Ok(Batch {
        events: stored::after(conn, id, last_seen, EVENTS_PER_POLL)?,
    })
}

/// The id of the last event acknowledged: where a reader that kept no
/// cursor of its own resumes.
pub fn acknowledged(conn: &mut DbConn, id: EventQueueId) -> DomainResult<i64> {
    let queue = stored::find(conn, id)?.ok_or(DomainError::NotFound(Missing::EventQueue))?;
    Ok(stored::first_id(conn, id)?.map_or(queue.last_event_id, |first| first - 1))
}

pub fn remove(conn: &mut DbConn, user: UserId, id: EventQueueId) -> DomainResult<()> {
    owned(conn, user, id)?;
    stored::delete(conn, id)?;
    Ok(())
}

/// Makes `node` the feeder of the queue unless another fed it within
/// `stale`; true when `node` feeds it now.
pub fn claim(
    conn: &mut DbConn,
    id: EventQueueId,
    node: &str,
    stale: Duration,
) -> DomainResult<bool> {
    let at = now();
    Ok(stored::claim(conn, id, node, at, at - stale)?)
}

pub fn release(conn: &mut DbConn, id: EventQueueId, node: &str) -> DomainResult<()> {
    Ok(stored::release(conn, id, node)?)
}

/// Queues frames; the newest id, or `None` when the queue is gone or fed by
/// another node now.
pub fn append(
    conn: &mut DbConn,
    id: EventQueueId,
    node: &str,
    frames: &[String],
) -> DomainResult<Option<i64>> {
    Ok(stored::append(conn, id, node, now(), frames)?)
}

/// Deletes the queues nobody polled for `idle`; how many.
pub fn sweep_idle(conn: &mut DbConn, idle: Duration) -> DomainResult<usize> {
    let gone = stored::idle_since(conn, now() - idle)?;
    for id in &gone {
        stored::delete(conn, *id)?;
    }
    Ok(gone.len())
}

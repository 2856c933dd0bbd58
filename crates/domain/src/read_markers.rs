//! Read markers from live connections, coalesced.
//!
//! A client reports what it has seen as messages scroll by; taken one by one,
//! each report would be a write transaction and a `read` event to the whole
//! room, so a busy room would write far more markers than messages. Reports
//! are kept in memory instead, only the latest per user and room, and
//! written together a few times a second; only markers that moved forward
//! are announced, after their commit.
//!
//! `POST /rooms/{id}/read` still writes at once (a REST caller expects its
//! 204 to mean stored); both paths only ever move a marker forward, so their
//! order does not matter.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use protocol::{MessageId, RoomId, ServerEvent, UserId};

use super::crowd::Crowd;
use super::distinct_ids;
use super::events::{Origin, Outbound};
use crate::error::DomainResult;
use storage::DbConn;
use storage::queries::{members, messages};

/// The latest report of one user in one room.
#[derive(Debug, Clone, Copy)]
struct Report {
    message_id: MessageId,
    /// The connection that sent it: it hears no echo of its own marker.
    origin: Option<Origin>,
}

/// Reports waiting for the next flush.
#[derive(Clone, Default)]
pub struct ReadQueue {
    pending: Arc<Mutex<HashMap<(RoomId, UserId), Report>>>,
}

/// One report taken out of the queue for writing.
#[derive(Debug, Clone, Copy)]
pub struct PendingRead {
    pub room_id: RoomId,
    pub user_id: UserId,
    pub message_id: MessageId,
    pub origin: Option<Origin>,
}

/// What a flush did: events to publish, and reports to refuse.
#[derive(Default)]
pub struct Flushed {
    pub events: Vec<(Outbound, Option<Origin>)>,
    /// Reports naming a message that is not in their room.
    pub unknown: Vec<PendingRead>,
}

impl ReadQueue {
    /// Keeps the report if it is the user's latest for the room. Message ids
    /// are time-ordered, so a larger id is (nearly always) a later message;
    /// the flush compares the real `seq` and never moves a marker back.
    pub fn report(
        &self,
        room_id: RoomId,
        user_id: UserId,
        message_id: MessageId,
        origin: Option<Origin>,
    ) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let report = Report { message_id, origin };
        pending
            .entry((room_id, user_id))
            .and_modify(|kept| {
                if message_id > kept.message_id {
                    *kept = report;
                }
            })
            .or_insert(report);
    }

    /// Everything reported since the last call.
    pub fn take(&self) -> Vec<PendingRead> {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending
            .drain()
            .map(|((room_id, user_id), r)| PendingRead {
                room_id,
                user_id,
                message_id: r.message_id,
                origin: r.origin,
            })
            .collect()
    }
}

/// Writes a batch of reports in the caller's write transaction: a handful of
/// reads for the whole batch, then one upsert per marker that moves.
pub fn flush(conn: &mut DbConn, reads: &[PendingRead], crowd: Crowd) -> DomainResult<Flushed> {
    let mut flushed = Flushed::default();
    if reads.is_empty() {
        return Ok(flushed);
    }
    let message_ids = distinct_ids(reads.iter().map(|r| r.message_id));
    let asked: Vec<(RoomId, UserId)> = reads.iter().map(|r| (r.room_id, r.user_id)).collect();
    let seqs: HashMap<MessageId, (RoomId, i64)> = messages::find_many(conn, &message_ids)?
        .into_iter()
        .map(|m| (*m.id, (*m.room_id, m.seq)))
        .collect();
    // A member who left since reporting has no marker to move.
    let members: HashSet<(RoomId, UserId)> = members::find_pairs(conn, &asked)?
        .into_iter()
        .map(|m| (*m.room_id, *m.user_id))
        .collect();
    let rooms = distinct_ids(reads.iter().map(|r| r.room_id));
    let crowds: HashSet<RoomId> = members::counts(conn, &rooms)?
        .into_iter()
        .filter(|&(_, size)| crowd.is_crowd(size))
        .map(|(room, _)| room)
        .collect();
    for read in reads {
        let (room, user, message) = (read.room_id, read.user_id, read.message_id);
        if !members.contains(&(room, user)) {
            continue;
        }
        let seq = match seqs.get(&message) {
            Some((in_room, seq)) if *in_room == room => *seq,
            _ => {
                flushed.unknown.push(*read);
                continue;
            }
        };
        if messages::advance_marker(conn, room, user, message, seq)? {
            let in_crowd = crowds.contains(&room);
            flushed
                .events
                .push((receipt(room, user, message, in_crowd), read.origin));
        }
    }
    Ok(flushed)
}

/// The `read` event of `user`'s marker moving to `message`: to the room,
/// or only to the reader's own devices in a crowd (see [`crate::crowd`]).
pub(crate) fn receipt(
    room_id: RoomId,
    user_id: UserId,
    message_id: MessageId,
    in_crowd: bool,
) -> Outbound {
    let event = ServerEvent::Read {
        room_id,
        user_id,
        message_id,
    };
    if in_crowd {
        Outbound::user(user_id, event)
    } else {
        Outbound::room(room_id, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn only_the_latest_report_per_user_and_room_is_kept() {
        let queue = ReadQueue::default();
        let (room, user) = (RoomId::from(Uuid::new_v4()), UserId::from(Uuid::new_v4()));
        let first = MessageId::from(Uuid::now_v7());
        let second = MessageId::from(Uuid::now_v7());
        queue.report(room, user, second, None);
        queue.report(room, user, first, None);
        let other_room = RoomId::from(Uuid::new_v4());
        queue.report(other_room, user, first, None);
        let mut taken = queue.take();
        taken.sort_by_key(|r| r.room_id == other_room);
        assert_eq!(taken.len(), 2);
        assert_eq!(
            taken[0].message_id, second,
            "an older report does not replace a newer"
        );
        assert!(queue.take().is_empty(), "taken reports are gone");
    }
}

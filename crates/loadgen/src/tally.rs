//! Delivery accounting: which deliveries were owed, which arrived.
//!
//! A message is owed to every other member of its room once its sender saw
//! the `ack` (the server stored it). A delivery counts once per receiver and
//! message id however often it came; repeats are counted as duplicates where
//! they arrive (see `traffic`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use uuid::Uuid;

/// What one member sent and received.
#[derive(Debug, Default, Clone)]
pub struct Deliveries {
    /// The member's index in the run.
    pub member: usize,
    /// The index of its room.
    pub room: usize,
    /// Ids of its messages that were acked, each once.
    pub acked: Vec<Uuid>,
    /// Ids of the `message` frames it received, each once.
    pub received: HashSet<Uuid>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// For every acked message, one delivery to each other member of its room.
    pub expected: u64,
    /// Owed deliveries that arrived.
    pub received: u64,
    pub lost: u64,
    /// `message` frames for messages that were never acked to their sender,
    /// or of another room, or echoed back to the sender's own socket.
    pub unowed: u64,
}

/// Tallies `members` of rooms whose sizes (members, connected or not) are
/// `room_sizes`, indexed by `Deliveries::room`.
pub fn tally<'a, I>(room_sizes: &[usize], members: I) -> Tally
where
    I: IntoIterator<Item = &'a Deliveries> + Clone,
{
    // Per room: acked message id -> its sender.
    let mut owed: Vec<HashMap<Uuid, usize>> = vec![HashMap::new(); room_sizes.len()];
    for member in members.clone() {
        if let Some(room) = owed.get_mut(member.room) {
            room.extend(member.acked.iter().map(|id| (*id, member.member)));
        }
    }
    let expected = owed
        .iter()
        .zip(room_sizes)
        .map(|(acked, size)| acked.len() as u64 * size.saturating_sub(1) as u64)
        .sum();
    let (mut received, mut unowed) = (0, 0);
    for member in members {
        for id in &member.received {
            let sender = owed.get(member.room).and_then(|room| room.get(id));
            match sender {
                Some(&sender) if sender != member.member => received += 1,
                _ => unowed += 1,
            }
        }
    }
    Tally {
        expected,
        received,
        lost: expected - received,
        unowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn member(member: usize, room: usize, acked: &[u128], received: &[u128]) -> Deliveries {
        Deliveries {
            member,
            room,
            acked: acked.iter().copied().map(id).collect(),
            received: received.iter().copied().map(id).collect(),
        }
    }

    #[test]
    fn everything_delivered_is_nothing_lost() {
        let members = [
            member(0, 0, &[1, 2], &[3]),
            member(1, 0, &[3], &[1, 2]),
            member(2, 0, &[], &[1, 2, 3]),
        ];
        let t = tally(&[3], &members);
        assert_eq!(
            t,
            Tally {
                expected: 6,
                received: 6,
                lost: 0,
                unowed: 0
            }
        );
    }

    #[test]
    fn a_missing_delivery_is_lost_and_an_absent_member_loses_everything() {
        // Room 0 has three members; the third never connected (no entry).
        let members = [member(0, 0, &[1, 2], &[]), member(1, 0, &[], &[1])];
        let t = tally(&[3], &members);
        assert_eq!(t.expected, 4);
        assert_eq!(t.received, 1);
        assert_eq!(t.lost, 3);
    }

    #[test]
    fn unacked_foreign_and_echoed_messages_are_not_owed() {
        let members = [
            // Its own message 1 echoed back, plus message 9 nobody acked.
            member(0, 0, &[1], &[1, 9]),
            member(1, 0, &[], &[1]),
            // A member of room 1 receiving room 0's message.
            member(2, 1, &[], &[1]),
            member(3, 1, &[], &[]),
        ];
        let t = tally(&[2, 2], &members);
        assert_eq!(t.expected, 1);
        assert_eq!(t.received, 1);
        assert_eq!(t.lost, 0);
        assert_eq!(t.unowed, 3);
    }

    #[test]
    fn rooms_are_counted_separately() {
        let members = [
            member(0, 0, &[1], &[]),
            member(1, 0, &[], &[1]),
            member(2, 1, &[2, 3], &[]),
            member(3, 1, &[], &[2]),
        ];
        let t = tally(&[2, 2], &members);
        assert_eq!((t.expected, t.received, t.lost), (3, 2, 1));
    }
}

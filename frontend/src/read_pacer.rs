//! At most one `read` frame per room per second, carrying the latest.
//!
//! The app marks messages read as they are shown, which during a busy room
//! would be a frame (and a write on the server) for every message. The
//! marker only needs to be right, not immediate: the first report of a
//! quiet room goes at once, later ones within the interval are held and the
//! newest of them goes when the interval ends. The badge and the local
//! marker change at once either way.

use protocol::{MessageId, RoomId};
use std::collections::HashMap;

/// Minimum time between two `read` frames for one room.
pub const READ_INTERVAL_MS: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReadAction {
    /// Send this report now.
    SendNow,
    /// Hold it; call [`ReadPacer::due`] after this many milliseconds.
    SendAfter(f64),
    /// A send is already scheduled; it will carry this report instead.
    Scheduled,
}

#[derive(Default)]
struct Slot {
    last_sent_ms: Option<f64>,
    held: Option<MessageId>,
}

#[derive(Default)]
pub struct ReadPacer {
    rooms: HashMap<RoomId, Slot>,
}

impl ReadPacer {
    /// A message of `room` was read at `now_ms`.
    pub fn offer(&mut self, room: RoomId, message_id: MessageId, now_ms: f64) -> ReadAction {
        let slot = self.rooms.entry(room).or_default();
        if slot.held.is_some() {
            slot.held = Some(message_id);
            return ReadAction::Scheduled;
        }
        match slot.last_sent_ms {
            Some(last) if now_ms - last < READ_INTERVAL_MS => {
                slot.held = Some(message_id);
                ReadAction::SendAfter(last + READ_INTERVAL_MS - now_ms)
            }
            _ => {
                slot.last_sent_ms = Some(now_ms);
                ReadAction::SendNow
            }
        }
    }

    /// The held report of `room`, to send now (the scheduled time came).
    pub fn due(&mut self, room: RoomId, now_ms: f64) -> Option<MessageId> {
        let slot = self.rooms.get_mut(&room)?;
        let held = slot.held.take()?;
        slot.last_sent_ms = Some(now_ms);
        Some(held)
    }
}

impl ReadPacer {
    /// Every held report, to send now (the page is going away: a report
    /// waiting for its interval would be lost).
    pub fn take_held(&mut self, now_ms: f64) -> Vec<(RoomId, MessageId)> {
        self.rooms
            .iter_mut()
            .filter_map(|(room, slot)| {
                let held = slot.held.take()?;
                slot.last_sent_ms = Some(now_ms);
                Some((*room, held))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// An id of whatever kind the call site needs, numbered.
    fn nth<T: From<Uuid>>(n: u128) -> T {
        Uuid::from_u128(n).into()
    }

    /// A new random id of whatever kind the call site needs.
    #[allow(dead_code)]
    fn fresh<T: From<Uuid>>() -> T {
        Uuid::new_v4().into()
    }

    #[test]
    fn the_first_goes_at_once_then_one_per_interval_with_the_latest() {
        let mut pacer = ReadPacer::default();
        let room = fresh();
        let (a, b, c) = (fresh(), fresh(), fresh());
        assert_eq!(pacer.offer(room, a, 0.0), ReadAction::SendNow);
        assert_eq!(pacer.offer(room, b, 200.0), ReadAction::SendAfter(800.0));
        assert_eq!(pacer.offer(room, c, 300.0), ReadAction::Scheduled);
        assert_eq!(pacer.due(room, 1000.0), Some(c), "the latest report goes");
        assert_eq!(pacer.due(room, 1000.0), None, "and only once");
        assert_eq!(pacer.offer(room, a, 1500.0), ReadAction::SendAfter(500.0));
        assert_eq!(pacer.offer(room, a, 2600.0), ReadAction::Scheduled);
    }

    #[test]
    fn held_reports_are_taken_once_when_the_page_goes() {
        let mut pacer = ReadPacer::default();
        let room = fresh();
        let (a, b) = (fresh(), fresh());
        assert_eq!(pacer.offer(room, a, 0.0), ReadAction::SendNow);
        assert_eq!(pacer.offer(room, b, 100.0), ReadAction::SendAfter(900.0));
        assert_eq!(pacer.take_held(150.0), vec![(room, b)]);
        assert_eq!(
            pacer.due(room, 1000.0),
            None,
            "the timer finds nothing left"
        );
        assert!(pacer.take_held(1100.0).is_empty());
    }

    #[test]
    fn rooms_are_paced_apart() {
        let mut pacer = ReadPacer::default();
        let (one, two) = (fresh(), fresh());
        let m = fresh();
        assert_eq!(pacer.offer(one, m, 0.0), ReadAction::SendNow);
        assert_eq!(pacer.offer(two, m, 10.0), ReadAction::SendNow);
    }

    #[test]
    fn a_quiet_room_reports_at_once_again() {
        let mut pacer = ReadPacer::default();
        let room = fresh();
        let m = fresh();
        assert_eq!(pacer.offer(room, m, 0.0), ReadAction::SendNow);
        assert_eq!(pacer.offer(room, m, 5000.0), ReadAction::SendNow);
    }
}

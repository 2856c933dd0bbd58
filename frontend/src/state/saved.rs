//! What the browser keeps of the chat between visits (issue 23, item 19):
//! the room list, the newest page of the rooms opened last, and the
//! outbox. With no network the app opens on this copy; messages written
//! meanwhile wait in the outbox, which survives a reload and goes out once
//! each (by client id) when the connection is back. The first answer from
//! the network replaces the copy, rooms and pages alike, so nothing stale
//! outlives a connection.

use protocol::{Message, RoomId, RoomSummary};
use serde::{Deserialize, Serialize};

use super::{ChatState, Pending, Timeline};

/// Rooms whose newest page is kept: the ones opened last.
pub const SAVED_ROOMS: usize = 8;
/// Messages kept of each.
pub const SAVED_PAGE: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub rooms: Vec<RoomSummary>,
    /// Each kept room's newest messages, oldest first.
    pub pages: Vec<(RoomId, Vec<Message>)>,
    pub outbox: Vec<Pending>,
}

impl ChatState {
    /// The copy to keep: `opened` are the rooms opened, most recent first;
    /// after them, the other rooms loaded, by latest activity (a page
    /// loaded from the copy itself stays kept).
    pub fn saved(&self, opened: &[RoomId]) -> Saved {
        let rooms = self.sorted_rooms();
        let mut order: Vec<RoomId> = opened.to_vec();
        for r in &rooms {
            if !order.contains(&r.room.id) {
                order.push(r.room.id);
            }
        }
        let pages = order
            .iter()
            .filter(|room| self.rooms.contains_key(room))
            .filter_map(|room| {
                let t = self.timelines.get(room).filter(|t| t.loaded)?;
                let mut page: Vec<Message> = t.messages().rev().take(SAVED_PAGE).cloned().collect();
                page.reverse();
                Some((*room, page))
            })
            .take(SAVED_ROOMS)
            .collect();
        Saved {
            rooms,
            pages,
            outbox: self.outbox(),
        }
    }

    /// Takes the kept copy in. Its rooms and pages only while the network
    /// has not answered yet (they are shown until it does); its outbox
    /// always, as messages waiting for the connection.
    pub fn restore(&mut self, saved: Saved) {
        if !self.rooms_loaded {
            self.set_rooms(saved.rooms);
            for (room, page) in saved.pages {
                let t = self.timeline(room);
                t.merge(page);
                t.loaded = true;
            }
            self.from_saved = true;
        }
        for mut pending in saved.outbox {
            let t = self.timeline(pending.room_id);
            if t.pending().iter().any(|p| p.client_id == pending.client_id) {
                continue;
            }
            pending.waiting = true;
            t.add_pending(pending);
        }
    }

    /// The network answered: the kept rooms' pages go (what the network
    /// brought stays), so every room loads afresh. True when there was a
    /// kept copy.
    pub fn leave_saved(&mut self) -> bool {
        if !std::mem::take(&mut self.from_saved) {
            return false;
        }
        for t in self.timelines.values_mut() {
            // What came from the network stays: the messages waiting to be
            // sent, members, pins, read markers, and a load on its way
            // (which fills the emptied timeline).
            let mut fresh = Timeline::default();
            fresh.members = t.members.take();
            fresh.pins = t.pins.take();
            fresh.read_seq = std::mem::take(&mut t.read_seq);
            fresh.loading = t.loading;
            for p in t.pending() {
                fresh.add_pending(p.clone());
            }
            *t = fresh;
        }
        true
    }
}

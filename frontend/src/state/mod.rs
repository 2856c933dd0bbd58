//! Pure client state: the rooms of the sidebar, each room's message timeline,
//! optimistic sends, typing, read markers and the decisions the views take
//! from them (ordering, unread counts, grouping, day separators, scrolling).
//!
//! Nothing here touches the browser, so it compiles and unit-tests on the
//! host (`cargo test -p frontend`). The reactive glue in `chat.rs` wraps a
//! [`ChatState`] in one signal and feeds it socket events and REST pages.

mod events;
pub mod mentions;
mod rows;
mod scroll;
#[cfg(test)]
mod tests;
mod timeline;
mod window;

use protocol::{MessageId, RoomId, UserId};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use protocol::{Message, RoomSummary, UserRef};

pub use events::*;
pub use rows::*;
pub use scroll::*;
pub use timeline::*;
pub use window::*;

/// How long a `typing` event keeps its user in the indicator.
pub const TYPING_TTL_MS: f64 = 5_000.0;
/// Someone typing in a room, until `until_ms` (a wall clock in ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typist {
    pub user: UserRef,
    pub until_ms: f64,
}

/// Everything the chat view shows, for every room the user is in.
#[derive(Debug, Clone, Default)]
pub struct ChatState {
    pub me: Option<UserId>,
    pub rooms: HashMap<RoomId, RoomSummary>,
    pub rooms_loaded: bool,
    pub timelines: HashMap<RoomId, Timeline>,
    pub typing: HashMap<RoomId, Vec<Typist>>,
    /// user id -> online, from presence events and member lists.
    pub presence: HashMap<UserId, bool>,
}

/// The time a room last saw activity, for ordering the sidebar.
pub fn activity(room: &RoomSummary) -> DateTime<Utc> {
    room.last_message
        .as_ref()
        .map(|m| m.created_at)
        .unwrap_or(room.room.created_at)
}

impl ChatState {
    /// Replaces the room list (from `ready` or `GET /users/me/rooms`),
    /// keeping timelines of rooms still there.
    pub fn set_rooms(&mut self, rooms: Vec<RoomSummary>) {
        self.rooms = rooms.into_iter().map(|r| (r.room.id, r)).collect();
        let keep: Vec<RoomId> = self.rooms.keys().copied().collect();
        self.timelines.retain(|id, _| keep.contains(id));
        self.rooms_loaded = true;
    }

    pub fn remove_room(&mut self, id: RoomId) {
        self.rooms.remove(&id);
        self.timelines.remove(&id);
        self.typing.remove(&id);
    }

    /// Rooms, most recent activity first; ties by name for stability.
    pub fn sorted_rooms(&self) -> Vec<RoomSummary> {
        let mut rooms: Vec<RoomSummary> = self.rooms.values().cloned().collect();
        rooms.sort_by(|a, b| {
            activity(b)
                .cmp(&activity(a))
                .then_with(|| a.room.name.cmp(&b.room.name))
                .then_with(|| a.room.id.cmp(&b.room.id))
        });
        rooms
    }

    pub fn total_unread(&self) -> i64 {
        self.rooms.values().map(|r| r.unread_count.max(0)).sum()
    }

    pub fn timeline(&mut self, room: RoomId) -> &mut Timeline {
        self.timelines.entry(room).or_default()
    }

    /// A live message (`message` event or `ack`): stored in its timeline and
    /// reflected in the room's summary. Someone else's message counts as
    /// unread until the list reports it seen ([`ChatState::mark_read_by_me`]),
    /// even in the open room: the user may be reading history.
    pub fn receive(&mut self, message: Message) -> Insert {
        let room_id = message.room_id;
        let own = self.me.is_some() && message.sender.as_ref().map(|s| s.id) == self.me;
        if let Some(sender) = &message.sender
            && let Some(list) = self.typing.get_mut(&room_id)
        {
            list.retain(|t| t.user.id != sender.id);
        }
        let timeline = self.timelines.entry(room_id).or_default();
        let known = timeline.get(message.id).is_some();
        let newer_than_summary = self
            .rooms
            .get(&room_id)
            .and_then(|r| r.last_message.as_ref())
            .is_none_or(|last| last.seq < message.seq);
        let insert = timeline.insert(message.clone());
        if let Some(room) = self.rooms.get_mut(&room_id)
            && newer_than_summary
        {
            room.last_message = Some(message);
            if !known && !own {
                room.unread_count += 1;
            }
        }
        insert
    }

    /// The user (on this tab or another) read `room` up to `message_id`.
    /// Markers only move forward: reporting a message above the marker (the
    /// user scrolled up into history) changes nothing. Returns whether the
    /// marker moved or the room still counted unread messages, i.e. whether
    /// the server needs to hear of it.
    pub fn mark_read_by_me(&mut self, room: RoomId, message_id: MessageId) -> bool {
        let Some(r) = self.rooms.get(&room) else {
            return false;
        };
        let timeline = self.timelines.get(&room);
        let seq_of = |id: MessageId| {
            timeline.and_then(|t| t.get(id)).map(|m| m.seq).or_else(|| {
                r.last_message
                    .as_ref()
                    .filter(|m| m.id == id)
                    .map(|m| m.seq)
            })
        };
        let new_seq = seq_of(message_id);
        let old_seq = r.last_read_message_id.and_then(seq_of);
        let forward = match (new_seq, old_seq) {
            (Some(new), Some(old)) => new > old,
            _ => r.last_read_message_id != Some(message_id),
        };
        if !forward && r.unread_count == 0 && r.mention_count == 0 {
            return false;
        }
        let is_last = r.last_message.as_ref().map(|m| m.id) == Some(message_id);
        let left = if is_last {
            0
        } else {
            timeline
                .filter(|t| t.get(message_id).is_some())
                .zip(self.me)
                .map(|(t, me)| t.unread_after(Some(message_id), me))
                .unwrap_or(0)
        };
        let r = self.rooms.get_mut(&room).expect("looked up above");
        let had_mentions = r.mention_count > 0;
        r.mention_count = 0;
        if forward {
            r.last_read_message_id = Some(message_id);
            r.unread_count = left;
            return true;
        }
        // The marker itself seen again while the room still counts unread
        // messages (a count from before the last catch-up): the count
        // shrinks to what follows it, and the server hears of it again.
        // Anything above the marker is history and changes nothing.
        let at_marker = r.last_read_message_id == Some(message_id);
        if at_marker && r.unread_count > left {
            r.unread_count = left;
            return true;
        }
        had_mentions
    }

    pub fn set_typing(&mut self, room: RoomId, user: UserRef, now_ms: f64) {
        if Some(user.id) == self.me {
            return;
        }
        let list = self.typing.entry(room).or_default();
        list.retain(|t| t.user.id != user.id);
        list.push(Typist {
            user,
            until_ms: now_ms + TYPING_TTL_MS,
        });
    }

    /// Drops expired typists; returns whether anything changed.
    pub fn expire_typing(&mut self, now_ms: f64) -> bool {
        let mut changed = false;
        for list in self.typing.values_mut() {
            let before = list.len();
            list.retain(|t| t.until_ms > now_ms);
            changed |= list.len() != before;
        }
        self.typing.retain(|_, l| !l.is_empty());
        changed
    }

    /// "Ann is typing…", "Ann and Bo are typing…", "3 people are typing…".
    pub fn typing_text(&self, room: RoomId) -> Option<String> {
        let names: Vec<&str> = self
            .typing
            .get(&room)?
            .iter()
            .map(|t| t.user.display_name.as_str())
            .collect();
        match names.as_slice() {
            [] => None,
            [one] => Some(format!("{one} is typing…")),
            [a, b] => Some(format!("{a} and {b} are typing…")),
            more => Some(format!("{} people are typing…", more.len())),
        }
    }

    /// Every pending send of every room, oldest first (the outbox re-sent
    /// after a reconnect).
    pub fn outbox(&self) -> Vec<Pending> {
        let mut all: Vec<Pending> = self
            .timelines
            .values()
            .flat_map(|t| t.pending().iter().filter(|p| p.failed.is_none()).cloned())
            .collect();
        all.sort_by_key(|p| p.created_at);
        all
    }

    pub fn set_presence(&mut self, user: UserId, online: bool) {
        self.presence.insert(user, online);
        for t in self.timelines.values_mut() {
            if let Some(members) = &mut t.members {
                for m in members.iter_mut().filter(|m| m.user.id == user) {
                    m.online = online;
                    m.user.online = online;
                }
            }
        }
    }
}

/// Whether someone with role `me` may kick or ban a member with `target`:
/// the owner acts on everyone else, moderators on plain members only.
pub fn can_act_on(me: protocol::Role, target: protocol::Role) -> bool {
    use protocol::Role;
    match me {
        Role::Owner => target != Role::Owner,
        Role::Moderator => target == Role::Member,
        Role::Member => false,
    }
}

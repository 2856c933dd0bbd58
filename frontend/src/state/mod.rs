//! Pure client state: the rooms of the sidebar, each room's message timeline,
//! optimistic sends, typing, read markers and the decisions the views take
//! from them (ordering, unread counts, grouping, day separators, scrolling).
//!
//! Nothing here touches the browser, so it compiles and unit-tests on the
//! host (`cargo test -p frontend`). The reactive glue in `chat.rs` wraps a
//! [`ChatState`] in one signal and feeds it socket events and REST pages.

pub mod composer;
mod devices;
pub mod emoji;
mod events;
mod friendship;
pub mod mentions;
mod panels;
mod reading;
mod rows;
mod saved;
mod scroll;
mod suggestions;
#[cfg(test)]
mod tests;
mod timeline;
mod window;
mod wording;

use protocol::{MessageId, RoomId, UserId};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use protocol::{Message, RoomSummary, UserRef};

pub use devices::*;
pub use events::*;
pub use friendship::*;
pub use panels::*;
pub use reading::*;
pub use rows::*;
pub use saved::*;
pub use scroll::*;
pub use suggestions::*;
pub use timeline::*;
pub use window::*;
pub use wording::*;

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
    /// The rooms and pages shown are the copy kept in the browser (see
    /// `saved.rs`), until the network answers.
    pub from_saved: bool,
    pub timelines: HashMap<RoomId, Timeline>,
    pub typing: HashMap<RoomId, Vec<Typist>>,
    /// user id -> online, from presence events and member lists.
    pub presence: HashMap<UserId, bool>,
    /// This client's live connection is up: the user's own presence, here,
    /// whatever a member list fetched before the socket came says.
    pub online: bool,
}

/// The time a room last saw activity, for ordering the sidebar.
pub fn activity(room: &RoomSummary) -> DateTime<Utc> {
    room.last_message
        .as_ref()
        .map(|m| m.created_at)
        .unwrap_or(room.room.created_at)
}

impl ChatState {
    /// The `seq` of the room's newest message as the room list knows it
    /// (0 for an empty room or one not listed).
    pub fn newest_seq(&self, room: RoomId) -> i64 {
        self.rooms
            .get(&room)
            .and_then(|r| r.last_message.as_ref())
            .map_or(0, |m| m.seq)
    }

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
    /// unread until the list reports it seen ([`ChatState::read_up_to`]),
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

    /// Where my read marker in `room` sits, as a seq: 0 with no marker;
    /// `None` when it names a message not held here (its place unknown).
    fn my_marker_seq(&self, room: RoomId) -> Option<i64> {
        match self.rooms.get(&room)?.last_read_message_id {
            None => Some(0),
            Some(id) => self.timelines.get(&room)?.get(id).map(|m| m.seq),
        }
    }

    /// The room's unread count worked out from what is held, when that can
    /// be known: everything from the marker (seq `from`) to the room's
    /// newest message is held, and the timeline follows live messages.
    fn exact_unread(&self, room: RoomId, from: i64) -> Option<i64> {
        let (t, me) = self.timelines.get(&room).zip(self.me)?;
        let newest = self
            .rooms
            .get(&room)?
            .last_message
            .as_ref()
            .map_or(0, |m| m.seq);
        let reached = t.contiguous_from(from);
        (!t.has_newer && reached >= newest).then(|| t.unread_between(from, reached, me))
    }

    /// The list saw `room` up to `message_id`. The marker moves there, or
    /// only as far towards it as held messages reach without a hole: a
    /// reader never reads past messages this client has not received (they
    /// are fetched, then shown, then read). Markers only move forward, so
    /// reporting history above the marker changes nothing. Returns the
    /// message to tell the server of, if any.
    pub fn read_up_to(&mut self, room: RoomId, message_id: MessageId) -> Option<MessageId> {
        let t = self.timelines.get(&room)?;
        let first_held = t.first()?.seq;
        // What the user skipped (see `Timeline::skipped`) counts as read.
        let from = match self.my_marker_seq(room) {
            Some(marker) if t.skipped => marker.max(first_held - 1),
            Some(marker) => marker,
            None if t.skipped => first_held - 1,
            None => return None,
        };
        let seen = t.get(message_id)?.seq;
        let to = seen.min(t.contiguous_from(from));
        let target = t.span(to, to).next().map(|m| m.id);
        let me = self.me?;
        let between = t.unread_between(from, to, me);
        let exact = self.exact_unread(room, to.max(from));
        let r = self.rooms.get_mut(&room)?;
        if to > from {
            r.last_read_message_id = target;
            r.unread_count = exact.unwrap_or((r.unread_count - between).max(0));
            r.mention_count = 0;
            return target;
        }
        // Seen up to the marker again while the count says more is unread
        // than follows it (a count from before a catch-up): correct it, and
        // say so again (the report that moved it may have been lost).
        match (exact, r.last_read_message_id) {
            (Some(left), Some(marker)) if r.unread_count > left => {
                r.unread_count = left;
                Some(marker)
            }
            _ => None,
        }
    }

    /// "Mark as read": everything in `room` up to its newest message, seen
    /// or not (the user asked). Returns the message to report.
    pub fn mark_all_read(&mut self, room: RoomId) -> Option<MessageId> {
        let r = self.rooms.get_mut(&room)?;
        let newest = r.last_message.as_ref().map(|m| m.id)?;
        r.last_read_message_id = Some(newest);
        r.unread_count = 0;
        r.mention_count = 0;
        Some(newest)
    }

    /// The server says my marker moved (another tab or device read on).
    /// Returns whether the room list must be fetched again: the new marker
    /// is not held here, so what is left unread cannot be worked out.
    pub fn my_marker_moved(&mut self, room: RoomId, message_id: MessageId) -> bool {
        let Some(r) = self.rooms.get(&room) else {
            return false;
        };
        let held = self
            .timelines
            .get(&room)
            .and_then(|t| t.get(message_id))
            .map(|m| m.seq);
        let from = self.my_marker_seq(room);
        if let (Some(new), Some(old)) = (held, from)
            && new <= old
        {
            return false;
        }
        let to_the_end = r.last_message.as_ref().map(|m| m.id) == Some(message_id);
        let left = match (held, from) {
            _ if to_the_end => Some(0),
            (Some(new), _) => self.exact_unread(room, new).or_else(|| {
                let t = self.timelines.get(&room)?;
                let old = from.filter(|old| t.contiguous_from(*old) >= new)?;
                let read = t.unread_between(old, new, self.me?);
                Some((r.unread_count - read).max(0))
            }),
            (None, _) => None,
        };
        // Looked up above; borrowed again to write.
        let Some(r) = self.rooms.get_mut(&room) else {
            return false;
        };
        r.last_read_message_id = Some(message_id);
        r.mention_count = 0;
        match left {
            Some(left) => {
                r.unread_count = left;
                false
            }
            None => true,
        }
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

    /// The live connection came up or went down: the user's own dot
    /// follows it, as the top bar does.
    pub fn set_online(&mut self, online: bool) {
        self.online = online;
        if let Some(me) = self.me {
            self.set_presence(me, online);
        }
    }

    /// A room's member list, fetched; the user's own presence is this
    /// client's connection (the list may predate it).
    pub fn set_members(&mut self, room: RoomId, mut members: Vec<protocol::Member>) {
        for m in &mut members {
            if Some(m.user.id) == self.me {
                m.online = self.online;
                m.user.online = self.online;
            }
            self.presence.insert(m.user.id, m.online);
        }
        self.timeline(room).members = Some(members);
    }

    /// Someone came online or went offline (the user's own presence is
    /// their connection here, see [`ChatState::set_online`]).
    pub fn presence_changed(&mut self, user: UserId, online: bool) {
        if Some(user) != self.me {
            self.set_presence(user, online);
        }
    }

    fn set_presence(&mut self, user: UserId, online: bool) {
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

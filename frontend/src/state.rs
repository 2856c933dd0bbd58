//! Pure client state: the rooms of the sidebar, each room's message timeline,
//! optimistic sends, typing, read markers and the decisions the views take
//! from them (ordering, unread counts, grouping, day separators, scrolling).
//!
//! Nothing here touches the browser, so it compiles and unit-tests on the
//! host (`cargo test -p frontend`). The reactive glue in `chat.rs` wraps a
//! [`ChatState`] in one signal and feeds it socket events and REST pages.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use protocol::{Member, Message, RoomSummary, UserRef};
use uuid::Uuid;

/// Within this many pixels of the bottom the list counts as "at the bottom"
/// and follows new messages; further up it stays put and shows a pill.
pub const STICK_THRESHOLD_PX: f64 = 80.0;
/// Consecutive messages of one sender closer than this share one header.
pub const GROUP_GAP_MINUTES: i64 = 5;
/// How long a `typing` event keeps its user in the indicator.
pub const TYPING_TTL_MS: f64 = 5_000.0;

/// A message the user sent that the server has not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub client_id: String,
    pub room_id: Uuid,
    pub body: String,
    pub reply_to: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The server refused it (e.g. rate limited); shown with a retry hint.
    pub failed: Option<String>,
}

/// What inserting a live message did to a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    /// A new message, directly after the last one we had.
    Appended,
    /// A message we already had (same id): replaced in place.
    Duplicate,
    /// A message older than our newest (filled a hole or history).
    Inserted,
    /// The message's seq jumped past `last + 1`: the messages in between were
    /// missed and must be fetched with `after=<last id>`.
    Gap { after: Uuid },
}

/// The messages of one room, ordered by `seq`, plus optimistic sends.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    messages: BTreeMap<i64, Message>,
    pending: Vec<Pending>,
    /// Whether a page older than the first message may exist.
    pub has_older: bool,
    pub loading_older: bool,
    /// The newest page has been fetched at least once.
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// user id -> seq of the message their read marker points at.
    pub read_seq: HashMap<Uuid, i64>,
    pub members: Option<Vec<Member>>,
}

impl Timeline {
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn messages(&self) -> impl DoubleEndedIterator<Item = &Message> {
        self.messages.values()
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    pub fn first(&self) -> Option<&Message> {
        self.messages.values().next()
    }

    pub fn last(&self) -> Option<&Message> {
        self.messages.values().next_back()
    }

    pub fn get(&self, id: Uuid) -> Option<&Message> {
        self.messages.values().find(|m| m.id == id)
    }

    fn drop_pending_for(&mut self, message: &Message) {
        if let Some(cid) = &message.client_id {
            self.pending.retain(|p| &p.client_id != cid);
        }
    }

    /// Adds or replaces one message, deduplicated by id, by seq and by the
    /// `client_id` of an optimistic send.
    pub fn insert(&mut self, message: Message) -> Insert {
        self.drop_pending_for(&message);
        let last = self.last().map(|m| (m.seq, m.id));
        if let Some(existing) = self.messages.get(&message.seq) {
            let _ = existing;
            self.messages.insert(message.seq, message);
            return Insert::Duplicate;
        }
        let seq = message.seq;
        if let Some(parent) = message.reply_to
            && let Some(p) = self.messages.values_mut().find(|m| m.id == parent)
        {
            p.reply_count += 1;
        }
        self.messages.insert(seq, message);
        match last {
            None => Insert::Appended,
            Some((last_seq, _)) if seq == last_seq + 1 => Insert::Appended,
            Some((last_seq, last_id)) if seq > last_seq + 1 => Insert::Gap { after: last_id },
            Some(_) => Insert::Inserted,
        }
    }

    /// Merges a REST page (any order, possibly overlapping what we have).
    pub fn merge(&mut self, page: Vec<Message>) {
        for message in page {
            self.drop_pending_for(&message);
            self.messages.insert(message.seq, message);
        }
    }

    /// Applies a `message_updated` event (edits keep id and seq).
    pub fn update(&mut self, message: Message) {
        if self.messages.contains_key(&message.seq) {
            self.messages.insert(message.seq, message);
        }
    }

    pub fn mark_deleted(&mut self, id: Uuid) {
        if let Some(m) = self.messages.values_mut().find(|m| m.id == id) {
            m.deleted = true;
            m.body.clear();
        }
    }

    /// Queues an optimistic send; a second call with the same client id
    /// (a retry) does not show it twice.
    pub fn add_pending(&mut self, pending: Pending) {
        let known = self
            .pending
            .iter()
            .any(|p| p.client_id == pending.client_id)
            || self
                .messages
                .values()
                .any(|m| m.client_id.as_deref() == Some(pending.client_id.as_str()));
        if !known {
            self.pending.push(pending);
        }
    }

    pub fn fail_pending(&mut self, client_id: &str, reason: &str) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.client_id == client_id) {
            p.failed = Some(reason.to_owned());
        }
    }

    pub fn retry_pending(&mut self, client_id: &str) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.client_id == client_id) {
            p.failed = None;
        }
    }

    pub fn discard_pending(&mut self, client_id: &str) {
        self.pending.retain(|p| p.client_id != client_id);
    }

    /// Records where `user` has read up to; markers only move forward.
    pub fn set_read(&mut self, user: Uuid, message_id: Uuid) {
        let seq = self.get(message_id).map(|m| m.seq).unwrap_or(0);
        let entry = self.read_seq.entry(user).or_insert(0);
        if seq > *entry {
            *entry = seq;
        }
    }

    /// Unread messages after `marker` (a message id), not sent by `me`.
    pub fn unread_after(&self, marker: Option<Uuid>, me: Uuid) -> i64 {
        let from = marker
            .and_then(|id| self.get(id))
            .map(|m| m.seq)
            .unwrap_or(0);
        self.messages
            .range(from + 1..)
            .filter(|(_, m)| m.sender.as_ref().map(|s| s.id) != Some(me))
            .count() as i64
    }

    /// The status shown on the user's own latest message, if the room's
    /// latest own item is theirs: pending → sending, stored → sent, read by
    /// another member → seen.
    pub fn own_status(&self, me: Uuid) -> Option<(StatusKey, MessageStatus)> {
        if let Some(p) = self.pending.last() {
            return Some((
                StatusKey::Pending(p.client_id.clone()),
                MessageStatus::Sending,
            ));
        }
        let own = self
            .messages
            .values()
            .rev()
            .find(|m| m.sender.as_ref().map(|s| s.id) == Some(me))?;
        let seen = self
            .read_seq
            .iter()
            .any(|(user, seq)| *user != me && *seq >= own.seq);
        let status = if seen {
            MessageStatus::Seen
        } else {
            MessageStatus::Sent
        };
        Some((StatusKey::Message(own.id), status))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKey {
    Pending(String),
    Message(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    Sending,
    Sent,
    Seen,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Seen => "seen",
        }
    }
}

/// One row of the rendered message list.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Day {
        label: String,
    },
    Message {
        message: Message,
        /// First of a run of one sender: shows the name.
        starts_group: bool,
        mine: bool,
        status: Option<MessageStatus>,
        parent: Option<Box<ParentPreview>>,
    },
    Pending {
        pending: Pending,
        starts_group: bool,
        status: Option<MessageStatus>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParentPreview {
    pub id: Uuid,
    pub sender: Option<String>,
    pub body: Option<String>,
    pub deleted: bool,
}

impl Row {
    /// A key that changes whenever the row must be drawn again.
    pub fn key(&self) -> String {
        match self {
            Row::Day { label } => format!("day:{label}"),
            Row::Message {
                message,
                starts_group,
                status,
                parent,
                ..
            } => format!(
                "m:{}:{}:{}:{}:{}:{:?}:{}",
                message.id,
                message.reply_count,
                message.edited_at.map(|t| t.timestamp_millis()).unwrap_or(0),
                message.deleted,
                starts_group,
                status,
                parent.is_some()
            ),
            Row::Pending {
                pending,
                starts_group,
                ..
            } => format!(
                "p:{}:{}:{}",
                pending.client_id,
                pending.failed.is_some(),
                starts_group
            ),
        }
    }
}

/// Day label of a timestamp in the viewer's time zone.
pub fn day_label(t: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let day = t.with_timezone(&offset).date_naive();
    let today = now.with_timezone(&offset).date_naive();
    if day == today {
        "Today".to_owned()
    } else if Some(day) == today.pred_opt() {
        "Yesterday".to_owned()
    } else {
        day.format("%A, %B %-d, %Y").to_string()
    }
}

/// "just now", "5 min ago", "3 h ago", else the local date and time.
pub fn relative_time(t: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let elapsed = now.signed_duration_since(t);
    if elapsed < Duration::minutes(1) {
        "just now".to_owned()
    } else if elapsed < Duration::hours(1) {
        format!("{} min ago", elapsed.num_minutes())
    } else if elapsed < Duration::hours(12) {
        format!("{} h ago", elapsed.num_hours())
    } else {
        full_time(t, offset)
    }
}

/// The full local date and time, shown on hover.
pub fn full_time(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn starts_group(
    prev: Option<(Option<Uuid>, DateTime<Utc>)>,
    sender: Option<Uuid>,
    at: DateTime<Utc>,
) -> bool {
    match prev {
        Some((prev_sender, prev_at)) => {
            prev_sender != sender
                || sender.is_none()
                || at.signed_duration_since(prev_at) > Duration::minutes(GROUP_GAP_MINUTES)
        }
        None => true,
    }
}

/// Lays a timeline out as rows: day separators, sender groups, the status of
/// the user's latest own message, reply parents.
pub fn rows(t: &Timeline, me: Uuid, now: DateTime<Utc>, offset: FixedOffset) -> Vec<Row> {
    let status = t.own_status(me);
    let mut out = Vec::with_capacity(t.len() + t.pending.len() + 4);
    let mut prev: Option<(Option<Uuid>, DateTime<Utc>)> = None;
    let mut last_day = None;
    let mut day_row = |out: &mut Vec<Row>,
                       prev: &mut Option<(Option<Uuid>, DateTime<Utc>)>,
                       at: DateTime<Utc>| {
        let day = at.with_timezone(&offset).date_naive();
        if last_day != Some(day) {
            last_day = Some(day);
            out.push(Row::Day {
                label: day_label(at, now, offset),
            });
            *prev = None;
        }
    };
    for m in t.messages.values() {
        day_row(&mut out, &mut prev, m.created_at);
        let sender = m.sender.as_ref().map(|s| s.id);
        let starts = starts_group(prev, sender, m.created_at);
        prev = Some((sender, m.created_at));
        let parent = m.reply_to.map(|pid| {
            let p = t.get(pid);
            Box::new(ParentPreview {
                id: pid,
                sender: p.and_then(|p| p.sender.as_ref().map(|s| s.display_name.clone())),
                body: p.map(|p| p.body.clone()),
                deleted: p.is_some_and(|p| p.deleted),
            })
        });
        let own_status = match &status {
            Some((StatusKey::Message(id), s)) if *id == m.id => Some(*s),
            _ => None,
        };
        out.push(Row::Message {
            message: m.clone(),
            starts_group: starts,
            mine: sender == Some(me),
            status: own_status,
            parent,
        });
    }
    for p in &t.pending {
        day_row(&mut out, &mut prev, p.created_at);
        let starts = starts_group(prev, Some(me), p.created_at);
        prev = Some((Some(me), p.created_at));
        let own_status = match &status {
            Some((StatusKey::Pending(cid), s)) if *cid == p.client_id => Some(*s),
            _ => None,
        };
        out.push(Row::Pending {
            pending: p.clone(),
            starts_group: starts,
            status: own_status,
        });
    }
    out
}

/// Whether a scroll position counts as "at the bottom".
pub fn at_bottom(scroll_top: f64, scroll_height: f64, client_height: f64) -> bool {
    scroll_height - scroll_top - client_height <= STICK_THRESHOLD_PX
}

/// What the list does when new messages arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollAction {
    /// Follow: scroll to the newest message.
    StickToBottom,
    /// The user is reading older messages: keep the position, show a pill.
    ShowPill,
}

/// New messages arrived: follow them if the user was at the bottom (or sent
/// one themself), else leave the view where it is.
pub fn on_new_messages(was_at_bottom: bool, own_message: bool) -> ScrollAction {
    if was_at_bottom || own_message {
        ScrollAction::StickToBottom
    } else {
        ScrollAction::ShowPill
    }
}

/// After older history was prepended: the scroll top that keeps the same
/// message under the user's eyes.
pub fn keep_position_after_prepend(old_top: f64, old_height: f64, new_height: f64) -> f64 {
    old_top + (new_height - old_height)
}

/// Someone typing in a room, until `until_ms` (a wall clock in ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typist {
    pub user: UserRef,
    pub until_ms: f64,
}

/// Everything the chat view shows, for every room the user is in.
#[derive(Debug, Clone, Default)]
pub struct ChatState {
    pub me: Option<Uuid>,
    pub rooms: HashMap<Uuid, RoomSummary>,
    pub rooms_loaded: bool,
    pub timelines: HashMap<Uuid, Timeline>,
    pub typing: HashMap<Uuid, Vec<Typist>>,
    /// user id -> online, from presence events and member lists.
    pub presence: HashMap<Uuid, bool>,
}

/// The time a room last saw activity, for ordering the sidebar.
pub fn activity(room: &RoomSummary) -> DateTime<Utc> {
    room.last_message
        .as_ref()
        .map(|m| m.created_at)
        .unwrap_or(room.room.created_at)
}

/// What a new live message means for the room's unread badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The room is open and visible: mark it read at once.
    MarkRead,
    /// Counts as unread.
    Unread,
    /// The user's own message: neither.
    Own,
}

impl ChatState {
    /// Replaces the room list (from `ready` or `GET /users/me/rooms`),
    /// keeping timelines of rooms still there.
    pub fn set_rooms(&mut self, rooms: Vec<RoomSummary>) {
        self.rooms = rooms.into_iter().map(|r| (r.room.id, r)).collect();
        let keep: Vec<Uuid> = self.rooms.keys().copied().collect();
        self.timelines.retain(|id, _| keep.contains(id));
        self.rooms_loaded = true;
    }

    pub fn remove_room(&mut self, id: Uuid) {
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

    pub fn timeline(&mut self, room: Uuid) -> &mut Timeline {
        self.timelines.entry(room).or_default()
    }

    /// A live message (`message` event or `ack`): stored in its timeline and
    /// reflected in the room's summary. `open_and_visible` says whether the
    /// user is looking at that room right now.
    pub fn receive(&mut self, message: Message, open_and_visible: bool) -> (Insert, Arrival) {
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
        let arrival = if own {
            Arrival::Own
        } else if open_and_visible {
            Arrival::MarkRead
        } else {
            Arrival::Unread
        };
        if let Some(room) = self.rooms.get_mut(&room_id) {
            if newer_than_summary {
                room.last_message = Some(message);
                if !known && arrival == Arrival::Unread {
                    room.unread_count += 1;
                }
            }
            if arrival == Arrival::MarkRead {
                room.unread_count = 0;
            }
        }
        (insert, arrival)
    }

    /// The user (on any of their tabs) read `room` up to `message_id`.
    pub fn mark_read_by_me(&mut self, room: Uuid, message_id: Uuid) {
        let me = self.me.unwrap_or_default();
        let unread = self
            .timelines
            .get(&room)
            .filter(|t| t.get(message_id).is_some())
            .map(|t| t.unread_after(Some(message_id), me));
        if let Some(r) = self.rooms.get_mut(&room) {
            let is_last = r.last_message.as_ref().map(|m| m.id) == Some(message_id);
            r.unread_count = if is_last { 0 } else { unread.unwrap_or(0) };
            r.mention_count = 0;
            r.last_read_message_id = Some(message_id);
        }
    }

    pub fn set_typing(&mut self, room: Uuid, user: UserRef, now_ms: f64) {
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
    pub fn typing_text(&self, room: Uuid) -> Option<String> {
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
            .flat_map(|t| t.pending.iter().filter(|p| p.failed.is_none()).cloned())
            .collect();
        all.sort_by_key(|p| p.created_at);
        all
    }

    pub fn set_presence(&mut self, user: Uuid, online: bool) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use protocol::{NotificationLevel, Room, RoomKind, Visibility};

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0)
            .single()
            .expect("valid date")
            + Duration::minutes(min)
    }

    fn user(n: u128) -> UserRef {
        UserRef {
            id: Uuid::from_u128(n),
            username: format!("u{n}"),
            display_name: format!("User {n}"),
        }
    }

    fn msg(room: Uuid, seq: i64, sender: u128, min: i64) -> Message {
        Message {
            id: Uuid::from_u128(1000 + seq as u128),
            room_id: room,
            seq,
            sender: Some(user(sender)),
            body: format!("m{seq}"),
            created_at: at(min),
            edited_at: None,
            deleted: false,
            reply_to: None,
            reply_count: 0,
            client_id: None,
        }
    }

    fn summary(id: u128, name: &str, last: Option<Message>) -> RoomSummary {
        RoomSummary {
            room: Room {
                id: Uuid::from_u128(id),
                kind: RoomKind::Group,
                name: name.into(),
                topic: String::new(),
                visibility: Visibility::Public,
                created_at: at(-1000),
                member_count: 2,
                my_role: None,
                joined: true,
            },
            unread_count: 0,
            mention_count: 0,
            last_message: last,
            last_read_message_id: None,
            notification_level: NotificationLevel::All,
        }
    }

    fn pending(room: Uuid, cid: &str, min: i64) -> Pending {
        Pending {
            client_id: cid.into(),
            room_id: room,
            body: "hello".into(),
            reply_to: None,
            created_at: at(min),
            failed: None,
        }
    }

    const ROOM: Uuid = Uuid::from_u128(7);
    const ME: u128 = 1;

    #[test]
    fn timeline_orders_by_seq_whatever_the_arrival_order() {
        let mut t = Timeline::default();
        t.merge(vec![msg(ROOM, 3, 2, 3), msg(ROOM, 1, 2, 1)]);
        t.insert(msg(ROOM, 2, 2, 2));
        let seqs: Vec<i64> = t.messages().map(|m| m.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
    }

    #[test]
    fn owner_acts_on_everyone_else_moderator_on_members_only() {
        use protocol::Role;
        assert!(can_act_on(Role::Owner, Role::Moderator));
        assert!(can_act_on(Role::Owner, Role::Member));
        assert!(!can_act_on(Role::Owner, Role::Owner));
        assert!(can_act_on(Role::Moderator, Role::Member));
        assert!(!can_act_on(Role::Moderator, Role::Moderator));
        assert!(!can_act_on(Role::Moderator, Role::Owner));
        assert!(!can_act_on(Role::Member, Role::Member));
    }

    #[test]
    fn a_live_reply_counts_on_its_parent_once() {
        let mut t = Timeline::default();
        t.merge(vec![msg(ROOM, 1, 2, 1)]);
        let parent = t.first().map(|m| m.id);
        let mut reply = msg(ROOM, 2, 3, 2);
        reply.reply_to = parent;
        t.insert(reply.clone());
        t.insert(reply);
        assert_eq!(t.first().map(|m| m.reply_count), Some(1));
    }

    #[test]
    fn duplicates_by_id_are_kept_once() {
        let mut t = Timeline::default();
        assert_eq!(t.insert(msg(ROOM, 1, 2, 1)), Insert::Appended);
        assert_eq!(t.insert(msg(ROOM, 1, 2, 1)), Insert::Duplicate);
        t.merge(vec![msg(ROOM, 1, 2, 1), msg(ROOM, 2, 2, 2)]);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn seq_jump_reports_a_gap_after_the_last_known_message() {
        let mut t = Timeline::default();
        t.insert(msg(ROOM, 1, 2, 1));
        let first = msg(ROOM, 1, 2, 1).id;
        assert_eq!(t.insert(msg(ROOM, 3, 2, 3)), Insert::Gap { after: first });
        assert_eq!(t.insert(msg(ROOM, 2, 2, 2)), Insert::Inserted);
        assert_eq!(t.insert(msg(ROOM, 4, 2, 4)), Insert::Appended);
    }

    #[test]
    fn ack_replaces_the_optimistic_message_and_is_never_shown_twice() {
        let mut t = Timeline::default();
        t.add_pending(pending(ROOM, "c1", 1));
        t.add_pending(pending(ROOM, "c1", 1)); // a retry
        assert_eq!(t.pending().len(), 1);
        let mut stored = msg(ROOM, 1, ME, 1);
        stored.client_id = Some("c1".into());
        t.insert(stored.clone());
        assert!(t.pending().is_empty());
        // the same message again from catch-up or another tab
        t.merge(vec![stored.clone()]);
        t.insert(stored);
        assert_eq!(t.len(), 1);
        let r = rows(
            &t,
            Uuid::from_u128(ME),
            at(2),
            FixedOffset::east_opt(0).expect("utc"),
        );
        let bubbles = r.iter().filter(|r| !matches!(r, Row::Day { .. })).count();
        assert_eq!(bubbles, 1);
        // a late retry of an acked client id is not shown again
        t.add_pending(pending(ROOM, "c1", 3));
        assert!(t.pending().is_empty());
    }

    #[test]
    fn message_from_another_tab_replaces_pending_by_client_id() {
        let mut t = Timeline::default();
        t.add_pending(pending(ROOM, "c9", 1));
        let mut m = msg(ROOM, 5, ME, 1);
        m.client_id = Some("c9".into());
        t.insert(m);
        assert!(t.pending().is_empty());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn own_status_goes_sending_sent_seen() {
        let me = Uuid::from_u128(ME);
        let mut t = Timeline::default();
        t.insert(msg(ROOM, 1, 2, 0));
        t.add_pending(pending(ROOM, "c1", 1));
        assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Sending));
        let mut m = msg(ROOM, 2, ME, 1);
        m.client_id = Some("c1".into());
        let id = m.id;
        t.insert(m);
        assert_eq!(
            t.own_status(me),
            Some((StatusKey::Message(id), MessageStatus::Sent))
        );
        t.set_read(me, id); // my own marker does not count
        assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Sent));
        t.set_read(Uuid::from_u128(2), id);
        assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Seen));
        // markers never move back
        t.set_read(Uuid::from_u128(2), msg(ROOM, 1, 2, 0).id);
        assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Seen));
    }

    #[test]
    fn sidebar_orders_by_latest_activity() {
        let mut s = ChatState::default();
        let a = Uuid::from_u128(10);
        let b = Uuid::from_u128(11);
        s.set_rooms(vec![
            summary(10, "alpha", Some(msg(a, 1, 2, 5))),
            summary(11, "beta", Some(msg(b, 1, 2, 9))),
            summary(12, "gamma", None),
        ]);
        let names: Vec<String> = s.sorted_rooms().into_iter().map(|r| r.room.name).collect();
        assert_eq!(names, vec!["beta", "alpha", "gamma"]);
        s.receive(msg(a, 2, 2, 20), false);
        let names: Vec<String> = s.sorted_rooms().into_iter().map(|r| r.room.name).collect();
        assert_eq!(names, vec!["alpha", "beta", "gamma"]);
    }

    #[test]
    fn unread_counts_and_total() {
        let mut s = ChatState {
            me: Some(Uuid::from_u128(ME)),
            ..Default::default()
        };
        let a = Uuid::from_u128(10);
        let b = Uuid::from_u128(11);
        s.set_rooms(vec![summary(10, "a", None), summary(11, "b", None)]);
        s.receive(msg(a, 1, 2, 1), false);
        s.receive(msg(a, 2, 2, 2), false);
        s.receive(msg(a, 2, 2, 2), false); // duplicate: not counted twice
        s.receive(msg(b, 1, 2, 1), false);
        s.receive(msg(b, 2, ME, 2), false); // own: not unread
        assert_eq!(s.rooms[&a].unread_count, 2);
        assert_eq!(s.rooms[&b].unread_count, 1);
        assert_eq!(s.total_unread(), 3);
        // the open, visible room is read at once
        let (_, arrival) = s.receive(msg(b, 3, 2, 3), true);
        assert_eq!(arrival, Arrival::MarkRead);
        assert_eq!(s.rooms[&b].unread_count, 0);
        // read on another tab up to message 1: one left
        s.mark_read_by_me(a, msg(a, 1, 2, 1).id);
        assert_eq!(s.rooms[&a].unread_count, 1);
        s.mark_read_by_me(a, msg(a, 2, 2, 2).id);
        assert_eq!(s.total_unread(), 0);
    }

    #[test]
    fn unread_after_marker_skips_own_messages() {
        let mut t = Timeline::default();
        t.merge(vec![
            msg(ROOM, 1, 2, 1),
            msg(ROOM, 2, ME, 2),
            msg(ROOM, 3, 2, 3),
        ]);
        let me = Uuid::from_u128(ME);
        assert_eq!(t.unread_after(None, me), 2);
        assert_eq!(t.unread_after(Some(msg(ROOM, 1, 2, 1).id), me), 1);
        assert_eq!(t.unread_after(Some(msg(ROOM, 3, 2, 3).id), me), 0);
    }

    #[test]
    fn scroll_decisions() {
        assert!(at_bottom(920.0, 1500.0, 500.0)); // 80 px away
        assert!(!at_bottom(900.0, 1500.0, 500.0)); // 100 px away
        assert!(at_bottom(0.0, 300.0, 500.0)); // no scrollbar at all
        assert_eq!(on_new_messages(true, false), ScrollAction::StickToBottom);
        assert_eq!(on_new_messages(false, false), ScrollAction::ShowPill);
        assert_eq!(on_new_messages(false, true), ScrollAction::StickToBottom);
        assert_eq!(keep_position_after_prepend(10.0, 1000.0, 1600.0), 610.0);
    }

    #[test]
    fn grouping_and_day_separators() {
        let me = Uuid::from_u128(ME);
        let utc = FixedOffset::east_opt(0).expect("utc");
        let mut t = Timeline::default();
        let mut yesterday = msg(ROOM, 1, 2, -24 * 60);
        yesterday.body = "old".into();
        t.merge(vec![
            yesterday,
            msg(ROOM, 2, 2, 0),
            msg(ROOM, 3, 2, 1),
            msg(ROOM, 4, ME, 2),
            msg(ROOM, 5, 2, 30),
        ]);
        let r = rows(&t, me, at(31), utc);
        let shape: Vec<String> = r
            .iter()
            .map(|r| match r {
                Row::Day { label } => format!("day {label}"),
                Row::Message {
                    message,
                    starts_group,
                    mine,
                    ..
                } => format!("{} {} {}", message.seq, starts_group, mine),
                Row::Pending { .. } => "pending".into(),
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                "day Yesterday",
                "1 true false",
                "day Today",
                "2 true false",
                "3 false false",
                "4 true true",
                "5 true false", // same sender as 3 but after another sender
            ]
        );
    }

    #[test]
    fn replies_carry_their_parent() {
        let me = Uuid::from_u128(ME);
        let mut t = Timeline::default();
        let parent = msg(ROOM, 1, 2, 0);
        let mut reply = msg(ROOM, 2, ME, 1);
        reply.reply_to = Some(parent.id);
        t.merge(vec![parent.clone(), reply]);
        let r = rows(&t, me, at(2), FixedOffset::east_opt(0).expect("utc"));
        let preview = r.iter().find_map(|r| match r {
            Row::Message {
                parent: Some(p), ..
            } => Some(p.clone()),
            _ => None,
        });
        let preview = preview.expect("reply has a parent preview");
        assert_eq!(preview.id, parent.id);
        assert_eq!(preview.body.as_deref(), Some("m1"));
        assert_eq!(preview.sender.as_deref(), Some("User 2"));
    }

    #[test]
    fn relative_times() {
        let utc = FixedOffset::east_opt(0).expect("utc");
        assert_eq!(relative_time(at(0), at(0), utc), "just now");
        assert_eq!(relative_time(at(0), at(5), utc), "5 min ago");
        assert_eq!(relative_time(at(0), at(130), utc), "2 h ago");
        assert_eq!(relative_time(at(0), at(60 * 24), utc), "2026-01-10 12:00");
        assert_eq!(full_time(at(0), utc), "2026-01-10 12:00");
    }

    #[test]
    fn typing_expires_and_names_people() {
        let mut s = ChatState {
            me: Some(Uuid::from_u128(ME)),
            ..Default::default()
        };
        s.set_typing(ROOM, user(ME), 0.0); // never myself
        assert_eq!(s.typing_text(ROOM), None);
        s.set_typing(ROOM, user(2), 0.0);
        assert_eq!(s.typing_text(ROOM).as_deref(), Some("User 2 is typing…"));
        s.set_typing(ROOM, user(3), 1000.0);
        assert_eq!(
            s.typing_text(ROOM).as_deref(),
            Some("User 2 and User 3 are typing…")
        );
        assert!(s.expire_typing(TYPING_TTL_MS + 1.0));
        assert_eq!(s.typing_text(ROOM).as_deref(), Some("User 3 is typing…"));
        // a message from a typist ends their typing
        s.receive(msg(ROOM, 1, 3, 0), false);
        assert_eq!(s.typing_text(ROOM), None);
    }

    #[test]
    fn outbox_holds_unacked_sends_in_order() {
        let mut s = ChatState::default();
        let other = Uuid::from_u128(8);
        s.timeline(ROOM).add_pending(pending(ROOM, "b", 2));
        s.timeline(other).add_pending(pending(other, "a", 1));
        s.timeline(ROOM).add_pending(pending(ROOM, "c", 3));
        s.timeline(ROOM).fail_pending("c", "rate limited");
        let ids: Vec<String> = s.outbox().into_iter().map(|p| p.client_id).collect();
        assert_eq!(ids, vec!["a", "b"]);
    }
}

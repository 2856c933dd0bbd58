//! One room's messages: ordered by `seq`, with the user's sends that are
//! not acknowledged yet, read markers and the sender's own status.

use protocol::{MessageId, RoomId, UserId};
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use protocol::{Attachment, ClientFrame, Member, Message, Pin, Reaction, UserRef};

/// A message the user sent that the server has not acknowledged yet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub room_id: RoomId,
    pub body: String,
    pub reply_to: Option<MessageId>,
    /// Files uploaded already, sent with it.
    pub attachments: Vec<Attachment>,
    pub created_at: DateTime<Utc>,
    /// The server refused it (e.g. rate limited); shown with a retry hint.
    pub failed: Option<String>,
    /// The server could not be reached: it waits here and goes when the
    /// connection is back (shown as such, not as "sending").
    pub waiting: bool,
}

impl Pending {
    /// The `send` frame for it; every (re)send carries the same client id,
    /// so the server stores it once.
    pub fn frame(&self) -> ClientFrame {
        ClientFrame::Send {
            room_id: self.room_id,
            body: self.body.clone(),
            client_id: self.client_id.clone(),
            reply_to: self.reply_to,
            attachments: self.attachments.iter().map(|a| a.id).collect(),
        }
    }
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
    /// missed and must be fetched (after [`Timeline::in_order`]).
    Gap,
    /// Not kept: the timeline holds a stretch of older history (see
    /// [`Timeline::has_newer`]); it comes when the user reaches the end.
    Beyond,
}

/// The messages of one room, ordered by `seq`, plus optimistic sends.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    messages: BTreeMap<i64, Message>,
    pending: Vec<Pending>,
    /// Whether a page older than the first message may exist.
    pub has_older: bool,
    pub loading_older: bool,
    /// The timeline holds a stretch of history around a message (a link to
    /// it, a search result), not the newest messages: live ones are not
    /// kept until the newer pages have been read up to the end.
    pub has_newer: bool,
    pub loading_newer: bool,
    /// The newest page has been fetched at least once.
    pub loaded: bool,
    /// The user jumped from a stretch of history to the newest messages:
    /// what lies between the read marker and the first message held counts
    /// as read once the reader reads on (their choice, unlike a hole left
    /// by a dropped connection, which is never read past).
    pub skipped: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// user id -> seq of the message their read marker points at.
    pub read_seq: HashMap<UserId, i64>,
    pub members: Option<Vec<Member>>,
    /// The room's pinned messages, newest first (`None` until loaded).
    pub pins: Option<Vec<Pin>>,
}

impl Timeline {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn messages(&self) -> impl DoubleEndedIterator<Item = &Message> {
        self.messages.values()
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// The messages with `lo <= seq <= hi`, in order (none when `lo > hi`).
    pub fn span(&self, lo: i64, hi: i64) -> impl DoubleEndedIterator<Item = &Message> {
        let range = if lo > hi {
            self.messages.range(lo..lo)
        } else {
            self.messages.range(lo..=hi)
        };
        range.map(|(_, m)| m)
    }

    pub fn first(&self) -> Option<&Message> {
        self.messages.values().next()
    }

    pub fn last(&self) -> Option<&Message> {
        self.messages.values().next_back()
    }

    pub fn get(&self, id: MessageId) -> Option<&Message> {
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
        if self.has_newer && self.last().is_none_or(|last| message.seq > last.seq) {
            return Insert::Beyond;
        }
        let last = self.last().map(|m| m.seq);
        let seq = message.seq;
        if let Some(held) = self.messages.get_mut(&seq) {
            *held = message;
            return Insert::Duplicate;
        }
        if let Some(parent) = message.reply_to
            && let Some(p) = self.messages.values_mut().find(|m| m.id == parent)
        {
            p.reply_count += 1;
        }
        self.messages.insert(seq, message);
        match last {
            None => Insert::Appended,
            Some(last_seq) if seq == last_seq + 1 => Insert::Appended,
            Some(last_seq) if seq > last_seq + 1 => Insert::Gap,
            Some(_) => Insert::Inserted,
        }
    }

    /// The newest seq reached from `from` with nothing missing on the way:
    /// every message `from + 1 ..= s` is held (`from` itself when `from + 1`
    /// is not). Seqs are gap-free on the server, so a hole here is always
    /// a message this client has not received.
    pub fn contiguous_from(&self, from: i64) -> i64 {
        let mut reached = from;
        for &seq in self.messages.range(from + 1..).map(|(seq, _)| seq) {
            if seq != reached + 1 {
                break;
            }
            reached = seq;
        }
        reached
    }

    /// The last message received in order: the end of the run that starts
    /// at the first message held. Catching up resumes after it, never after
    /// the newest message held, which may be the user's own, sent over REST
    /// while the socket was down and others' messages were missed.
    pub fn in_order(&self) -> Option<&Message> {
        let first = self.first()?.seq;
        self.messages.get(&self.contiguous_from(first))
    }

    /// Whether messages are missing between the first and the last held.
    pub fn has_gap(&self) -> bool {
        match (self.first(), self.last()) {
            (Some(first), Some(last)) => last.seq - first.seq + 1 != self.messages.len() as i64,
            _ => false,
        }
    }

    /// Messages that count as unread with `lo < seq <= hi`: others' and
    /// not deleted (the server counts the same way).
    pub fn unread_between(&self, lo: i64, hi: i64, me: UserId) -> i64 {
        if lo >= hi {
            return 0;
        }
        self.messages
            .range(lo + 1..=hi)
            .filter(|(_, m)| counts_as_unread(m, me))
            .count() as i64
    }

    /// The stretch of history around a linked `message` (`page`, see
    /// [`Timeline::show_window`]), unless another page brought the message
    /// while this one was on its way (opening the room fetches where its
    /// unread messages start): the list may already show it there, and
    /// replacing what is drawn would move it out of view.
    pub fn show_context(&mut self, page: Vec<Message>, newest_seq: i64, message: MessageId) {
        if self.get(message).is_none() {
            self.show_window(page, newest_seq);
        }
    }

    /// Replaces what is held with the stretch of history around a message
    /// (`page`, oldest first); `newest_seq` is the room's newest message, to
    /// know whether the stretch reaches it. Pending sends stay.
    pub fn show_window(&mut self, page: Vec<Message>, newest_seq: i64) {
        self.messages.clear();
        self.skipped = false;
        self.merge(page);
        self.has_older = self.first().is_some_and(|m| m.seq > 1);
        self.has_newer = self.last().is_some_and(|m| m.seq < newest_seq);
        self.loaded = true;
        self.loading = false;
        self.error = None;
    }

    /// Replaces a stretch of history with the newest page (`page_size` is
    /// what was asked for: a full page means older ones exist); live
    /// messages are kept from now on. The user chose to skip what lies
    /// between (jumped to the newest, or sent a message): reading on from
    /// the newest page passes it (see [`Timeline::skipped`]).
    pub fn show_newest(&mut self, page: Vec<Message>, page_size: usize) {
        self.messages.clear();
        self.has_older = page.len() >= page_size;
        self.merge(page);
        self.has_newer = false;
        self.loaded = true;
        self.loading = false;
        self.error = None;
        self.skipped = true;
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

    pub fn mark_deleted(&mut self, id: MessageId) {
        if let Some(m) = self.messages.values_mut().find(|m| m.id == id) {
            m.deleted = true;
            m.body.clear();
            m.reactions.clear();
        }
    }

    /// Whether a message is pinned, as far as this client knows.
    pub fn is_pinned(&self, id: MessageId) -> bool {
        self.pins
            .as_ref()
            .is_some_and(|pins| pins.iter().any(|p| p.message.id == id))
    }

    /// A pin the server announced (newest first; never listed twice).
    pub fn add_pin(&mut self, pin: Pin) {
        if let Some(pins) = &mut self.pins {
            pins.retain(|p| p.message.id != pin.message.id);
            pins.insert(0, pin);
        }
    }

    pub fn remove_pin(&mut self, id: MessageId) {
        if let Some(pins) = &mut self.pins {
            pins.retain(|p| p.message.id != id);
        }
    }

    /// A message's reactions as the server last stated them; false when
    /// the message is not loaded here.
    pub fn set_reactions(&mut self, id: MessageId, reactions: Vec<Reaction>) -> bool {
        match self.messages.values_mut().find(|m| m.id == id) {
            Some(m) if m.reactions != reactions => {
                m.reactions = reactions;
                true
            }
            _ => false,
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

    /// The send could not reach the server; it goes again on reconnect.
    pub fn wait_pending(&mut self, client_id: &str) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.client_id == client_id) {
            p.waiting = true;
        }
    }

    /// The connection is back and every waiting send goes again.
    pub fn resume_pending(&mut self) {
        for p in &mut self.pending {
            p.waiting = false;
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
    pub fn set_read(&mut self, user: UserId, message_id: MessageId) {
        let seq = self.get(message_id).map(|m| m.seq).unwrap_or(0);
        let entry = self.read_seq.entry(user).or_insert(0);
        if seq > *entry {
            *entry = seq;
        }
    }

    /// Where the "New messages" divider goes when a room opens, from the
    /// read marker and unread count the room had then. The marker's own
    /// position is used when it is loaded; otherwise the divider goes
    /// `unread` messages (of others) back from the newest, and if fewer
    /// are loaded than that, older history has to come first.
    pub fn first_unread(&self, marker: Option<MessageId>, unread: i64, me: UserId) -> FirstUnread {
        if unread <= 0 {
            return FirstUnread::None;
        }
        let theirs = |m: &&Message| counts_as_unread(m, me);
        if let Some(seq) = marker.and_then(|id| self.get(id)).map(|m| m.seq) {
            return match self.messages.range(seq + 1..).map(|(_, m)| m).find(theirs) {
                Some(m) => FirstUnread::At(m.id),
                None => FirstUnread::None,
            };
        }
        let mut counted = 0;
        for m in self.messages.values().rev().filter(theirs) {
            counted += 1;
            if counted == unread {
                return FirstUnread::At(m.id);
            }
        }
        if self.has_older {
            FirstUnread::Older
        } else {
            self.messages
                .values()
                .find(theirs)
                .map_or(FirstUnread::None, |m| FirstUnread::At(m.id))
        }
    }

    /// Who has seen how far: each member other than `me` with a known read
    /// marker, placed at the newest loaded message up to their marker that
    /// they did not write themselves ("seen" means someone else's words).
    pub fn receipts(&self, me: UserId) -> HashMap<MessageId, Vec<UserRef>> {
        let mut out: HashMap<MessageId, Vec<UserRef>> = HashMap::new();
        let Some(members) = &self.members else {
            return out;
        };
        let mut readers: Vec<(&protocol::User, i64)> = members
            .iter()
            .filter(|m| m.user.id != me)
            .filter_map(|m| Some((&m.user, *self.read_seq.get(&m.user.id)?)))
            .filter(|(_, seq)| *seq > 0)
            .collect();
        readers.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
        for (user, seq) in readers {
            let at = self
                .messages
                .range(..=seq)
                .rev()
                .map(|(_, m)| m)
                .find(|m| m.sender.as_ref().map(|s| s.id) != Some(user.id));
            if let Some(m) = at {
                out.entry(m.id).or_default().push(UserRef {
                    id: user.id,
                    username: user.username.clone(),
                    display_name: user.display_name.clone(),
                    avatar_url: user.avatar_url.clone(),
                });
            }
        }
        out
    }

    /// The status shown on the user's own latest message, if the room's
    /// latest own item is theirs: pending → sending, stored → sent, read by
    /// another member → seen.
    pub fn own_status(&self, me: UserId) -> Option<(StatusKey, MessageStatus)> {
        if let Some(p) = self.pending.last() {
            let status = if p.waiting {
                MessageStatus::Waiting
            } else {
                MessageStatus::Sending
            };
            return Some((StatusKey::Pending(p.client_id.clone()), status));
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

/// Whether a message can be unread for `me`: someone else's, not deleted.
fn counts_as_unread(m: &Message, me: UserId) -> bool {
    !m.deleted && m.sender.as_ref().map(|s| s.id) != Some(me)
}

/// Where unread messages start, when a room opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstUnread {
    /// Nothing unread: open at the bottom.
    None,
    /// The first unread message.
    At(MessageId),
    /// It is older than anything loaded: load older history first.
    Older,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKey {
    Pending(String),
    Message(MessageId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Not sent: the server is out of reach; it goes once it is back.
    Waiting,
    Sending,
    Sent,
    Seen,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Seen => "seen",
        }
    }

    /// What the status means, for its tooltip.
    pub fn explained(self) -> &'static str {
        match self {
            Self::Waiting => "Not sent yet: it goes as soon as the connection is back",
            Self::Sending => "Sending",
            Self::Sent => "Delivered to the room",
            Self::Seen => "Seen by someone in the room",
        }
    }
}

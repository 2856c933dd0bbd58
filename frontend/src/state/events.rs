//! The client as a state machine: a socket event changes the state and
//! asks for effects (fetches, frames to send, counters to bump), which the
//! reactive glue in `chat` carries out. Pure, so every rule of what an event
//! does is tested on the host.

use protocol::RoomId;
use protocol::{ClientFrame, NotificationKind, ServerEvent};

use super::{ChatState, Insert};

/// What `apply` needs to know of the world outside the state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Context {
    /// The room shown in the main pane.
    pub current_room: Option<RoomId>,
    /// Whether the page is visible (a hidden tab reads nothing).
    pub page_visible: bool,
    /// The wall clock, in ms.
    pub now_ms: f64,
}

impl Context {
    fn reading(&self, room: RoomId) -> bool {
        self.page_visible && self.current_room == Some(room)
    }
}

/// What an event asks the glue to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Fetch the room list again (a room appeared that the state lacks).
    RefreshRooms,
    /// Fetch the room's member list again.
    LoadMembers(RoomId),
    /// Fetch what was missed in a room after its last known message.
    CatchUp(RoomId),
    /// Fetch the room's read markers again (some may have moved while the
    /// socket was down).
    LoadReadMarkers(RoomId),
    /// Load the open room, which could not be loaded (the server was out
    /// of reach when it opened).
    ReloadRoom(RoomId),
    /// Show the room's newest messages in place of the stretch of history
    /// held: the user sent from it while the server was out of reach, and
    /// their message goes at the end.
    ShowNewest(RoomId),
    /// Ask the open list which messages are on screen and mark them read
    /// (the socket is back: a report made while it was down may be lost).
    RecheckSeen,
    /// Tell the room again that the user is typing, if they were when the
    /// socket dropped.
    ResumeTyping,
    /// Send a frame on the socket.
    Send(ClientFrame),
    /// Fetch the count of unread notifications.
    RefreshNotificationCount,
    /// A notification arrived (`unread`: it counts in the bell); `alert`
    /// is what a desktop notification would say, for a hidden tab.
    Notified { unread: bool, alert: Option<Alert> },
    /// Friend requests or friendships changed: pages showing them refetch.
    SocialChanged,
    /// Something only worth a line in the console.
    Warn(String),
}

/// A desktop notification: a mention or a direct message that came while
/// the tab was hidden.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub title: String,
    pub body: String,
    pub room: Option<RoomId>,
    /// One alert per notification, even if several tabs show it.
    pub tag: String,
}

/// What `apply` did: whether the state changed (so views must redraw) and
/// the effects to carry out.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    pub changed: bool,
    pub effects: Vec<Effect>,
}

impl Applied {
    fn changed(effects: Vec<Effect>) -> Self {
        Self {
            changed: true,
            effects,
        }
    }
    fn unchanged(effects: Vec<Effect>) -> Self {
        Self {
            changed: false,
            effects,
        }
    }
}

impl ChatState {
    /// Applies one socket event.
    pub fn apply(&mut self, event: ServerEvent, cx: &Context) -> Applied {
        match event {
            ServerEvent::Ready { user, rooms } => {
                // The kept copy gives way: every room loads afresh.
                self.leave_saved();
                let loaded: Vec<RoomId> = self
                    .timelines
                    .iter()
                    .filter(|(_, t)| t.loaded)
                    .map(|(id, _)| *id)
                    .collect();
                self.me = Some(user.user.id);
                self.set_rooms(rooms);
                self.set_online(true);
                // Catch up every room shown, from its last message, with the
                // read markers that moved meanwhile; then send the outbox
                // again with the same client ids (a repeat is answered with
                // the original, never stored twice). Whoever was typing
                // before the gap has likely stopped; the user, if typing,
                // says so again.
                self.typing.clear();
                for t in self.timelines.values_mut() {
                    t.resume_pending();
                }
                let mut effects: Vec<Effect> = loaded
                    .iter()
                    .flat_map(|room| [Effect::CatchUp(*room), Effect::LoadReadMarkers(*room)])
                    .collect();
                if let Some(room) = cx.current_room
                    && let Some(t) = self.timelines.get(&room)
                {
                    if !t.loaded {
                        effects.push(Effect::ReloadRoom(room));
                    } else if t.has_newer && !t.pending().is_empty() {
                        effects.push(Effect::ShowNewest(room));
                    }
                }
                effects.extend(self.outbox().iter().map(|p| Effect::Send(p.frame())));
                if cx.current_room.is_some() {
                    effects.push(Effect::RecheckSeen);
                }
                effects.push(Effect::ResumeTyping);
                effects.push(Effect::RefreshNotificationCount);
                Applied::changed(effects)
            }
            ServerEvent::Ack { message, .. } | ServerEvent::Message { message } => {
                let room = message.room_id;
                let mut effects = Vec::new();
                if !self.rooms.contains_key(&room) {
                    // A conversation someone just started with us.
                    effects.push(Effect::RefreshRooms);
                }
                let loaded = self.timelines.get(&room).is_some_and(|t| t.loaded);
                let insert = self.receive(message);
                if insert == Insert::Gap && loaded {
                    effects.push(Effect::CatchUp(room));
                }
                Applied::changed(effects)
            }
            ServerEvent::MessageUpdated { message } => {
                if let Some(r) = self.rooms.get_mut(&message.room_id)
                    && r.last_message.as_ref().map(|m| m.id) == Some(message.id)
                {
                    r.last_message = Some(message.clone());
                }
                self.timeline(message.room_id).update(message);
                Applied::changed(Vec::new())
            }
            ServerEvent::MessageDeleted {
                room_id,
                message_id,
            } => {
                if let Some(r) = self.rooms.get_mut(&room_id)
                    && let Some(m) = r.last_message.as_mut().filter(|m| m.id == message_id)
                {
                    m.deleted = true;
                    m.body.clear();
                }
                self.timeline(room_id).mark_deleted(message_id);
                Applied::changed(Vec::new())
            }
            ServerEvent::MessagePinned { room_id, pin } => {
                self.timeline(room_id).add_pin(pin);
                Applied::changed(Vec::new())
            }
            ServerEvent::MessageUnpinned {
                room_id,
                message_id,
            } => {
                self.timeline(room_id).remove_pin(message_id);
                Applied::changed(Vec::new())
            }
            ServerEvent::Reaction {
                room_id,
                message_id,
                reactions,
                ..
            } => {
                if let Some(r) = self.rooms.get_mut(&room_id)
                    && let Some(m) = r.last_message.as_mut().filter(|m| m.id == message_id)
                {
                    m.reactions = reactions.clone();
                }
                let shown = self
                    .timelines
                    .get_mut(&room_id)
                    .is_some_and(|t| t.set_reactions(message_id, reactions));
                if shown {
                    Applied::changed(Vec::new())
                } else {
                    Applied::default()
                }
            }
            ServerEvent::Typing { room_id, user } => {
                self.set_typing(room_id, user, cx.now_ms);
                Applied::changed(Vec::new())
            }
            ServerEvent::Read {
                room_id,
                user_id,
                message_id,
            } => {
                let mut effects = Vec::new();
                if self.me == Some(user_id) && self.my_marker_moved(room_id, message_id) {
                    effects.push(Effect::RefreshRooms);
                }
                if let Some(t) = self.timelines.get_mut(&room_id) {
                    t.set_read(user_id, message_id);
                }
                Applied::changed(effects)
            }
            ServerEvent::MemberJoined { room_id, user } => {
                let mut effects = Vec::new();
                if Some(user.id) == self.me || !self.rooms.contains_key(&room_id) {
                    effects.push(Effect::RefreshRooms);
                }
                if let Some(r) = self.rooms.get_mut(&room_id) {
                    r.room.member_count += 1;
                }
                if self
                    .timelines
                    .get(&room_id)
                    .is_some_and(|t| t.members.is_some())
                {
                    effects.push(Effect::LoadMembers(room_id));
                }
                Applied::changed(effects)
            }
            ServerEvent::MemberLeft { room_id, user_id } => {
                if Some(user_id) == self.me {
                    self.remove_room(room_id);
                } else {
                    if let Some(r) = self.rooms.get_mut(&room_id) {
                        r.room.member_count = (r.room.member_count - 1).max(0);
                    }
                    if let Some(members) = self
                        .timelines
                        .get_mut(&room_id)
                        .and_then(|t| t.members.as_mut())
                    {
                        members.retain(|m| m.user.id != user_id);
                    }
                }
                Applied::changed(Vec::new())
            }
            ServerEvent::RoomUpdated { room } => {
                if let Some(r) = self.rooms.get_mut(&room.id) {
                    // The event carries no role of ours: keep the one we had.
                    let role = r.room.my_role;
                    r.room = room;
                    r.room.my_role = role;
                    r.room.joined = true;
                }
                Applied::changed(Vec::new())
            }
            ServerEvent::RoomDeleted { room_id } => {
                self.remove_room(room_id);
                Applied::changed(Vec::new())
            }
            ServerEvent::Presence { user_id, online } => {
                self.presence_changed(user_id, online);
                Applied::changed(Vec::new())
            }
            ServerEvent::FriendRequest { .. } | ServerEvent::FriendAccepted { .. } => {
                Applied::unchanged(vec![Effect::SocialChanged])
            }
            ServerEvent::Notification { notification } => {
                // A live mention lights the room's "@" badge unless the user
                // is reading that room right now.
                let mut changed = false;
                if notification.kind == NotificationKind::Mention
                    && let Some(room) = notification.room_id
                    && !cx.reading(room)
                    && let Some(r) = self.rooms.get_mut(&room)
                {
                    r.mention_count += 1;
                    changed = true;
                }
                let alert = (!cx.page_visible && !notification.read)
                    .then(|| self.alert(&notification))
                    .flatten();
                Applied {
                    changed,
                    effects: vec![Effect::Notified {
                        unread: !notification.read,
                        alert,
                    }],
                }
            }
            ServerEvent::Error {
                code,
                message,
                client_id,
            } => {
                let changed = client_id.is_some();
                if let Some(cid) = client_id {
                    for t in self.timelines.values_mut() {
                        t.fail_pending(&cid, &message);
                    }
                }
                Applied {
                    changed,
                    effects: vec![Effect::Warn(format!("socket error {code}: {message}"))],
                }
            }
            ServerEvent::Pong => Applied::default(),
        }
    }
}

/// Longest message preview a desktop notification shows.
const ALERT_BODY_CHARS: usize = 140;

impl ChatState {
    /// What a desktop notification says of a mention or direct message;
    /// nothing for other kinds (friend requests wait for the bell).
    fn alert(&self, n: &protocol::Notification) -> Option<Alert> {
        let who = n
            .actor
            .as_ref()
            .map_or("Someone", |a| a.display_name.as_str());
        let room = n.room_id.and_then(|id| self.rooms.get(&id));
        let title = match n.kind {
            NotificationKind::Mention => match room {
                Some(r) => format!("{who} mentioned you in {}", r.room.name),
                None => format!("{who} mentioned you"),
            },
            NotificationKind::DirectMessage => who.to_owned(),
            _ => return None,
        };
        let said = room
            .and_then(|r| r.last_message.as_ref())
            .filter(|m| Some(m.id) == n.message_id)
            .map(|m| m.body.as_str());
        let body = match said {
            Some(text) if text.chars().count() > ALERT_BODY_CHARS => {
                let mut cut: String = text.chars().take(ALERT_BODY_CHARS).collect();
                cut.push('…');
                cut
            }
            Some(text) => text.to_owned(),
            None => "New message".to_owned(),
        };
        Some(Alert {
            title,
            body,
            room: n.room_id,
            tag: n.id.to_string(),
        })
    }
}

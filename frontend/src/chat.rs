//! Reactive glue between the socket, the REST client and the pure state in
//! `state.rs`. [`Chat`] is `Copy` and provided by context; every view reads
//! the one `ChatState` signal through it, and every change goes through its
//! methods.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{ClientFrame, Me, Message, RoomSummary, ServerEvent};
use uuid::Uuid;

use crate::api::{self, Page};
use crate::read_pacer::{ReadAction, ReadPacer};
use crate::session;
use crate::state::{Arrival, ChatState, Insert, Pending};
use crate::ws::{ConnStatus, Socket};

/// Send at most one `typing` frame per room this often.
const TYPING_EVERY_MS: f64 = 3_000.0;
/// A send without an `ack` after this long goes again (same client id, so
/// the server never stores it twice).
const RESEND_AFTER_MS: f64 = 10_000.0;

#[derive(Clone, Copy)]
pub struct Chat {
    pub state: RwSignal<ChatState>,
    pub socket: Socket,
    /// The room shown in the main pane.
    pub current_room: RwSignal<Option<Uuid>>,
    /// Unread notifications (the bell).
    pub notif_unread: RwSignal<i64>,
    /// Bumped on friend events, notifications and presence so the pages
    /// showing them fetch again.
    pub social_version: RwSignal<u32>,
    pub notif_version: RwSignal<u32>,
    /// The message being answered or edited in the composer.
    pub reply_to: RwSignal<Option<Message>>,
    pub editing: RwSignal<Option<Message>>,
    last_typing: StoredValue<(Option<Uuid>, f64)>,
    last_resend: StoredValue<(f64, usize)>,
    /// One `read` frame per room per second at most (see `read_pacer`).
    read_pacer: StoredValue<ReadPacer>,
}

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
        .unwrap_or(true)
}

impl Chat {
    pub fn new() -> Self {
        let chat = Self {
            state: RwSignal::new(ChatState::default()),
            socket: Socket::new(),
            current_room: RwSignal::new(None),
            notif_unread: RwSignal::new(0),
            social_version: RwSignal::new(0),
            notif_version: RwSignal::new(0),
            reply_to: RwSignal::new(None),
            editing: RwSignal::new(None),
            last_typing: StoredValue::new((None, 0.0)),
            last_resend: StoredValue::new((0.0, 0)),
            read_pacer: StoredValue::new(ReadPacer::default()),
        };
        // Typing entries expire on their own.
        let expire = set_interval_with_handle(
            move || {
                let now = session::now_ms();
                let stale = chat
                    .state
                    .with_untracked(|s| s.typing.values().flatten().any(|t| t.until_ms <= now));
                if stale {
                    chat.state.update(|s| {
                        s.expire_typing(now);
                    });
                }
                chat.resend_stale(now);
            },
            std::time::Duration::from_millis(1000),
        );
        if let Ok(h) = expire {
            let _ = h;
        }
        chat
    }

    /// Starts the socket once signed in, and resets everything on sign-out.
    pub fn start(&self) {
        let chat = *self;
        self.socket.start(move |event| chat.handle(event));
        let chat = *self;
        let s = session::current();
        Effect::new(move |prev: Option<Option<Uuid>>| {
            let me = s.tokens.with(|t| t.as_ref().map(|t| t.me.user.id));
            if prev.is_some_and(|p| p != me) {
                // Signed out or another account: forget the old one.
                chat.state.set(ChatState {
                    me,
                    ..Default::default()
                });
                chat.notif_unread.set(0);
                chat.socket.close();
            } else {
                chat.state.update(|st| st.me = me);
            }
            if me.is_some() {
                chat.refresh_notif_count();
            }
            me
        });
    }

    pub fn me(&self) -> Option<Uuid> {
        self.state.with_untracked(|s| s.me)
    }

    fn is_open_and_visible(&self, room: Uuid) -> bool {
        self.current_room.get_untracked() == Some(room) && page_visible()
    }

    pub fn on_ready(&self, me: Me, rooms: Vec<RoomSummary>) {
        let loaded: Vec<Uuid> = self.state.with_untracked(|s| {
            s.timelines
                .iter()
                .filter(|(_, t)| t.loaded)
                .map(|(id, _)| *id)
                .collect()
        });
        self.state.update(|s| {
            s.me = Some(me.user.id);
            s.set_rooms(rooms);
        });
        // Catch up every room we show, from its last message.
        for room in loaded {
            self.catch_up(room);
        }
        // Re-send the outbox with the same client ids: the server answers a
        // repeat with the original message, so nothing is stored twice.
        for p in self.state.with_untracked(|s| s.outbox()) {
            self.socket.send(ClientFrame::Send {
                room_id: p.room_id,
                body: p.body,
                client_id: p.client_id,
                reply_to: p.reply_to,
            });
        }
        if let Some(room) = self.current_room.get_untracked() {
            self.mark_read(room);
        }
        self.refresh_notif_count();
    }

    pub fn handle(&self, event: ServerEvent) {
        match event {
            ServerEvent::Ready { user, rooms } => self.on_ready(user, rooms),
            ServerEvent::Ack { message, .. } | ServerEvent::Message { message } => {
                self.receive(message)
            }
            ServerEvent::MessageUpdated { message } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&message.room_id)
                    && r.last_message.as_ref().map(|m| m.id) == Some(message.id)
                {
                    r.last_message = Some(message.clone());
                }
                s.timeline(message.room_id).update(message);
            }),
            ServerEvent::MessageDeleted {
                room_id,
                message_id,
            } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&room_id)
                    && let Some(m) = r.last_message.as_mut().filter(|m| m.id == message_id)
                {
                    m.deleted = true;
                    m.body.clear();
                }
                s.timeline(room_id).mark_deleted(message_id)
            }),
            ServerEvent::Typing { room_id, user } => {
                let now = session::now_ms();
                self.state.update(|s| s.set_typing(room_id, user, now));
            }
            ServerEvent::Read {
                room_id,
                user_id,
                message_id,
            } => self.state.update(|s| {
                if s.me == Some(user_id) {
                    s.mark_read_by_me(room_id, message_id);
                }
                if let Some(t) = s.timelines.get_mut(&room_id) {
                    t.set_read(user_id, message_id);
                }
            }),
            ServerEvent::MemberJoined { room_id, user } => {
                let known = self
                    .state
                    .with_untracked(|s| s.rooms.contains_key(&room_id));
                if Some(user.id) == self.me() || !known {
                    self.refresh_rooms();
                }
                let room = room_id;
                self.state.update(|s| {
                    if let Some(r) = s.rooms.get_mut(&room) {
                        r.room.member_count += 1;
                    }
                });
                if self
                    .state
                    .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.members.is_some()))
                {
                    self.load_members(room);
                }
            }
            ServerEvent::MemberLeft { room_id, user_id } => {
                if Some(user_id) == self.me() {
                    self.state.update(|s| s.remove_room(room_id));
                } else {
                    self.state.update(|s| {
                        if let Some(r) = s.rooms.get_mut(&room_id) {
                            r.room.member_count = (r.room.member_count - 1).max(0);
                        }
                        if let Some(members) = s
                            .timelines
                            .get_mut(&room_id)
                            .and_then(|t| t.members.as_mut())
                        {
                            members.retain(|m| m.user.id != user_id);
                        }
                    });
                }
            }
            ServerEvent::RoomUpdated { room } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&room.id) {
                    let role = r.room.my_role;
                    r.room = room;
                    r.room.my_role = role;
                    r.room.joined = true;
                }
            }),
            ServerEvent::RoomDeleted { room_id } => {
                self.state.update(|s| s.remove_room(room_id));
            }
            ServerEvent::Presence { user_id, online } => {
                self.state.update(|s| s.set_presence(user_id, online));
            }
            ServerEvent::FriendRequest { .. } | ServerEvent::FriendAccepted { .. } => {
                self.social_version.update(|v| *v += 1);
            }
            ServerEvent::Notification { notification } => {
                if !notification.read {
                    self.notif_unread.update(|n| *n += 1);
                }
                // A live mention lights the room's "@" badge unless the user
                // is reading that room right now.
                if notification.kind == protocol::NotificationKind::Mention
                    && let Some(room) = notification.room_id
                    && !(self.current_room.get_untracked() == Some(room) && page_visible())
                {
                    self.state.update(|s| {
                        if let Some(r) = s.rooms.get_mut(&room) {
                            r.mention_count += 1;
                        }
                    });
                }
                self.notif_version.update(|v| *v += 1);
            }
            ServerEvent::Error {
                code,
                message,
                client_id,
            } => {
                if let Some(cid) = client_id {
                    self.state.update(|s| {
                        for t in s.timelines.values_mut() {
                            t.fail_pending(&cid, &message);
                        }
                    });
                }
                leptos::logging::warn!("socket error {code}: {message}");
            }
            ServerEvent::Pong => {}
        }
    }

    fn receive(&self, message: Message) {
        let room = message.room_id;
        let known = self.state.with_untracked(|s| s.rooms.contains_key(&room));
        if !known {
            // A conversation someone just started with us.
            self.refresh_rooms();
        }
        let visible = self.is_open_and_visible(room);
        let loaded = self
            .state
            .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.loaded));
        let id = message.id;
        let outcome = self.state.try_update(|s| s.receive(message, visible));
        if let Some((insert, arrival)) = outcome {
            if let Insert::Gap { .. } = insert
                && loaded
            {
                self.catch_up(room);
            }
            if arrival == Arrival::MarkRead {
                self.send_read(room, id);
            }
        }
    }

    /// Fetches every message after the last one we have, page by page.
    pub fn catch_up(&self, room: Uuid) {
        let chat = *self;
        spawn_local(async move {
            loop {
                let last = chat.state.with_untracked(|s| {
                    s.timelines.get(&room).and_then(|t| t.last().map(|m| m.id))
                });
                let page = match last {
                    Some(id) => api::messages(room, Page::After(id)).await,
                    None => api::messages(room, Page::Newest).await,
                };
                let Ok(page) = page else { break };
                let n = page.len();
                chat.state.update(|s| {
                    if let Some(newest) = page.last().cloned()
                        && let Some(r) = s.rooms.get_mut(&room)
                        && r.last_message.as_ref().is_none_or(|m| m.seq < newest.seq)
                    {
                        r.last_message = Some(newest);
                    }
                    let t = s.timeline(room);
                    t.merge(page);
                    t.loaded = true;
                });
                if n < api::PAGE || last.is_none() {
                    break;
                }
            }
            if chat.is_open_and_visible(room) {
                chat.mark_read(room);
            }
        });
    }

    pub fn refresh_rooms(&self) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(rooms) = api::my_rooms().await {
                chat.state.update(|s| s.set_rooms(rooms));
            }
        });
    }

    pub fn refresh_notif_count(&self) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(n) = api::unread_notifications().await {
                chat.notif_unread.set(n);
            }
        });
    }

    /// Opens a room in the main pane: its newest page, members and read
    /// markers, then marks it read.
    pub fn open_room(&self, room: Uuid) {
        self.current_room.set(Some(room));
        self.reply_to.set(None);
        self.editing.set(None);
        let chat = *self;
        let (loaded, loading) = self.state.with_untracked(|s| {
            s.timelines
                .get(&room)
                .map(|t| (t.loaded, t.loading))
                .unwrap_or((false, false))
        });
        if loaded {
            self.catch_up(room);
            self.load_members(room);
            return;
        }
        if loading {
            return;
        }
        self.state.update(|s| {
            let t = s.timeline(room);
            t.loading = true;
            t.error = None;
        });
        spawn_local(async move {
            let page = api::messages(room, Page::Newest).await;
            chat.state.update(|s| {
                let t = s.timeline(room);
                t.loading = false;
                match page {
                    Ok(page) => {
                        t.has_older = page.len() >= api::PAGE;
                        t.merge(page);
                        t.loaded = true;
                    }
                    Err(e) => t.error = Some(e.message()),
                }
            });
            if let Ok(markers) = api::read_markers(room).await {
                chat.state.update(|s| {
                    let t = s.timeline(room);
                    for m in markers {
                        t.set_read(m.user_id, m.message_id);
                    }
                });
            }
            if chat.current_room.get_untracked() == Some(room) {
                chat.mark_read(room);
            }
        });
        self.load_members(room);
    }

    pub fn load_members(&self, room: Uuid) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(members) = api::members(room).await {
                chat.state.update(|s| {
                    for m in &members {
                        s.presence.insert(m.user.id, m.online);
                    }
                    s.timeline(room).members = Some(members);
                });
            }
        });
    }

    /// Loads the page older than the first message we have.
    pub fn load_older(&self, room: Uuid, done: impl FnOnce() + 'static) {
        let first = self.state.with_untracked(|s| {
            s.timelines
                .get(&room)
                .filter(|t| t.has_older && !t.loading_older && t.loaded)
                .and_then(|t| t.first().map(|m| m.id))
        });
        let Some(first) = first else { return };
        self.state.update(|s| s.timeline(room).loading_older = true);
        let chat = *self;
        spawn_local(async move {
            let page = api::messages(room, Page::Before(first)).await;
            chat.state.update(|s| {
                let t = s.timeline(room);
                t.loading_older = false;
                match page {
                    Ok(page) => {
                        t.has_older = page.len() >= api::PAGE;
                        t.merge(page);
                    }
                    Err(e) => t.error = Some(e.message()),
                }
            });
            done();
        });
    }

    /// Marks the room read up to its newest message, here and (through the
    /// server's `read` event) on the user's other tabs.
    pub fn mark_read(&self, room: Uuid) {
        let info = self.state.with_untracked(|s| {
            let last = s
                .timelines
                .get(&room)
                .and_then(|t| t.last().map(|m| m.id))
                .or_else(|| {
                    s.rooms
                        .get(&room)
                        .and_then(|r| r.last_message.as_ref().map(|m| m.id))
                });
            let marker = s.rooms.get(&room).and_then(|r| r.last_read_message_id);
            let unread = s.rooms.get(&room).map(|r| r.unread_count).unwrap_or(0);
            (last, marker, unread)
        });
        let (Some(last), marker, unread) = info else {
            return;
        };
        if marker == Some(last) && unread == 0 {
            return;
        }
        self.state.update(|s| s.mark_read_by_me(room, last));
        self.send_read(room, last);
    }

    fn send_read(&self, room: Uuid, message_id: Uuid) {
        self.state.update(|s| {
            if let Some(r) = s.rooms.get_mut(&room) {
                r.last_read_message_id = Some(message_id);
                r.unread_count = 0;
                r.mention_count = 0;
            }
        });
        let now = session::now_ms();
        match self
            .read_pacer
            .try_update_value(|p| p.offer(room, message_id, now))
        {
            Some(ReadAction::SendNow) => self.report_read(room, message_id),
            Some(ReadAction::SendAfter(wait_ms)) => {
                let chat = *self;
                spawn_local(async move {
                    crate::timer::sleep(wait_ms.ceil() as u32).await;
                    let now = session::now_ms();
                    if let Some(Some(latest)) =
                        chat.read_pacer.try_update_value(|p| p.due(room, now))
                    {
                        chat.report_read(room, latest);
                    }
                });
            }
            Some(ReadAction::Scheduled) | None => {}
        }
    }

    /// Tells the server (and through it the user's other tabs).
    fn report_read(&self, room: Uuid, message_id: Uuid) {
        if !self.socket.send(ClientFrame::Read {
            room_id: room,
            message_id,
        }) {
            spawn_local(async move {
                let _ = api::mark_read(room, message_id).await;
            });
        }
    }

    /// Shows the message at once and sends it; unacknowledged sends stay in
    /// the outbox and go again after a reconnect, with the same client id.
    pub fn send_message(&self, room: Uuid, body: String, reply_to: Option<Uuid>) {
        let client_id = Uuid::new_v4().to_string();
        let pending = Pending {
            client_id: client_id.clone(),
            room_id: room,
            body: body.clone(),
            reply_to,
            created_at: chrono::Utc::now(),
            failed: None,
        };
        self.state.update(|s| s.timeline(room).add_pending(pending));
        self.last_typing.set_value((None, 0.0));
        self.socket.send(ClientFrame::Send {
            room_id: room,
            body,
            client_id,
            reply_to,
        });
    }

    /// Re-sends outbox entries that have waited too long for their ack.
    fn resend_stale(&self, now_ms: f64) {
        if self.socket.status.get_untracked() != ConnStatus::Online {
            return;
        }
        let (last, _) = self.last_resend.get_value();
        if now_ms - last < RESEND_AFTER_MS {
            return;
        }
        let cutoff = now_ms - RESEND_AFTER_MS;
        let stale: Vec<Pending> = self.state.with_untracked(|s| {
            s.outbox()
                .into_iter()
                .filter(|p| (p.created_at.timestamp_millis() as f64) < cutoff)
                .collect()
        });
        if stale.is_empty() {
            return;
        }
        self.last_resend.set_value((now_ms, stale.len()));
        for p in stale {
            self.socket.send(ClientFrame::Send {
                room_id: p.room_id,
                body: p.body,
                client_id: p.client_id,
                reply_to: p.reply_to,
            });
        }
    }

    pub fn retry(&self, room: Uuid, client_id: String) {
        let p = self.state.try_update(|s| {
            let t = s.timeline(room);
            t.retry_pending(&client_id);
            t.pending()
                .iter()
                .find(|p| p.client_id == client_id)
                .cloned()
        });
        if let Some(Some(p)) = p {
            self.socket.send(ClientFrame::Send {
                room_id: p.room_id,
                body: p.body,
                client_id: p.client_id,
                reply_to: p.reply_to,
            });
        }
    }

    pub fn discard(&self, room: Uuid, client_id: String) {
        self.state
            .update(|s| s.timeline(room).discard_pending(&client_id));
    }

    /// Tells the room the user is typing, at most every few seconds.
    pub fn typing(&self, room: Uuid) {
        let now = session::now_ms();
        let (last_room, at) = self.last_typing.get_value();
        if last_room == Some(room) && now - at < TYPING_EVERY_MS {
            return;
        }
        if self.socket.send(ClientFrame::Typing { room_id: room }) {
            self.last_typing.set_value((Some(room), now));
        }
    }

    pub fn status(&self) -> ConnStatus {
        self.socket.status.get()
    }
}

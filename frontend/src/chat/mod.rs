//! Reactive glue between the socket, the REST client and the pure state in
//! `state.rs`. [`Chat`] is `Copy` and provided by context; every view reads
//! the one `ChatState` signal through it, and every change goes through its
//! methods.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::Message;

use crate::read_pacer::ReadPacer;
use crate::session;
use crate::state::ChatState;
use crate::ws::{ConnStatus, Socket};
use protocol::{RoomId, UserId};

mod events;
mod loading;
mod sending;

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
    pub current_room: RwSignal<Option<RoomId>>,
    /// Unread notifications (the bell).
    pub notif_unread: RwSignal<i64>,
    /// Bumped on friend events, notifications and presence so the pages
    /// showing them fetch again.
    pub social_version: RwSignal<u32>,
    pub notif_version: RwSignal<u32>,
    /// The message being answered or edited in the composer.
    pub reply_to: RwSignal<Option<Message>>,
    pub editing: RwSignal<Option<Message>>,
    /// Bumped to ask the open message list which messages are on screen
    /// (it reports them read): the tab came back, the socket came back.
    pub seen_probe: RwSignal<u32>,
    /// The latest desktop notification to show (see `components::alerts`).
    pub alert: RwSignal<Option<crate::state::Alert>>,
    last_typing: StoredValue<(Option<RoomId>, f64)>,
    /// When the user last typed, and where: said again after a reconnect.
    typed_at: StoredValue<(Option<RoomId>, f64)>,
    last_resend: StoredValue<(f64, usize)>,
    /// One `read` frame per room per second at most (see `read_pacer`).
    read_pacer: StoredValue<ReadPacer>,
    /// Rooms opened, most recent first: whose pages the kept copy holds.
    opened: StoredValue<Vec<RoomId>>,
    /// The kept copy was read (or there was none): keeping may start,
    /// without overwriting it with an empty start.
    restored: StoredValue<bool>,
    /// A keeping is scheduled.
    keep_due: StoredValue<bool>,
}

/// Changes are kept in the browser at most this often.
const KEEP_EVERY_MS: u64 = 500;

/// Whether the tab is visible (a hidden one reads nothing).
pub fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
        .unwrap_or(true)
}

impl Chat {
    /// The composer answers `message` (and stops editing).
    pub fn start_reply(&self, message: Message) {
        self.editing.set(None);
        self.reply_to.set(Some(message));
    }

    /// The composer edits `message` (and stops replying).
    pub fn start_edit(&self, message: Message) {
        self.reply_to.set(None);
        self.editing.set(Some(message));
    }

    /// The composer goes back to writing a new message.
    pub fn clear_composer(&self) {
        self.reply_to.set(None);
        self.editing.set(None);
    }

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
            seen_probe: RwSignal::new(0),
            alert: RwSignal::new(None),
            last_typing: StoredValue::new((None, 0.0)),
            typed_at: StoredValue::new((None, 0.0)),
            last_resend: StoredValue::new((0.0, 0)),
            read_pacer: StoredValue::new(ReadPacer::default()),
            opened: StoredValue::new(Vec::new()),
            restored: StoredValue::new(false),
            keep_due: StoredValue::new(false),
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
        // The connection went down: the user's own presence follows it
        // (`ready` brings it back up), and what was sent into it without
        // an answer goes over REST now rather than at the reconnect.
        Effect::new(move |prev: Option<ConnStatus>| {
            let status = chat.socket.status.get();
            if status != ConnStatus::Online {
                chat.state.maybe_update(|s| {
                    let was = s.online;
                    s.set_online(false);
                    was
                });
            }
            if prev == Some(ConnStatus::Online) && status != ConnStatus::Online {
                chat.send_outbox_over_rest();
            }
            status
        });
        // Every change is kept in the browser (see `state::saved`), and the
        // rooms opened are remembered for it.
        let chat = *self;
        Effect::new(move |_| {
            chat.state.track();
            if let Some(room) = chat.current_room.get() {
                chat.opened.update_value(|o| {
                    o.retain(|r| *r != room);
                    o.insert(0, room);
                });
            }
            chat.keep_soon();
        });
        let chat = *self;
        let s = session::current();
        Effect::new(move |prev: Option<Option<UserId>>| {
            let me = s.tokens.with(|t| t.as_ref().map(|t| t.me.user.id));
            if prev.is_some_and(|p| p != me) {
                // Signed out or another account: forget the old one, here
                // and in the browser's storage.
                chat.state.set(ChatState {
                    me,
                    ..Default::default()
                });
                chat.notif_unread.set(0);
                chat.socket.close();
                chat.restored.set_value(false);
                chat.opened.set_value(Vec::new());
                if let Some(Some(old)) = prev {
                    spawn_local(crate::saved_store::forget(old));
                }
            } else {
                chat.state.update(|st| st.me = me);
            }
            if let Some(user) = me
                && prev.is_none_or(|p| p != me)
            {
                chat.restore_kept(user);
            }
            if me.is_some() {
                chat.refresh_notif_count();
                // The room list comes over REST too, so the app works while
                // the socket cannot connect; `ready` replaces it when it does.
                chat.load_rooms_unless_ready();
            }
            me
        });
    }

    /// Takes in the copy kept in the browser: shown until the network
    /// answers, its outbox sent as soon as the connection allows.
    fn restore_kept(&self, user: UserId) {
        // Signed in, the app's own files are worth keeping too (a visitor
        // who never signs in is spared the worker and its downloads).
        crate::saved_store::keep_the_app();
        let chat = *self;
        spawn_local(async move {
            let saved = crate::saved_store::load(user).await;
            if chat.me() != Some(user) {
                return;
            }
            if let Some(saved) = saved {
                let waiting: Vec<String> =
                    saved.outbox.iter().map(|p| p.client_id.clone()).collect();
                chat.state.update(|s| s.restore(saved));
                // Connected already (`ready` came first): they go now.
                if chat.socket.status.get_untracked() == ConnStatus::Online {
                    let outbox = chat.state.with_untracked(|s| s.outbox());
                    for p in outbox.iter().filter(|p| waiting.contains(&p.client_id)) {
                        chat.socket.send(p.frame());
                    }
                }
            }
            chat.restored.set_value(true);
            chat.keep_soon();
        });
    }

    /// Keeps the chat in the browser shortly (changes coming together are
    /// kept once).
    fn keep_soon(&self) {
        if !self.restored.get_value() || self.keep_due.get_value() {
            return;
        }
        self.keep_due.set_value(true);
        let chat = *self;
        set_timeout(
            move || {
                chat.keep_due.set_value(false);
                let Some(user) = chat.me() else { return };
                let opened = chat.opened.get_value();
                let saved = chat.state.with_untracked(|s| s.saved(&opened));
                spawn_local(async move { crate::saved_store::store(user, &saved).await });
            },
            std::time::Duration::from_millis(KEEP_EVERY_MS),
        );
    }

    /// The kept copy gave way to the network's answer (over REST): the open
    /// room loads afresh.
    pub(super) fn reopen_after_saved(&self) {
        if let Some(room) = self.current_room.get_untracked() {
            self.open_room(room);
        }
    }

    pub fn me(&self) -> Option<UserId> {
        self.state.with_untracked(|s| s.me)
    }

    /// Asks the open message list to report what is on screen.
    pub fn recheck_seen(&self) {
        self.seen_probe.update(|n| *n = n.wrapping_add(1));
    }

    pub fn status(&self) -> ConnStatus {
        self.socket.status.get()
    }
}

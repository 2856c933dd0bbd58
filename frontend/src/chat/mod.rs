//! Reactive glue between the socket, the REST client and the pure state in
//! `state.rs`. [`Chat`] is `Copy` and provided by context; every view reads
//! the one `ChatState` signal through it, and every change goes through its
//! methods.

use leptos::prelude::*;
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
}

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
        let chat = *self;
        let s = session::current();
        Effect::new(move |prev: Option<Option<UserId>>| {
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
                // The room list comes over REST too, so the app works while
                // the socket cannot connect; `ready` replaces it when it does.
                chat.load_rooms_unless_ready();
            }
            me
        });
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

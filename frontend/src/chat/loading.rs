//! Fetching over REST: rooms, pages of history, members, catching up.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Page};
use protocol::{MessageId, RoomId};

use super::*;

impl Chat {
    /// Fetches what is missing after the last message received in order,
    /// page by page, until the room's newest: holes left by a dropped
    /// connection are filled even when newer messages (the user's own,
    /// sent over REST meanwhile) already arrived. A hole means the unread
    /// count missed messages too, so the room list is fetched again after.
    pub fn catch_up(&self, room: RoomId) {
        let windowed = self
            .state
            .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.has_newer));
        if windowed {
            // History around a message is shown: the newest come when the
            // user reads down to them (`load_newer`).
            return;
        }
        let chat = *self;
        spawn_local(async move {
            let had_gap = chat
                .state
                .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.has_gap()));
            loop {
                let from = chat.state.with_untracked(|s| {
                    s.timelines
                        .get(&room)
                        .and_then(|t| t.in_order().map(|m| m.id))
                });
                let page = match from {
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
                if n < api::PAGE || from.is_none() {
                    break;
                }
            }
            if had_gap {
                chat.refresh_rooms();
            }
            if chat.current_room.get_untracked() == Some(room) {
                chat.recheck_seen();
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

    /// The room list at start-up, unless the socket's `ready` brought a
    /// newer one first.
    pub fn load_rooms_unless_ready(&self) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(rooms) = api::my_rooms().await {
                let mut was_kept = false;
                chat.state.update(|s| {
                    if !s.rooms_loaded || s.from_saved {
                        was_kept = s.leave_saved();
                        s.set_rooms(rooms);
                    }
                });
                if was_kept {
                    chat.reopen_after_saved();
                }
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

    /// Opens a room in the main pane: where its unread messages start (or
    /// its newest page), members and read markers (the list marks read
    /// what it shows).
    pub fn open_room(&self, room: RoomId) {
        self.current_room.set(Some(room));
        self.clear_composer();
        let chat = *self;
        let (loaded, loading, kept) = self.state.with_untracked(|s| {
            let (loaded, loading) = s
                .timelines
                .get(&room)
                .map(|t| (t.loaded, t.loading))
                .unwrap_or((false, false));
            (loaded, loading, s.from_saved)
        });
        if loaded {
            // A page from the kept copy is not caught up: the network's
            // first answer replaces it and opens the room again.
            if !kept {
                self.catch_up(room);
            }
            self.load_members(room);
            self.load_pins(room);
            // Who read what moved while the room was closed.
            self.load_read_markers(room);
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
        let unread = self
            .state
            .with_untracked(|s| s.rooms.get(&room).is_some_and(|r| r.unread_count > 0));
        if unread {
            self.load_first_unread(room, move || chat.load_read_markers(room));
        } else {
            self.load_newest(room, move || chat.load_read_markers(room));
        }
        self.load_members(room);
        self.load_pins(room);
    }

    /// Shows the stretch of the room where the user's unread messages
    /// start, in place of what was loaded: a long backlog is read from
    /// there down, never skipped by opening at the newest page.
    pub fn show_first_unread(&self, room: RoomId) {
        self.state.update(|s| {
            let t = s.timeline(room);
            t.loading = true;
            t.loaded = false;
        });
        self.load_first_unread(room, || {});
    }

    /// Fetches the stretch where unread messages start into a timeline
    /// marked loading (not loaded); `done` runs once it is in.
    fn load_first_unread(&self, room: RoomId, done: impl FnOnce() + 'static) {
        let chat = *self;
        spawn_local(async move {
            let page = api::first_unread(room).await;
            chat.state.update(|s| {
                let newest = s.newest_seq(room);
                let t = s.timeline(room);
                t.loading = false;
                match page {
                    // A link to a message showed its stretch of history
                    // meanwhile: that stays.
                    Ok(_) if t.loaded => {}
                    Ok(page) => t.show_window(page, newest),
                    Err(e) => t.error = Some(e.message()),
                }
            });
            done();
        });
    }

    /// Where every member has read up to (receipts, "seen").
    pub fn load_read_markers(&self, room: RoomId) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(markers) = api::read_markers(room).await {
                chat.state.update(|s| {
                    let t = s.timeline(room);
                    for m in markers {
                        t.set_read(m.user_id, m.message_id);
                    }
                });
            }
        });
    }

    /// The room's pinned messages (kept current by the socket afterwards).
    pub fn load_pins(&self, room: RoomId) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(pins) = api::pins(room).await {
                chat.state.update(|s| s.timeline(room).pins = Some(pins));
            }
        });
    }

    pub fn load_members(&self, room: RoomId) {
        let chat = *self;
        spawn_local(async move {
            if let Ok(members) = api::members(room).await {
                chat.state.update(|s| s.set_members(room, members));
            }
        });
    }

    /// Shows `message` in its room: at once if it is loaded, else with the
    /// stretch of history around it in place of what was loaded.
    pub fn show_message(&self, room: RoomId, message: MessageId) {
        let loaded = self.state.with_untracked(|s| {
            s.timelines
                .get(&room)
                .is_some_and(|t| t.get(message).is_some())
        });
        if loaded {
            return;
        }
        let chat = *self;
        spawn_local(async move {
            let page = api::context(message).await;
            chat.state.update(|s| {
                let newest = s.newest_seq(room);
                let t = s.timeline(room);
                match page {
                    Ok(page) => t.show_context(page, newest, message),
                    Err(e) => {
                        t.loading = false;
                        t.error = Some(format!("That message cannot be shown: {}", e.message()));
                    }
                }
            });
        });
    }

    /// Leaves a stretch of history for the newest messages; `done` runs
    /// once they are in. The stretch stays on screen until they are: with
    /// the server out of reach, the reader keeps what they were reading.
    pub fn back_to_live(&self, room: RoomId, done: impl FnOnce() + 'static) {
        self.state.update(|s| s.timeline(room).loading_newer = true);
        let chat = *self;
        spawn_local(async move {
            let page = api::messages(room, Page::Newest).await;
            let arrived = page.is_ok();
            chat.state.update(|s| {
                let t = s.timeline(room);
                t.loading_newer = false;
                match page {
                    Ok(page) => t.show_newest(page, api::PAGE),
                    Err(e) => {
                        t.error = Some(format!(
                            "The newest messages could not be loaded: {}",
                            e.message()
                        ))
                    }
                }
            });
            if arrived {
                // What came live while the page was on its way was not kept
                // (the stretch was still shown): fetch it.
                chat.catch_up(room);
                done();
            }
        });
    }

    /// The room shown was never loaded (the server was out of reach when
    /// it opened): it is loaded now, as opening it would.
    pub(super) fn reload_room(&self, room: RoomId) {
        let (unread, loading) = self.state.with_untracked(|s| {
            (
                s.rooms.get(&room).is_some_and(|r| r.unread_count > 0),
                s.timelines.get(&room).is_some_and(|t| t.loading),
            )
        });
        if loading {
            return;
        }
        self.state.update(|s| {
            let t = s.timeline(room);
            t.loading = true;
            t.error = None;
        });
        let chat = *self;
        if unread {
            self.load_first_unread(room, move || chat.load_read_markers(room));
        } else {
            self.load_newest(room, move || chat.load_read_markers(room));
        }
    }

    /// Fetches the newest page into a timeline marked loading; `done` runs
    /// once it is in.
    fn load_newest(&self, room: RoomId, done: impl FnOnce() + 'static) {
        let chat = *self;
        spawn_local(async move {
            let page = api::messages(room, Page::Newest).await;
            chat.state.update(|s| {
                let t = s.timeline(room);
                t.loading = false;
                match page {
                    // A link to a message showed its stretch of history
                    // meanwhile: that stays.
                    Ok(_) if t.has_newer => {}
                    Ok(page) => {
                        t.has_older = page.len() >= api::PAGE;
                        t.merge(page);
                        t.loaded = true;
                    }
                    Err(e) => t.error = Some(e.message()),
                }
            });
            done();
        });
    }

    /// Loads the page newer than the last message of a stretch of history;
    /// once it reaches the newest, live messages are kept again (and what
    /// came while the last page was on its way is fetched).
    pub fn load_newer(&self, room: RoomId) {
        let last = self.state.with_untracked(|s| {
            s.timelines
                .get(&room)
                .filter(|t| t.has_newer && !t.loading_newer)
                .and_then(|t| t.last().map(|m| m.id))
        });
        let Some(last) = last else { return };
        self.state.update(|s| s.timeline(room).loading_newer = true);
        let chat = *self;
        spawn_local(async move {
            let page = api::messages(room, Page::After(last)).await;
            let mut reached_end = false;
            chat.state.update(|s| {
                let t = s.timeline(room);
                t.loading_newer = false;
                match page {
                    Ok(page) => {
                        reached_end = page.len() < api::PAGE;
                        t.merge(page);
                        t.has_newer = !reached_end;
                    }
                    Err(e) => t.error = Some(e.message()),
                }
            });
            if reached_end {
                chat.catch_up(room);
            }
        });
    }

    /// Loads the page older than the first message we have.
    pub fn load_older(&self, room: RoomId, done: impl FnOnce() + 'static) {
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
}

//! The scrolling list of a room's messages.
//!
//! A room opens at its first unread message, under a "New messages" divider,
//! or at the bottom when everything is read. Messages count as read only
//! once they have been on screen: the list reports the last one the user
//! can see, never the newest one loaded, so reading history does not clear
//! the badge. At the bottom it follows new messages; scrolled up it stays
//! put, and a button jumps down showing how many messages are still unseen.
//! Scrolling to the top loads older history without moving what the user
//! is looking at.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::chat::{Chat, page_visible};
use crate::components::bubble::{Bubble, PendingBubble};
use crate::components::status::Loading;
use crate::components::{Clock, local_offset};
use crate::session::Session;
use crate::state::{self, DividerAt, Edge, Geometry, Jump, Newest, Opening, Reading, Row, Window};
use protocol::{MessageId, RoomId};

/// Room left above the divider when the room opens there.
const DIVIDER_MARGIN_PX: f64 = 48.0;

/// The id of the last message on screen in `list` (see [`state::last_seen`]).
fn last_message_on_screen(list: &web_sys::HtmlElement) -> Option<MessageId> {
    let nodes = list
        .query_selector_all(
            r#"[data-testid="message-bubble"][data-message-id]:not([data-message-id=""])"#,
        )
        .ok()?;
    let bottom = list.get_bounding_client_rect().bottom();
    let element = |i: usize| {
        nodes
            .item(i as u32)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
    };
    let at = state::last_seen(
        nodes.length() as usize,
        |i| {
            element(i).map_or((f64::MAX, 0.0), |e| {
                let r = e.get_bounding_client_rect();
                (r.top(), r.height())
            })
        },
        bottom,
    )?;
    let id = element(at)?.get_attribute("data-message-id")?;
    MessageId::parse(&id).ok()
}

/// Where the divider is, relative to the top of the list's view (negative:
/// scrolled past, above).
fn divider_offset(list: &web_sys::HtmlElement) -> Option<(f64, f64)> {
    let divider = list
        .query_selector(r#"[data-testid="unread-divider"]"#)
        .ok()??;
    let r = divider.get_bounding_client_rect();
    let top = list.get_bounding_client_rect().top();
    Some((r.top() - top, r.bottom() - top))
}

/// The first message showing in `list` and its offset from the list's top:
/// what the reader is looking at, to keep in place while rows come and go
/// above it.
fn anchor(list: &web_sys::HtmlElement) -> Option<(String, f64)> {
    let top = list.get_bounding_client_rect().top();
    let nodes = list
        .query_selector_all(
            r#"[data-testid="message-bubble"][data-message-id]:not([data-message-id=""])"#,
        )
        .ok()?;
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find(|e| e.get_bounding_client_rect().bottom() > top)
        .and_then(|e| {
            Some((
                e.get_attribute("data-message-id")?,
                e.get_bounding_client_rect().top() - top,
            ))
        })
}

/// Scrolls `list` so that the anchored message is back where it was.
fn restore(list: &web_sys::HtmlElement, (id, was): (String, f64)) {
    let Ok(Some(e)) = list.query_selector(&format!(r#"[data-message-id="{id}"]"#)) else {
        return;
    };
    let now = e.get_bounding_client_rect().top() - list.get_bounding_client_rect().top();
    list.set_scroll_top((list.scroll_top() as f64 + now - was).round() as i32);
}

/// Up and Down (Home, End) move the focus between the messages of `list`:
/// from the list itself to the newest (or oldest) one on screen, from a
/// message to its neighbour. A focused message shows its actions, and Tab
/// goes into them. Keys typed in a control inside a message are left alone.
fn move_between_messages(list: &web_sys::HtmlElement, ev: &web_sys::KeyboardEvent) {
    let Some(key) = state::MessageKey::of(&ev.key()) else {
        return;
    };
    if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
        return;
    }
    let target = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let on_list = target
        .as_ref()
        .is_some_and(|t| AsRef::<web_sys::Element>::as_ref(list) == t);
    let on_message = target
        .as_ref()
        .is_some_and(|t| t.get_attribute("data-testid").as_deref() == Some("message-bubble"));
    if !on_list && !on_message {
        return;
    }
    let Ok(nodes) = list.query_selector_all(r#"[data-testid="message-bubble"]"#) else {
        return;
    };
    let bubbles: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into().ok())
        .collect();
    let view = list.get_bounding_client_rect();
    let shown = |b: &web_sys::HtmlElement| {
        let r = b.get_bounding_client_rect();
        r.bottom() > view.top() && r.top() < view.bottom()
    };
    let on_screen = (
        bubbles.iter().position(shown).unwrap_or(0),
        bubbles
            .iter()
            .rposition(shown)
            .unwrap_or(bubbles.len().saturating_sub(1)),
    );
    let at = target.as_ref().filter(|_| on_message).and_then(|t| {
        bubbles
            .iter()
            .position(|b| AsRef::<web_sys::Element>::as_ref(b) == t)
    });
    if let Some(next) = state::focus_step(bubbles.len(), at, on_screen, key) {
        ev.prevent_default();
        let _ = bubbles[next].focus();
    }
}

/// Frames to wait for a linked message's row to be drawn (about a second).
const CENTER_TRIES: u32 = 60;

/// The list's scroll position (see [`state::Geometry`]).
fn geometry(el: &web_sys::HtmlElement) -> Geometry {
    Geometry {
        scroll_top: el.scroll_top() as f64,
        scroll_height: el.scroll_height() as f64,
        client_height: el.client_height() as f64,
    }
}

/// `focus`: a message to show in context, from a link to it.
#[component]
pub fn MessageList(room: RoomId, focus: Signal<Option<MessageId>>) -> impl IntoView {
    provide_context(super::bubble::Highlighted(focus));
    let chat = expect_context::<Chat>();
    let session = expect_context::<Session>();
    let clock = expect_context::<Clock>();
    let list: NodeRef<html::Div> = NodeRef::new();
    let offset = local_offset();
    let me = move || session.me_untracked().map(|m| m.user.id);
    let me_name = move || {
        session
            .me_untracked()
            .map(|m| m.user.display_name)
            .unwrap_or_default()
    };

    // Where the user had read up to when the room opened.
    let (opened_marker, opened_unread) = chat.state.with_untracked(|s| {
        s.rooms
            .get(&room)
            .map(|r| (r.last_read_message_id, r.unread_count))
            .unwrap_or((None, 0))
    });
    // Every decision of the list (see `state::Reading`); the memos below
    // are the parts the page redraws on, so a scroll that changes nothing
    // drawn redraws nothing.
    let reading = RwSignal::new(Reading::default());
    let divider = Memo::new(move |_| reading.with(Reading::divider));
    let window = Memo::new(move |_| reading.with(Reading::window));
    let positioned = Memo::new(move |_| reading.with(Reading::positioned));
    let at_bottom = Memo::new(move |_| reading.with(Reading::at_bottom));
    let divider_above = Memo::new(move |_| reading.with(Reading::divider_above));

    let rows = Memo::new(move |_| {
        let now = clock.0.get();
        let first_unread = divider.get();
        let window = window.get();
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .zip(me())
                .map(|(t, me)| state::rows(t, me, now, offset, first_unread, window))
                .unwrap_or_default()
        })
    });
    let info = Memo::new(move |_| {
        let window = window.get();
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .map(|t| {
                    (
                        t.loaded,
                        t.loading,
                        // Older history to fetch, or loaded but not drawn.
                        t.has_older || t.older_than(window),
                        t.loading_older,
                        t.error.clone(),
                    )
                })
                .unwrap_or((false, true, false, false, None))
        })
    });
    let windowed = Memo::new(move |_| {
        chat.state
            .with(|s| s.timelines.get(&room).is_some_and(|t| t.has_newer))
    });
    let unseen = Memo::new(move |_| {
        chat.state
            .with(|s| s.rooms.get(&room).map_or(0, |r| r.unread_count.max(0)))
    });
    let newest = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines.get(&room).map(|t| {
                let last = t.last();
                Newest {
                    seq: last.map(|m| m.seq).unwrap_or(0),
                    pending: t.pending().len(),
                    mine_last: !t.pending().is_empty()
                        || last.and_then(|m| m.sender.as_ref().map(|s| s.id)) == s.me,
                }
            })
        })
    });

    let element = move || -> Option<web_sys::HtmlElement> { list.get_untracked().map(Into::into) };
    // Reports the last message on screen as read.
    let report_seen = move || {
        if !reading.with_untracked(|r| r.counts_seen(page_visible())) {
            return;
        }
        if let Some(id) = element().as_ref().and_then(last_message_on_screen) {
            chat.read_up_to(room, id);
        }
    };
    let seq_of = move |id: MessageId| {
        chat.state
            .with_untracked(|s| s.timelines.get(&room)?.get(id).map(|m| m.seq))
    };
    let track_position = move || {
        let Some(el) = element() else { return };
        let at = match divider_offset(&el) {
            Some((_, bottom)) => DividerAt::Drawn { bottom },
            None => DividerAt::NotDrawn {
                seq: reading.with_untracked(Reading::divider).and_then(seq_of),
                window_lo: chat.state.with_untracked(|s| {
                    s.timelines
                        .get(&room)
                        .map(|t| t.window_range(reading.with_untracked(Reading::window)).0)
                }),
            },
        };
        let windowed = windowed.get_untracked();
        reading.update(|r| r.track(geometry(&el), windowed, at));
    };
    let set_window = move |to: Window| reading.update(|r| r.set_window(to));
    // Draws the part of the room around message `seq`.
    let show_seq = move |seq: i64| {
        set_window(chat.state.with_untracked(|s| {
            s.timelines
                .get(&room)
                .map_or(Window::Latest, |t| t.window_at(seq))
        }));
    };
    // Moves the window, keeping what the reader sees where it is.
    let move_window = move |to: Window| {
        let held = element().as_ref().and_then(anchor);
        set_window(to);
        request_animation_frame(move || {
            if let (Some(el), Some(held)) = (element(), held) {
                restore(&el, held);
            }
            track_position();
            report_seen();
        });
    };
    let scroll_to_bottom = move || {
        set_window(Window::Latest);
        request_animation_frame(move || {
            if let Some(el) = element() {
                el.set_scroll_top(el.scroll_height());
            }
            track_position();
            report_seen();
        });
    };
    let scroll_to_divider = move || {
        let divider_seq = reading.with_untracked(Reading::divider).and_then(seq_of);
        match reading.try_update(|r| r.jump(divider_seq)) {
            Some(Jump::To(seq)) => show_seq(seq),
            Some(Jump::Fetch(first_unread)) => {
                chat.show_message(room, first_unread);
                return;
            }
            Some(Jump::Nothing) | None => return,
        }
        request_animation_frame(move || {
            if let Some(el) = element()
                && let Some((top, _)) = divider_offset(&el)
            {
                el.set_scroll_top((el.scroll_top() as f64 + top - DIVIDER_MARGIN_PX) as i32);
            }
            track_position();
            report_seen();
        });
    };

    // The opening position: the first unread message under its divider
    // (older pages fetched first if it is not loaded), else the bottom.
    let opening = Memo::new(move |_| {
        let linked = focus.with(Option::is_some);
        if !reading.with(|r| r.needs_opening(linked)) {
            return None;
        }
        chat.state.with(|s| {
            let t = s.timelines.get(&room)?;
            let me = s.me?;
            t.loaded.then(|| {
                (
                    t.first_unread(opened_marker, opened_unread, me),
                    t.loading_older,
                    t.first().map(|m| m.id),
                )
            })
        })
    });
    Effect::new(move |_| {
        let Some((first_unread, loading_older, oldest)) = opening.get() else {
            return;
        };
        match reading.try_update(|r| r.open(first_unread, loading_older, oldest)) {
            Some(Opening::FetchFirstUnread) => chat.show_first_unread(room),
            Some(Opening::Divider(_)) => scroll_to_divider(),
            Some(Opening::Bottom) => scroll_to_bottom(),
            Some(Opening::Wait) | None => {}
        }
    });

    // Brings a message into the middle of the view once it is drawn: the
    // rows may come a frame or two after the message is loaded (a busy
    // machine), and a scroll made before then would be lost.
    fn center_when_drawn_in(
        element: impl Fn() -> Option<web_sys::Element> + Copy + 'static,
        done: impl Fn() + Copy + 'static,
        message: MessageId,
        tries: u32,
    ) {
        request_animation_frame(move || {
            let target = element().and_then(|el| {
                el.query_selector(&format!(r#"[data-message-id="{message}"]"#))
                    .ok()
                    .flatten()
                    .map(|target| (el, target))
            });
            match target {
                Some((el, target)) => {
                    let view = el.get_bounding_client_rect();
                    let at = target.get_bounding_client_rect();
                    let middle = at.top() - view.top() - (view.height() - at.height()) / 2.0;
                    el.set_scroll_top((el.scroll_top() as f64 + middle) as i32);
                    done();
                }
                None if tries > 0 => center_when_drawn_in(element, done, message, tries - 1),
                None => done(),
            }
        });
    }
    let center_when_drawn = move |message: MessageId, tries: u32| {
        let element = move || element().map(|el| el.unchecked_into::<web_sys::Element>());
        let done = move || {
            track_position();
            report_seen();
        };
        center_when_drawn_in(element, done, message, tries);
    };

    // A link to a message: fetch its stretch of history unless it is
    // loaded, then bring it into the middle of the view.
    Effect::new(move |_| {
        if let Some(message) = focus.get() {
            chat.show_message(room, message);
        }
    });
    let focus_loaded = Memo::new(move |_| {
        let message = focus.get()?;
        chat.state
            .with(|s| s.timelines.get(&room)?.get(message).map(|m| m.id))
    });
    Effect::new(move |_| {
        let Some(message) = focus_loaded.get() else {
            return;
        };
        reading.update(Reading::linked);
        if let Some(seq) = seq_of(message) {
            show_seq(seq);
        }
        center_when_drawn(message, CENTER_TRIES);
    });

    // New messages: follow them from the bottom (or after sending one).
    Effect::new(move |before: Option<Option<Newest>>| {
        let now = newest.get();
        positioned.track();
        if reading.with_untracked(|r| r.follows(before.flatten(), now)) {
            scroll_to_bottom();
        }
        now
    });
    // The first unread message, fetched for "Jump to first unread": go.
    Effect::new(move |_| {
        rows.track();
        let loaded = reading
            .with_untracked(Reading::divider)
            .and_then(seq_of)
            .is_some();
        if reading
            .try_update(|r| r.take_pending_jump(loaded))
            .unwrap_or(false)
        {
            scroll_to_divider();
        }
    });
    // Whatever changed on screen (a catch-up, an edit that grew a message,
    // the tab or socket coming back) may have shown more of the room.
    Effect::new(move |_| {
        rows.track();
        chat.seen_probe.track();
        request_animation_frame(move || {
            if reading.with_untracked(Reading::keeps_to_bottom)
                && let Some(el) = element()
            {
                el.set_scroll_top(el.scroll_height());
            }
            track_position();
            report_seen();
        });
    });

    // A group nobody has written in yet: an invitation to bring people.
    let empty_group = Memo::new(move |_| {
        chat.state.with(|s| {
            let group = s
                .rooms
                .get(&room)
                .is_some_and(|r| r.room.kind == protocol::RoomKind::Group);
            group
                && s.timelines
                    .get(&room)
                    .is_some_and(|t| t.loaded && t.first().is_none() && t.pending().is_empty())
        })
    });
    let timeline_window = move |f: fn(&state::Timeline, Window) -> Option<Window>| {
        let current = reading.with_untracked(Reading::window);
        chat.state
            .with_untracked(|s| s.timelines.get(&room).and_then(|t| f(t, current)))
    };
    // Near the top: draw older messages, fetching them when none are left.
    let read_up = move || {
        if let Some(to) = timeline_window(state::Timeline::window_up) {
            move_window(to);
            return;
        }
        let held = element().as_ref().and_then(anchor);
        chat.load_older(room, move || {
            if let Some(to) = timeline_window(state::Timeline::window_up) {
                set_window(to);
            }
            request_animation_frame(move || {
                if let (Some(el), Some(held)) = (element(), held) {
                    restore(&el, held);
                }
            });
        });
    };
    // Near the bottom: draw newer messages, or fetch them after a stretch
    // of history.
    let read_down = move || {
        if let Some(to) = timeline_window(state::Timeline::window_down) {
            move_window(to);
        } else if windowed.get_untracked() {
            chat.load_newer(room);
        }
    };

    let on_scroll = move |_| {
        track_position();
        report_seen();
        let Some(el) = element() else { return };
        let Some(scrolled) = reading.try_update(|r| r.scrolled(geometry(&el))) else {
            return;
        };
        if scrolled.freeze {
            // What the reader reads stays drawn while new messages arrive.
            set_window(chat.state.with_untracked(|s| {
                s.timelines
                    .get(&room)
                    .map_or(Window::Latest, |t| t.freeze(Window::Latest))
            }));
        }
        match scrolled.edge {
            Edge::Top => read_up(),
            Edge::Bottom => read_down(),
            Edge::Neither => {}
        }
    };
    let jump_to_bottom = move || {
        if windowed.get_untracked() {
            chat.back_to_live(room, scroll_to_bottom);
        } else {
            scroll_to_bottom();
        }
    };
    let mark_all_read = move |_| {
        chat.mark_read(room);
        reading.update(Reading::mark_all_read);
    };

    view! {
        <div class="message-area">
            <Show when=move || divider_above.get()>
                <div class="jump-to-unread-bar" role="status">
                    <span data-testid="unread-bar-count">{move || state::unread_bar(unseen.get())}</span>
                    <button type="button" class="link-button" data-testid="jump-to-unread" on:click=move |_| scroll_to_divider()>
                        {move || state::unread_bar_action(unseen.get())}
                    </button>
                    <Show when=move || { unseen.get() > 0 }>
                        <button type="button" class="link-button" data-testid="mark-room-read" on:click=mark_all_read>
                            "Mark as read"
                        </button>
                    </Show>
                </div>
            </Show>
            <div
                class="message-list"
                data-testid="message-list"
                node_ref=list
                on:scroll=on_scroll
                on:keydown=move |ev| {
                    if let Some(el) = element() {
                        move_between_messages(&el, &ev);
                    }
                }
                tabindex="0"
                role="log"
                aria-label="Messages"
                aria-live="polite"
            >
                {move || {
                    let (loaded, loading, has_older, loading_older, error) = info.get();
                    view! {
                        {(has_older || loading_older)
                            .then(|| {
                                view! {
                                    <div class="load-older" data-testid="load-older">
                                        <button
                                            type="button"
                                            class="link-button"
                                            disabled=loading_older
                                            on:click=move |_| read_up()
                                        >
                                            {if loading_older { "Loading older messages…" } else { "Load older messages" }}
                                        </button>
                                    </div>
                                }
                            })}
                        {(loading && !loaded).then(|| view! { <Loading label="Loading messages…" /> })}
                        {error.map(|e| view! { <p class="status-error" role="alert">{e}</p> })}
                        {(loaded && !has_older && !loading_older)
                            .then(|| view! { <p class="history-start muted" data-testid="history-start">"This is the start of the conversation."</p> })}
                        <Show when=move || empty_group.get()>
                            <EmptyRoomInvite room=room />
                        </Show>
                    }
                }}
                <ol class="messages">
                    <For
                        each=move || rows.get()
                        key=|row: &Row| row.key()
                        children=move |row: Row| match row {
                            Row::Day { label } => {
                                view! {
                                    <li class="day-separator">
                                        <span>{label}</span>
                                    </li>
                                }
                                    .into_any()
                            }
                            Row::Unread => {
                                view! {
                                    <li class="unread-divider" data-testid="unread-divider">
                                        <span>"New messages"</span>
                                    </li>
                                }
                                    .into_any()
                            }
                            Row::Message { message, starts_group, mine, status, parent, readers } => {
                                view! {
                                    <Bubble
                                        message=message
                                        starts_group=starts_group
                                        mine=mine
                                        status=status
                                        parent=parent
                                        readers=readers
                                    />
                                }
                                    .into_any()
                            }
                            Row::Pending { pending, starts_group, status } => {
                                view! {
                                    <PendingBubble
                                        pending=pending
                                        starts_group=starts_group
                                        status=status
                                        me_name=me_name()
                                    />
                                }
                                    .into_any()
                            }
                        }
                    />
                </ol>
                <Show when=move || windowed.get()>
                    <div class="load-older" data-testid="load-newer">
                        <button type="button" class="link-button" on:click=move |_| read_down()>
                            "Load newer messages"
                        </button>
                    </div>
                </Show>
            </div>
            <Show when=move || !at_bottom.get() || windowed.get()>
                <button
                    type="button"
                    class="jump-to-bottom"
                    data-testid="jump-to-bottom"
                    aria-label=move || state::jump_label(unseen.get())
                    on:click=move |_| jump_to_bottom()
                >
                    {move || match state::new_pill(unseen.get()) {
                        None => view! { <span aria-hidden="true">"↓"</span> }.into_any(),
                        Some(pill) => view! { <span class="new-pill" data-testid="new-messages-pill">{pill}</span> }.into_any(),
                    }}
                </button>
            </Show>
        </div>
    }
}

/// What an empty group shows: nobody has written yet, so say hello, or
/// bring people with a link to the room.
#[component]
fn EmptyRoomInvite(room: RoomId) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let link = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}/rooms/{room}"))
        .unwrap_or_default();
    let link_for_copy = link.clone();
    let copy = move |_| {
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        let written = clipboard.write_text(&link_for_copy);
        leptos::task::spawn_local(async move {
            let said = match wasm_bindgen_futures::JsFuture::from(written).await {
                Ok(_) => "Link copied.",
                Err(_) => "This browser would not copy it: copy the link above.",
            };
            copied.try_set(Some(said));
        });
    };
    view! {
        <div class="empty-room" data-testid="empty-room-invite">
            <p><strong>"Nobody has written here yet."</strong>" Say hello below, or invite people with this link:"</p>
            <p class="empty-room-link">
                <code data-testid="room-link">{link}</code>
                " "
                <button type="button" class="button small secondary" data-testid="copy-room-link" on:click=copy>
                    "Copy link"
                </button>
            </p>
            <p class="status-ok" role="status" data-testid="room-link-copied">{move || copied.get()}</p>
        </div>
    }
}

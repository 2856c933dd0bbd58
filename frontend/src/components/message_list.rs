//! The scrolling list of a room's messages. It follows new messages while the
//! user is at the bottom; scrolled up, it stays put and shows a "new
//! messages" pill. Scrolling to the top loads older history without moving
//! what the user is looking at.

use leptos::html;
use leptos::prelude::*;

use crate::chat::Chat;
use crate::components::bubble::{Bubble, PendingBubble};
use crate::components::status::Loading;
use crate::components::{Clock, local_offset};
use crate::session::Session;
use crate::state::{self, Row, ScrollAction};
use protocol::RoomId;

/// Start loading older history this close to the top.
const LOAD_OLDER_PX: i32 = 60;

#[component]
pub fn MessageList(room: RoomId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let session = expect_context::<Session>();
    let clock = expect_context::<Clock>();
    let list: NodeRef<html::Div> = NodeRef::new();
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    let offset = local_offset();
    let me = move || session.me_untracked().map(|m| m.user.id);
    let me_name = move || {
        session
            .me_untracked()
            .map(|m| m.user.display_name)
            .unwrap_or_default()
    };

    let rows = Memo::new(move |_| {
        let now = clock.0.get();
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .zip(me())
                .map(|(t, me)| state::rows(t, me, now, offset))
                .unwrap_or_default()
        })
    });
    let info = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .map(|t| {
                    (
                        t.loaded,
                        t.loading,
                        t.has_older,
                        t.loading_older,
                        t.error.clone(),
                    )
                })
                .unwrap_or((false, true, false, false, None))
        })
    });
    // The newest item: (last seq, pending count, whether the newest is mine).
    let newest = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines.get(&room).map(|t| {
                let last = t.last();
                let mine_last = !t.pending().is_empty()
                    || last.and_then(|m| m.sender.as_ref().map(|s| s.id)) == s.me;
                (
                    last.map(|m| m.seq).unwrap_or(0),
                    t.pending().len(),
                    mine_last,
                )
            })
        })
    });

    let scroll_to_bottom = move || {
        request_animation_frame(move || {
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
            at_bottom.set(true);
            unseen.set(0);
        });
    };

    // New messages: follow them or count them for the pill.
    Effect::new(move |prev: Option<Option<(i64, usize, bool)>>| {
        let now = newest.get();
        if let (Some(Some((prev_seq, prev_pending, _))), Some((seq, pending, mine))) = (prev, now) {
            let grew = seq > prev_seq || pending > prev_pending;
            if grew {
                match state::on_new_messages(
                    at_bottom.get_untracked(),
                    mine && pending > prev_pending,
                ) {
                    ScrollAction::StickToBottom => scroll_to_bottom(),
                    ScrollAction::ShowPill => unseen.update(|n| *n += 1),
                }
            }
        } else if now.is_some() {
            scroll_to_bottom();
        }
        now
    });
    // First page loaded: start at the bottom.
    Effect::new(move |was_loaded: Option<bool>| {
        let loaded = info.with(|i| i.0);
        if loaded && was_loaded != Some(true) {
            scroll_to_bottom();
        }
        loaded
    });

    let load_older = move || {
        let Some(el) = list.get_untracked() else {
            return;
        };
        let old_top = el.scroll_top() as f64;
        let old_height = el.scroll_height() as f64;
        chat.load_older(room, move || {
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked() {
                    let top = state::keep_position_after_prepend(
                        old_top,
                        old_height,
                        el.scroll_height() as f64,
                    );
                    el.set_scroll_top(top as i32);
                }
            });
        });
    };

    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else {
            return;
        };
        let bottom = state::at_bottom(
            el.scroll_top() as f64,
            el.scroll_height() as f64,
            el.client_height() as f64,
        );
        at_bottom.set(bottom);
        if bottom {
            unseen.set(0);
            chat.mark_read(room);
        }
        if el.scroll_top() < LOAD_OLDER_PX {
            load_older();
        }
    };

    view! {
        <div class="message-area">
            <div
                class="message-list"
                data-testid="message-list"
                node_ref=list
                on:scroll=on_scroll
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
                                            on:click=move |_| load_older()
                                        >
                                            {if loading_older { "Loading older messages…" } else { "Load older messages" }}
                                        </button>
                                    </div>
                                }
                            })}
                        {(loading && !loaded).then(|| view! { <Loading label="Loading messages…" /> })}
                        {error.map(|e| view! { <p class="status-error" role="alert">{e}</p> })}
                        {(loaded && !has_older && !loading_older)
                            .then(|| view! { <p class="history-start muted">"This is the start of the conversation."</p> })}
                    }
                }}
                <ol class="messages">
                    <For
                        each=move || rows.get()
                        key=|row: &Row| row.key()
                        children=move |row: Row| match row {
                            Row::Day { label } => {
                                view! {
                                    <li class="day-separator" role="separator">
                                        <span>{label}</span>
                                    </li>
                                }
                                    .into_any()
                            }
                            Row::Message { message, starts_group, mine, status, parent } => {
                                view! {
                                    <Bubble
                                        message=message
                                        starts_group=starts_group
                                        mine=mine
                                        status=status
                                        parent=parent
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
            </div>
            <Show when=move || { unseen.get() > 0 }>
                <button type="button" class="new-pill" data-testid="new-messages-pill" on:click=move |_| scroll_to_bottom()>
                    {move || match unseen.get() {
                        1 => "1 new message ↓".to_owned(),
                        n => format!("{n} new messages ↓"),
                    }}
                </button>
            </Show>
        </div>
    }
}

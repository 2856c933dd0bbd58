//! The main pane for one room: title, messages, typing, composer, members.

use leptos::prelude::*;
use protocol::RoomKind;

use crate::chat::Chat;
use crate::components::composer::{Composer, DroppedFiles, files_of};
use crate::components::member_list::MemberList;
use crate::components::message_list::MessageList;
use crate::components::moderation::{ManagePanel, RoomPowers};
use crate::components::pins::{PinnedPanel, pin_count};
use crate::components::rich_text::RichText;
use crate::components::status::Loading;
use crate::components::thread::{RoomPanels, ThreadPanel};
use crate::state::Panels;
use protocol::{MessageId, RoomId};

/// `focus`: a message to show in context (a link to it).
#[component]
pub fn RoomView(room: RoomId, #[prop(into)] focus: Signal<Option<MessageId>>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let summary = Memo::new(move |_| {
        chat.state
            .with(|s| s.rooms.get(&room).map(|r| r.room.clone()))
    });
    let exists = Memo::new(move |_| summary.with(Option::is_some));
    let is_direct = Memo::new(move |_| {
        summary.with(|r| r.as_ref().is_some_and(|r| r.kind == RoomKind::Direct))
    });
    let rooms_loaded = Memo::new(move |_| chat.state.with(|s| s.rooms_loaded));
    // The member list and the one side panel (see `state::Panels`).
    let panels = RwSignal::new(Panels::default());
    provide_context(RoomPanels(panels));
    // Files dropped anywhere on the room go to its composer.
    let dropped = DroppedFiles(RwSignal::new_local(Vec::new()));
    provide_context(dropped);
    let dragging = RwSignal::new(false);
    let drawer = use_context::<super::sidebar::RoomsDrawer>();
    let pinned = pin_count(chat, room);
    let powers = RoomPowers::of(chat, room);
    provide_context(powers);
    let can_manage = powers.moderate;
    // Escape closes the open drawer, else the open panel (unless something
    // in it, the composer cancelling an edit say, took the key already).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" || ev.default_prevented() {
            return;
        }
        if let Some(d) = drawer.filter(|d| d.0.get_untracked()) {
            d.0.set(false);
        } else {
            let can_manage = can_manage.get_untracked();
            panels.update(|p| {
                p.escape(can_manage);
            });
        }
    });
    on_cleanup(move || escape.remove());
    let side_open = move || {
        let can_manage = can_manage.get();
        panels.with(|p| p.side_open(can_manage))
    };
    let show_members = Memo::new(move |_| panels.with(Panels::members));
    let thread = Memo::new(move |_| panels.with(Panels::thread));
    let pins_open = Memo::new(move |_| panels.with(Panels::pins));
    let manage = Memo::new(move |_| {
        let can_manage = can_manage.get();
        panels.with(|p| p.manage(can_manage))
    });
    let typing = Memo::new(move |_| chat.state.with(|s| s.typing_text(room)));
    // What the room is, for a link to one the user is not in.
    let preview = LocalResource::new(move || {
        let member = exists.get();
        async move {
            if member {
                None
            } else {
                crate::api::room(room).await.ok()
            }
        }
    });
    let joining = RwSignal::new(false);
    let join_error = RwSignal::new(None::<String>);
    let join = move |_| {
        joining.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::join_room(room).await {
                Ok(_) => {
                    if let Ok(rooms) = crate::api::my_rooms().await {
                        chat.state.update(|s| {
                            s.set_rooms(rooms);
                            s.timelines.remove(&room);
                        });
                    }
                    chat.open_room(room);
                }
                Err(e) => join_error.set(Some(e.message())),
            }
            joining.set(false);
        });
    };

    view! {
        {move || {
            if !rooms_loaded.get() {
                return view! { <Loading label="Loading…" /> }.into_any();
            }
            match exists.get() {
                false => {
                    view! {
                        <div class="room-missing page">
                            // A public group one is not in says what it is (a
                            // private one, or none, cannot be told apart).
                            {move || match preview.get().flatten() {
                                Some(r) => view! {
                                    <div data-testid="room-preview">
                                        <h1 data-testid="room-title" dir="auto">{r.name.clone()}</h1>
                                        <p class="muted" dir="auto">{r.topic.clone()}</p>
                                        <p>
                                            {match r.member_count {
                                                1 => "1 member".to_owned(),
                                                n => format!("{n} members"),
                                            }}
                                            " · you are not in this group yet."
                                        </p>
                                    </div>
                                }
                                    .into_any(),
                                _ => view! {
                                    <h1 data-testid="room-title">"Not a member"</h1>
                                    <p>"You are not in this room, or it does not exist."</p>
                                }
                                    .into_any(),
                            }}
                            <button type="button" class="button room-join" data-testid="room-join"
                                on:click=join disabled=move || joining.get()>
                                "Join room"
                            </button>
                            {move || join_error.get().map(|e| view! { <p class="status-error" role="alert">{e}</p> })}
                            // What is being said there, under the way in.
                            {move || preview.get().flatten().map(|_| view! { <PreviewMessages room=room /> })}
                            <p><a href="/explore">"Explore public rooms"</a></p>
                        </div>
                    }
                        .into_any()
                }
                true => {
                    let field = move |f: fn(&protocol::Room) -> String| {
                        move || summary.with(|r| r.as_ref().map(f).unwrap_or_default())
                    };
                    view! {
                        <div
                            class="room"
                            class:with-members=move || show_members.get()
                            class:with-side=side_open
                            class:direct=move || is_direct.get()
                        >
                            <div
                                class="room-main"
                                class:dragging=move || dragging.get()
                                data-testid="room-drop-zone"
                                on:dragover=move |ev| {
                                    // Saying "a copy goes here" is what lets
                                    // the browser drop onto the page.
                                    if ev.data_transfer().is_some_and(|t| t.types().includes(&"Files".into(), 0)) {
                                        ev.prevent_default();
                                        dragging.set(true);
                                    }
                                }
                                on:dragleave=move |_| dragging.set(false)
                                on:drop=move |ev| {
                                    dragging.set(false);
                                    let files = files_of(ev.data_transfer());
                                    if !files.is_empty() {
                                        ev.prevent_default();
                                        dropped.0.set(files);
                                    }
                                }
                            >
                                <header class="room-header">
                                    <button
                                        type="button"
                                        class="back-link"
                                        data-testid="rooms-drawer-open"
                                        aria-label="Conversations"
                                        aria-expanded=move || drawer.is_some_and(|d| d.0.get()).to_string()
                                        on:click=move |_| {
                                            if let Some(d) = drawer {
                                                d.0.update(|o| *o = !*o);
                                            }
                                        }
                                    >
                                        "‹ Chats"
                                    </button>
                                    <div class="room-heading">
                                        <h1 data-testid="room-title" class="room-title">{field(|r| r.name.clone())}</h1>
                                        <p class="room-topic muted">{field(|r| r.topic.clone())}</p>
                                    </div>
                                    <span class="muted member-count">
                                        {field(|r| {
                                            if r.kind == RoomKind::Direct {
                                                "direct conversation".to_owned()
                                            } else {
                                                match r.member_count {
                                                    1 => "1 member".to_owned(),
                                                    n => format!("{n} members"),
                                                }
                                            }
                                        })}
                                    </span>
                                    <button
                                        type="button"
                                        class="button small members-toggle"
                                        aria-pressed=move || show_members.get().to_string()
                                        on:click=move |_| panels.update(Panels::toggle_members)
                                    >
                                        "Members"
                                    </button>
                                    <button
                                        type="button"
                                        class="button small secondary"
                                        data-testid="pins-open"
                                        aria-pressed=move || pins_open.get().to_string()
                                        on:click=move |_| panels.update(Panels::toggle_pins)
                                    >
                                        {move || format!("Pinned ({})", pinned.get())}
                                    </button>
                                    <Show when=move || can_manage.get()>
                                        <button
                                            type="button"
                                            class="button small secondary"
                                            data-testid="room-manage-open"
                                            aria-pressed=move || manage.get().to_string()
                                            on:click=move |_| panels.update(Panels::toggle_manage)
                                        >
                                            "Manage"
                                        </button>
                                    </Show>
                                </header>
                                <MessageList room=room focus=focus />
                                <div class="typing-indicator" data-testid="typing-indicator" aria-live="polite">
                                    {move || typing.get().unwrap_or_default()}
                                </div>
                                <Composer room=room />
                            </div>
                            <MemberList room=room />
                            {move || thread.get().map(|root| view! { <ThreadPanel room=room root=root /> })}
                            {move || {
                                pins_open
                                    .get()
                                    .then(|| {
                                        view! {
                                            <PinnedPanel room=room on_close=Callback::new(move |_| panels.update(Panels::close_side)) />
                                        }
                                    })
                            }}
                            {move || {
                                manage
                                    .get()
                                    .then(|| {
                                        view! {
                                            <ManagePanel room=room on_close=Callback::new(move |_| panels.update(Panels::close_side)) />
                                        }
                                    })
                            }}
                        </div>
                    }
                        .into_any()
                }
            }
        }}
    }
}

/// A public room's newest messages, read-only, for a look before joining.
#[component]
fn PreviewMessages(room: RoomId) -> impl IntoView {
    let messages = LocalResource::new(move || crate::api::preview(room));
    let offset = crate::components::local_offset();
    move || {
        messages.get().and_then(Result::ok).map(|list| {
            if list.is_empty() {
                return view! { <p class="muted">"Nobody has written here yet."</p> }.into_any();
            }
            view! {
                <h3 class="preview-head">"Recent messages"</h3>
                <ol class="preview-messages plain-list" data-testid="preview-messages">
                    {list
                        .into_iter()
                        .map(|m| {
                            let sender = m
                                .sender
                                .as_ref()
                                .map_or_else(|| "Deleted user".to_owned(), |s| s.display_name.clone());
                            view! {
                                <li class="preview-message" data-testid="preview-message">
                                    <span class="preview-meta">
                                        <strong dir="auto">{sender}</strong>
                                        " "
                                        <time class="muted" datetime=m.created_at.to_rfc3339()>
                                            {crate::state::full_time(m.created_at, offset)}
                                        </time>
                                    </span>
                                    <div class="message-body" dir="auto">
                                        {if m.deleted {
                                            view! { <em>"message deleted"</em> }.into_any()
                                        } else {
                                            view! { <RichText text=m.body.clone() /> }.into_any()
                                        }}
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
                .into_any()
        })
    }
}

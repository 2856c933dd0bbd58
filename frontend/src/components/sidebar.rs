//! The sidebar: the user's groups and direct conversations, most recent
//! activity first, each with its unread badge.

use leptos::prelude::*;
use protocol::{RoomKind, RoomSummary};

use crate::chat::Chat;
use crate::components::controls::UnreadBadge;
use crate::components::create_room::CreateRoom;
use crate::components::status::Loading;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Groups,
    Direct,
}

/// Whether the room list shows as a drawer (phones, with a room open).
#[derive(Clone, Copy)]
pub struct RoomsDrawer(pub RwSignal<bool>);

#[component]
pub fn Sidebar() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let filter = RwSignal::new(Filter::All);
    // Groups and direct conversations apart, each most recent first.
    let of_kind = move |kind: RoomKind| {
        Memo::new(move |_| {
            let shown = match filter.get() {
                Filter::All => true,
                Filter::Groups => kind == RoomKind::Group,
                Filter::Direct => kind == RoomKind::Direct,
            };
            if !shown {
                return Vec::new();
            }
            chat.state.with(|s| {
                s.sorted_rooms()
                    .into_iter()
                    .filter(|r| r.room.kind == kind)
                    .collect::<Vec<RoomSummary>>()
            })
        })
    };
    let groups = of_kind(RoomKind::Group);
    let direct = of_kind(RoomKind::Direct);
    let loaded = Memo::new(move |_| chat.state.with(|s| s.rooms_loaded));
    let tab = move |f: Filter, label: &'static str| {
        view! {
            <button
                type="button"
                class="tab"
                class:active=move || filter.get() == f
                aria-pressed=move || (filter.get() == f).to_string()
                on:click=move |_| filter.set(f)
            >
                {label}
            </button>
        }
    };
    view! {
        <aside class="sidebar" aria-label="Conversations">
            <div class="sidebar-head">
                <h2>"Conversations"</h2>
                <CreateRoom />
            </div>
            <div class="tabs" role="group" aria-label="Show">
                {tab(Filter::All, "All")}
                {tab(Filter::Groups, "Groups")}
                {tab(Filter::Direct, "Direct")}
            </div>
            <Show when=move || loaded.get() fallback=|| view! { <Loading label="Loading conversations…" /> }>
                <ul class="room-list" data-testid="room-list">
                    <Show when=move || !groups.with(Vec::is_empty)>
                        <li class="room-section" data-testid="room-section-groups"><h3>"Groups"</h3></li>
                    </Show>
                    <For
                        each=move || groups.get()
                        key=|r| (r.room.id, r.room.name.clone(), r.unread_count, r.mention_count)
                        children=move |r| view! { <RoomItem room=r /> }
                    />
                    <Show when=move || !direct.with(Vec::is_empty)>
                        <li class="room-section" data-testid="room-section-direct"><h3>"Direct messages"</h3></li>
                    </Show>
                    <For
                        each=move || direct.get()
                        key=|r| (r.room.id, r.room.name.clone(), r.unread_count, r.mention_count)
                        children=move |r| view! { <RoomItem room=r /> }
                    />
                </ul>
                <Show when=move || groups.with(Vec::is_empty) && direct.with(Vec::is_empty)>
                    <p class="hint">
                        "No conversations yet. " <a href="/explore">"Explore public rooms"</a>
                        " or start one."
                    </p>
                </Show>
            </Show>
        </aside>
    }
}

#[component]
fn RoomItem(room: RoomSummary) -> impl IntoView {
    let chat = expect_context::<Chat>();
    // Choosing a room (even the open one) closes the drawer on a phone.
    let drawer = use_context::<RoomsDrawer>();
    let id = room.room.id;
    let unread = room.unread_count;
    let mentions = room.mention_count;
    // The kind marker is drawn by CSS so the item's text is just the name
    // (and the badge).
    let kind = room.room.kind.as_str();
    view! {
        <li>
            <a
                href=format!("/rooms/{id}")
                class="room-item"
                class:active=move || chat.current_room.get() == Some(id)
                class:has-unread={unread > 0}
                data-testid="room-item"
                data-room-id=id.to_string()
                on:click=move |_| {
                    if let Some(d) = drawer {
                        d.0.set(false);
                    }
                }
                aria-current=move || (chat.current_room.get() == Some(id)).then_some("page")
            >
                <span class="room-icon" data-kind=kind aria-hidden="true"></span>
                <span class="room-name" dir="auto">{room.room.name.clone()}</span>
                {(mentions > 0)
                    .then(|| {
                        view! {
                            <span
                                class="badge mention-badge"
                                data-testid="mention-badge"
                                title=format!("{mentions} unread mentions")
                                aria-label=format!("{mentions} unread mentions")
                            >
                                "@"
                            </span>
                        }
                    })}
                <UnreadBadge count=unread testid="unread-badge" />
            </a>
        </li>
    }
}

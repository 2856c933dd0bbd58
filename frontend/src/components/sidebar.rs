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

#[component]
pub fn Sidebar() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let filter = RwSignal::new(Filter::All);
    let rooms = Memo::new(move |_| {
        let f = filter.get();
        chat.state.with(|s| {
            s.sorted_rooms()
                .into_iter()
                .filter(|r| match f {
                    Filter::All => true,
                    Filter::Groups => r.room.kind == RoomKind::Group,
                    Filter::Direct => r.room.kind == RoomKind::Direct,
                })
                .collect::<Vec<RoomSummary>>()
        })
    });
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
                <h2>"My Groups"</h2>
                <CreateRoom />
            </div>
            <div class="tabs" role="group" aria-label="Show">
                {tab(Filter::All, "All")}
                {tab(Filter::Groups, "Groups")}
                {tab(Filter::Direct, "Direct")}
            </div>
            <Show when=move || loaded.get() fallback=|| view! { <Loading label="Loading conversations…" /> }>
                <ul class="room-list" data-testid="room-list">
                    <For
                        each=move || rooms.get()
                        key=|r| (r.room.id, r.room.name.clone(), r.unread_count, r.mention_count)
                        children=move |r| view! { <RoomItem room=r /> }
                    />
                </ul>
                <Show when=move || rooms.with(Vec::is_empty)>
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
    let drawer = use_context::<crate::pages::chat::RoomsDrawer>();
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
                <span class="room-name">{room.room.name.clone()}</span>
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

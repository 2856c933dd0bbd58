//! Explore: public rooms with search, member counts, join and leave; create
//! a room.

use std::collections::HashMap;

use leptos::prelude::*;
use protocol::Room;

use crate::api;
use crate::chat::Chat;
use crate::components::create_room::CreateRoom;
use crate::components::status::{ErrorNote, FetchedList};
use protocol::RoomId;

#[component]
pub fn ExplorePage() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let query = RwSignal::new(String::new());
    // The search that is actually run (debounced).
    let search = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let debounce = StoredValue::new(None::<TimeoutHandle>);
    let rooms = LocalResource::new(move || {
        let q = search.get();
        version.track();
        async move { api::public_rooms(q.trim()).await }
    });
    let action_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<RoomId>);
    // Joins and leaves made on this page, by room: shown at once and kept,
    // whatever the list says. The list is refetched after each of them, but
    // a refetch started earlier (a debounced search) may still be on its
    // way with the room as it was.
    let changed = RwSignal::new(HashMap::<RoomId, Membership>::new());

    let on_input = move |ev| {
        query.set(event_target_value(&ev));
        if let Some(h) = debounce.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || search.set(query.get_untracked()),
            std::time::Duration::from_millis(250),
        )
        .ok();
        debounce.set_value(h);
    };

    let act = move |room: RoomId, was: Membership| {
        busy.set(Some(room));
        action_error.set(None);
        leptos::task::spawn_local(async move {
            let result = if was.joined {
                api::leave_room(room).await.map(|()| Membership {
                    joined: false,
                    member_count: (was.member_count - 1).max(0),
                })
            } else {
                api::join_room(room).await.map(|r| Membership {
                    joined: r.joined,
                    member_count: r.member_count,
                })
            };
            busy.set(None);
            match result {
                Ok(now) => {
                    changed.update(|c| {
                        c.insert(room, now);
                    });
                    version.update(|v| *v += 1);
                    if let Ok(list) = api::my_rooms().await {
                        chat.state.update(|s| s.set_rooms(list));
                    }
                }
                Err(e) => action_error.set(Some(e.message())),
            }
        });
    };

    view! {
        <section class="page explore-page">
            <div class="page-head">
                <h1>"Explore public rooms"</h1>
                <CreateRoom />
            </div>
            <form class="search" role="search" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                search.set(query.get_untracked());
            }>
                <input
                    type="search"
                    data-testid="explore-search"
                    placeholder="Search rooms…"
                    aria-label="Search rooms"
                    prop:value=move || query.get()
                    on:input=on_input
                />
            </form>
            <ErrorNote message=action_error />
            <FetchedList items=rooms loading="Loading rooms…" empty="No public rooms match." class="explore-list"
                row=move |room: Room| {
                    let id = room.id;
                    let listed = Membership {
                        joined: room.joined,
                        member_count: room.member_count,
                    };
                    let now = move || {
                        changed.with(|c| c.get(&id).copied()).unwrap_or(listed)
                    };
                    view! {
                        <li class="card explore-room" data-testid="explore-room" data-room-id=id.to_string()>
                            <div class="explore-info">
                                <a class="explore-name" href=format!("/rooms/{id}")>{room.name.clone()}</a>
                                <p class="muted">{room.topic.clone()}</p>
                                <span class="muted member-count" data-testid="member-count">
                                    {move || match now().member_count {
                                        1 => "1 member".to_owned(),
                                        n => format!("{n} members"),
                                    }}
                                </span>
                            </div>
                            // Joined: the way in comes first.
                            {move || now().joined.then(|| view! {
                                <a class="button" data-testid="explore-open" href=format!("/rooms/{id}")>"Open room"</a>
                            })}
                            {move || {
                                let state = now();
                                let (label, class, testid) = if state.joined {
                                    ("Leave", "button secondary", "leave-button")
                                } else {
                                    ("Join", "button", "join-button")
                                };
                                view! {
                                    <button
                                        type="button"
                                        class=class
                                        data-testid=testid
                                        disabled=move || busy.get() == Some(id)
                                        on:click=move |_| act(id, state)
                                    >
                                        {label}
                                    </button>
                                }
                            }}
                        </li>
                    }
                } />
            <p class="muted">
                <a href="/">"Back to chats"</a>
            </p>
        </section>
    }
}

/// Whether the viewer is in a room, and how many are.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Membership {
    joined: bool,
    member_count: i64,
}

//! Message search: `/search?q=…&room=…`, across the rooms the user is in or
//! within one. Each result names its room, sender and time and opens the room.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::{Message, RoomKind};

use crate::api;
use crate::chat::Chat;
use crate::components::form::BareInput;
use crate::components::local_offset;
use crate::components::status::Loading;
use crate::state::full_time;
use protocol::RoomId;

#[component]
pub fn SearchPage() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|p| p.get("q")).unwrap_or_default());
    let room = Memo::new(move |_| {
        query
            .with(|p| p.get("room"))
            .and_then(|r| RoomId::parse(&r).ok())
    });
    let text = RwSignal::new(q.get_untracked());
    let room_choice = RwSignal::new(
        room.get_untracked()
            .map(|r| r.to_string())
            .unwrap_or_default(),
    );
    Effect::new(move |_| {
        text.set(q.get());
        room_choice.set(room.get().map(|r| r.to_string()).unwrap_or_default());
    });
    let results = LocalResource::new(move || {
        let q = q.get();
        let room = room.get();
        async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                api::search_messages(q.trim(), room).await.map(Some)
            }
        }
    });
    let rooms = Memo::new(move |_| {
        chat.state.with(|s| {
            let mut list: Vec<(RoomId, String)> = s
                .sorted_rooms()
                .into_iter()
                .map(|r| (r.room.id, r.room.name))
                .collect();
            list.sort_by_key(|a| a.1.to_lowercase());
            list
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let room = RoomId::parse(&room_choice.get_untracked()).ok();
        navigate(
            &crate::paths::search_path(&text.get_untracked(), room),
            Default::default(),
        );
    };
    let room_name = move |id: RoomId| {
        chat.state.with_untracked(|s| {
            s.rooms.get(&id).map(|r| {
                if r.room.kind == RoomKind::Direct {
                    format!("@{}", r.room.name)
                } else {
                    format!("#{}", r.room.name)
                }
            })
        })
    };
    let offset = local_offset();
    let result = move |m: Message| {
        let sender = m
            .sender
            .as_ref()
            .map(|s| s.display_name.clone())
            .unwrap_or_else(|| "Deleted user".into());
        let where_ = room_name(m.room_id).unwrap_or_else(|| "a room".into());
        view! {
            <li>
                <a
                    class="search-result card"
                    data-testid="search-result"
                    data-message-id=m.id.to_string()
                    data-room-id=m.room_id.to_string()
                    href=crate::components::bubble::permalink(m.room_id, m.id)
                >
                    <span class="search-meta">
                        <strong class="search-room">{where_}</strong>
                        " · "
                        <span class="search-sender">{sender}</span>
                        " · "
                        <time class="muted" datetime=m.created_at.to_rfc3339()>{full_time(m.created_at, offset)}</time>
                    </span>
                    <span class="search-body">
                        {crate::state::highlighted(&m.body, &q.get_untracked())
                            .into_iter()
                            .map(|(piece, hit)| {
                                if hit {
                                    view! { <mark class="search-hit" data-testid="search-hit">{piece}</mark> }.into_any()
                                } else {
                                    piece.into_any()
                                }
                            })
                            .collect_view()}
                    </span>
                </a>
            </li>
        }
    };
    view! {
        <section class="page search-page">
            <h1>"Search messages"</h1>
            <form class="row" role="search" novalidate=true on:submit=submit>
                <BareInput kind="search" class="grow" testid="search-page-input"
                    label="Words to find" value=text />
                <select
                    data-testid="search-room"
                    aria-label="Room"
                    prop:value=move || room_choice.get()
                    on:change=move |ev| room_choice.set(event_target_value(&ev))
                >
                    <option value="">"All my rooms"</option>
                    <For
                        each=move || rooms.get()
                        key=|r| r.clone()
                        children=move |(id, name)| {
                            let v = id.to_string();
                            view! {
                                <option value=v.clone() selected=move || room_choice.get() == v>{name}</option>
                            }
                        }
                    />
                </select>
                <button type="submit" class="button" data-testid="search-submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <Loading label="Searching…" /> }>
                {move || {
                    results
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(None) => view! { <p class="hint">"Type some words and press Enter."</p> }.into_any(),
                            Ok(Some(list)) if list.is_empty() => {
                                view! { <p class="hint" data-testid="search-empty">"No messages found."</p> }.into_any()
                            }
                            Ok(Some(list)) => {
                                view! {
                                    <ul class="search-results plain-list">
                                        {list.into_iter().map(result).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

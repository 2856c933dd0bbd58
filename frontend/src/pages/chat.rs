//! The main chat view: the sidebar and, once chosen, a room.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::room_view::RoomView;
use crate::components::sidebar::{RoomsDrawer, Sidebar};
use protocol::{MessageId, RoomId};

#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let room = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| RoomId::parse(&id).ok())
    });
    // `/rooms/{id}/messages/{message}`: that message, shown in context.
    let focus = Memo::new(move |_| {
        params
            .with(|p| p.get("message"))
            .and_then(|id| MessageId::parse(&id).ok())
    });
    // On a phone the room list is a drawer over the open room.
    let drawer = RoomsDrawer(RwSignal::new(false));
    provide_context(drawer);
    Effect::new(move |_| {
        room.track();
        drawer.0.set(false);
    });
    view! {
        <div
            class="chat-layout"
            class:room-open=move || room.get().is_some()
            class:drawer-open=move || drawer.0.get()
        >
            <Sidebar />
            <Show when=move || drawer.0.get()>
                <div class="drawer-backdrop" data-testid="rooms-drawer-backdrop" on:click=move |_| drawer.0.set(false)></div>
            </Show>
            <section class="room-pane" aria-label="Conversation">
                {move || match room.get() {
                    Some(id) => view! { <RoomView room=id focus=focus /> }.into_any(),
                    None => {
                        view! {
                            <div class="empty-pane">
                                <h2>"Welcome to ThemeChat"</h2>
                                <p class="muted">
                                    "Pick a conversation on the left, or "
                                    <a href="/explore">"explore public rooms"</a> "."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </section>
        </div>
    }
}

//! Pinned messages: who may pin, the Pin/Unpin action on a message, and the
//! panel that lists a room's pins.

use leptos::prelude::*;
use protocol::{MessageId, Pin, RoomId};

use crate::api;
use crate::chat::Chat;
use crate::components::controls::{LinkButton, PanelHead};
use crate::components::moderation::RoomPowers;

/// Pins or unpins; the socket's event updates every list, this one too.
fn set_pinned(room: RoomId, message: MessageId, pin: bool, error: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        match api::set_pinned(room, message, pin).await {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.message())),
        }
    });
}

/// "Pin" or "Unpin" among a message's actions, for those who may.
#[component]
pub fn PinAction(room: RoomId, message: MessageId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let allowed = expect_context::<RoomPowers>().pin;
    let pinned = Memo::new(move |_| {
        chat.state
            .with(|s| s.timelines.get(&room).is_some_and(|t| t.is_pinned(message)))
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <Show when=move || allowed.get()>
            {move || {
                let pin = !pinned.get();
                view! {
                    <LinkButton label=if pin { "Pin" } else { "Unpin" } testid="pin-button"
                        on_click=move || set_pinned(room, message, pin, error) />
                }
            }}
        </Show>
        {move || error.get().map(|e| view! { <span class="status-error" role="alert">{e}</span> })}
    }
}

/// How many pins the room has, for the header's button.
pub fn pin_count(chat: Chat, room: RoomId) -> Memo<usize> {
    Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .and_then(|t| t.pins.as_ref())
                .map_or(0, Vec::len)
        })
    })
}

/// The room's pinned messages, newest first.
#[component]
pub fn PinnedPanel(room: RoomId, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let allowed = expect_context::<RoomPowers>().pin;
    let error = RwSignal::new(None::<String>);
    let pins = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .and_then(|t| t.pins.clone())
                .unwrap_or_default()
        })
    });
    let item = move |pin: Pin| {
        let id = pin.message.id;
        let sender = pin
            .message
            .sender
            .as_ref()
            .map_or_else(|| "Deleted user".to_owned(), |s| s.display_name.clone());
        view! {
            <li class="pinned-item" data-testid="pinned-item" data-message-id=id.to_string()>
                <strong>{sender}</strong>
                " "
                <span class="pinned-body">{pin.message.body.clone()}</span>
                <Show when=move || allowed.get()>
                    <LinkButton label="Unpin" testid="unpin-button"
                        on_click=move || set_pinned(room, id, false, error) />
                </Show>
            </li>
        }
    };
    view! {
        <aside class="side-panel pins-panel" data-testid="pinned-panel" aria-label="Pinned messages">
            <PanelHead title="Pinned messages" close_label="Close pinned messages" on_close=on_close />
            {move || error.get().map(|e| view! { <p class="status-error" role="alert">{e}</p> })}
            {move || {
                let list = pins.get();
                if list.is_empty() {
                    view! { <p class="muted" data-testid="pinned-empty">"Nothing is pinned."</p> }.into_any()
                } else {
                    view! {
                        <ul class="pinned-list" data-testid="pinned-list">
                            {list.into_iter().map(item).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </aside>
    }
}

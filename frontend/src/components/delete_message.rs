//! Deleting a message: the author, or a moderator of the room. It asks
//! first, and says so when the server refuses.

use leptos::prelude::*;
use protocol::MessageId;

use crate::api;
use crate::chat::Chat;
use crate::components::controls::LinkButton;
use crate::components::moderation::RoomPowers;

#[component]
pub fn DeleteAction(message: MessageId, mine: bool) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let moderate = expect_context::<RoomPowers>().moderate;
    let allowed = Memo::new(move |_| mine || moderate.get());
    let asking = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let delete = move || {
        asking.set(false);
        leptos::task::spawn_local(async move {
            match api::delete_message(message).await {
                Ok(()) => {
                    error.set(None);
                    chat.state.update(|s| {
                        for t in s.timelines.values_mut() {
                            t.mark_deleted(message);
                        }
                    });
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let ask = move || {
        view! { <LinkButton label="Delete" testid="delete-button" on_click=move || asking.set(true) /> }
    };
    view! {
        <Show when=move || allowed.get()>
            <Show when=move || asking.get() fallback=ask>
                <span class="confirm-delete" role="group" aria-label="Delete this message?">
                    "Delete this message? "
                    <LinkButton label="Delete" testid="delete-confirm" tone="danger"
                        aria_label="Yes, delete it" on_click=delete />
                    <LinkButton label="Keep" testid="delete-cancel" on_click=move || asking.set(false) />
                </span>
            </Show>
        </Show>
        {move || {
            error
                .get()
                .map(|e| view! { <span class="status-error" role="alert" data-testid="delete-error">{e}</span> })
        }}
    }
}

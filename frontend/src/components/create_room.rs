//! Creating a room: a small form opened by a button.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::validate::RoomName;
use protocol::{CreateRoomRequest, Visibility};

use crate::api;
use crate::chat::Chat;
use crate::components::form::{ROOM_VISIBILITIES, SelectField, SubmitButton, TextField};
use crate::components::status::FormError;

#[component]
pub fn CreateRoom() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let topic = RwSignal::new(String::new());
    let visibility = RwSignal::new("public".to_owned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let room_name = match RoomName::parse(&name.get_untracked()) {
            Ok(n) => n.into_inner(),
            Err(e) => {
                error.set(Some(e.0));
                return;
            }
        };
        let topic_text = match protocol::validate::topic(&topic.get_untracked()) {
            Ok(t) => t,
            Err(e) => {
                error.set(Some(e.0));
                return;
            }
        };
        let vis = Visibility::parse(&visibility.get_untracked()).unwrap_or(Visibility::Public);
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let req = CreateRoomRequest {
                name: room_name,
                topic: (!topic_text.is_empty()).then_some(topic_text),
                visibility: Some(vis),
            };
            let result = api::create_room(&req).await;
            busy.set(false);
            match result {
                Ok(room) => {
                    open.set(false);
                    name.set(String::new());
                    topic.set(String::new());
                    if let Ok(rooms) = api::my_rooms().await {
                        chat.state.update(|s| s.set_rooms(rooms));
                    }
                    navigate(&format!("/rooms/{}", room.id), Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <div class="create-room">
            <button
                type="button"
                class="button small"
                data-testid="create-room-open"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "+ New room"
            </button>
            <Show when=move || open.get()>
                <form class="card form create-room-form" novalidate=true on:submit=submit.clone()>
                    <TextField label="Room name" value=name testid="create-room-name"
                        maxlength=protocol::limits::ROOM_NAME_MAX />
                    <TextField label="Topic (optional)" value=topic />
                    <SelectField label="Visibility" value=visibility testid="create-room-visibility"
                        options=ROOM_VISIBILITIES />
                    <FormError message=error />
                    <div class="row">
                        <SubmitButton busy=busy testid="create-room-submit" label="Create"
                            busy_label="Creating…" />
                        <button type="button" class="link-button" on:click=move |_| open.set(false)>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </div>
    }
}

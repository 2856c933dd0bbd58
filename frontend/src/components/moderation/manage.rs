//! The "Manage" panel of owners and moderators, and deleting a room.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::{Role, RoomKind, Visibility};

use crate::api;
use crate::chat::Chat;
use crate::components::controls::PanelHead;
use crate::components::export::ExportButton;
use crate::components::status::ErrorNote;
use protocol::RoomId;

use super::audit::AuditLog;
use super::invites::InviteForm;
use super::settings::RoomSettings;
use super::*;

/// The "Manage" panel: settings, invites (private rooms), audit log, delete.
#[component]
pub fn ManagePanel(room: RoomId, on_close: Callback<()>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let role = my_role(chat, room);
    let private = Memo::new(move |_| {
        chat.state.with(|s| {
            s.rooms.get(&room).is_some_and(|r| {
                r.room.visibility == Visibility::Private && r.room.kind == RoomKind::Group
            })
        })
    });
    view! {
        <aside class="side-panel manage-panel" data-testid="room-manage" aria-label="Manage room">
            <PanelHead title="Manage room" close_label="Close manage panel" on_close=on_close />
            <RoomSettings room=room />
            <Show when=move || private.get()>
                <InviteForm room=room />
            </Show>
            <AuditLog room=room />
            <Show when=move || role.get() == Some(Role::Owner)>
                <h3>"History"</h3>
                <ExportButton path=format!("/rooms/{room}/export") file_name=format!("themechat-room-{room}.json")
                    label="Export the history" testid="room-export" />
                <DeleteRoom room=room />
            </Show>
        </aside>
    }
}

#[component]
pub(super) fn DeleteRoom(room: RoomId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let delete = move |_| {
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::delete_room(room).await {
                Ok(()) => {
                    chat.state.update(|s| s.remove_room(room));
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="side-section danger-zone" aria-label="Delete room">
            <h4>"Delete room"</h4>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button type="button" class="button small danger" data-testid="room-delete" on:click=move |_| confirming.set(true)>
                            "Delete room…"
                        </button>
                    }
                }
            >
                <p>"This deletes the room and its history for everyone. It cannot be undone."</p>
                <div class="row">
                    <button
                        type="button"
                        class="button small danger"
                        data-testid="room-delete-confirm"
                        disabled=move || busy.get()
                        on:click=delete.clone()
                    >
                        "Delete for everyone"
                    </button>
                    <button type="button" class="button small secondary" on:click=move |_| confirming.set(false)>
                        "Cancel"
                    </button>
                </div>
            </Show>
            <ErrorNote message=error />
        </section>
    }
}

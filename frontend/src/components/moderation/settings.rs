//! A room's name, topic and visibility.

use leptos::prelude::*;
use protocol::validate::{self, RoomName};
use protocol::{UpdateRoomRequest, Visibility};

use crate::api;
use crate::chat::Chat;
use crate::components::form::{ROOM_VISIBILITIES, Saved, SelectField, Submission, TextField};
use crate::components::status::ErrorNote;
use protocol::RoomId;

#[component]
pub(super) fn RoomSettings(room: RoomId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let current = chat
        .state
        .with_untracked(|s| s.rooms.get(&room).map(|r| r.room.clone()));
    let name = RwSignal::new(current.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let topic = RwSignal::new(
        current
            .as_ref()
            .map(|r| r.topic.clone())
            .unwrap_or_default(),
    );
    let visibility = RwSignal::new(
        current
            .as_ref()
            .map(|r| r.visibility.as_str())
            .unwrap_or("public")
            .to_owned(),
    );
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let check = || -> Result<UpdateRoomRequest, validate::Invalid> {
            Ok(UpdateRoomRequest {
                name: Some(RoomName::parse(&name.get_untracked())?.into_inner()),
                topic: Some(validate::topic(&topic.get_untracked())?),
                visibility: Visibility::parse(&visibility.get_untracked()),
            })
        };
        form.send(
            check(),
            move |req| async move { api::update_room(room, &req).await },
            move |updated| {
                chat.state.update(|s| {
                    if let Some(r) = s.rooms.get_mut(&room) {
                        let role = r.room.my_role;
                        r.room = updated;
                        r.room.my_role = r.room.my_role.or(role);
                    }
                });
            },
        );
    };
    view! {
        <form class="stack side-section" novalidate=true on:submit=submit aria-label="Room settings">
            <h4>"Settings"</h4>
            <TextField label="Name" value=name testid="room-settings-name" />
            <TextField label="Topic" value=topic testid="room-settings-topic" />
            <SelectField label="Visibility" value=visibility testid="room-settings-visibility"
                options=ROOM_VISIBILITIES />
            <ErrorNote message=error />
            <Saved form=form text="Saved." />
            <button type="submit" class="button small" data-testid="room-settings-save" disabled=move || busy.get()>
                "Save"
            </button>
        </form>
    }
}

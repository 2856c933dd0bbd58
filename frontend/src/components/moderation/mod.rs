//! Room moderation: per-member actions (role, kick, ban), and the "Manage"
//! panel of owners and moderators (settings, invites, audit log, deletion).
//! Controls the user may not use are not drawn; the server has the last word
//! and its refusals are shown.

mod audit;
mod invites;
mod manage;
mod settings;

pub use manage::ManagePanel;

use leptos::prelude::*;
use protocol::validate::{self};
use protocol::{Role, User};

use crate::api;
use crate::chat::Chat;
use crate::components::controls::LinkButton;
use crate::components::form::BareInput;
use crate::components::status::ErrorNote;
use protocol::RoomId;

pub use crate::state::can_act_on;
/// What I may do in the open room, worked out once for all its messages
/// (each message's actions read it from the context).
#[derive(Clone, Copy)]
pub struct RoomPowers {
    /// The owner or a moderator of a group.
    pub moderate: Memo<bool>,
    /// Pin and unpin: a moderator of a group, or either person of a direct
    /// conversation.
    pub pin: Memo<bool>,
}

impl RoomPowers {
    pub fn of(chat: Chat, room: RoomId) -> Self {
        let role = my_role(chat, room);
        let direct = Memo::new(move |_| {
            chat.state.with(|s| {
                s.rooms
                    .get(&room)
                    .is_some_and(|r| r.room.kind == protocol::RoomKind::Direct)
            })
        });
        let moderate =
            Memo::new(move |_| !direct.get() && role.get().is_some_and(Role::can_moderate));
        let pin = Memo::new(move |_| direct.get() || moderate.get());
        Self { moderate, pin }
    }
}

/// The caller's role in a room: from the member list when loaded (it follows
/// role changes), else from the room summary.
pub fn my_role(chat: Chat, room: RoomId) -> Memo<Option<Role>> {
    Memo::new(move |_| {
        let me = chat.me();
        chat.state.with(|s| {
            let from_members = s
                .timelines
                .get(&room)
                .and_then(|t| t.members.as_ref())
                .and_then(|list| list.iter().find(|m| Some(m.user.id) == me))
                .map(|m| m.role);
            from_members.or_else(|| s.rooms.get(&room).and_then(|r| r.room.my_role))
        })
    })
}

/// Role select, kick and ban for one member, as far as `mine` allows.
#[component]
pub fn MemberActions(room: RoomId, user: User, role: Role, mine: Role) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let uid = user.id;
    let name = user.display_name.clone();
    // Some(false): confirming a kick, Some(true): a ban.
    let confirm = RwSignal::new(None::<bool>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let change_role = move |ev: leptos::ev::Event| {
        let Some(new_role) = Role::parse(&event_target_value(&ev)) else {
            return;
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = api::set_role(room, uid, new_role).await {
                error.set(Some(e.message()));
            }
            chat.load_members(room);
            busy.set(false);
        });
    };
    let remove = move || {
        let ban = confirm.get_untracked().unwrap_or(false);
        let reason = match validate::reason(&reason.get_untracked()) {
            Ok(r) => (!r.is_empty()).then_some(r),
            Err(e) => return error.set(Some(e.0)),
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::remove_member(room, uid, ban, reason).await {
                Ok(()) => {
                    confirm.set(None);
                    chat.load_members(room);
                    chat.refresh_rooms();
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let label_name = name.clone();
    // The actions wait behind one button per member (a menu), rather than
    // three controls under every name.
    let open = RwSignal::new(false);
    let menu_label = format!("Actions for {name}");
    view! {
        <button
            type="button"
            class="member-menu"
            data-testid="member-menu"
            aria-haspopup="true"
            aria-expanded=move || open.get().to_string()
            aria-label=menu_label.clone()
            title=menu_label
            on:click=move |_| {
                open.update(|o| *o = !*o);
                if !open.get_untracked() {
                    confirm.set(None);
                }
            }
        >
            "⋯"
        </button>
        <div
            class="member-actions"
            class:open=move || open.get()
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    open.set(false);
                    confirm.set(None);
                }
            }
        >
            {(mine == Role::Owner)
                .then(|| {
                    view! {
                        <select
                            data-testid="role-select"
                            aria-label=format!("Role of {label_name}")
                            disabled=move || busy.get()
                            on:change=change_role
                        >
                            <option value="member" selected=role == Role::Member>"member"</option>
                            <option value="moderator" selected=role == Role::Moderator>"moderator"</option>
                        </select>
                    }
                })}
            <LinkButton label="Kick" testid="kick-button" aria_label=format!("Kick {name}")
                on_click=move || confirm.set(Some(false)) />
            <LinkButton label="Ban" testid="ban-button" tone="danger" aria_label=format!("Ban {name}")
                on_click=move || confirm.set(Some(true)) />
        </div>
        {move || {
            confirm
                .get()
                .map(|ban| {
                    view! {
                        <form
                            class="confirm-row"
                            novalidate=true
                            on:submit=move |ev| {
                                ev.prevent_default();
                                remove();
                            }
                        >
                            <BareInput testid="moderation-reason" label="Reason (optional)"
                                value=reason />
                            <button
                                type="submit"
                                class="button small danger"
                                data-testid="moderation-confirm"
                                disabled=move || busy.get()
                            >
                                {if ban { "Ban" } else { "Kick" }}
                            </button>
                            <button type="button" class="button small secondary" on:click=move |_| confirm.set(None)>
                                "Cancel"
                            </button>
                        </form>
                    }
                })
        }}
        <ErrorNote message=error />
    }
}

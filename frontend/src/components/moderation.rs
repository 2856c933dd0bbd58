//! Room moderation: per-member actions (role, kick, ban), and the "Manage"
//! panel of owners and moderators (settings, invites, audit log, deletion).
//! Controls the user may not use are not drawn; the server has the last word
//! and its refusals are shown.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::validate::{self, RoomName};
use protocol::{AuditAction, AuditEntry, Role, RoomKind, UpdateRoomRequest, User, Visibility};
use uuid::Uuid;

use crate::api;
use crate::chat::Chat;
use crate::components::form::{ROOM_VISIBILITIES, SelectField, TextField};
use crate::components::local_offset;
use crate::components::status::{ErrorNote, Loading};
use crate::state::full_time;

pub use crate::state::can_act_on;

/// The caller's role in a room: from the member list when loaded (it follows
/// role changes), else from the room summary.
pub fn my_role(chat: Chat, room: Uuid) -> Memo<Option<Role>> {
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
pub fn MemberActions(room: Uuid, user: User, role: Role, mine: Role) -> impl IntoView {
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
    view! {
        <div class="member-actions">
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
            <button
                type="button"
                class="link-button"
                data-testid="kick-button"
                aria-label=format!("Kick {name}")
                on:click=move |_| confirm.set(Some(false))
            >
                "Kick"
            </button>
            <button
                type="button"
                class="link-button danger"
                data-testid="ban-button"
                aria-label=format!("Ban {name}")
                on:click=move |_| confirm.set(Some(true))
            >
                "Ban"
            </button>
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
                            <input
                                type="text"
                                data-testid="moderation-reason"
                                placeholder="Reason (optional)"
                                aria-label="Reason (optional)"
                                prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            />
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

/// The "Manage" panel: settings, invites (private rooms), audit log, delete.
#[component]
pub fn ManagePanel(room: Uuid, on_close: Callback<()>) -> impl IntoView {
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
            <div class="side-head">
                <h3>"Manage room"</h3>
                <button
                    type="button"
                    class="link-button close-button"
                    aria-label="Close manage panel"
                    on:click=move |_| on_close.run(())
                >
                    "✕"
                </button>
            </div>
            <RoomSettings room=room />
            <Show when=move || private.get()>
                <InviteForm room=room />
            </Show>
            <AuditLog room=room />
            <Show when=move || role.get() == Some(Role::Owner)>
                <DeleteRoom room=room />
            </Show>
        </aside>
    }
}

#[component]
fn RoomSettings(room: Uuid) -> impl IntoView {
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
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let check = || -> Result<UpdateRoomRequest, validate::Invalid> {
            Ok(UpdateRoomRequest {
                name: Some(RoomName::parse(&name.get_untracked())?.into_inner()),
                topic: Some(validate::topic(&topic.get_untracked())?),
                visibility: Visibility::parse(&visibility.get_untracked()),
            })
        };
        let req = match check() {
            Ok(r) => r,
            Err(e) => return error.set(Some(e.0)),
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::update_room(room, &req).await {
                Ok(updated) => {
                    chat.state.update(|s| {
                        if let Some(r) = s.rooms.get_mut(&room) {
                            let role = r.room.my_role;
                            r.room = updated;
                            r.room.my_role = r.room.my_role.or(role);
                        }
                    });
                    saved.set(true);
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="stack side-section" novalidate=true on:submit=submit aria-label="Room settings">
            <h4>"Settings"</h4>
            <TextField label="Name" value=name testid="room-settings-name" />
            <TextField label="Topic" value=topic testid="room-settings-topic" />
            <SelectField label="Visibility" value=visibility testid="room-settings-visibility"
                options=ROOM_VISIBILITIES />
            <ErrorNote message=error />
            {move || saved.get().then(|| view! { <p class="status-ok" role="status">"Saved."</p> })}
            <button type="submit" class="button small" data-testid="room-settings-save" disabled=move || busy.get()>
                "Save"
            </button>
        </form>
    }
}

#[component]
fn InviteForm(room: Uuid) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Vec<User>>);
    let error = RwSignal::new(None::<String>);
    let info = RwSignal::new(None::<String>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        error.set(None);
        info.set(None);
        leptos::task::spawn_local(async move {
            match api::search_users(&q).await {
                Ok(list) => {
                    let members: Vec<Uuid> = chat.state.with_untracked(|s| {
                        s.timelines
                            .get(&room)
                            .and_then(|t| t.members.as_ref())
                            .map(|m| m.iter().map(|m| m.user.id).collect())
                            .unwrap_or_default()
                    });
                    results.set(Some(
                        list.into_iter()
                            .filter(|u| !members.contains(&u.id))
                            .collect(),
                    ));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let invite = move |user: User| {
        error.set(None);
        info.set(None);
        leptos::task::spawn_local(async move {
            match api::invite(room, user.id).await {
                Ok(()) => {
                    info.set(Some(format!("Invited {}.", user.display_name)));
                    results.update(|r| {
                        if let Some(list) = r {
                            list.retain(|u| u.id != user.id);
                        }
                    });
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="side-section" aria-label="Invite">
            <h4>"Invite"</h4>
            <form class="row" role="search" novalidate=true on:submit=search>
                <input
                    type="search"
                    data-testid="invite-search"
                    placeholder="Username"
                    aria-label="Find a user to invite"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <button type="submit" class="button small" data-testid="invite-search-submit">"Find"</button>
            </form>
            {move || info.get().map(|m| view! { <p class="status-ok" role="status">{m}</p> })}
            <ErrorNote message=error />
            {move || {
                results
                    .get()
                    .map(|list| {
                        if list.is_empty() {
                            return view! { <p class="hint">"No one to invite by that name."</p> }.into_any();
                        }
                        view! {
                            <ul class="plain-list">
                                {list
                                    .into_iter()
                                    .map(|u| {
                                        let label = format!("{} (@{})", u.display_name, u.username);
                                        let aria = format!("Invite {}", u.display_name);
                                        view! {
                                            <li class="invite-result" data-testid="invite-result">
                                                <span>{label}</span>
                                                <button
                                                    type="button"
                                                    class="button small"
                                                    data-testid="invite-button"
                                                    aria-label=aria
                                                    on:click=move |_| invite(u.clone())
                                                >
                                                    "Invite"
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    })
            }}
        </section>
    }
}

/// Words for an audit entry's action.
pub fn action_text(a: AuditAction) -> &'static str {
    match a {
        AuditAction::Kick => "kicked",
        AuditAction::Ban => "banned",
        AuditAction::Unban => "lifted the ban of",
        AuditAction::RoleChange => "changed the role of",
        AuditAction::MessageDelete => "deleted a message",
        AuditAction::RoomUpdate => "edited the room",
    }
}

#[component]
fn AuditLog(room: Uuid) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let log = LocalResource::new(move || {
        version.track();
        api::audit_log(room)
    });
    let error = RwSignal::new(None::<String>);
    let offset = local_offset();
    let unban = move |user: Uuid| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::unban(room, user).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let entry = move |e: AuditEntry| {
        let actor = e
            .actor
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| "Deleted user".into());
        let text = format!("{actor} {}", action_text(e.action));
        let target = e
            .target_user_id
            .map(|t| view! { " " <UserName room=room user=t /> });
        let can_unban = e.action == AuditAction::Ban;
        view! {
            <li class="audit-entry" data-testid="audit-entry" data-action=e.action.as_str()>
                <span>{text} {target}</span>
                {e.detail.clone().filter(|d| !d.is_empty()).map(|d| view! { <span class="muted">{format!(" — {d}")}</span> })}
                <time class="muted audit-time" datetime=e.created_at.to_rfc3339()>{full_time(e.created_at, offset)}</time>
                {e.target_user_id
                    .filter(|_| can_unban)
                    .map(|t| {
                        view! {
                            <button type="button" class="link-button" data-testid="unban-button" on:click=move |_| unban(t)>
                                "Lift ban"
                            </button>
                        }
                    })}
            </li>
        }
    };
    view! {
        <section class="side-section" data-testid="audit-log" aria-label="Audit log">
            <div class="side-head">
                <h4>"Audit log"</h4>
                <button type="button" class="link-button" on:click=move |_| version.update(|v| *v += 1)>"Refresh"</button>
            </div>
            <ErrorNote message=error />
            <Suspense fallback=|| view! { <Loading label="Loading audit log…" /> }>
                {move || {
                    log.get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="hint">"Nothing logged yet."</p> }.into_any(),
                            Ok(list) => {
                                view! { <ul class="plain-list audit-list">{list.into_iter().map(entry).collect_view()}</ul> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn DeleteRoom(room: Uuid) -> impl IntoView {
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

/// A user's display name: from the room's members, else fetched; a deleted
/// or hidden account reads "a former member".
#[component]
fn UserName(room: Uuid, user: Uuid) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let known = chat.state.with_untracked(|s| {
        s.timelines
            .get(&room)
            .and_then(|t| t.members.as_ref())
            .and_then(|m| m.iter().find(|m| m.user.id == user))
            .map(|m| m.user.display_name.clone())
    });
    let name = RwSignal::new(known.clone());
    if known.is_none() {
        leptos::task::spawn_local(async move {
            let fetched = api::user(user).await.map(|u| u.display_name);
            name.set(Some(fetched.unwrap_or_else(|_| "a former member".into())));
        });
    }
    view! { <a href=format!("/users/{user}")>{move || name.get().unwrap_or_else(|| "…".into())}</a> }
}

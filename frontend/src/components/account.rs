//! Settings sections for the account: blocked users, recent activity and
//! deleting the account.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::{Activity, ActivityKind, User};

use crate::api;
use crate::chat::Chat;
use crate::components::local_offset;
use crate::components::status::{FetchedList, FormError};
use crate::session::Session;
use crate::state::full_time;
use protocol::UserId;

#[component]
pub fn BlockedList() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api::blocks()
    });
    let error = RwSignal::new(None::<String>);
    let unblock = move |id| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::unblock(id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let item = move |u: User| {
        let id = u.id;
        view! {
            <li class="blocked-item row" data-testid="blocked-item">
                <a href=format!("/users/{id}")>{u.display_name.clone()}</a>
                <span class="muted">{format!("@{}", u.username)}</span>
                <button
                    type="button"
                    class="button small secondary"
                    data-testid="unblock-button"
                    aria-label=format!("Unblock {}", u.display_name)
                    on:click=move |_| unblock(id)
                >
                    "Unblock"
                </button>
            </li>
        }
    };
    view! {
        <h2>"Blocked users"</h2>
        <div class="card" data-testid="blocked-list">
            <FormError message=error />
            <FetchedList items=list empty="You have not blocked anyone." class="plain-list" row=item />
        </div>
    }
}

/// Words for an activity entry.
pub fn activity_text(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Login => "Signed in",
        ActivityKind::Join => "Joined",
        ActivityKind::Leave => "Left",
        ActivityKind::Kicked => "Was kicked from",
        ActivityKind::Banned => "Was banned from",
        ActivityKind::FriendAdded => "Became friends with",
        ActivityKind::FriendRemoved => "Stopped being friends with",
    }
}

#[component]
pub fn ActivityList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let list = LocalResource::new(api::activity);
    let offset = local_offset();
    let item = move |a: Activity| {
        let room = a.room_id.map(|id| {
            let name = move || {
                chat.state
                    .with(|s| s.rooms.get(&id).map(|r| r.room.name.clone()))
                    .unwrap_or_else(|| "a room".into())
            };
            view! { <a href=format!("/rooms/{id}")>{name}</a> }
        });
        let by = if matches!(a.kind, ActivityKind::Kicked | ActivityKind::Banned) {
            " by "
        } else {
            " "
        };
        let other = a
            .other_user_id
            .map(|id| view! { {by} <UserLink user=id /> });
        view! {
            <li class="activity-item" data-testid="activity-item" data-kind=a.kind.as_str()>
                <span>{activity_text(a.kind)}</span>
                {room.map(|r| view! { " " {r} })}
                {other}
                " "
                <time class="muted" datetime=a.created_at.to_rfc3339()>{full_time(a.created_at, offset)}</time>
            </li>
        }
    };
    view! {
        <h2>"Activity"</h2>
        <div class="card" data-testid="activity-list">
            <FetchedList items=list empty="No activity yet." class="plain-list" row=item />
        </div>
    }
}

#[component]
pub fn DeleteAccount() -> impl IntoView {
    let session = expect_context::<Session>();
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        if pw.is_empty() {
            return error.set(Some("enter your password".into()));
        }
        if !confirming.get_untracked() {
            error.set(None);
            return confirming.set(true);
        }
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::delete_account(pw).await {
                Ok(()) => {
                    session.clear();
                    chat.socket.close();
                    navigate("/login", Default::default());
                }
                Err(e) => {
                    confirming.set(false);
                    error.set(Some(e.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <h2>"Delete account"</h2>
        <form class="card form danger-zone" novalidate=true on:submit=submit>
            <p>"Deleting your account cannot be undone. Your messages stay, shown from a deleted user."</p>
            <label>
                "Password"
                <input
                    type="password"
                    autocomplete="current-password"
                    data-testid="delete-account-password"
                    prop:value=move || password.get()
                    on:input=move |ev| {
                        password.set(event_target_value(&ev));
                        confirming.set(false);
                    }
                />
            </label>
            <FormError message=error />
            <Show
                when=move || confirming.get()
                fallback=|| {
                    view! {
                        <button type="submit" class="button danger" data-testid="delete-account">
                            "Delete my account…"
                        </button>
                    }
                }
            >
                <p class="status-error" role="alert">"Are you sure? This deletes your account for good."</p>
                <div class="row">
                    <button type="submit" class="button danger" data-testid="delete-account-confirm" disabled=move || busy.get()>
                        "Yes, delete my account"
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                        "Cancel"
                    </button>
                </div>
            </Show>
        </form>
    }
}

/// A link to a user's profile with their display name, fetched; a deleted
/// or hidden account reads "someone".
#[component]
pub fn UserLink(user: UserId) -> impl IntoView {
    let name = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        let fetched = api::user(user).await.map(|u| u.display_name);
        name.set(Some(fetched.unwrap_or_else(|_| "someone".into())));
    });
    view! { <a href=format!("/users/{user}")>{move || name.get().unwrap_or_else(|| "…".into())}</a> }
}

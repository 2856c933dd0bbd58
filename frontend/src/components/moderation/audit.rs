//! The room's audit log.

use leptos::prelude::*;
use protocol::{AuditAction, AuditEntry};

use crate::api;
use crate::chat::Chat;
use crate::components::local_offset;
use crate::components::status::{ErrorNote, FetchedList};
use crate::state::full_time;
use protocol::{RoomId, UserId};

/// Words for an audit entry's action.
pub fn action_text(a: AuditAction) -> &'static str {
    match a {
        AuditAction::Kick => "kicked",
        AuditAction::Ban => "banned",
        AuditAction::Unban => "lifted the ban of",
        AuditAction::RoleChange => "changed the role of",
        AuditAction::MessageDelete => "deleted a message",
        AuditAction::RoomUpdate => "edited the room",
        AuditAction::Pin => "pinned a message",
        AuditAction::Unpin => "unpinned a message",
    }
}

#[component]
pub(super) fn AuditLog(room: RoomId) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let log = LocalResource::new(move || {
        version.track();
        api::audit_log(room)
    });
    let error = RwSignal::new(None::<String>);
    let offset = local_offset();
    let unban = move |user: UserId| {
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
            <FetchedList items=log loading="Loading audit log…" empty="Nothing logged yet."
                class="plain-list audit-list" row=entry />
        </section>
    }
}

/// A user's display name: from the room's members, else fetched; a deleted
/// or hidden account reads "a former member".
#[component]
fn UserName(room: RoomId, user: UserId) -> impl IntoView {
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

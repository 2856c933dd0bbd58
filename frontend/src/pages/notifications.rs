//! Notifications, newest first; reading one opens what it is about.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::{FriendRequestId, Notification, NotificationKind};

use crate::state::request_from;

use crate::api;
use crate::chat::Chat;
use crate::components::status::Loading;

fn describe(n: &Notification) -> String {
    let who = n
        .actor
        .as_ref()
        .map(|a| a.display_name.clone())
        .unwrap_or_else(|| "Someone".into());
    match n.kind {
        NotificationKind::FriendRequest => format!("{who} sent you a friend request"),
        NotificationKind::FriendAccepted => format!("{who} accepted your friend request"),
        NotificationKind::Mention => format!("{who} mentioned you"),
        NotificationKind::RoomInvite => format!("{who} invited you to a room"),
        NotificationKind::DirectMessage => format!("{who} sent you a message"),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let list = LocalResource::new(move || {
        chat.notif_version.track();
        async move { api::notifications().await }
    });
    Effect::new(move |_| {
        if let Some(Ok((_, unread))) = list.get() {
            chat.notif_unread.set(unread);
        }
    });
    let read_all = move |_| {
        leptos::task::spawn_local(async move {
            if api::read_all_notifications().await.is_ok() {
                chat.notif_unread.set(0);
                chat.notif_version.update(|v| *v += 1);
            }
        });
    };
    let open = move |n: Notification| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if !n.read {
                let _ = api::read_notification(n.id).await;
                chat.notif_version.update(|v| *v += 1);
            }
            let target = match (n.kind, n.room_id, &n.actor) {
                (_, Some(room), _) => format!("/rooms/{room}"),
                (NotificationKind::FriendRequest | NotificationKind::FriendAccepted, _, _) => {
                    "/contacts".to_owned()
                }
                (_, None, Some(actor)) => format!("/users/{}", actor.id),
                _ => "/notifications".to_owned(),
            };
            navigate(&target, Default::default());
        });
    };
    let open = StoredValue::new_local(open);
    // Friend requests are answered here, in place; the pending ones tell
    // which request a notification is about.
    let answered = RwSignal::new(0u32);
    let requests = LocalResource::new(move || {
        chat.social_version.track();
        answered.track();
        async move { api::friend_requests().await.ok() }
    });
    let pending_from = move |n: &Notification| {
        let from = n.actor.as_ref()?.id;
        (n.kind == NotificationKind::FriendRequest)
            .then(|| requests.get().flatten())
            .flatten()
            .and_then(|r| request_from(from, &r))
    };
    let answer = move |id: FriendRequestId, accept: bool| {
        leptos::task::spawn_local(async move {
            let done = if accept {
                api::accept_request(id).await
            } else {
                api::decline_request(id).await
            };
            if done.is_ok() {
                answered.update(|v| *v += 1);
                chat.notif_version.update(|v| *v += 1);
            }
        });
    };
    view! {
        <section class="page notifications-page">
            <div class="page-head">
                <h1>"Notifications"</h1>
                <button type="button" class="button secondary" on:click=read_all>"Mark all read"</button>
            </div>
            <Suspense fallback=|| view! { <Loading label="Loading notifications…" /> }>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok((items, _)) if items.is_empty() => {
                                view! { <p class="muted">"Nothing yet."</p> }.into_any()
                            }
                            Ok((items, _)) => {
                                view! {
                                    <ul class="notification-list">
                                        {items
                                            .into_iter()
                                            .map(|n| {
                                                let text = describe(&n);
                                                let unread = !n.read;
                                                let n_for_answer = n.clone();
                                                let when = crate::state::full_time(n.created_at, crate::components::local_offset());
                                                view! {
                                                    <li class="card notification-item" class:unread=unread data-testid="notification-item">
                                                        <button
                                                            type="button"
                                                            class="link-button notification-open"
                                                            on:click=move |_| open.with_value(|f| f(n.clone()))
                                                        >
                                                            {text}
                                                        </button>
                                                        <time class="muted">{when}</time>
                                                        {move || pending_from(&n_for_answer).map(|id| view! {
                                                            <span class="notification-answer">
                                                                <button type="button" class="button small" data-testid="notification-accept"
                                                                    on:click=move |_| answer(id, true)>"Accept"</button>
                                                                <button type="button" class="button small secondary" data-testid="notification-decline"
                                                                    on:click=move |_| answer(id, false)>"Decline"</button>
                                                            </span>
                                                        })}
                                                        {unread.then(|| view! { <span class="badge">"new"</span> })}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

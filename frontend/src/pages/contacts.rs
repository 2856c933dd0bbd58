//! Contacts: friends with presence, incoming and outgoing requests, adding a
//! friend by username, and starting a direct conversation.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::validate::Username;
use protocol::{FriendRequest, User};

use crate::api;
use crate::chat::Chat;
use crate::components::avatar::Avatar;
use crate::components::form::TextField;
use crate::components::status::{ErrorNote, FetchedList, FormError, Loading};
use protocol::UserId;

/// Opens (or creates) the direct conversation with `user` and goes there.
pub fn start_dm(
    chat: Chat,
    user: UserId,
    error: RwSignal<Option<String>>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    leptos::task::spawn_local(async move {
        match api::open_dm(user).await {
            Ok(room) => {
                if let Ok(rooms) = api::my_rooms().await {
                    chat.state.update(|s| s.set_rooms(rooms));
                }
                navigate(&format!("/rooms/{}", room.id), Default::default());
            }
            Err(e) => error.set(Some(e.message())),
        }
    });
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let version = RwSignal::new(0u32);
    let friends = LocalResource::new(move || {
        version.track();
        chat.social_version.track();
        async move { api::friends().await }
    });
    let requests = LocalResource::new(move || {
        version.track();
        chat.social_version.track();
        async move { api::friend_requests().await }
    });
    let add_name = RwSignal::new(String::new());
    let add_error = RwSignal::new(None::<String>);
    let add_done = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add_done.set(None);
        let name = match Username::parse(add_name.get_untracked().trim()) {
            Ok(n) => n,
            Err(e) => return add_error.set(Some(e.0)),
        };
        add_error.set(None);
        adding.set(true);
        leptos::task::spawn_local(async move {
            let found = api::search_users(name.as_str()).await;
            let result = match found {
                Ok(users) => match users
                    .into_iter()
                    .find(|u| u.username.eq_ignore_ascii_case(name.as_str()))
                {
                    Some(u) => api::send_friend_request(u.id).await.map(|_| u),
                    None => Err(api::Failure::refused(
                        protocol::ErrorCode::NotFound,
                        format!("No user named {}.", name.as_str()),
                    )),
                },
                Err(e) => Err(e),
            };
            adding.set(false);
            match result {
                Ok(u) => {
                    add_name.set(String::new());
                    add_done.set(Some(format!("Friend request sent to {}.", u.display_name)));
                    version.update(|v| *v += 1);
                }
                Err(e) => add_error.set(Some(e.message())),
            }
        });
    };

    let act =
        move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), api::Failure>>>>| {
            action_error.set(None);
            leptos::task::spawn_local(async move {
                match f.await {
                    Ok(()) => version.update(|v| *v += 1),
                    Err(e) => action_error.set(Some(e.message())),
                }
            });
        };

    let dm = move |user: UserId| start_dm(chat, user, action_error, navigate.clone());
    let dm = StoredValue::new_local(dm);

    view! {
        <section class="page contacts-page">
            <h1>"Contacts"</h1>
            <form class="card form inline-form" novalidate=true on:submit=add>
                <TextField label="Add a friend by username" value=add_name testid="add-friend-input"
                    placeholder="username" />
                <button type="submit" class="button" data-testid="add-friend-submit" disabled=move || adding.get()>
                    {move || if adding.get() { "Sending…" } else { "Send request" }}
                </button>
                <FormError message=add_error />
                {move || add_done.get().map(|m| view! { <p class="status-ok" role="status">{m}</p> })}
            </form>
            <ErrorNote message=action_error />

            <h2>"Friend requests"</h2>
            <Suspense fallback=|| view! { <Loading label="Loading requests…" /> }>
                {move || {
                    requests
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(reqs) => {
                                let incoming = reqs.incoming.clone();
                                let outgoing = reqs.outgoing.clone();
                                view! {
                                    <h3>"Incoming"</h3>
                                    {incoming.is_empty().then(|| view! { <p class="muted">"No incoming requests."</p> })}
                                    <ul class="request-list">
                                        {incoming
                                            .into_iter()
                                            .map(|r: FriendRequest| {
                                                let id = r.id;
                                                view! {
                                                    <li class="card friend-request-item" data-testid="friend-request-item">
                                                        <a href=format!("/users/{}", r.from.id)>{r.from.display_name.clone()}</a>
                                                        <span class="muted">{format!(" @{}", r.from.username)}</span>
                                                        <span class="actions">
                                                            <button type="button" class="button small" data-testid="accept-request"
                                                                on:click=move |_| act(Box::pin(api::accept_request(id)))>"Accept"</button>
                                                            <button type="button" class="button small secondary" data-testid="decline-request"
                                                                on:click=move |_| act(Box::pin(api::decline_request(id)))>"Decline"</button>
                                                        </span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                    <h3>"Outgoing"</h3>
                                    {outgoing.is_empty().then(|| view! { <p class="muted">"No pending requests."</p> })}
                                    <ul class="request-list">
                                        {outgoing
                                            .into_iter()
                                            .map(|r: FriendRequest| {
                                                let id = r.id;
                                                view! {
                                                    <li class="card outgoing-request-item" data-testid="outgoing-request-item">
                                                        <a href=format!("/users/{}", r.to.id)>{r.to.display_name.clone()}</a>
                                                        <span class="muted">{format!(" @{}", r.to.username)}</span>
                                                        <span class="actions">
                                                            <button type="button" class="button small secondary" data-testid="cancel-request"
                                                                on:click=move |_| act(Box::pin(api::cancel_request(id)))>"Cancel"</button>
                                                        </span>
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

            <h2>"Friends"</h2>
            <FetchedList items=friends loading="Loading friends…" empty="No friends yet." class="friend-list"
                row=move |u: User| {
                    let id = u.id;
                    let base = u.online;
                    let online = move || {
                        chat.state.with(|s| s.presence.get(&id).copied()).unwrap_or(base)
                    };
                    view! {
                        <li class="card friend-item" data-testid="friend-item" data-online=move || online().to_string()>
                            <span class="dot" class:online=online role="img"
                                aria-label=move || if online() { "online" } else { "offline" }></span>
                            <Avatar url=u.avatar_url.clone() name=u.display_name.clone() class="avatar-small" />
                            <a href=format!("/users/{id}")>{u.display_name.clone()}</a>
                            <span class="muted">{format!(" @{}", u.username)}</span>
                            <span class="actions">
                                <button type="button" class="button small" data-testid="dm-button"
                                    on:click=move |_| dm.with_value(|f| f(id))>"Message"</button>
                                <button type="button" class="button small secondary"
                                    on:click=move |_| act(Box::pin(api::remove_friend(id)))>"Remove"</button>
                            </span>
                        </li>
                    }
                } />
        </section>
    }
}

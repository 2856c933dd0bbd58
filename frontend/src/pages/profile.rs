//! A user's profile, opened by clicking a sender's name.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api;
use crate::chat::Chat;
use crate::components::avatar::Avatar;
use crate::components::photos::PhotoLibrary;
use crate::components::status::{ErrorNote, Loading};
use crate::pages::contacts::start_dm;
use crate::session::Session;
use crate::state::{Friendship, friendship};
use protocol::{FriendRequestId, UserId};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|s| UserId::parse(&s).ok())
    });
    let profile = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api::user(id).await,
                None => Err(api::Failure::refused(
                    protocol::ErrorCode::NotFound,
                    "No such user.",
                )),
            }
        }
    });
    let error = RwSignal::new(None::<String>);
    let info = RwSignal::new(None::<String>);
    // Where I stand with them, followed live: a request answered on
    // another device or by them (`social_version`) shows here at once.
    let asked = RwSignal::new(0u32);
    let relations = LocalResource::new(move || {
        chat.social_version.track();
        asked.track();
        async move {
            let friends = api::friends().await.ok()?;
            let requests = api::friend_requests().await.ok()?;
            Some((friends, requests))
        }
    });
    let standing = move |uid: UserId| {
        relations
            .get()
            .flatten()
            .map(|(friends, requests)| friendship(uid, &friends, &requests))
    };
    let answer = move |id: FriendRequestId, accept: bool| {
        leptos::task::spawn_local(async move {
            let answered = if accept {
                api::accept_request(id).await
            } else {
                api::decline_request(id).await
            };
            match answered {
                Ok(()) => {
                    asked.update(|v| *v += 1);
                    chat.refresh_notif_count();
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let dm =
        StoredValue::new_local(move |user: UserId| start_dm(chat, user, error, navigate.clone()));
    let add_friend = move |user: UserId| {
        leptos::task::spawn_local(async move {
            match api::send_friend_request(user).await {
                Ok(()) => asked.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="page profile-page">
            <Suspense fallback=|| view! { <Loading label="Loading profile…" /> }>
                {move || {
                    profile
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(u) => {
                                let uid = u.id;
                                let is_me = session.me_untracked().map(|m| m.user.id) == Some(uid);
                                let online = move || {
                                    chat.state.with(|s| s.presence.get(&uid).copied()).unwrap_or(u.online)
                                };
                                view! {
                                    <div class="card profile">
                                        <Avatar url=u.avatar_url.clone() name=u.display_name.clone() class="avatar-large" />
                                        <h1 data-testid="profile-name">{u.display_name.clone()}</h1>
                                        <p class="muted">
                                            {format!("@{}", u.username)} " · "
                                            <span class="dot" class:online=online aria-hidden="true"></span>
                                            {move || if online() { " online" } else { " offline" }}
                                        </p>
                                        {u.bio.clone().filter(|b| !b.is_empty()).map(|b| view! { <p class="bio">{b}</p> })}
                                        {u.interests
                                            .clone()
                                            .filter(|i| !i.is_empty())
                                            .map(|list| {
                                                view! {
                                                    <ul class="chips">
                                                        {list.into_iter().map(|i| view! { <li class="chip">{i}</li> }).collect_view()}
                                                    </ul>
                                                }
                                            })}
                                        {(!is_me)
                                            .then(|| {
                                                view! {
                                                    <div class="row">
                                                        <button type="button" class="button" data-testid="dm-button"
                                                            on:click=move |_| dm.with_value(|f| f(uid))>"Message"</button>
                                                        {move || match standing(uid) {
                                                            None => ().into_any(),
                                                            Some(Friendship::Friends) => {
                                                                view! { <span class="chip" data-testid="friend-badge">"Friends"</span> }.into_any()
                                                            }
                                                            Some(Friendship::Requested(_)) => {
                                                                view! { <span class="chip" data-testid="friend-requested">"Request sent"</span> }.into_any()
                                                            }
                                                            Some(Friendship::AskedMe(id)) => view! {
                                                                <button type="button" class="button" data-testid="friend-accept"
                                                                    on:click=move |_| answer(id, true)>"Accept friend request"</button>
                                                                <button type="button" class="button secondary" data-testid="friend-decline"
                                                                    on:click=move |_| answer(id, false)>"Decline"</button>
                                                            }
                                                                .into_any(),
                                                            Some(Friendship::Strangers) => view! {
                                                                <button type="button" class="button secondary" data-testid="add-friend-button"
                                                                    on:click=move |_| add_friend(uid)>"Add friend"</button>
                                                            }
                                                                .into_any(),
                                                        }}
                                                        <BlockButton user=uid error=error info=info />
                                                    </div>
                                                }
                                            })}
                                        {is_me.then(|| view! { <p><a href="/settings">"Edit your profile"</a></p> })}
                                    </div>
                                    <PhotoLibrary owner=uid mine=is_me />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            {move || info.get().map(|m| view! { <p class="status-ok" role="status">{m}</p> })}
            <ErrorNote message=error />
        </section>
    }
}

/// Block / Unblock, reflecting `GET /blocks`.
#[component]
fn BlockButton(
    user: UserId,
    error: RwSignal<Option<String>>,
    info: RwSignal<Option<String>>,
) -> impl IntoView {
    // None while unknown.
    let blocked = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::blocks().await {
            Ok(list) => blocked.set(Some(list.iter().any(|u| u.id == user))),
            Err(e) => error.set(Some(e.message())),
        }
    });
    let toggle = move |_| {
        let Some(was) = blocked.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        info.set(None);
        leptos::task::spawn_local(async move {
            let result = if was {
                api::unblock(user).await
            } else {
                api::block(user).await
            };
            match result {
                Ok(()) => {
                    blocked.set(Some(!was));
                    info.set(Some(if was { "Unblocked." } else { "Blocked." }.into()));
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <button
            type="button"
            class="button secondary"
            class:danger=move || blocked.get() == Some(false)
            data-testid="block-button"
            data-blocked=move || blocked.get().map(|b| b.to_string()).unwrap_or_default()
            aria-pressed=move || blocked.get().unwrap_or(false).to_string()
            disabled=move || busy.get() || blocked.get().is_none()
            on:click=toggle
        >
            {move || if blocked.get() == Some(true) { "Unblock" } else { "Block" }}
        </button>
    }
}

//! Finding people: `/people?q=…` searches usernames and display names,
//! each result opening the person's profile, with a friend request one
//! click away for those who are not friends yet.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::{User, UserId};

use crate::api;
use crate::components::avatar::Avatar;
use crate::components::form::BareInput;
use crate::components::status::{FormError, Loading};
use crate::session::Session;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|p| p.get("q")).unwrap_or_default());
    let text = RwSignal::new(q.get_untracked());
    Effect::new(move |_| text.set(q.get()));
    let results = LocalResource::new(move || {
        let q = q.get();
        async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                api::search_users(q.trim()).await.map(Some)
            }
        }
    });
    let friends = LocalResource::new(api::friends);
    let requested = RwSignal::new(HashSet::<UserId>::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        navigate(
            &crate::paths::people_path(&text.get_untracked()),
            Default::default(),
        );
    };
    let ask = move |id: UserId| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::send_friend_request(id).await {
                Ok(()) => requested.update(|r| {
                    r.insert(id);
                }),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let is_friend = move |id: UserId| {
        friends
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|f| f.id == id))
    };
    let me = move || session.me().map(|m| m.user.id);
    let row = move |u: User| {
        let id = u.id;
        let avatar = Signal::derive({
            let url = u.avatar_url.clone();
            move || url.clone()
        });
        view! {
            <li class="people-result card" data-testid="people-result" data-user-id=id.to_string()>
                <Avatar url=avatar name=u.display_name.clone() />
                <a class="people-name" data-testid="people-result-link" href=format!("/users/{id}")>
                    <strong>{u.display_name.clone()}</strong>
                    <span class="muted">{format!(" @{}", u.username)}</span>
                </a>
                {u.online.then(|| view! { <span class="online-dot" title="online">"●"</span> })}
                {move || {
                    if me() == Some(id) {
                        view! { <span class="muted">"you"</span> }.into_any()
                    } else if is_friend(id) {
                        view! { <span class="badge" data-testid="people-friend">"Friend"</span> }.into_any()
                    } else if requested.with(|r| r.contains(&id)) {
                        view! { <span class="muted" data-testid="people-requested">"Request sent"</span> }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button small" data-testid="people-add-friend"
                                on:click=move |_| ask(id)>
                                "Add friend"
                            </button>
                        }
                        .into_any()
                    }
                }}
            </li>
        }
    };
    view! {
        <section class="page people-page">
            <h1>"People"</h1>
            <form class="row" role="search" novalidate=true on:submit=submit>
                <BareInput kind="search" class="grow" testid="people-search"
                    label="Name or username" placeholder="Name or username" value=text />
                <button type="submit" class="button" data-testid="people-search-submit">"Search"</button>
            </form>
            <FormError message=error />
            <Suspense fallback=|| view! { <Loading label="Searching…" /> }>
                {move || results.get().map(|found| match found {
                    Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(None) => view! {
                        <p class="muted">"Search by name or username to find people to talk to."</p>
                    }.into_any(),
                    Ok(Some(list)) if list.is_empty() => view! {
                        <p class="muted" data-testid="people-empty">"Nobody by that name."</p>
                    }.into_any(),
                    Ok(Some(list)) => view! {
                        <ul class="plain-list people-list">{list.into_iter().map(row).collect_view()}</ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

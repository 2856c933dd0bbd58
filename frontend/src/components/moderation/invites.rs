//! Inviting people to a private room.

use leptos::prelude::*;
use protocol::User;

use crate::api;
use crate::chat::Chat;
use crate::components::form::BareInput;
use crate::components::status::ErrorNote;
use protocol::{RoomId, UserId};

#[component]
pub(super) fn InviteForm(room: RoomId) -> impl IntoView {
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
                    let members: Vec<UserId> = chat.state.with_untracked(|s| {
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
                <BareInput kind="search" testid="invite-search" placeholder="Username"
                    label="Find a user to invite" value=query />
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

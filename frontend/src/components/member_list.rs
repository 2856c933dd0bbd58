//! The members of the current room with their online dots.

use leptos::prelude::*;
use protocol::Member;
use uuid::Uuid;

use crate::chat::Chat;
use crate::components::status::Loading;

#[component]
pub fn MemberList(room: Uuid) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let members = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines
                .get(&room)
                .and_then(|t| t.members.clone())
                .map(|mut list| {
                    for m in list.iter_mut() {
                        if let Some(on) = s.presence.get(&m.user.id) {
                            m.online = *on;
                        }
                    }
                    list.sort_by(|a, b| {
                        b.online
                            .cmp(&a.online)
                            .then_with(|| a.user.display_name.cmp(&b.user.display_name))
                    });
                    list
                })
        })
    });
    view! {
        <aside class="members" aria-label="Members">
            <h3>
                "Members "
                <span class="muted">
                    {move || members.get().map(|m| format!("({})", m.len())).unwrap_or_default()}
                </span>
            </h3>
            <Show when=move || members.with(Option::is_some) fallback=|| view! { <Loading label="Loading members…" /> }>
                <ul class="member-list" data-testid="member-list">
                    <For
                        each=move || members.get().unwrap_or_default()
                        key=|m: &Member| (m.user.id, m.online, m.role)
                        children=move |m: Member| {
                            let online = m.online;
                            view! {
                                <li class="member-item" data-testid="member-item" data-online=online.to_string()>
                                    <span
                                        class="dot"
                                        class:online=online
                                        role="img"
                                        aria-label=if online { "online" } else { "offline" }
                                    ></span>
                                    <a href=format!("/users/{}", m.user.id)>{m.user.display_name.clone()}</a>
                                    {(m.role != protocol::Role::Member)
                                        .then(|| view! { <span class="role">{m.role.as_str()}</span> })}
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </aside>
    }
}

//! The members of the current room with their online dots.

use leptos::prelude::*;
use protocol::Member;

use crate::chat::Chat;
use crate::components::avatar::Avatar;
use crate::components::moderation::{MemberActions, can_act_on, my_role};
use crate::components::status::Loading;
use protocol::RoomId;

#[component]
pub fn MemberList(room: RoomId) -> impl IntoView {
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
    let mine = my_role(chat, room);
    let me = chat.me();
    let is_direct = Memo::new(move |_| {
        chat.state.with(|s| {
            s.rooms
                .get(&room)
                .is_some_and(|r| r.room.kind == protocol::RoomKind::Direct)
        })
    });
    // A direct conversation is with one person: who they are matters, not
    // a list of two.
    let other = Memo::new(move |_| {
        members
            .get()
            .and_then(|list| list.into_iter().find(|m| Some(m.user.id) != me))
    });
    let members_view = move || {
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
                                let user = m.user.clone();
                                let role = m.role;
                                let is_me = me == Some(m.user.id);
                                view! {
                                    <li class="member-item" data-testid="member-item" data-user-id=m.user.id.to_string() data-online=online.to_string()>
                                        <span
                                            class="dot"
                                            class:online=online
                                            role="img"
                                            aria-label=if online { "online" } else { "offline" }
                                        ></span>
                                        <Avatar url=m.user.avatar_url.clone() name=m.user.display_name.clone() class="avatar-small" />
                                        <a href=format!("/users/{}", m.user.id)>{m.user.display_name.clone()}</a>
                                        <span class="role" data-testid="member-role" data-role=m.role.as_str()>
                                            {m.role.as_str()}
                                        </span>
                                        {move || {
                                            mine.get()
                                                .filter(|r| !is_me && !is_direct.get() && can_act_on(*r, role))
                                                .map(|r| {
                                                    view! { <MemberActions room=room user=user.clone() role=role mine=r /> }
                                                })
                                        }}
                                    </li>
                                }
                            }
                        />
                    </ul>
                </Show>
            </aside>
        }
    };
    view! {
        <Show when=move || is_direct.get() fallback=members_view>
            <aside class="members dm-profile" aria-label="Profile" data-testid="dm-profile">
                {move || other.get().map(|m| view! { <PersonCard member=m /> })}
            </aside>
        </Show>
    }
}

/// The other person of a direct conversation: picture, names, presence,
/// and what their profile shows (bio, interests) as far as they let me see.
#[component]
fn PersonCard(member: Member) -> impl IntoView {
    let id = member.user.id;
    let profile = LocalResource::new(move || crate::api::user(id));
    let online = member.online;
    view! {
        <div class="person-card">
            <Avatar url=member.user.avatar_url.clone() name=member.user.display_name.clone() class="avatar-large" />
            <h3 dir="auto" data-testid="dm-profile-name">{member.user.display_name.clone()}</h3>
            <p class="muted">{format!("@{}", member.user.username)}</p>
            <p class="presence">
                <span class="dot" class:online=online role="img"
                    aria-label=if online { "online" } else { "offline" }></span>
                {if online { " Online" } else { " Offline" }}
            </p>
            {move || {
                profile.get().and_then(Result::ok).map(|user| {
                    view! {
                        {user.bio.filter(|b| !b.is_empty()).map(|bio| view! {
                            <p class="person-bio" dir="auto" data-testid="dm-profile-bio">{bio}</p>
                        })}
                        {user.interests.filter(|i| !i.is_empty()).map(|interests| view! {
                            <ul class="interests" aria-label="Interests">
                                {interests.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}
                            </ul>
                        })}
                    }
                })
            }}
            <a class="button secondary small" href=format!("/users/{id}") data-testid="dm-profile-link">
                "View profile"
            </a>
        </div>
    }
}

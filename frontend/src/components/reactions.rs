//! Reactions under a message: a chip per emoji (mine highlighted; a click
//! adds or takes back mine), and a picker of common and recent emoji.

use leptos::prelude::*;
use protocol::{Message, MessageId, Reaction, UserId};

use crate::api;
use crate::chat::Chat;
use crate::components::controls::LinkButton;

/// What the picker always offers.
const COMMON: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];
/// Where the emoji this browser used last are kept, newest first.
const RECENT_KEY: &str = "themechat.recent-emoji";
const RECENT_MAX: usize = 8;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn recent() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(RECENT_KEY).ok().flatten())
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_default()
}

fn remember(emoji: &str) {
    let mut list = recent();
    list.retain(|e| e != emoji);
    list.insert(0, emoji.to_owned());
    list.truncate(RECENT_MAX);
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&list)) {
        let _ = s.set_item(RECENT_KEY, &json);
    }
}

/// The picker's choices: recent ones first, then the common ones.
fn choices() -> Vec<String> {
    let mut list = recent();
    for emoji in COMMON {
        if !list.iter().any(|e| e == emoji) {
            list.push(emoji.to_owned());
        }
    }
    list
}

/// Adds or takes back my reaction, and shows the message's reactions as the
/// server answered them (the socket's `reaction` event says the same).
fn send(chat: Chat, message: MessageId, emoji: String, add: bool, error: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        match api::react(message, &emoji, add).await {
            Ok(list) => {
                error.set(None);
                chat.state.update(|s| {
                    for t in s.timelines.values_mut() {
                        t.set_reactions(message, list.clone());
                    }
                });
            }
            Err(e) => error.set(Some(e.message())),
        }
    });
}

/// Who reacted, by name where the room's member list knows them.
fn names(chat: Chat, message: &Message, reaction: &Reaction) -> String {
    let known = |id: &UserId| {
        chat.state.with_untracked(|s| {
            s.timelines
                .get(&message.room_id)
                .and_then(|t| t.members.as_ref())
                .and_then(|ms| ms.iter().find(|m| m.user.id == *id))
                .map(|m| m.user.display_name.clone())
        })
    };
    let named: Vec<String> = reaction.user_ids.iter().filter_map(known).collect();
    let others = reaction.user_ids.len() - named.len();
    match (named.is_empty(), others) {
        (true, _) => format!("{} reacted with {}", reaction.count, reaction.emoji),
        (false, 0) => format!("{} reacted with {}", named.join(", "), reaction.emoji),
        (false, n) => format!(
            "{} and {n} more reacted with {}",
            named.join(", "),
            reaction.emoji
        ),
    }
}

/// The chips under a message, and the picker that adds one.
#[component]
pub fn ReactionBar(message: Message) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let me = chat.me();
    let id = message.id;
    let error = RwSignal::new(None::<String>);
    let picking = RwSignal::new(false);
    let chips = message
        .reactions
        .iter()
        .map(|reaction| {
            let mine = me.is_some_and(|me| reaction.user_ids.contains(&me));
            let emoji = reaction.emoji.clone();
            let title = names(chat, &message, reaction);
            view! {
                <button
                    type="button"
                    class="reaction-chip"
                    class:mine=mine
                    data-testid="reaction-chip"
                    data-emoji=emoji.clone()
                    aria-pressed=mine.to_string()
                    aria-label=title.clone()
                    title=title
                    on:click=move |_| send(chat, id, emoji.clone(), !mine, error)
                >
                    {reaction.emoji.clone()}
                    <span class="reaction-count">{reaction.count.to_string()}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="reactions" data-testid="reactions">
            {chips}
            <LinkButton label="React" testid="react-button" aria_label="Add a reaction"
                on_click=move || picking.update(|p| *p = !*p) />
            <Show when=move || picking.get()>
                <span class="reaction-picker" data-testid="reaction-picker" role="group"
                    aria-label="Choose a reaction">
                    {choices()
                        .into_iter()
                        .map(|emoji| {
                            let label = format!("React with {emoji}");
                            let chosen = emoji.clone();
                            let shown = emoji.clone();
                            view! {
                                <button
                                    type="button"
                                    class="reaction-option"
                                    data-testid="reaction-option"
                                    data-emoji=emoji.clone()
                                    aria-label=label
                                    on:click=move |_| {
                                        picking.set(false);
                                        remember(&chosen);
                                        send(chat, id, chosen.clone(), true, error);
                                    }
                                >
                                    {shown}
                                </button>
                            }
                        })
                        .collect_view()}
                </span>
            </Show>
            {move || error.get().map(|e| view! { <span class="status-error" role="alert">{e}</span> })}
        </div>
    }
}

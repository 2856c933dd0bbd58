//! Reactions under a message: a chip per emoji (mine highlighted; a click
//! adds or takes back mine). New ones are picked from the message's
//! toolbar (`message_toolbar`, `emoji_picker`).

use leptos::prelude::*;
use protocol::{Message, MessageId, Reaction, UserId};

use crate::api;
use crate::chat::Chat;

/// Adds or takes back my reaction, and shows the message's reactions as the
/// server answered them (the socket's `reaction` event says the same).
pub fn send(
    chat: Chat,
    message: MessageId,
    emoji: String,
    add: bool,
    error: RwSignal<Option<String>>,
) {
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

/// The chips under a message (nothing at all when there are none), and
/// why the last reaction was refused.
#[component]
pub fn ReactionBar(message: Message, error: RwSignal<Option<String>>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let me = chat.me();
    let id = message.id;
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
                    // Named by what it shows (the emoji and the count); who
                    // reacted is its description.
                    title=title
                    on:click=move |_| send(chat, id, emoji.clone(), !mine, error)
                >
                    {reaction.emoji.clone()}
                    <span class="reaction-count">{reaction.count.to_string()}</span>
                </button>
            }
        })
        .collect_view();
    let any = !message.reactions.is_empty();
    view! {
        {any.then(|| view! { <div class="reactions" data-testid="reactions">{chips}</div> })}
        {move || error.get().map(|e| view! { <p class="status-error reaction-error" role="alert">{e}</p> })}
    }
}

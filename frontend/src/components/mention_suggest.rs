//! `@` in the composer suggests the room's members: typing `@bo` lists
//! those whose username or name starts so, arrows choose, Enter or Tab
//! puts `@username ` in its place, Escape puts the list away.

use leptos::prelude::*;
use protocol::{Member, RoomId, UserId};

use crate::api;
use crate::state::mentions::{completed, typed_mention};
use crate::state::{SuggestionKey, suggestion_key};

/// People listed at most.
const SHOWN: usize = 6;

/// The suggestions of one composer.
#[derive(Clone, Copy)]
pub struct MentionPicker {
    /// (username, display name) of those who match, best first.
    pub matches: Memo<Vec<(String, String)>>,
    pub chosen: RwSignal<usize>,
    dismissed: RwSignal<Option<String>>,
    text: RwSignal<String>,
}

impl MentionPicker {
    pub fn new(room: RoomId, text: RwSignal<String>, me: Option<UserId>) -> Self {
        // Read afresh each time an `@` starts: who is in the room changes.
        let mentioning = Memo::new(move |_| text.with(|t| typed_mention(t).is_some()));
        let members = LocalResource::new(move || {
            let wanted = mentioning.get();
            async move {
                if wanted {
                    api::members(room).await
                } else {
                    Ok(Vec::new())
                }
            }
        });
        let chosen = RwSignal::new(0);
        let dismissed = RwSignal::new(None::<String>);
        let matches = Memo::new(move |_| {
            let typed = text.with(|t| typed_mention(t).map(str::to_lowercase));
            let Some(typed) = typed else {
                return Vec::new();
            };
            if dismissed.with(|d| d.as_deref() == Some(typed.as_str())) {
                return Vec::new();
            }
            let list: Vec<Member> = members.get().and_then(Result::ok).unwrap_or_default();
            let mut found: Vec<(String, String)> = list
                .into_iter()
                .filter(|m| Some(m.user.id) != me)
                .filter(|m| {
                    m.user.username.to_lowercase().starts_with(&typed)
                        || m.user.display_name.to_lowercase().starts_with(&typed)
                })
                .map(|m| (m.user.username, m.user.display_name))
                .collect();
            found.sort_by_key(|(u, _)| !u.to_lowercase().starts_with(&typed));
            found.truncate(SHOWN);
            // A name typed out in full has nothing left to complete: Enter
            // sends.
            if let [(only, _)] = found.as_slice()
                && only.to_lowercase() == typed
            {
                return Vec::new();
            }
            found
        });
        Self {
            matches,
            chosen,
            dismissed,
            text,
        }
    }

    /// Puts the chosen `@username ` into the text.
    pub fn pick(&self, username: &str) {
        self.text.update(|t| *t = completed(t, username));
        self.chosen.set(0);
    }

    /// Handles a key while suggestions show; true when it was theirs.
    pub fn key(&self, ev: &leptos::ev::KeyboardEvent) -> bool {
        let count = self.matches.with_untracked(Vec::len);
        let chosen = self.chosen.get_untracked();
        let Some(action) =
            suggestion_key(&ev.key(), ev.shift_key(), ev.is_composing(), count, chosen)
        else {
            return false;
        };
        match action {
            SuggestionKey::Choose(i) => self.chosen.set(i),
            SuggestionKey::Pick(i) => {
                let pick = self.matches.with_untracked(|m| m[i].0.clone());
                self.pick(&pick);
            }
            SuggestionKey::Dismiss => {
                let typed = self
                    .text
                    .with_untracked(|t| typed_mention(t).map(str::to_lowercase));
                self.dismissed.set(typed);
            }
        }
        ev.prevent_default();
        true
    }
}

#[component]
pub fn MentionSuggestions(picker: MentionPicker, on_pick: Callback<()>) -> impl IntoView {
    view! {
        <Show when=move || picker.matches.with(|m| !m.is_empty())>
            <ul class="mention-suggestions plain-list" role="listbox" data-testid="mention-suggestions"
                aria-label="People to mention">
                {move || picker.matches.get().into_iter().enumerate().map(|(i, (username, name))| {
                    let selected = move || picker.chosen.get() == i;
                    let pick = username.clone();
                    view! {
                        <li role="option" class="mention-suggestion" class:selected=selected
                            aria-selected=move || selected().to_string()
                            data-testid="mention-suggestion" data-username=username.clone()
                            on:mousedown=move |ev| {
                                // Before the box loses the focus.
                                ev.prevent_default();
                                picker.pick(&pick);
                                on_pick.run(());
                            }>
                            <strong>{name}</strong>
                            <span class="muted">{format!(" @{username}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

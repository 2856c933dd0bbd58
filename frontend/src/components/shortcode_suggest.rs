//! `:` in the composer suggests emoji: typing `:tad` lists those whose
//! shortcode or name starts so, arrows choose, Enter or Tab puts the emoji
//! in its place, Escape puts the list away. A code typed out in full,
//! `:tada:`, becomes its emoji as the second colon is typed.

use leptos::prelude::*;

use crate::state::emoji::{completed, label, search, typed_shortcode};
use crate::state::{SuggestionKey, suggestion_key};

/// Emoji listed at most.
const SHOWN: usize = 6;

/// The suggestions of one composer.
#[derive(Clone, Copy)]
pub struct ShortcodePicker {
    /// (emoji, its shortcode, its name) of those that match, best first.
    matches: Memo<Vec<(String, String, String)>>,
    chosen: RwSignal<usize>,
    dismissed: RwSignal<Option<String>>,
    text: RwSignal<String>,
}

impl ShortcodePicker {
    pub fn new(text: RwSignal<String>) -> Self {
        let dismissed = RwSignal::new(None::<String>);
        let matches = Memo::new(move |_| {
            text.with(|t| {
                let Some(typed) = typed_shortcode(t) else {
                    return Vec::new();
                };
                if dismissed.with(|d| d.as_deref() == Some(typed)) {
                    return Vec::new();
                }
                // The tone chosen in the picker (read as the list opens).
                let tone = crate::components::emoji_picker::saved_tone();
                search(typed, SHOWN)
                    .into_iter()
                    .map(|e| {
                        let code = e.shortcode().unwrap_or_default().to_owned();
                        (e.in_tone(tone).to_owned(), code, label(e))
                    })
                    .collect()
            })
        });
        Self {
            matches,
            chosen: RwSignal::new(0),
            dismissed,
            text,
        }
    }

    /// Puts `emoji` in place of the `:code` being typed.
    pub fn pick(&self, emoji: &str) {
        self.text.update(|t| *t = completed(t, emoji));
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
                    .with_untracked(|t| typed_shortcode(t).map(str::to_owned));
                self.dismissed.set(typed);
            }
        }
        ev.prevent_default();
        true
    }
}

#[component]
pub fn ShortcodeSuggestions(picker: ShortcodePicker, on_pick: Callback<()>) -> impl IntoView {
    view! {
        <Show when=move || picker.matches.with(|m| !m.is_empty())>
            <ul class="mention-suggestions plain-list" role="listbox" data-testid="emoji-suggestions"
                aria-label="Emoji">
                {move || picker.matches.get().into_iter().enumerate().map(|(i, (emoji, code, name))| {
                    let selected = move || picker.chosen.get() == i;
                    let pick = emoji.clone();
                    view! {
                        <li role="option" class="mention-suggestion" class:selected=selected
                            aria-selected=move || selected().to_string()
                            data-testid="emoji-suggestion" data-emoji=emoji.clone()
                            on:mousedown=move |ev| {
                                // Before the box loses the focus.
                                ev.prevent_default();
                                picker.pick(&pick);
                                on_pick.run(());
                            }>
                            <span class="emoji-glyph" aria-hidden="true">{emoji.clone()}</span>
                            " "
                            <strong>{format!(":{code}:")}</strong>
                            <span class="muted">{format!(" {name}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

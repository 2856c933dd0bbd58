//! The emoji picker of reactions: the ones used most here first, a search
//! by name or shortcode, every emoji by group behind tabs, and a skin tone
//! chosen once for every emoji with skin (kept in this browser, and used by
//! `:shortcode:` completion too). Arrow keys move between emoji, Enter
//! picks, Escape closes.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::emoji;

/// What the first row always offers.
const COMMON: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];
/// Where the emoji this browser used last are kept, newest first.
const RECENT_KEY: &str = "themechat.recent-emoji";
const RECENT_MAX: usize = 8;
/// Where the chosen skin tone is kept (an index of `emoji::TONES`).
const TONE_KEY: &str = "themechat.emoji-tone";
/// Search results shown at most.
const FOUND_MAX: usize = 64;
/// Emoji per row of the grid (the CSS grid has as many columns), for the
/// Up and Down arrows.
const COLUMNS: usize = 8;

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

/// The skin tone chosen in this browser (the default until one is).
pub fn saved_tone() -> usize {
    storage()
        .and_then(|s| s.get_item(TONE_KEY).ok().flatten())
        .and_then(|raw| raw.parse().ok())
        .filter(|tone| *tone < emoji::TONES.len())
        .unwrap_or(0)
}

fn save_tone(tone: usize) {
    if let Some(s) = storage() {
        let _ = s.set_item(TONE_KEY, &tone.to_string());
    }
}

/// The first row: recent ones first (as they were used), then the common
/// ones in the chosen tone.
fn frequent(tone: usize) -> Vec<String> {
    let mut list = recent();
    for common in COMMON {
        let emoji = emoji::find(common).map_or(common, |e| e.in_tone(tone));
        if !list.iter().any(|e| e == emoji) {
            list.push(emoji.to_owned());
        }
    }
    list.truncate(COLUMNS * 2);
    list
}

/// (glyph, label) of each emoji of a section.
type Choices = Vec<(String, String)>;

fn labelled(list: impl IntoIterator<Item = &'static emoji::Emoji>, tone: usize) -> Choices {
    list.into_iter()
        .map(|e| (e.in_tone(tone).to_owned(), emoji::label(e)))
        .collect()
}

/// Moves the focus `by` emoji in the grid (clamped to its ends).
fn move_focus(grid: &web_sys::Element, from: &web_sys::Element, by: isize) {
    let Ok(options) = grid.query_selector_all(".emoji-option") else {
        return;
    };
    let all: Vec<web_sys::HtmlElement> = (0..options.length())
        .filter_map(|i| options.item(i)?.dyn_into().ok())
        .collect();
    let Some(at) = all
        .iter()
        .position(|o| AsRef::<web_sys::Element>::as_ref(o) == from)
    else {
        return;
    };
    let to = (at as isize + by).clamp(0, all.len() as isize - 1) as usize;
    let _ = all[to].focus();
}

/// `style`: where it shows (set by whoever opens it, near its button).
#[component]
pub fn EmojiPicker(
    style: String,
    #[prop(into)] on_pick: Callback<String>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let tab = RwSignal::new(0u8);
    let tone = RwSignal::new(saved_tone());
    let search: NodeRef<html::Input> = NodeRef::new();
    let grid: NodeRef<html::Div> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(input) = search.get() {
            let _ = input.focus();
        }
    });
    let found = Memo::new(move |_| {
        let tone = tone.get();
        query.with(|q| labelled(emoji::search(q, FOUND_MAX), tone))
    });
    let searching = move || query.with(|q| !q.trim().is_empty());
    let group = Memo::new(move |_| labelled(emoji::in_group(tab.get()), tone.get()));
    let pick = move |chosen: String| {
        remember(&chosen);
        on_pick.run(chosen);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let on_option = target
            .as_ref()
            .is_some_and(|t| t.class_list().contains("emoji-option"));
        let by = match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                on_close.run(());
                return;
            }
            "ArrowRight" if on_option => 1,
            "ArrowLeft" if on_option => -1,
            "ArrowDown" if on_option => COLUMNS as isize,
            "ArrowUp" if on_option => -(COLUMNS as isize),
            // From the search box down into the emoji.
            "ArrowDown" => {
                if let Some(first) = grid
                    .get_untracked()
                    .and_then(|g| g.query_selector(".emoji-option").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    ev.prevent_default();
                    let _ = first.focus();
                }
                return;
            }
            "Enter" if !on_option => {
                // Enter in the search box picks the best match.
                ev.prevent_default();
                if let Some((first, _)) = found.with_untracked(|f| f.first().cloned()) {
                    pick(first);
                }
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        if let (Some(g), Some(t)) = (grid.get_untracked(), target) {
            move_focus(&g, &t, by);
        }
    };
    let options = move |list: Choices| {
        list.into_iter()
            .map(|(glyph, label)| {
                let chosen = glyph.clone();
                let data = glyph.clone();
                view! {
                    <button
                        type="button"
                        class="emoji-option reaction-option"
                        data-testid="reaction-option"
                        data-emoji=data
                        aria-label=label.clone()
                        title=label
                        on:click=move |_| pick(chosen.clone())
                    >
                        {glyph}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        // A click outside closes it.
        <div class="emoji-backdrop" on:click=move |_| on_close.run(())></div>
        <div class="emoji-picker" role="dialog" aria-label="Choose a reaction" data-testid="reaction-picker"
            style=style on:keydown=on_keydown>
            <input
                type="search"
                class="emoji-search"
                data-testid="emoji-search"
                placeholder="Search emoji"
                aria-label="Search emoji"
                autocomplete="off"
                node_ref=search
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <div class="emoji-tones" role="radiogroup" aria-label="Skin tone">
                {(0..emoji::TONES.len())
                    .map(|t| {
                        view! {
                            <button
                                type="button"
                                role="radio"
                                class="emoji-tone"
                                data-testid="emoji-tone"
                                data-tone=t.to_string()
                                aria-checked=move || (tone.get() == t).to_string()
                                aria-label=emoji::TONES[t]
                                title=emoji::TONES[t]
                                on:click=move |_| {
                                    tone.set(t);
                                    save_tone(t);
                                }
                            >
                                {emoji::tone_sample(t)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="emoji-grid" node_ref=grid>
                <Show
                    when=searching
                    fallback=move || {
                        view! {
                            <p class="emoji-section">"Frequently used"</p>
                            <div class="emoji-row" role="group" aria-label="Frequently used">
                                {move || options(frequent(tone.get()).into_iter().map(|e| {
                                    let label = emoji::find(&e).map(emoji::label).unwrap_or_else(|| e.clone());
                                    (e, label)
                                }).collect())}
                            </div>
                            <p class="emoji-section">
                                {move || emoji::groups().find(|(g, ..)| *g == tab.get()).map(|(_, name, _)| name)}
                            </p>
                            <div class="emoji-row" role="group"
                                aria-label=move || emoji::groups().find(|(g, ..)| *g == tab.get()).map(|(_, name, _)| name)>
                                {move || options(group.get())}
                            </div>
                        }
                    }
                >
                    {move || {
                        let list = found.get();
                        if list.is_empty() {
                            view! { <p class="muted emoji-none" data-testid="emoji-none">"No emoji match that."</p> }.into_any()
                        } else {
                            view! {
                                <div class="emoji-row" role="group" aria-label="Matching emoji">{options(list)}</div>
                            }
                                .into_any()
                        }
                    }}
                </Show>
            </div>
            <div class="emoji-tabs" role="group" aria-label="Emoji groups">
                {emoji::groups()
                    .map(|(g, name, icon)| {
                        view! {
                            <button
                                type="button"
                                class="emoji-tab"
                                aria-pressed=move || (tab.get() == g && !searching()).to_string()
                                aria-label=name
                                title=name
                                on:click=move |_| {
                                    query.set(String::new());
                                    tab.set(g);
                                }
                            >
                                {icon}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

//! Ctrl+K (Cmd+K on a Mac) anywhere: a box to type part of a room's or a
//! person's name, arrows to choose, Enter to open, Escape to close.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use protocol::{RoomId, RoomKind};

use crate::chat::Chat;

/// Rooms at most in the list: the best matches.
const SHOWN: usize = 8;

#[component]
pub fn QuickSwitcher() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let chosen = RwSignal::new(0usize);
    let input: NodeRef<html::Input> = NodeRef::new();

    // Where the focus was when it opened: closing without choosing puts it
    // back there.
    let came_from = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let dismiss = move || {
        open.set(false);
        if let Some(el) = came_from.try_update_value(Option::take).flatten() {
            let _ = el.focus();
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let shortcut = (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k");
        if shortcut {
            ev.prevent_default();
            if open.get_untracked() {
                dismiss();
                return;
            }
            came_from.set_value(
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()),
            );
            typed.set(String::new());
            chosen.set(0);
            open.set(true);
        }
    });
    on_cleanup(move || handle.remove());
    // Focus goes into the box as it opens.
    Effect::new(move |_| {
        if open.get()
            && let Some(el) = input.get()
        {
            let _ = el.focus();
        }
    });

    // Rooms whose name has what is typed, the most recently active first
    // (as the room list orders them); names that start with it come first.
    let matches = Memo::new(move |_| {
        let needle = typed.get().trim().to_lowercase();
        let mut found: Vec<(RoomId, String, bool)> = chat.state.with(|s| {
            s.sorted_rooms()
                .into_iter()
                .filter(|r| r.room.name.to_lowercase().contains(&needle))
                .map(|r| (r.room.id, r.room.name, r.room.kind == RoomKind::Direct))
                .collect()
        });
        found.sort_by_key(|(_, name, _)| !name.to_lowercase().starts_with(&needle));
        found.truncate(SHOWN);
        found
    });
    let go = {
        let navigate = navigate.clone();
        move |room: RoomId| {
            came_from.set_value(None);
            open.set(false);
            navigate(&format!("/rooms/{room}"), Default::default());
        }
    };
    let on_keydown = {
        let go = go.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let count = matches.with_untracked(Vec::len);
            match ev.key().as_str() {
                "Escape" => {
                    ev.prevent_default();
                    dismiss();
                }
                "ArrowDown" if count > 0 => {
                    ev.prevent_default();
                    chosen.update(|c| *c = (*c + 1) % count);
                }
                "ArrowUp" if count > 0 => {
                    ev.prevent_default();
                    chosen.update(|c| *c = (*c + count - 1) % count);
                }
                "Enter" => {
                    ev.prevent_default();
                    let pick =
                        matches.with_untracked(|m| m.get(chosen.get_untracked()).map(|r| r.0));
                    if let Some(room) = pick {
                        go(room);
                    }
                }
                _ => {}
            }
        }
    };
    let go = StoredValue::new(go);

    view! {
        <Show when=move || open.get()>
            <div class="switcher-backdrop" on:click=move |_| dismiss()></div>
            <div class="quick-switcher card" role="dialog" aria-modal="true"
                aria-label="Go to a room" data-testid="quick-switcher">
                <input
                    node_ref=input
                    type="text"
                    data-testid="quick-switcher-input"
                    placeholder="Go to a room or a conversation…"
                    aria-label="Room or person to go to"
                    aria-controls="quick-switcher-list"
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        typed.set(event_target_value(&ev));
                        chosen.set(0);
                    }
                    on:keydown=on_keydown.clone()
                />
                <ul id="quick-switcher-list" class="plain-list" role="listbox">
                    {move || matches.get().into_iter().enumerate().map(|(i, (id, name, direct))| {
                        let selected = move || chosen.get() == i;
                        view! {
                            <li
                                role="option"
                                class="switcher-item"
                                class:selected=selected
                                aria-selected=move || selected().to_string()
                                data-testid="quick-switcher-item"
                                data-room-id=id.to_string()
                                on:click=move |_| go.with_value(|go| go(id))
                            >
                                {if direct { format!("@{name}") } else { format!("#{name}") }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || matches.with(Vec::is_empty).then(|| view! {
                    <p class="muted" data-testid="quick-switcher-empty">"No room by that name."</p>
                })}
            </div>
        </Show>
    }
}

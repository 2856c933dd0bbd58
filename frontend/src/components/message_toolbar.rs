//! A message's actions (react, reply, pin, edit, delete) in one toolbar:
//! floating over the bubble's corner while the pointer or the focus is on
//! it, and a sheet at the bottom of the screen on a phone, opened by a tap
//! or a long press. Left and Right move between its buttons; Escape goes
//! back to the message.

use leptos::html;
use leptos::prelude::*;
use protocol::Message;
use wasm_bindgen::JsCast;

use crate::chat::Chat;
use crate::components::controls::LinkButton;
use crate::components::delete_message::DeleteAction;
use crate::components::emoji_picker::EmojiPicker;
use crate::components::pins::PinAction;
use crate::components::reactions;

/// The picker's place on screen: above the button when it sits in the lower
/// half of the window, else below it; from the button's left edge towards
/// the middle of the window (its right edge in the right half).
fn picker_place(button: &web_sys::Element) -> String {
    let r = button.get_bounding_client_rect();
    let (width, height) = web_sys::window()
        .map(|w| {
            let px = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
            (
                px(w.inner_width()).unwrap_or(0.0),
                px(w.inner_height()).unwrap_or(0.0),
            )
        })
        .unwrap_or_default();
    let across = if r.left() < width / 2.0 {
        format!("left: {}px;", r.left().max(8.0))
    } else {
        format!("right: {}px;", (width - r.right()).max(8.0))
    };
    let down = if r.top() > height / 2.0 {
        format!("bottom: {}px;", height - r.top() + 4.0)
    } else {
        format!("top: {}px;", r.bottom() + 4.0)
    };
    format!("{across} {down}")
}

fn element_of(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

/// Moves the focus to the toolbar's button `by` places from `from`.
fn step(toolbar: &web_sys::Element, from: &web_sys::Element, by: i32) {
    let Ok(buttons) = toolbar.query_selector_all(":scope > button, :scope > span > button") else {
        return;
    };
    let all: Vec<web_sys::HtmlElement> = (0..buttons.length())
        .filter_map(|i| buttons.item(i)?.dyn_into().ok())
        .filter(|b: &web_sys::HtmlElement| b.offset_parent().is_some())
        .collect();
    if let Some(at) = all
        .iter()
        .position(|b| AsRef::<web_sys::Element>::as_ref(b) == from)
    {
        let n = all.len() as i32;
        let _ = all[((at as i32 + by).rem_euclid(n)) as usize].focus();
    }
}

/// `open`: the phone's sheet (and a tap's or Enter's toolbar) is showing.
#[component]
pub fn MessageToolbar(
    message: Message,
    mine: bool,
    open: RwSignal<bool>,
    /// Where a refused reaction says why (under the message).
    reaction_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let id = message.id;
    let room = message.room_id;
    let for_reply = message.clone();
    let for_edit = message;
    let picker_at = RwSignal::new(None::<String>);
    let react_button: NodeRef<html::Button> = NodeRef::new();
    let toolbar: NodeRef<html::Div> = NodeRef::new();

    // An action taken closes the phone's sheet; React and Delete ask a
    // question first, and the sheet stays for the answer.
    let close_after = move |ev: leptos::ev::MouseEvent| {
        let Some(target) = element_of(&ev) else {
            return;
        };
        let asks = r#"[data-testid="react-button"], [data-testid="delete-button"], .emoji-picker"#;
        let on_button = target.closest("button").ok().flatten().is_some();
        if on_button && target.closest(asks).ok().flatten().is_none() {
            open.set(false);
        }
    };
    let toggle_picker = move |_| {
        if picker_at.with_untracked(Option::is_some) {
            picker_at.set(None);
        } else if let Some(button) = react_button.get_untracked() {
            picker_at.set(Some(picker_place(&button)));
        }
    };
    let close_picker = move || {
        picker_at.set(None);
        if let Some(button) = react_button.get_untracked() {
            let _ = button.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let (Some(bar), Some(from)) = (toolbar.get_untracked(), element_of(&ev)) else {
            return;
        };
        if from.closest(".emoji-picker").ok().flatten().is_some() {
            return;
        }
        match ev.key().as_str() {
            "ArrowRight" => step(&bar, &from, 1),
            "ArrowLeft" => step(&bar, &from, -1),
            "Escape" => {
                open.set(false);
                if let Some(bubble) = bar
                    .closest("article")
                    .ok()
                    .flatten()
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = bubble.focus();
                }
            }
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    view! {
        <div
            class="message-actions message-toolbar"
            role="toolbar"
            aria-label="Message actions"
            data-testid="message-toolbar"
            node_ref=toolbar
            on:click=close_after
            on:keydown=on_keydown
        >
            <button
                type="button"
                class="link-button"
                data-testid="react-button"
                aria-haspopup="dialog"
                aria-expanded=move || picker_at.with(Option::is_some).to_string()
                node_ref=react_button
                on:click=toggle_picker
            >
                "React"
            </button>
            <LinkButton label="Reply" testid="reply-button" on_click=move || chat.start_reply(for_reply.clone()) />
            <PinAction room=room message=id />
            {mine
                .then(|| {
                    view! {
                        <LinkButton label="Edit" testid="edit-button"
                            on_click=move || chat.start_edit(for_edit.clone()) />
                    }
                })}
            <DeleteAction message=id mine=mine />
            <button type="button" class="link-button sheet-close" data-testid="actions-close">
                "Close"
            </button>
            {move || {
                picker_at
                    .get()
                    .map(|style| {
                        view! {
                            <EmojiPicker
                                style=style
                                on_pick=move |emoji: String| {
                                    picker_at.set(None);
                                    open.set(false);
                                    reactions::send(chat, id, emoji, true, reaction_error);
                                }
                                on_close=close_picker
                            />
                        }
                    })
            }}
        </div>
    }
}

//! Getting around the screen from the keyboard: a skip link to the
//! conversation, and F6 (Shift+F6 back; Ctrl+F6 as well) through the room
//! list, the messages and the message box, as desktop apps do.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Each region: what holds it, and what takes the focus in it (the first
/// that is there).
const REGIONS: [(&str, &[&str]); 3] = [
    (
        ".sidebar",
        &[
            ".sidebar .room-item[aria-current=\"page\"]",
            ".sidebar .room-item",
            ".sidebar button",
        ],
    ),
    (
        "[data-testid=\"message-list\"]",
        &["[data-testid=\"message-list\"]"],
    ),
    (".composer", &["[data-testid=\"composer-input\"]"]),
];

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// What takes the focus in region `i`, if the region is on screen.
fn target(document: &web_sys::Document, i: usize) -> Option<web_sys::HtmlElement> {
    REGIONS[i].1.iter().find_map(|css| {
        let el = document.query_selector(css).ok().flatten()?;
        let el = el.dyn_into::<web_sys::HtmlElement>().ok()?;
        // Laid out (a phone's closed drawer is not).
        (el.offset_width() > 0 || el.offset_height() > 0).then_some(el)
    })
}

/// Moves the focus to the next region on screen (or the previous one).
fn cycle(back: bool) {
    let Some(document) = document() else {
        return;
    };
    let active = document.active_element();
    let here = REGIONS.iter().position(|(holder, _)| {
        let holder = document.query_selector(holder).ok().flatten();
        matches!((&holder, &active), (Some(h), Some(a)) if h.contains(Some(a)))
    });
    let n = REGIONS.len();
    let start = here.unwrap_or(if back { 0 } else { n - 1 });
    for step in 1..=n {
        let i = if back {
            (start + n * 2 - step) % n
        } else {
            (start + step) % n
        };
        if let Some(el) = target(&document, i) {
            let _ = el.focus();
            return;
        }
    }
}

/// F6 anywhere, and the skip link at the top of the page.
#[component]
pub fn Regions() -> impl IntoView {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "F6" {
            ev.prevent_default();
            cycle(ev.shift_key());
        }
    });
    on_cleanup(move || handle.remove());
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let Some(document) = document() else {
            return;
        };
        // The message box when a room is open, else the page's main part.
        let to = target(&document, 2).or_else(|| {
            document
                .query_selector("main")
                .ok()
                .flatten()
                .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
        });
        if let Some(el) = to {
            let _ = el.focus();
        }
    };
    view! {
        <a class="skip-link" href="#main" data-testid="skip-link" on:click=skip>
            "Skip to the conversation"
        </a>
    }
}

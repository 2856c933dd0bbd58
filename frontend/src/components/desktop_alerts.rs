//! Desktop notifications (the browser's Notification API) for mentions and
//! direct messages that arrive while the tab is hidden. They are off until
//! the user turns them on in the settings, which is when the browser asks
//! for permission; the choice is kept per browser. Clicking one brings the
//! tab forward in the room it is about.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::chat::Chat;

const KEY: &str = "themechat.desktop-notifications";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What the browser allows, as the settings show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Unsupported,
    Granted,
    Denied,
    NotAsked,
}

fn supported() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

pub fn permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::NotAsked,
    }
}

/// The user turned them on (and the browser still allows them).
pub fn enabled() -> bool {
    permission() == Permission::Granted
        && storage().is_some_and(|s| s.get_item(KEY).ok().flatten().as_deref() == Some("on"))
}

/// Turns them on, asking the browser first; the answer is what it allows.
pub async fn enable() -> Permission {
    if permission() == Permission::NotAsked
        && let Ok(asked) = web_sys::Notification::request_permission()
    {
        let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
    }
    let now = permission();
    if now == Permission::Granted
        && let Some(s) = storage()
    {
        let _ = s.set_item(KEY, "on");
    }
    now
}

pub fn disable() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

/// Shows the chat's alerts as they come, when turned on.
#[component]
pub fn DesktopAlerts() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let Some(alert) = chat.alert.get() else {
            return;
        };
        if !enabled() {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(&alert.body);
        options.set_tag(&alert.tag);
        let Ok(shown) = web_sys::Notification::new_with_options(&alert.title, &options) else {
            return;
        };
        let navigate = navigate.clone();
        let room = alert.room;
        let on_click = Closure::<dyn Fn()>::new(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
            }
            if let Some(room) = room {
                navigate(&format!("/rooms/{room}"), Default::default());
            }
        });
        shown.set_onclick(Some(on_click.as_ref().unchecked_ref()));
        // The notification outlives this effect; so does its handler.
        on_click.forget();
    });
}

/// The settings' switch.
#[component]
pub fn DesktopAlertSettings() -> impl IntoView {
    let state = RwSignal::new(permission());
    let on = RwSignal::new(enabled());
    let toggle = move |ev: leptos::ev::Event| {
        if on.get_untracked() {
            disable();
            on.set(false);
            return;
        }
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        leptos::task::spawn_local(async move {
            let answer = enable().await;
            state.set(answer);
            on.set(answer == Permission::Granted);
            // The box shows the answer, even when it is the old value.
            input.set_checked(answer == Permission::Granted);
        });
    };
    let status = move || match (state.get(), on.get()) {
        (Permission::Unsupported, _) => "This browser has no desktop notifications.",
        (Permission::Denied, _) => {
            "Blocked by the browser: allow notifications for this site in its settings."
        }
        (_, true) => "On: mentions and direct messages show while this tab is in the background.",
        (_, false) => "Off.",
    };
    view! {
        <h2>"Notifications on this device"</h2>
        <div class="card form">
            <label class="checkbox">
                <input
                    type="checkbox"
                    data-testid="desktop-notifications-toggle"
                    prop:checked=move || on.get()
                    disabled=move || matches!(state.get(), Permission::Unsupported | Permission::Denied)
                    on:change=toggle
                />
                " Desktop notifications for mentions and direct messages"
            </label>
            <p class="muted" data-testid="desktop-notifications-status" role="status">{status}</p>
        </div>
    }
}

//! A person's picture: their avatar where they have one, their initials
//! otherwise; and the picker that uploads one from the settings.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::attachments::picked_files;
use crate::components::status::FormError;
use crate::session::Session;

/// Up to two initials of a display name.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[component]
pub fn Avatar(
    #[prop(into)] url: Signal<Option<String>>,
    #[prop(into)] name: String,
    #[prop(default = "avatar")] class: &'static str,
) -> impl IntoView {
    let letters = initials(&name);
    view! {
        <span class=format!("avatar {class}") data-testid="avatar" aria-hidden="true">
            {move || match url.get() {
                Some(src) => view! { <img src=src alt="" loading="lazy" /> }.into_any(),
                None => view! { <span class="avatar-initials">{letters.clone()}</span> }.into_any(),
            }}
        </span>
    }
}

/// Uploads or removes the signed-in person's avatar; `url` follows it (the
/// profile form's avatar field, so saving the form keeps the new one).
#[component]
pub fn AvatarPicker(url: RwSignal<String>) -> impl IntoView {
    let session = expect_context::<Session>();
    let picker: NodeRef<html::Input> = NodeRef::new();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = session
        .me_untracked()
        .map(|m| m.user.display_name)
        .unwrap_or_default();
    let done = move |result: Result<protocol::Me, api::Failure>| {
        busy.try_set(false);
        match result {
            Ok(me) => {
                url.try_set(me.user.avatar_url.clone().unwrap_or_default());
                error.try_set(None);
                session.set_me(me);
            }
            Err(e) => {
                error.try_set(Some(e.message()));
            }
        }
    };
    let upload = move |ev: leptos::ev::Event| {
        let Some(file) = picked_files(&ev).into_iter().next() else {
            return;
        };
        busy.set(true);
        spawn_local(async move { done(api::set_avatar(&file).await) });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move { done(api::clear_avatar().await) });
    };
    let shown = Signal::derive(move || Some(url.get()).filter(|u| !u.is_empty()));
    view! {
        <div class="avatar-picker" data-testid="avatar-picker">
            <span data-testid="avatar-preview">
                <Avatar url=shown name=name class="avatar-large" />
            </span>
            <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" class="visually-hidden"
                node_ref=picker data-testid="avatar-file" aria-label="Choose a picture" tabindex="-1"
                on:change=upload />
            <button type="button" class="button secondary" data-testid="avatar-upload"
                disabled=move || busy.get()
                on:click=move |_| {
                    if let Some(p) = picker.get_untracked() {
                        p.click();
                    }
                }>
                {move || if busy.get() { "Uploading…" } else { "Upload a picture" }}
            </button>
            {move || {
                (!url.with(String::is_empty))
                    .then(|| {
                        view! {
                            <button type="button" class="link-button" data-testid="avatar-remove"
                                disabled=move || busy.get() on:click=remove>
                                "Remove"
                            </button>
                        }
                    })
            }}
            <FormError message=error />
        </div>
    }
}

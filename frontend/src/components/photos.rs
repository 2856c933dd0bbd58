//! A person's photo library on their profile: thumbnails that open in the
//! viewer; on one's own profile, adding and removing pictures.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{ErrorCode, Photo, UserId};

use crate::api::{self, Failure};
use crate::components::attachments::picked_files;
use crate::components::attachments::{Viewer, object_url};
use crate::components::status::FormError;

#[component]
pub fn PhotoLibrary(owner: UserId, mine: bool) -> impl IntoView {
    let photos = RwSignal::new(None::<Result<Vec<Photo>, Failure>>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let picker: NodeRef<html::Input> = NodeRef::new();
    spawn_local(async move {
        photos.try_set(Some(api::photos_of(owner).await));
    });
    let add = move |ev: leptos::ev::Event| {
        let Some(file) = picked_files(&ev).into_iter().next() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let added = api::add_photo(&file).await;
            busy.try_set(false);
            match added {
                Ok(photo) => {
                    error.try_set(None);
                    photos.try_update(|p| {
                        if let Some(Ok(list)) = p {
                            list.insert(0, photo);
                        }
                    });
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    let remove = move |photo: Photo| {
        spawn_local(async move {
            match api::remove_photo(photo.id).await {
                Ok(()) => {
                    photos.try_update(|p| {
                        if let Some(Ok(list)) = p {
                            list.retain(|x| x.id != photo.id);
                        }
                    });
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <section class="card photo-library" data-testid="profile-photos" aria-label="Photos">
            <h2>"Photos"</h2>
            {mine
                .then(|| {
                    view! {
                        <input type="file" accept="image/png,image/jpeg,image/gif,image/webp"
                            class="visually-hidden" node_ref=picker data-testid="photo-file"
                            aria-label="Choose a photo" tabindex="-1" on:change=add />
                        <button type="button" class="button secondary" data-testid="photo-upload"
                            disabled=move || busy.get()
                            on:click=move |_| {
                                if let Some(p) = picker.get_untracked() {
                                    p.click();
                                }
                            }>
                            {move || if busy.get() { "Uploading…" } else { "Add a photo" }}
                        </button>
                    }
                })}
            <FormError message=error />
            {move || match photos.get() {
                None => view! { <p class="muted">"Loading photos…"</p> }.into_any(),
                Some(Err(Failure::Refused(body))) if body.code == ErrorCode::Forbidden => {
                    view! {
                        <p class="muted" data-testid="profile-photos-hidden">
                            "Only friends see these photos."
                        </p>
                    }
                        .into_any()
                }
                Some(Err(e)) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted" data-testid="profile-photos-empty">"No photos yet."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="photo-grid">
                            {list
                                .into_iter()
                                .map(|photo| view! { <PhotoTile photo=photo mine=mine on_remove=Callback::new(remove) /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn PhotoTile(photo: Photo, mine: bool, #[prop(into)] on_remove: Callback<Photo>) -> impl IntoView {
    let open = RwSignal::new(false);
    let (thumb, failed) = object_url(api::photo_path(photo.id, true));
    let id = photo.id;
    let name = format!("Photo {}", photo.created_at.format("%Y-%m-%d"));
    let label = format!("Open {name}");
    let for_remove = photo.clone();
    view! {
        <li class="photo-tile" data-testid="profile-photo" data-photo-id=id.to_string()>
            <button type="button" class="attachment-picture" aria-label=label
                on:click=move |_| open.set(true)>
                {move || match (thumb.get(), failed.get()) {
                    (Some(src), _) => view! { <img src=src alt="" data-testid="profile-photo-thumbnail" /> }.into_any(),
                    (None, true) => view! { <span class="attachment-note">"Unavailable"</span> }.into_any(),
                    (None, false) => view! { <span class="attachment-note">"Loading…"</span> }.into_any(),
                }}
            </button>
            {mine
                .then(|| {
                    view! {
                        <button type="button" class="link-button" data-testid="photo-remove"
                            on:click=move |_| on_remove.run(for_remove.clone())>"Remove"</button>
                    }
                })}
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <Viewer path=api::photo_path(id, false) name=name.clone()
                                on_close=Callback::new(move |()| open.set(false)) />
                        }
                    })
            }}
        </li>
    }
}

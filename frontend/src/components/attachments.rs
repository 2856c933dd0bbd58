//! Files on messages: pictures as thumbnails that open in a viewer, other
//! files as downloads under their name. Their bytes are for members only
//! (the request carries the bearer token), so they are fetched and shown
//! through object URLs, freed when they leave the page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::Attachment;
use protocol::limits::THUMBNAIL_SIDE;
use wasm_bindgen::JsCast;

use crate::api;

/// "2.4 MB", "812 KB", "90 bytes".
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Loads an attachment into an object URL; the URL is freed when the
/// calling component goes (or at once, if it went while loading).
pub fn object_url(path: String) -> (RwSignal<Option<String>>, RwSignal<bool>) {
    let url = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    spawn_local(async move {
        match api::file_url(&path).await {
            Ok(loaded) => {
                if let Some(Some(unused)) = url.try_set(Some(loaded)) {
                    let _ = web_sys::Url::revoke_object_url(&unused);
                }
            }
            Err(_) => {
                failed.try_set(true);
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(loaded)) = url.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&loaded);
        }
    });
    (url, failed)
}

/// The files of one message, in their order.
#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <div class="attachments" data-testid="message-attachments">
                {attachments
                    .into_iter()
                    .map(|a| {
                        if a.is_image() {
                            view! { <Picture attachment=a /> }.into_any()
                        } else {
                            view! { <FileDownload attachment=a /> }.into_any()
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// The size a thumbnail will have, so the list does not jump when it loads.
fn thumbnail_size(a: &Attachment) -> (u32, u32) {
    let (w, h) = (a.width.unwrap_or(1).max(1), a.height.unwrap_or(1).max(1));
    let side = w.max(h);
    if side <= THUMBNAIL_SIDE {
        return (w, h);
    }
    let scale = |v: u32| ((v as u64 * THUMBNAIL_SIDE as u64) / side as u64).max(1) as u32;
    (scale(w), scale(h))
}

#[component]
fn Picture(attachment: Attachment) -> impl IntoView {
    let open = RwSignal::new(false);
    let (thumb, failed) = object_url(api::attachment_path(attachment.id, attachment.thumbnail));
    let (width, height) = thumbnail_size(&attachment);
    let name = attachment.name.clone();
    let label = format!("Open picture {}", attachment.name);
    view! {
        <button
            type="button"
            class="attachment-picture"
            data-testid="attachment-image"
            aria-label=label
            style=format!("width: {width}px; aspect-ratio: {width} / {height};")
            on:click=move |_| open.set(true)
        >
            {move || match (thumb.get(), failed.get()) {
                (Some(src), _) => {
                    view! {
                        <img
                            src=src
                            alt=name.clone()
                            width=width
                            height=height
                            data-testid="attachment-thumbnail"
                        />
                    }
                        .into_any()
                }
                (None, true) => {
                    view! { <span class="attachment-note">"Picture unavailable"</span> }.into_any()
                }
                (None, false) => view! { <span class="attachment-note">"Loading…"</span> }.into_any(),
            }}
        </button>
        {move || {
            open.get()
                .then(|| {
                    view! {
                        <Viewer
                            path=api::attachment_path(attachment.id, false)
                            name=attachment.name.clone()
                            on_close=Callback::new(move |()| open.set(false))
                        />
                    }
                })
        }}
    }
}

/// A picture at full size over the page; Escape, a click beside it or the
/// close button ends it.
#[component]
pub fn Viewer(path: String, name: String, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let (full, failed) = object_url(path);
    let close: NodeRef<leptos::html::Button> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(button) = close.get() {
            let _ = button.focus();
        }
    });
    let download_name = name.clone();
    let label = format!("Picture {name}");
    let bar_name = name.clone();
    view! {
        <div
            class="viewer"
            role="dialog"
            aria-modal="true"
            aria-label=label
            data-testid="attachment-viewer"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    on_close.run(());
                }
            }
            on:click=move |_| on_close.run(())
        >
            <div class="viewer-bar" on:click=|ev| ev.stop_propagation()>
                <span class="viewer-name">{bar_name}</span>
                {move || {
                    full.get()
                        .map(|href| {
                            view! {
                                <a class="link-button" href=href download=download_name.clone()
                                    data-testid="attachment-viewer-download">"Download"</a>
                            }
                        })
                }}
                <button
                    type="button"
                    class="link-button"
                    node_ref=close
                    data-testid="attachment-viewer-close"
                    on:click=move |_| on_close.run(())
                >
                    "Close"
                </button>
            </div>
            {move || match (full.get(), failed.get()) {
                (Some(src), _) => {
                    view! {
                        <img class="viewer-image" src=src alt=name.clone()
                            data-testid="attachment-viewer-image"
                            on:click=|ev| ev.stop_propagation() />
                    }
                        .into_any()
                }
                (None, true) => view! { <p class="viewer-note">"The picture could not be loaded."</p> }.into_any(),
                (None, false) => view! { <p class="viewer-note">"Loading…"</p> }.into_any(),
            }}
        </div>
    }
}

/// A file that is not a picture: a button that downloads it by its name.
#[component]
fn FileDownload(attachment: Attachment) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = attachment.id;
    let name = attachment.name.clone();
    let download = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let name = name.clone();
        spawn_local(async move {
            let outcome = api::file_url(&api::attachment_path(id, false)).await;
            busy.try_set(false);
            match outcome {
                Ok(url) => {
                    save_as(&url, &name);
                    // The download reads the URL after this returns.
                    set_timeout(
                        move || {
                            let _ = web_sys::Url::revoke_object_url(&url);
                        },
                        std::time::Duration::from_secs(60),
                    );
                    error.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <span class="attachment-file-wrap">
            <button
                type="button"
                class="attachment-file"
                data-testid="attachment-file"
                aria-label=format!("Download {}", attachment.name)
                on:click=download
            >
                <span aria-hidden="true">"📄 "</span>
                <span class="attachment-name" data-testid="attachment-name">{attachment.name.clone()}</span>
                <span class="attachment-size">{format!(" · {}", human_size(attachment.size))}</span>
            </button>
            {move || {
                error.get().map(|e| view! { <span class="form-error" role="alert" data-testid="attachment-error">{e}</span> })
            }}
        </span>
    }
}

/// The files just picked in an `input type=file` (whose `change` this is),
/// the input emptied so that picking the same file again fires again.
pub fn picked_files(ev: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(field) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = field.files().map_or_else(Vec::new, |list| {
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    });
    field.set_value("");
    files
}

/// Hands an object URL to the browser as a download named `name`.
pub fn save_as(url: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(element) = document.create_element("a") else {
        return;
    };
    let Ok(link) = element.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    link.set_href(url);
    link.set_download(name);
    link.click();
}

//! Downloading an export (my data, a room's history): fetched with the
//! bearer token, then handed to the browser as a file.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::attachments::save_as;
use crate::components::status::FormError;

#[component]
pub fn ExportButton(
    /// The API path of the export, e.g. `/users/me/export`.
    path: String,
    file_name: String,
    label: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let start = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        done.set(false);
        error.set(None);
        let (path, file_name) = (path.clone(), file_name.clone());
        spawn_local(async move {
            let fetched = api::file_url(&path).await;
            busy.try_set(false);
            match fetched {
                Ok(url) => {
                    save_as(&url, &file_name);
                    set_timeout(
                        move || {
                            let _ = web_sys::Url::revoke_object_url(&url);
                        },
                        std::time::Duration::from_secs(60),
                    );
                    done.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <div class="export">
            <button type="button" class="button secondary" data-testid=testid
                disabled=move || busy.get() on:click=start>
                {move || if busy.get() { "Preparing…" } else { label }}
            </button>
            {move || {
                done.get()
                    .then(|| view! { <span class="status-ok" role="status" data-testid="export-done">" Downloaded."</span> })
            }}
            <FormError message=error />
        </div>
    }
}

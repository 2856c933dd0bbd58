//! The "(edited)" mark of a message, which opens its earlier versions.

use leptos::prelude::*;
use protocol::{MessageId, MessageVersion};

use crate::api;
use crate::components::local_offset;
use crate::components::status::Loading;
use crate::state::full_time;

/// "(edited)": a click shows (or hides) what the message said before.
#[component]
pub fn EditedMark(message: MessageId) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="link-button edited-mark"
            data-testid="message-edited"
            aria-expanded=move || open.get().to_string()
            title="Show earlier versions"
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "(edited)"
        </button>
        <Show when=move || open.get()>
            <EditHistory message=message />
        </Show>
    }
}

#[component]
fn EditHistory(message: MessageId) -> impl IntoView {
    let versions = LocalResource::new(move || api::edits(message));
    let offset = local_offset();
    let item = move |v: MessageVersion| {
        view! {
            <li data-testid="edit-history-item">
                <time datetime=v.written_at.to_rfc3339()>{full_time(v.written_at, offset)}</time>
                " "
                <span class="edit-history-body">{v.body}</span>
            </li>
        }
    };
    view! {
        <div class="edit-history" data-testid="edit-history" aria-label="Earlier versions">
            <Suspense fallback=|| view! { <Loading label="Loading earlier versions…" /> }>
                {move || {
                    versions
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! { <p class="muted">"No earlier versions."</p> }.into_any()
                            }
                            Ok(list) => view! { <ol>{list.into_iter().map(item).collect_view()}</ol> }.into_any(),
                        })
                }}
            </Suspense>
        </div>
    }
}

//! Who has read a room up to a message: small avatars under it, their names
//! on hover, and a list on tap (a phone has no hover).

use leptos::prelude::*;
use protocol::UserRef;

use crate::components::avatar::Avatar;

/// Avatars shown before the rest become "+N".
const SHOWN: usize = 4;

/// "Ann", "Ann and Bo", "Ann, Bo and Cy".
pub fn seen_by(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("Seen by {one}"),
        [rest @ .., last] => format!("Seen by {} and {last}", rest.join(", ")),
    }
}

#[component]
pub fn ReadReceipts(readers: Vec<UserRef>) -> impl IntoView {
    let open = RwSignal::new(false);
    let names: Vec<&str> = readers.iter().map(|u| u.display_name.as_str()).collect();
    let label = seen_by(&names);
    let more = readers.len().saturating_sub(SHOWN);
    let listed = readers.clone();
    view! {
        <div class="read-receipts" data-testid="read-receipts">
            <button
                type="button"
                class="receipt-faces"
                title=label.clone()
                aria-label=label
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {readers
                    .into_iter()
                    .take(SHOWN)
                    .map(|u| {
                        view! {
                            <span class="read-receipt" data-testid="read-receipt" data-user-id=u.id.to_string()>
                                <Avatar url=u.avatar_url name=u.display_name class="avatar-tiny" />
                            </span>
                        }
                    })
                    .collect_view()}
                {(more > 0).then(|| view! { <span class="receipt-more">{format!("+{more}")}</span> })}
            </button>
            <Show when=move || open.get()>
                <ul class="receipt-list" data-testid="read-receipts-list">
                    {listed
                        .iter()
                        .map(|u| view! { <li>{u.display_name.clone()}</li> })
                        .collect_view()}
                </ul>
            </Show>
        </div>
    }
}

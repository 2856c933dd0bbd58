//! A message's thread in a side panel: the root and its replies. Replying
//! reuses the room's composer with `reply_to` set to the root.

use leptos::prelude::*;
use protocol::Message;

use crate::api;
use crate::chat::Chat;
use crate::components::controls::PanelHead;
use crate::components::local_offset;
use crate::components::rich_text::RichText;
use crate::components::status::Loading;
use crate::state::full_time;
use protocol::{MessageId, RoomId};

/// The open room's panels (provided by the room view): a bubble opens its
/// thread there, the thread panel closes itself.
#[derive(Clone, Copy)]
pub struct RoomPanels(pub RwSignal<crate::state::Panels>);

#[component]
fn ThreadMessage(message: Message, root: bool) -> impl IntoView {
    let offset = local_offset();
    let sender = message
        .sender
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| "Deleted user".into());
    let body = if message.deleted {
        "message deleted".to_owned()
    } else {
        message.body.clone()
    };
    view! {
        <li class="thread-message" class:thread-root=root data-testid="thread-message" data-message-id=message.id.to_string()>
            <div class="thread-meta">
                <strong dir="auto">{sender}</strong>
                " "
                <time class="muted" datetime=message.created_at.to_rfc3339()>{full_time(message.created_at, offset)}</time>
            </div>
            <div class="message-body" class:deleted-mark=message.deleted dir="auto">
                {if message.deleted { body.into_any() } else { view! { <RichText text=body /> }.into_any() }}
            </div>
        </li>
    }
}

#[component]
pub fn ThreadPanel(room: RoomId, root: MessageId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let panels = expect_context::<RoomPanels>();
    // Fetch again whenever a reply to the root arrives or one is edited.
    let version = Memo::new(move |_| {
        chat.state.with(|s| {
            s.timelines.get(&room).map(|t| {
                t.messages()
                    .filter(|m| m.reply_to == Some(root) || m.id == root)
                    .map(|m| {
                        (
                            m.id,
                            m.reply_count,
                            m.deleted,
                            m.edited_at.map(|t| t.timestamp_millis()),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let thread = LocalResource::new(move || {
        version.track();
        api::thread(root)
    });
    view! {
        <aside class="side-panel thread-panel" data-testid="thread-panel" aria-label="Thread">
            <PanelHead title="Thread" close_label="Close thread" close_testid="thread-close"
                on_close=move || panels.0.update(crate::state::Panels::close_side) />
            <Suspense fallback=|| view! { <Loading label="Loading thread…" /> }>
                {move || {
                    thread
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                            Ok(t) => {
                                let root_message = t.root.clone();
                                let n = t.replies.len();
                                view! {
                                    <ul class="thread-list">
                                        <ThreadMessage message=t.root root=true />
                                        <li class="muted thread-count">
                                            {match n {
                                                0 => "No replies yet".to_owned(),
                                                1 => "1 reply".to_owned(),
                                                n => format!("{n} replies"),
                                            }}
                                        </li>
                                        {t
                                            .replies
                                            .into_iter()
                                            .map(|m| view! { <ThreadMessage message=m root=false /> })
                                            .collect_view()}
                                    </ul>
                                    {(!root_message.deleted)
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="button small"
                                                    data-testid="thread-reply"
                                                    on:click=move |_| chat.start_reply(root_message.clone())
                                                >
                                                    "Reply in thread"
                                                </button>
                                            }
                                        })}
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </aside>
    }
}

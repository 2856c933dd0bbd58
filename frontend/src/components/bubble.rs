//! One chat bubble: sender, body (always as text, never HTML), time
//! (relative, full on hover), reply parent, edited/deleted marks, and the
//! status of the user's latest own message.
//!
//! Consecutive messages of one sender form a group: the name and avatar
//! show once, on its first message, and the later ones show their time
//! only under the pointer or the focus, so a one-line message costs one
//! line. Actions sit in a toolbar that shows on demand.

use leptos::prelude::*;
use protocol::Message;

use crate::chat::Chat;
use crate::components::attachments::AttachmentList;
use crate::components::avatar::Avatar;
use crate::components::edit_history::EditedMark;
use crate::components::message_toolbar::MessageToolbar;
use crate::components::reactions::ReactionBar;
use crate::components::read_receipts::ReadReceipts;
use crate::components::rich_text::RichText;
use crate::components::{Clock, local_offset};
use crate::state::{MessageStatus, ParentPreview, Pending, full_time, is_long, relative_time};
use protocol::RoomId;

/// The message a link opened: highlighted wherever it shows.
#[derive(Clone, Copy)]
pub struct Highlighted(pub Signal<Option<protocol::MessageId>>);

#[component]
fn Time(at: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let clock = expect_context::<Clock>();
    let offset = local_offset();
    view! {
        <time
            class="message-time"
            data-testid="message-time"
            datetime=at.to_rfc3339()
            title=full_time(at, offset)
        >
            {move || relative_time(at, clock.0.get().max(at), offset)}
        </time>
    }
}

/// The address of a message: its room, opened at it.
pub fn permalink(room: RoomId, message: protocol::MessageId) -> String {
    format!("/rooms/{room}/messages/{message}")
}

#[component]
pub fn Bubble(
    message: Message,
    starts_group: bool,
    mine: bool,
    status: Option<MessageStatus>,
    parent: Option<Box<ParentPreview>>,
    /// Members who read the room up to here.
    #[prop(optional)]
    readers: Vec<protocol::UserRef>,
) -> impl IntoView {
    let (sender_name, sender_id) = match &message.sender {
        Some(s) => (s.display_name.clone(), Some(s.id)),
        None => ("Deleted user".to_owned(), None),
    };
    let sender_avatar = message.sender.as_ref().and_then(|s| s.avatar_url.clone());
    let id = message.id;
    let deleted = message.deleted;
    let edited = message.edited_at.is_some();
    let for_toolbar = message.clone();
    let for_reactions = message.clone();
    let room_id = message.room_id;
    let replies = message.reply_count;
    let panels = use_context::<crate::components::thread::RoomPanels>();
    let highlighted = use_context::<Highlighted>();
    let reaction_error = RwSignal::new(None::<String>);
    // A long body is folded until the reader asks for the rest.
    let unfolded = RwSignal::new(false);
    // The toolbar shown by a tap, a long press or Enter (a phone has no
    // hover; there it is a sheet at the bottom of the screen).
    let actions_open = RwSignal::new(false);
    let toggle_actions = move |ev: leptos::ev::MouseEvent| {
        let on_control = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|e| {
                e.closest("a, button, input, textarea, select, summary, .message-toolbar")
                    .ok()
                    .flatten()
            })
            .is_some();
        if !on_control {
            actions_open.update(|o| *o = !*o);
        }
    };
    // The toolbar goes when the focus leaves the message for good.
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
            .zip(
                ev.current_target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok()),
            )
            .is_some_and(|(to, bubble)| bubble.contains(Some(&to)));
        if !inside {
            actions_open.set(false);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let on_bubble = ev.target() == ev.current_target();
        match ev.key().as_str() {
            // Enter on the message itself opens its actions at the first.
            "Enter" if on_bubble && !deleted => {
                ev.prevent_default();
                actions_open.set(true);
                if let Some(first) = ev
                    .current_target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                    .and_then(|b| b.query_selector(".message-toolbar button").ok().flatten())
                    .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
                {
                    let _ = first.focus();
                }
            }
            "Escape" if actions_open.get_untracked() => {
                ev.prevent_default();
                actions_open.set(false);
            }
            _ => {}
        }
    };
    view! {
        <li
            class="message-row"
            class:mine=mine
            class:theirs=!mine
            class:group-start=starts_group
            id=format!("message-{id}")
        >
            <article
                class="message-bubble"
                class:mine=mine
                class:theirs=!mine
                class:deleted=deleted
                class:actions-open=move || actions_open.get()
                tabindex="-1"
                on:click=toggle_actions
                on:contextmenu=move |_| actions_open.set(true)
                on:focusout=on_focusout
                on:keydown=on_keydown
                class:highlighted=move || highlighted.is_some_and(|h| h.0.get() == Some(id))
                data-highlighted=move || highlighted.is_some_and(|h| h.0.get() == Some(id)).then_some("true")
                data-testid="message-bubble"
                data-message-id=id.to_string()
                data-mine=mine.to_string()
            >
                // First in the bubble: Tab from a focused message lands in
                // its actions.
                {(!deleted)
                    .then(|| {
                        view! {
                            <MessageToolbar message=for_toolbar mine=mine open=actions_open
                                reaction_error=reaction_error />
                        }
                    })}
                <header class="message-head" class:visually-hidden=!starts_group>
                    <Avatar url=sender_avatar name=sender_name.clone() class="avatar-small" />
                    {match sender_id {
                        Some(uid) => {
                            view! {
                                <a
                                    class="message-sender"
                                    data-testid="message-sender"
                                    dir="auto"
                                    href=format!("/users/{uid}")
                                >
                                    {sender_name.clone()}
                                </a>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <span class="message-sender" data-testid="message-sender" dir="auto">
                                    {sender_name.clone()}
                                </span>
                            }
                                .into_any()
                        }
                    }}
                </header>
                {parent
                    .map(|p| {
                        // The quote as the parent reads now (its markup, its
                        // latest edit), in two lines at most.
                        let quoted = match (p.deleted, p.body.clone()) {
                            (true, _) => view! { <em>"message deleted"</em> }.into_any(),
                            (false, Some(body)) => view! { <RichText text=body quoted=true /> }.into_any(),
                            (false, None) => "an earlier message".into_any(),
                        };
                        view! {
                            <a class="reply-parent" href=permalink(room_id, p.id) data-testid="reply-parent">
                                <span class="reply-sender" dir="auto">{p.sender.clone().unwrap_or_default()}</span>
                                <span class="reply-body" dir="auto">{quoted}</span>
                            </a>
                        }
                    })}
                // The body and its time share a line when they fit: a
                // one-line message costs one line.
                <div class="message-line">
                    {if deleted {
                        view! {
                            <p class="message-body deleted-mark" data-testid="message-body">
                                <em>"message deleted"</em>
                            </p>
                        }
                            .into_any()
                    } else {
                        let me = crate::session::current()
                            .me_untracked()
                            .map(|m| m.user.username.to_ascii_lowercase());
                        let long = is_long(&message.body);
                        view! {
                            <div class="message-body" data-testid="message-body" dir="auto"
                                class:empty=message.body.is_empty()
                                class:folded=move || long && !unfolded.get()>
                                <RichText text=message.body.clone() me=me.unwrap_or_default() />
                            </div>
                            {long.then(|| view! {
                                <button type="button" class="link-button show-more" data-testid="show-more"
                                    aria-expanded=move || unfolded.get().to_string()
                                    on:click=move |_| unfolded.update(|u| *u = !*u)>
                                    {move || if unfolded.get() { "Show less" } else { "Show more" }}
                                </button>
                            })}
                        }
                            .into_any()
                    }}
                    <footer class="message-meta">
                        <a class="message-permalink" data-testid="message-permalink" href=permalink(room_id, id)>
                            <Time at=message.created_at />
                        </a>
                        {edited.then(|| view! { <EditedMark message=id /> })}
                        {panels
                            .filter(|_| replies > 0)
                            .map(|p| {
                                view! {
                                    <button
                                        type="button"
                                        class="link-button thread-open"
                                        data-testid="thread-open"
                                        on:click=move |_| p.0.update(|p| p.open_thread(id))
                                    >
                                        {format!("Replies ({replies})")}
                                    </button>
                                }
                            })}
                        {status.map(|s| view! { <StatusMark status=s /> })}
                    </footer>
                </div>
                {(!deleted).then(|| view! { <AttachmentList attachments=message.attachments.clone() /> })}
                {(!deleted).then(|| view! { <ReactionBar message=for_reactions error=reaction_error /> })}
                {(!readers.is_empty()).then(|| view! { <ReadReceipts readers=readers /> })}
            </article>
        </li>
    }
}

/// An optimistic message the server has not acknowledged yet.
#[component]
pub fn PendingBubble(
    pending: Pending,
    starts_group: bool,
    status: Option<MessageStatus>,
    me_name: String,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let room: RoomId = pending.room_id;
    let cid = pending.client_id.clone();
    let cid2 = pending.client_id.clone();
    let failed = pending.failed.clone();
    view! {
        <li class="message-row mine" class:group-start=starts_group>
            <article
                class="message-bubble mine pending"
                data-testid="message-bubble"
                data-message-id=""
                data-client-id=pending.client_id.clone()
                data-mine="true"
            >
                <header class="message-head" class:visually-hidden=!starts_group>
                    <span class="message-sender" data-testid="message-sender" dir="auto">{me_name}</span>
                </header>
                <div class="message-line">
                    <div class="message-body" data-testid="message-body" dir="auto"
                        class:empty=pending.body.is_empty()>
                        <RichText text=pending.body.clone() />
                    </div>
                    <footer class="message-meta">
                        <Time at=pending.created_at />
                        {status.map(|s| view! { <StatusMark status=s /> })}
                    </footer>
                </div>
                <AttachmentList attachments=pending.attachments.clone() />
                {failed
                        .map(|reason| {
                            view! {
                                <p class="send-failed" role="alert">
                                    {format!("Not sent: {reason}")}
                                    <button type="button" class="link-button" on:click=move |_| chat.retry(room, cid.clone())>
                                        "Retry"
                                    </button>
                                    <button type="button" class="link-button" on:click=move |_| chat.discard(room, cid2.clone())>
                                        "Discard"
                                    </button>
                                </p>
                            }
                        })}
            </article>
        </li>
    }
}

/// Where one of my messages is: sending, sent, seen, failed.
#[component]
fn StatusMark(status: MessageStatus) -> impl IntoView {
    view! {
        <span
            class=format!("message-status status-{}", status.as_str())
            data-testid="message-status"
            title=status.explained()
        >
            {status.as_str()}
        </span>
    }
}

//! The message box: Enter sends, Shift+Enter is a new line, Up edits the
//! last own message, Escape cancels an edit or a reply.

use leptos::html;
use leptos::prelude::*;
use protocol::validate::MessageBody;

use crate::chat::Chat;
use crate::components::status::FormError;
use protocol::RoomId;

#[component]
pub fn Composer(room: RoomId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input: NodeRef<html::Textarea> = NodeRef::new();

    // Starting an edit fills the box with the message.
    Effect::new(move |_| {
        if let Some(m) = chat.editing.get() {
            text.set(m.body.clone());
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
    });
    Effect::new(move |_| {
        if chat.reply_to.with(Option::is_some)
            && let Some(el) = input.get_untracked()
        {
            let _ = el.focus();
        }
    });

    let cancel = move || {
        if chat.editing.get_untracked().is_some() {
            text.set(String::new());
        }
        chat.clear_composer();
        error.set(None);
    };

    let submit = move || {
        let raw = text.get_untracked();
        if raw.trim().is_empty() {
            return;
        }
        let body = match MessageBody::parse(&raw) {
            Ok(b) => b.into_inner(),
            Err(e) => {
                error.set(Some(e.0));
                return;
            }
        };
        error.set(None);
        if let Some(editing) = chat.editing.get_untracked() {
            chat.editing.set(None);
            text.set(String::new());
            if editing.body == body {
                return;
            }
            leptos::task::spawn_local(async move {
                match crate::api::edit_message(editing.id, body).await {
                    Ok(m) => chat.state.update(|s| s.timeline(m.room_id).update(m)),
                    Err(e) => error.set(Some(e.message())),
                }
            });
            return;
        }
        let reply_to = chat.reply_to.get_untracked().map(|m| m.id);
        chat.reply_to.set(None);
        text.set(String::new());
        chat.send_message(room, body, reply_to);
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            submit();
        }
        "ArrowUp" if text.with_untracked(String::is_empty) => {
            let me = chat.me();
            let last_own = chat.state.with_untracked(|s| {
                s.timelines.get(&room).and_then(|t| {
                    t.messages()
                        .rev()
                        .find(|m| !m.deleted && m.sender.as_ref().map(|s| s.id) == me)
                        .cloned()
                })
            });
            if let Some(m) = last_own {
                ev.prevent_default();
                chat.start_edit(m);
            }
        }
        "Escape" => {
            ev.prevent_default();
            cancel();
        }
        _ => {}
    };

    view! {
        <form
            class="composer"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            {move || {
                chat.reply_to
                    .get()
                    .map(|m| {
                        let who = m
                            .sender
                            .as_ref()
                            .map(|s| s.display_name.clone())
                            .unwrap_or_else(|| "deleted user".into());
                        view! {
                            <div class="composer-context">
                                <span>"Replying to " <strong>{who}</strong></span>
                                <button type="button" class="link-button" on:click=move |_| cancel()>"Cancel"</button>
                            </div>
                        }
                    })
            }}
            {move || {
                chat.editing
                    .get()
                    .map(|_| {
                        view! {
                            <div class="composer-context">
                                <span>"Editing message (Esc to cancel)"</span>
                                <button type="button" class="link-button" on:click=move |_| cancel()>"Cancel"</button>
                            </div>
                        }
                    })
            }}
            <FormError message=error />
            <div class="composer-row">
                <textarea
                    node_ref=input
                    class="composer-input"
                    data-testid="composer-input"
                    rows="1"
                    placeholder="Write a message…"
                    title="Enter sends, Shift+Enter adds a line, Up edits your last message, Escape cancels"
                    aria-label="Message"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        chat.typing(room);
                    }
                    on:keydown=on_keydown
                ></textarea>
                <button type="submit" class="button" data-testid="composer-send">
                    {move || if chat.editing.with(Option::is_some) { "Save" } else { "Send" }}
                </button>
            </div>
        </form>
    }
}

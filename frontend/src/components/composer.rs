//! The message box: Enter sends, Shift+Enter is a new line, Up edits the
//! last own message, Escape cancels an edit or a reply. Files are uploaded
//! as soon as they are picked and go with the next message.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::RoomId;

use crate::chat::Chat;
use crate::components::attachments::{human_size, picked_files};
use crate::components::mention_suggest::{MentionPicker, MentionSuggestions};
use crate::components::shortcode_suggest::{ShortcodePicker, ShortcodeSuggestions};
use crate::components::status::FormError;
use crate::state::composer::{self, Submit, UploadState, Uploads};

/// An object URL of a file on this device, given back when the last
/// holder lets go (removed from the composer, or sent).
#[derive(PartialEq)]
struct LocalPicture(String);

impl LocalPicture {
    fn of(file: &web_sys::File) -> Option<Arc<Self>> {
        if !file.type_().starts_with("image/") {
            return None;
        }
        web_sys::Url::create_object_url_with_blob(file)
            .ok()
            .map(|url| Arc::new(Self(url)))
    }
}

impl Drop for LocalPicture {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.0);
    }
}

/// Files dropped onto the room, for its composer to take (the room view
/// provides it; the drop lands anywhere on the room, not only the box).
#[derive(Clone, Copy)]
pub struct DroppedFiles(pub RwSignal<Vec<web_sys::File>, LocalStorage>);

/// The files an event carries: pasted (`clipboardData`) or dropped
/// (`dataTransfer`).
pub fn files_of(transfer: Option<web_sys::DataTransfer>) -> Vec<web_sys::File> {
    transfer
        .and_then(|t| t.files())
        .map_or_else(Vec::new, |list| {
            (0..list.length()).filter_map(|i| list.get(i)).collect()
        })
}

#[component]
pub fn Composer(room: RoomId) -> impl IntoView {
    let chat = expect_context::<Chat>();
    // What was being written here before (another room, a reload).
    let text = RwSignal::new(crate::drafts::load(room));
    let error = RwSignal::new(None::<String>);
    let input: NodeRef<html::Textarea> = NodeRef::new();
    let picker: NodeRef<html::Input> = NodeRef::new();
    let uploads = RwSignal::new(Uploads::<Arc<LocalPicture>>::default());

    // The box grows with what is in it (typed, a draft brought back, an
    // edit started) up to its `max-height`, about half the view, and then
    // scrolls; sent or cleared, it is one line again.
    Effect::new(move |_| {
        text.track();
        request_animation_frame(move || {
            if let Some(el) = input.get_untracked() {
                fit_to_text(&el);
            }
        });
    });

    let add_files = move |files: Vec<web_sys::File>| {
        let editing = chat.editing.with_untracked(Option::is_some);
        for file in files {
            let added =
                uploads.try_update(|u| u.add(file.name(), LocalPicture::of(&file), editing));
            let key = match added {
                Some(Ok(key)) => key,
                // The composer is gone.
                None => return,
                Some(Err(refused)) => {
                    error.set(Some(refused.message()));
                    break;
                }
            };
            spawn_local(async move {
                let state = match crate::api::upload_attachment(room, &file).await {
                    Ok(a) => UploadState::Ready(a),
                    Err(e) => UploadState::Failed(e.message()),
                };
                uploads.try_update(|u| u.settle(key, state));
            });
        }
    };

    let pick_files = move |ev: leptos::ev::Event| add_files(picked_files(&ev));
    // A picture pasted into the box (a screenshot, say) is attached; text
    // pastes as usual.
    let paste_files = move |ev: leptos::ev::ClipboardEvent| {
        let files = files_of(ev.clipboard_data());
        if !files.is_empty() {
            ev.prevent_default();
            add_files(files);
        }
    };
    if let Some(DroppedFiles(dropped)) = use_context::<DroppedFiles>() {
        Effect::new(move |_| {
            let files = dropped.with(|d| d.clone());
            if !files.is_empty() {
                dropped.update_untracked(Vec::clear);
                add_files(files);
                if let Some(el) = input.get_untracked() {
                    let _ = el.focus();
                }
            }
        });
    }

    // Opening a room puts the cursor where one writes.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // What a failed edit had typed, to give back with it.
    let retyped = StoredValue::new(None::<String>);
    // Starting an edit fills the box with the message.
    Effect::new(move |_| {
        if let Some(m) = chat.editing.get() {
            let typed = retyped.try_update_value(Option::take).flatten();
            text.set(typed.unwrap_or_else(|| m.body.clone()));
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
            // Back to what was being written before the edit.
            text.set(crate::drafts::load(room));
        }
        chat.clear_composer();
        error.set(None);
    };

    let submit = move || {
        let raw = text.get_untracked();
        let editing = chat.editing.with_untracked(Option::is_some);
        let (body, files) = match uploads.with_untracked(|u| composer::submit(&raw, editing, u)) {
            Submit::Nothing => return,
            Submit::Refuse(reason) => {
                error.set(Some(reason));
                return;
            }
            Submit::Edit { body } => (body, Vec::new()),
            Submit::Send { body, files } => (body, files),
        };
        error.set(None);
        if let Some(editing) = chat.editing.get_untracked() {
            chat.editing.set(None);
            text.set(crate::drafts::load(room));
            if editing.body == body {
                return;
            }
            leptos::task::spawn_local(async move {
                match crate::api::edit_message(editing.id, body).await {
                    Ok(m) => chat.state.update(|s| s.timeline(m.room_id).update(m)),
                    // What was typed is not lost: the edit comes back with
                    // it, to retry or copy, unless something else is being
                    // written by now.
                    Err(e) => {
                        if chat.editing.with_untracked(Option::is_none)
                            && text.get_untracked() == crate::drafts::load(room)
                        {
                            retyped.set_value(Some(raw));
                            chat.editing.set(Some(editing));
                        }
                        error.set(Some(e.message()));
                    }
                }
            });
            return;
        }
        let reply_to = chat.reply_to.get_untracked().map(|m| m.id);
        chat.reply_to.set(None);
        text.set(String::new());
        uploads.update(Uploads::clear);
        crate::drafts::save(room, "");
        chat.send_message(room, body, reply_to, files);
    };

    let mentions = MentionPicker::new(room, text, chat.me());
    // A picked mention is typed text like any other: kept as the draft.
    let mention_picked = move || {
        if chat.editing.with_untracked(Option::is_none) {
            crate::drafts::save(room, &text.get_untracked());
        }
    };
    let on_other_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
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
        // Taken only when there is an edit or a reply to cancel: otherwise
        // Escape closes the room's open panel.
        "Escape"
            if chat.editing.with_untracked(Option::is_some)
                || chat.reply_to.with_untracked(Option::is_some) =>
        {
            ev.prevent_default();
            cancel();
        }
        _ => {}
    };

    let shortcodes = ShortcodePicker::new(text);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if mentions.key(&ev) || shortcodes.key(&ev) {
            mention_picked();
            return;
        }
        on_other_key(ev);
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
            {move || {
                let list = uploads.with(|u| u.files().to_vec());
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <ul class="composer-files" aria-label="Files to send">
                                {list
                                    .into_iter()
                                    .map(|up| {
                                        let key = up.key;
                                        let (status, failed) = match &up.state {
                                            UploadState::Sending => ("uploading…".to_owned(), false),
                                            UploadState::Ready(a) => (human_size(a.size), false),
                                            UploadState::Failed(e) => (e.clone(), true),
                                        };
                                        view! {
                                            <li class="composer-file" class:failed=failed
                                                data-testid="composer-attachment"
                                                data-state=up.state.name()>
                                                {up.preview.as_ref().map(|p| view! {
                                                    <img class="composer-thumbnail" src=p.0.clone() alt=""
                                                        data-testid="composer-attachment-thumbnail" />
                                                })}
                                                <span class="attachment-name">{up.name.clone()}</span>
                                                <span class="attachment-size">{format!(" · {status}")}</span>
                                                <button type="button" class="link-button"
                                                    data-testid="composer-attachment-remove"
                                                    aria-label=format!("Remove {}", up.name)
                                                    on:click=move |_| uploads.update(|u| u.remove(key))>
                                                    "×"
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="composer-row">
                <input
                    type="file"
                    multiple=true
                    class="visually-hidden"
                    node_ref=picker
                    data-testid="composer-file"
                    aria-label="Attach files"
                    tabindex="-1"
                    on:change=pick_files
                />
                <button
                    type="button"
                    class="button secondary composer-attach"
                    data-testid="composer-attach"
                    aria-label="Attach files"
                    title="Attach files"
                    disabled=move || chat.editing.with(Option::is_some)
                    on:click=move |_| {
                        if let Some(p) = picker.get_untracked() {
                            p.click();
                        }
                    }
                >
                    // Drawn, not an emoji: not every system has a font for 📎.
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                        <path
                            fill="none"
                            stroke="currentColor"
                            stroke-width="2"
                            stroke-linecap="round"
                            d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5"
                        ></path>
                    </svg>
                </button>
                <MentionSuggestions picker=mentions on_pick=Callback::new(move |()| {
                    mention_picked();
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                    }
                }) />
                <ShortcodeSuggestions picker=shortcodes on_pick=Callback::new(move |()| {
                    mention_picked();
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                    }
                }) />
                <textarea
                    node_ref=input
                    class="composer-input"
                    data-testid="composer-input"
                    dir="auto"
                    rows="1"
                    placeholder="Write a message…"
                    title="Enter sends, Shift+Enter adds a line, Up edits your last message, Escape cancels"
                    aria-label="Message"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        // Only a closing colon can make an emoji: the tone
                        // (kept in the browser) is not read per keystroke.
                        let value = if value.ends_with(':') {
                            let tone = crate::components::emoji_picker::saved_tone();
                            crate::state::emoji::closed_shortcode(&value, tone).unwrap_or(value)
                        } else {
                            value
                        };
                        if chat.editing.with_untracked(Option::is_none) {
                            crate::drafts::save(room, &value);
                        }
                        text.set(value);
                        chat.typing(room);
                    }
                    on:keydown=on_keydown
                    on:paste=paste_files
                ></textarea>
                <button type="submit" class="button" data-testid="composer-send">
                    {move || if chat.editing.with(Option::is_some) { "Save" } else { "Send" }}
                </button>
            </div>
        </form>
    }
}

/// Sizes the message box to its text (the style sheet's `max-height`
/// caps it). Measured at its natural height first, so it shrinks as well.
fn fit_to_text(el: &web_sys::HtmlTextAreaElement) {
    let _ = el.set_attribute("style", "height: auto");
    // `scrollHeight` leaves the borders out; the box sizes include them.
    let borders = el.offset_height() - el.client_height();
    let height = el.scroll_height() + borders;
    let _ = el.set_attribute("style", &format!("height: {height}px"));
}

//! The pieces every form is made of: a labelled input bound to a signal, and
//! a submit button that says when the form is being sent.

use std::future::Future;

use leptos::prelude::*;
use protocol::validate::Invalid;

use crate::api::Failure;

/// A form being sent: what it says while it waits and when it is refused.
/// One submission at a time; a field the web app refuses never reaches the
/// server, and the server's refusal is shown as it gave it.
#[derive(Clone, Copy)]
pub struct Submission {
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// The last submission went through (cleared by the next).
    pub done: RwSignal<bool>,
}

impl Default for Submission {
    fn default() -> Self {
        Self {
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            done: RwSignal::new(false),
        }
    }
}

impl Submission {
    /// Shows why `checked` was refused, or sends it with `send` and hands
    /// the answer to `done`.
    pub fn send<T, R, Fut>(
        self,
        checked: Result<T, Invalid>,
        send: impl FnOnce(T) -> Fut + 'static,
        done: impl FnOnce(R) + 'static,
    ) where
        T: 'static,
        R: 'static,
        Fut: Future<Output = Result<R, Failure>> + 'static,
    {
        if self.busy.get_untracked() {
            return;
        }
        self.done.set(false);
        let request = match checked {
            Ok(request) => request,
            Err(e) => return self.error.set(Some(e.0)),
        };
        self.error.set(None);
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = send(request).await;
            self.busy.set(false);
            match result {
                Ok(answer) => {
                    done(answer);
                    self.done.set(true);
                }
                Err(e) => self.error.set(Some(e.message())),
            }
        });
    }
}

/// A labelled single-line input whose text lives in `value`. `hint` is a
/// short line under it (a rule the value must follow).
#[component]
pub fn TextField(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type=kind
                placeholder=placeholder
                name=name
                autocomplete=autocomplete
                maxlength=maxlength.map(|m| m.to_string())
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <small class="muted">{h}</small> })}
        </label>
    }
}

/// An input with no visible label, bound to `value`: search boxes and
/// one-line forms. `label` is what a screen reader says it is for.
#[component]
pub fn BareInput(
    label: &'static str,
    value: RwSignal<String>,
    testid: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
) -> impl IntoView {
    view! {
        <input
            type=kind
            class=class
            data-testid=testid
            placeholder=placeholder.unwrap_or(label)
            aria-label=label
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

/// The line that says a form went through.
#[component]
pub fn Saved(form: Submission, text: &'static str) -> impl IntoView {
    move || {
        form.done
            .get()
            .then(|| view! { <p class="status-ok" role="status">{text}</p> })
    }
}

/// A form's submit button, disabled and showing `busy_label` while `busy`.
#[component]
pub fn SubmitButton(
    busy: RwSignal<bool>,
    testid: &'static str,
    label: &'static str,
    busy_label: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class="button" data-testid=testid disabled=move || busy.get()>
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}

/// A labelled choice among `options` (value, text) whose value lives in
/// `value`.
#[component]
pub fn SelectField(
    label: &'static str,
    value: RwSignal<String>,
    testid: &'static str,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select
                data-testid=testid
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options
                    .iter()
                    .map(|&(v, text)| {
                        // `selected` as well as the property: options rendered
                        // after the select's value was set still show it.
                        view! { <option value=v selected=move || value.get() == v>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The choices of a room's visibility.
pub const ROOM_VISIBILITIES: &[(&str, &str)] = &[("public", "public"), ("private", "private")];

//! The pieces every form is made of: a labelled input bound to a signal, and
//! a submit button that says when the form is being sent.

use std::future::Future;

use leptos::prelude::*;
use protocol::validate::Invalid;

use crate::api::Failure;
use crate::state::sentence;

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
            Err(e) => return self.error.set(Some(sentence(&e.0))),
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

/// A field's own error, shown under it. Once shown, the field is checked
/// again as the person types, and the error goes as soon as the value
/// passes (and with it the form's line, when that said the same).
#[derive(Clone, Copy)]
pub struct FieldError {
    message: RwSignal<Option<String>>,
    check: fn(&str) -> Result<(), Invalid>,
    form: Option<RwSignal<Option<String>>>,
}

impl FieldError {
    pub fn new(check: fn(&str) -> Result<(), Invalid>) -> Self {
        Self {
            message: RwSignal::new(None),
            check,
            form: None,
        }
    }

    /// Also clears the form's error line when it said what this field did.
    pub fn with_form(mut self, form: RwSignal<Option<String>>) -> Self {
        self.form = Some(form);
        self
    }

    /// Checks `value` and shows the outcome; true when it passes.
    pub fn check(&self, value: &str) -> bool {
        let message = (self.check)(value).err().map(|e| sentence(&e.0));
        let passes = message.is_none();
        self.message.set(message);
        passes
    }

    fn recheck(&self, value: &str) {
        let Some(shown) = self.message.get_untracked() else {
            return;
        };
        if self.check(value)
            && let Some(form) = self.form
            && form.get_untracked().as_deref() == Some(shown.as_str())
        {
            form.set(None);
        }
    }
}

/// A labelled single-line input whose text lives in `value`. `hint` is a
/// short line under it (a rule the value must follow); `error` is its own
/// error, shown under it.
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
    #[prop(optional)] error: Option<FieldError>,
) -> impl IntoView {
    let error_id = testid.or(name).map(|id| format!("{id}-error"));
    let message = move || error.and_then(|e| e.message.get());
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
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby={
                    let id = error_id.clone();
                    move || message().and(id.clone())
                }
                prop:value=move || value.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    if let Some(error) = error {
                        error.recheck(&typed);
                    }
                    value.set(typed);
                }
            />
            {hint.map(|h| view! { <small class="muted">{h}</small> })}
            {move || {
                message().map(|m| {
                    view! {
                        <small class="field-error" data-testid="field-error"
                            id=error_id.clone() role="alert">{m}</small>
                    }
                })
            }}
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

//! The pieces every form is made of: a labelled input bound to a signal, and
//! a submit button that says when the form is being sent.

use leptos::prelude::*;

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
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type=kind
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

//! Small controls the views repeat: a button that reads as a link, and the
//! head of a side panel with its close button.

use leptos::prelude::*;

/// A button styled as a link: the small actions on messages and rows.
/// `label` is its text; `aria_label` says more where the text is terse.
#[component]
pub fn LinkButton(
    label: &'static str,
    #[prop(into)] on_click: Callback<()>,
    #[prop(optional, into)] aria_label: Option<String>,
    #[prop(optional)] testid: Option<&'static str>,
    /// `danger` for what cannot be undone.
    #[prop(optional)]
    tone: Option<&'static str>,
) -> impl IntoView {
    let class = match tone {
        Some(tone) => format!("link-button {tone}"),
        None => "link-button".to_owned(),
    };
    view! {
        <button
            type="button"
            class=class
            data-testid=testid
            aria-label=aria_label.unwrap_or_else(|| label.to_owned())
            on:click=move |_| on_click.run(())
        >
            {label}
        </button>
    }
}

/// The count of unread messages, when there are any.
#[component]
pub fn UnreadBadge(#[prop(into)] count: Signal<i64>, testid: &'static str) -> impl IntoView {
    move || {
        let n = count.get();
        (n > 0).then(|| {
            view! {
                <span class="badge" data-testid=testid aria-label=format!("{n} unread")>
                    {n.to_string()}
                </span>
            }
        })
    }
}

/// A side panel's title and its ✕.
#[component]
pub fn PanelHead(
    title: &'static str,
    close_label: &'static str,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional)] close_testid: Option<&'static str>,
) -> impl IntoView {
    // A panel that opens takes the focus (a keyboard or screen-reader user
    // lands in it); when it closes, the focus goes back to the composer
    // rather than to the page's start.
    let heading: NodeRef<leptos::html::H3> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    on_cleanup(|| {
        if let Some(composer) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(r#"[data-testid="composer-input"]"#)
                    .ok()
                    .flatten()
            })
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = composer.focus();
        }
    });
    view! {
        <div class="side-head">
            <h3 node_ref=heading tabindex="-1">{title}</h3>
            <button
                type="button"
                class="link-button close-button"
                data-testid=close_testid
                aria-label=close_label
                on:click=move |_| on_close.run(())
            >
                "✕"
            </button>
        </div>
    }
}

//! Loading indicators and status messages shared by every page.

use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(optional, into)] label: Option<String>) -> impl IntoView {
    let label = label.unwrap_or_else(|| "Loading…".to_owned());
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}

/// A failure shown to the user (never HTML: the text is escaped).
#[component]
pub fn ErrorNote(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! { <p class="status-error" role="alert">{m}</p> }
        })
    }
}

/// The `form-error` line of a form.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! { <p class="form-error" data-testid="form-error" role="alert">{m}</p> }
        })
    }
}

/// A list fetched over REST, shown as every page shows one: a loading line
/// while it comes, the failure if it failed, `empty` when there is nothing,
/// else one `row` per item in a `<ul class=class>`.
#[component]
pub fn FetchedList<T, R, V>(
    items: LocalResource<Result<Vec<T>, crate::api::Failure>>,
    #[prop(optional)] loading: Option<&'static str>,
    empty: &'static str,
    class: &'static str,
    row: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + Send + 'static,
{
    view! {
        <Suspense fallback=move || view! { <Loading label=loading.unwrap_or("Loading…") /> }>
            {move || {
                let row = row.clone();
                items
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="status-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{empty}</p> }.into_any(),
                        Ok(list) => view! { <ul class=class>{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

//! The navigation bar: links, unread and notification badges, connection
//! status, sign out.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::chat::Chat;
use crate::components::controls::UnreadBadge;
use crate::components::form::BareInput;
use crate::session::Session;

#[component]
pub fn Nav() -> impl IntoView {
    let session = expect_context::<Session>();
    let chat = expect_context::<Chat>();
    let navigate = use_navigate();
    let search_text = RwSignal::new(String::new());
    let search = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let q = search_text.get_untracked();
            if !q.trim().is_empty() {
                navigate(&crate::paths::search_path(&q, None), Default::default());
            }
        }
    };
    let total = Memo::new(move |_| chat.state.with(|s| s.total_unread()));
    // The tab's title carries the unread total, so a tab in the background
    // shows it too.
    Effect::new(move |_| {
        let n = total.get();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&if n > 0 {
                format!("({n}) ThemeChat")
            } else {
                "ThemeChat".to_owned()
            });
        }
    });
    let sign_out = move |_| {
        let refresh = session.refresh_token();
        session.clear();
        chat.socket.close();
        if let Some(token) = refresh {
            leptos::task::spawn_local(async move {
                let _ = crate::api::logout(token).await;
            });
        }
        navigate("/login", Default::default());
    };
    // On a phone the links, search and account fold into a menu; any
    // navigation folds it again.
    let menu_open = RwSignal::new(false);
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        menu_open.set(false);
    });
    let attention = Memo::new(move |_| total.get() + chat.notif_unread.get());
    view! {
        <header class="topbar" class:menu-open=move || menu_open.get()>
            <a href="/" class="brand">"ThemeChat"</a>
            <Show when=move || session.signed_in()>
                <button
                    type="button"
                    class="nav-menu"
                    data-testid="nav-menu"
                    aria-label=move || match attention.get() {
                        0 => "Menu".to_owned(),
                        n => format!("Menu, {n} unread"),
                    }
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    <span aria-hidden="true">"☰"</span>
                    <Show when=move || { attention.get() > 0 }>
                        <span class="badge" aria-hidden="true">{move || attention.get().to_string()}</span>
                    </Show>
                </button>
            </Show>
            <Show
                when=move || session.signed_in()
                fallback=|| {
                    view! {
                        <nav class="nav-links" aria-label="Account">
                            <a href="/login">"Sign in"</a>
                            <a href="/register">"Sign up"</a>
                        </nav>
                    }
                }
            >
                <nav class="nav-links" aria-label="Main">
                    <a href="/" class="nav-chats">
                        "Chats"
                        <UnreadBadge count=total testid="nav-unread-total" />
                    </a>
                    <a href="/explore" data-testid="explore-link">"Explore"</a>
                    <a href="/contacts" data-testid="contacts-link">"Contacts"</a>
                    <a
                        href="/notifications"
                        data-testid="notifications-link"
                        class="bell"
                        aria-label=move || format!("Notifications, {} unread", chat.notif_unread.get())
                    >
                        <svg class="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                            <path
                                fill="currentColor"
                                d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
                            ></path>
                        </svg>
                        <span class="bell-label">"Notifications"</span>
                        {move || {
                            let n = chat.notif_unread.get();
                            (n > 0)
                                .then(|| {
                                    view! {
                                        <span class="badge" data-testid="notification-count">
                                            {n.to_string()}
                                        </span>
                                    }
                                })
                        }}
                    </a>
                    <a href="/people" data-testid="nav-people">"People"</a>
                    <a href="/bots" data-testid="nav-bots">"Bots"</a>
                    <a href="/settings">"Settings"</a>
                </nav>
                <form class="nav-search" role="search" novalidate=true on:submit=search.clone()>
                    <BareInput kind="search" testid="search-input" label="Search messages"
                        value=search_text />
                </form>
                <div class="nav-right">
                    <span
                        class=move || format!("conn conn-{}", chat.status().as_str())
                        data-testid="connection-status"
                        role="status"
                        title="Connection"
                    >
                        {move || chat.status().as_str()}
                    </span>
                    <a
                        class="me-name"
                        href=move || {
                            session.me().map(|m| format!("/users/{}", m.user.id)).unwrap_or_default()
                        }
                    >
                        {move || session.me().map(|m| m.user.display_name).unwrap_or_default()}
                    </a>
                    <button type="button" class="link-button" on:click={
                        let f = sign_out.clone();
                        move |ev| f(ev)
                    }>
                        "Sign out"
                    </button>
                </div>
            </Show>
        </header>
    }
}

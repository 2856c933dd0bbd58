//! The app shell: context (session, chat), the router with every route of
//! UI-HOOKS.md, the navigation bar, and the guard that sends a signed-out
//! visitor to `/login` and back.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use crate::chat::Chat;
use crate::components::nav::Nav;
use crate::pages::{
    bots::BotsPage, chat::ChatPage, contacts::ContactsPage, explore::ExplorePage, login::LoginPage,
    notifications::NotificationsPage, people::PeoplePage, profile::ProfilePage,
    register::RegisterPage, search::SearchPage, settings::SettingsPage,
};
use crate::session::Session;
use protocol::RoomId;

#[component]
pub fn App() -> impl IntoView {
    let session = Session::init();
    provide_context(session);
    crate::auth::keep_fresh(session);
    let chat = Chat::new();
    provide_context(chat);
    chat.start();
    provide_context(crate::components::start_clock());

    view! {
        <Router>
            <CurrentRoom />
            <crate::components::quick_switcher::QuickSwitcher />
            <crate::components::desktop_alerts::DesktopAlerts />
            <crate::components::regions::Regions />
            <div class="app">
                <Nav />
                <crate::components::connection_banner::ConnectionBanner />
                <main class="main" id="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/register") view=RegisterPage />
                        <Route path=path!("/") view=|| view! { <RequireAuth><ChatPage /></RequireAuth> } />
                        <Route
                            path=path!("/rooms/:id")
                            view=|| view! { <RequireAuth><ChatPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/rooms/:id/messages/:message")
                            view=|| view! { <RequireAuth><ChatPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/explore")
                            view=|| view! { <RequireAuth><ExplorePage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/contacts")
                            view=|| view! { <RequireAuth><ContactsPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/users/:id")
                            view=|| view! { <RequireAuth><ProfilePage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/notifications")
                            view=|| view! { <RequireAuth><NotificationsPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/search")
                            view=|| view! { <RequireAuth><SearchPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/people")
                            view=|| view! { <RequireAuth><PeoplePage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/bots")
                            view=|| view! { <RequireAuth><BotsPage /></RequireAuth> }
                        />
                        <Route
                            path=path!("/settings")
                            view=|| view! { <RequireAuth><SettingsPage /></RequireAuth> }
                        />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// Follows the URL: `/rooms/{id}` opens that room, anything else closes it
/// (so messages arriving elsewhere count as unread).
#[component]
fn CurrentRoom() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let session = expect_context::<Session>();
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let signed_in = session.signed_in();
        // `/rooms/{id}` or a link to a message in it.
        let room = path
            .strip_prefix("/rooms/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| RoomId::parse(id).ok());
        match room {
            Some(id) if signed_in => {
                if chat.current_room.get_untracked() != Some(id) {
                    chat.open_room(id);
                }
            }
            _ => chat.current_room.set(None),
        }
    });
    // Coming back to a visible tab reads what the open room shows; leaving
    // it (or the page) sends the read reports still held for pacing.
    let handle = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if crate::chat::page_visible() {
            chat.recheck_seen();
        } else {
            chat.flush_reads();
        }
    });
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| chat.flush_reads());
    on_cleanup(move || {
        handle.remove();
        leaving.remove();
    });
}

#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move |_| {
        if !session.signed_in() {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            navigate(
                &crate::paths::login_redirect(&here),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <Show when=move || session.signed_in() fallback=|| view! { <p class="loading">"Redirecting to sign in…"</p> }>
            {children()}
        </Show>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Not found"</h1>
            <p><a href="/">"Back to ThemeChat"</a></p>
        </section>
    }
}

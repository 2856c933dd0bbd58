//! Placeholder app: routing and one API call, enough to prove the wiring.

use gloo_net::http::Request;
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="topbar">
                <A href="/">"ThemeChat"</A>
                <nav>
                    <A href="/login">"Sign in"</A>
                    <A href="/register">"Sign up"</A>
                </nav>
            </header>
            <main>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/login") view=Login />
                    <Route path=path!("/register") view=Register />
                </Routes>
            </main>
        </Router>
    }
}

/// `true` when `GET /healthz` answers with a 2xx status.
async fn server_healthy() -> bool {
    match Request::get("/healthz").send().await {
        Ok(response) => response.ok(),
        Err(_) => false,
    }
}

#[component]
fn Home() -> impl IntoView {
    let health = LocalResource::new(server_healthy);
    view! {
        <h1>"ThemeChat"</h1>
        <p class="health" data-testid="server-health">
            {move || match health.get() {
                None => "server: checking…",
                Some(true) => "server: ok",
                Some(false) => "server: unreachable",
            }}
        </p>
    }
}

#[component]
fn Login() -> impl IntoView {
    view! {
        <h1>"Sign in"</h1>
        <p>"Coming soon."</p>
        <p>"No account yet? " <A href="/register">"Sign up"</A></p>
    }
}

#[component]
fn Register() -> impl IntoView {
    view! {
        <h1>"Sign up"</h1>
        <p>
            {format!(
                "Coming soon. Usernames: {}–{} characters; passwords: at least {}.",
                protocol::limits::USERNAME_MIN,
                protocol::limits::USERNAME_MAX,
                protocol::limits::PASSWORD_MIN,
            )}
        </p>
        <p>"Already registered? " <A href="/login">"Sign in"</A></p>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>"Not found"</h1>
        <p><A href="/">"Back to ThemeChat"</A></p>
    }
}

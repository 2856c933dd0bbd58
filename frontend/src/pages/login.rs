//! Sign in.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::LoginRequest;
use protocol::validate::{Password, Username};

use crate::app::safe_next;
use crate::components::form::{SubmitButton, TextField};
use crate::components::status::FormError;
use crate::session::Session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let user = match Username::parse(username.get_untracked().trim()) {
            Ok(u) => u,
            Err(e) => return error.set(Some(e.0)),
        };
        let pass = match Password::parse(&password.get_untracked()) {
            Ok(p) => p,
            Err(e) => return error.set(Some(e.0)),
        };
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        let target = next();
        leptos::task::spawn_local(async move {
            let req = LoginRequest {
                username: user.into_inner(),
                password: pass.into_inner(),
            };
            let result = crate::api::login(&req).await;
            busy.set(false);
            match result {
                Ok(auth) => {
                    session.set_auth(auth);
                    navigate(&target, Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };

    view! {
        <section class="page auth-page">
            <h1>"Sign in"</h1>
            <form class="card form" novalidate=true on:submit=submit>
                <TextField label="Username" value=username testid="login-username"
                    name="username" autocomplete="username" />
                <TextField label="Password" value=password testid="login-password" kind="password"
                    name="password" autocomplete="current-password" />
                <FormError message=error />
                <SubmitButton busy=busy testid="login-submit" label="Sign in" busy_label="Signing in…" />
            </form>
            <p>
                "No account yet? "
                <a href=move || {
                    format!("/register?next={}", crate::api::enc(&next()))
                }>"Sign up"</a>
            </p>
        </section>
    }
}

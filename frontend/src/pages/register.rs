//! Sign up.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::RegisterRequest;
use protocol::limits::{PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN};
use protocol::validate::{DisplayName, Password, Username};

use crate::app::safe_next;
use crate::components::form::{SubmitButton, TextField};
use crate::components::status::FormError;
use crate::session::Session;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
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
        let dn_raw = display_name.get_untracked();
        let dn = if dn_raw.trim().is_empty() {
            None
        } else {
            match DisplayName::parse(&dn_raw) {
                Ok(d) => Some(d.into_inner()),
                Err(e) => return error.set(Some(e.0)),
            }
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
            let req = RegisterRequest {
                username: user.into_inner(),
                password: pass.into_inner(),
                display_name: dn,
            };
            let result = crate::api::register(&req).await;
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
            <h1>"Create your account"</h1>
            <form class="card form" novalidate=true on:submit=submit>
                <TextField label="Username" value=username testid="register-username"
                    name="username" autocomplete="username"
                    hint=format!("{USERNAME_MIN}–{USERNAME_MAX} letters, digits, '_', '.' or '-'") />
                <TextField label="Display name (optional)" value=display_name
                    testid="register-display-name" name="display_name" />
                <TextField label="Password" value=password testid="register-password" kind="password"
                    name="password" autocomplete="new-password"
                    hint=format!("At least {PASSWORD_MIN} characters") />
                <FormError message=error />
                <SubmitButton busy=busy testid="register-submit" label="Sign up"
                    busy_label="Creating account…" />
            </form>
            <p>
                "Already registered? "
                <a href=move || format!("/login?next={}", crate::api::enc(&next()))>"Sign in"</a>
            </p>
        </section>
    }
}

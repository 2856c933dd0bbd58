//! Sign up.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::RegisterRequest;
use protocol::limits::{PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN};
use protocol::validate::{DisplayName, Password, Username};

use crate::app::safe_next;
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
                <label>
                    "Username"
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        data-testid="register-username"
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))
                    />
                    <small class="muted">
                        {format!("{USERNAME_MIN}–{USERNAME_MAX} letters, digits, '_', '.' or '-'")}
                    </small>
                </label>
                <label>
                    "Display name (optional)"
                    <input
                        type="text"
                        name="display_name"
                        data-testid="register-display-name"
                        prop:value=move || display_name.get()
                        on:input=move |ev| display_name.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        data-testid="register-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <small class="muted">{format!("At least {PASSWORD_MIN} characters")}</small>
                </label>
                <FormError message=error />
                <button type="submit" class="button" data-testid="register-submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating account…" } else { "Sign up" }}
                </button>
            </form>
            <p>
                "Already registered? "
                <a href=move || format!("/login?next={}", crate::api::enc(&next()))>"Sign in"</a>
            </p>
        </section>
    }
}

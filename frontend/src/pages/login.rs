//! Sign in.

use leptos::prelude::*;
use protocol::LoginRequest;
use protocol::validate::{Password, Username};

use super::sign_in_flow::SignInFlow;
use crate::components::form::{SubmitButton, TextField};
use crate::components::status::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let flow = SignInFlow::new();
    let (error, busy) = (flow.error, flow.busy);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let sign_up = flow.link_to("/register");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let check = || {
            Ok(LoginRequest {
                username: Username::parse(username.get_untracked().trim())?.into_inner(),
                password: Password::parse(&password.get_untracked())?.into_inner(),
                code: None,
            })
        };
        flow.send(check(), |req| async move { crate::api::login(&req).await });
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
                <a href=sign_up>"Sign up"</a>
            </p>
        </section>
    }
}

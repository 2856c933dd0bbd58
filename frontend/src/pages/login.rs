//! Sign in.

use leptos::prelude::*;
use protocol::validate::{Password, Username};
use protocol::{ErrorCode, LoginRequest};

use super::sign_in_flow::SignInFlow;
use crate::api::Failure;
use crate::components::form::{SubmitButton, TextField};
use crate::components::status::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let flow = SignInFlow::new();
    let (error, busy) = (flow.error, flow.busy);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Asked for once the server says the account signs in with a second
    // factor.
    let needs_code = RwSignal::new(false);
    let code = RwSignal::new(String::new());

    let sign_up = flow.link_to("/register");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let check = || {
            Ok(LoginRequest {
                username: Username::parse(username.get_untracked().trim())?.into_inner(),
                password: Password::parse(&password.get_untracked())?.into_inner(),
                code: needs_code
                    .get_untracked()
                    .then(|| code.get_untracked().trim().to_owned()),
            })
        };
        flow.send(check(), move |req| async move {
            let answer = crate::api::login(&req).await;
            if let Err(Failure::Refused(refusal)) = &answer
                && refusal.code == ErrorCode::TwoFactorRequired
            {
                needs_code.set(true);
                return Err(Failure::refused(
                    refusal.code,
                    "Enter the code from your authenticator app, or a recovery code.",
                ));
            }
            answer
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
                <Show when=move || needs_code.get()>
                    <TextField label="Authentication code" value=code testid="login-code"
                        name="code" autocomplete="one-time-code" />
                </Show>
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

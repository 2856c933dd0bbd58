//! Sign in.

use leptos::prelude::*;
use protocol::validate::{Password, Username};
use protocol::{ErrorCode, LoginRequest};

use super::sign_in_flow::SignInFlow;
use crate::api::Failure;
use crate::components::form::{FieldError, SubmitButton, TextField};
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

    let username_error = FieldError::new(|v| Username::parse(v.trim()).map(drop)).with_form(error);
    let password_error = FieldError::new(|v| Password::parse(v).map(drop)).with_form(error);

    let sign_up = flow.link_to("/register");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Every field shows its own error; the form's line says the first.
        username_error.check(&username.get_untracked());
        password_error.check(&password.get_untracked());
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
            <AboutThemeChat />
            <h2>"Sign in"</h2>
            <form class="card form" novalidate=true on:submit=submit>
                <TextField label="Username" value=username testid="login-username"
                    name="username" autocomplete="username" error=username_error />
                <TextField label="Password" value=password testid="login-password" kind="password"
                    name="password" autocomplete="current-password" error=password_error />
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

/// What a visitor who does not know ThemeChat reads first, on the sign-in
/// and sign-up pages.
#[component]
pub fn AboutThemeChat() -> impl IntoView {
    view! {
        <header class="about" data-testid="about-themechat">
            <h1>"ThemeChat"</h1>
            <p class="about-lead">
                "Chat in groups about the topics you care for, keep your friends close,                  and talk one to one, live."
            </p>
            <ul class="about-points">
                <li>"Public and private groups, with owners and moderators"</li>
                <li>"Friends, direct conversations and notifications"</li>
                <li>"Threads, reactions, files and search"</li>
            </ul>
        </header>
    }
}

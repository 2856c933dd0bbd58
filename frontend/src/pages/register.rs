//! Sign up.

use leptos::prelude::*;
use protocol::RegisterRequest;
use protocol::limits::{PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN};
use protocol::validate::{DisplayName, Password, Username};

use super::login::AboutThemeChat;
use super::sign_in_flow::SignInFlow;
use crate::components::form::{FieldError, SubmitButton, TextField};
use crate::components::status::FormError;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let flow = SignInFlow::new();
    let (error, busy) = (flow.error, flow.busy);
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let username_error = FieldError::new(|v| Username::parse(v.trim()).map(drop)).with_form(error);
    let display_name_error = FieldError::new(|v| {
        // Empty is none: the server uses the username.
        if v.trim().is_empty() {
            Ok(())
        } else {
            DisplayName::parse(v).map(drop)
        }
    })
    .with_form(error);
    let password_error = FieldError::new(|v| Password::parse(v).map(drop)).with_form(error);

    let sign_in = flow.link_to("/login");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Every field shows its own error; the form's line says the first.
        username_error.check(&username.get_untracked());
        display_name_error.check(&display_name.get_untracked());
        password_error.check(&password.get_untracked());
        let check = || {
            let username = Username::parse(username.get_untracked().trim())?.into_inner();
            // An empty display name is none: the server uses the username.
            let typed = display_name.get_untracked();
            let display_name = if typed.trim().is_empty() {
                None
            } else {
                Some(DisplayName::parse(&typed)?.into_inner())
            };
            Ok(RegisterRequest {
                username,
                password: Password::parse(&password.get_untracked())?.into_inner(),
                display_name,
            })
        };
        flow.send(
            check(),
            |req| async move { crate::api::register(&req).await },
        );
    };

    view! {
        <section class="page auth-page">
            <AboutThemeChat />
            <h2>"Create your account"</h2>
            <form class="card form" novalidate=true on:submit=submit>
                <TextField label="Username" value=username testid="register-username"
                    name="username" autocomplete="username" error=username_error
                    hint=format!("{USERNAME_MIN}–{USERNAME_MAX} letters, digits, '_', '.' or '-'") />
                <TextField label="Display name (optional)" value=display_name
                    testid="register-display-name" name="display_name" error=display_name_error />
                <TextField label="Password" value=password testid="register-password" kind="password"
                    name="password" autocomplete="new-password" error=password_error
                    hint=format!("At least {PASSWORD_MIN} characters") />
                <FormError message=error />
                <SubmitButton busy=busy testid="register-submit" label="Sign up"
                    busy_label="Creating account…" />
            </form>
            <p>
                "Already registered? "
                <a href=sign_in>"Sign in"</a>
            </p>
        </section>
    }
}

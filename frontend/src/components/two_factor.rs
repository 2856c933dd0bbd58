//! Two-factor sign-in in Settings: set up with a QR code (or the secret
//! typed by hand), a first code and the password, the recovery codes shown
//! once, turned off with the password.

use leptos::prelude::*;
use protocol::TwoFactorSetup;
use protocol::validate::Invalid;

use crate::api;
use crate::components::attachments::save_as;
use crate::components::form::{Submission, SubmitButton, TextField};
use crate::components::status::FormError;
use crate::session::Session;

/// Where setting it up stands on this page.
#[derive(Clone)]
enum Step {
    /// Nothing under way: the account's state shows.
    Idle,
    /// A secret to put into the authenticator, and a code to confirm it.
    Scanning(TwoFactorSetup),
    /// Just turned on: the recovery codes, shown this once.
    RecoveryCodes(Vec<String>),
}

#[component]
pub fn TwoFactorSettings() -> impl IntoView {
    let session = expect_context::<Session>();
    let on = Signal::derive(move || session.me().is_some_and(|m| m.two_factor));
    let step = RwSignal::new(Step::Idle);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let remember = move |two_factor: bool| {
        if let Some(mut me) = session.me_untracked() {
            me.two_factor = two_factor;
            session.set_me(me);
        }
    };

    let start = move |_| {
        form.send(
            Ok(()),
            |()| api::begin_two_factor(),
            move |setup| {
                code.set(String::new());
                password.set(String::new());
                step.set(Step::Scanning(setup));
            },
        );
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed: String = code.get_untracked().split_whitespace().collect();
        let secret = password.get_untracked();
        let checked = if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
            Err(Invalid(
                "enter the six digits your authenticator app shows".into(),
            ))
        } else if secret.is_empty() {
            Err(Invalid("enter your password".into()))
        } else {
            Ok((typed, secret))
        };
        form.send(
            checked,
            |(code, password)| api::confirm_two_factor(code, password),
            move |codes| {
                password.set(String::new());
                remember(true);
                step.set(Step::RecoveryCodes(codes.codes));
            },
        );
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = password.get_untracked();
        let checked = if typed.is_empty() {
            Err(Invalid("enter your password".into()))
        } else {
            Ok(typed)
        };
        form.send(checked, api::disable_two_factor, move |()| {
            password.set(String::new());
            remember(false);
        });
    };

    let body = move || match step.get() {
        Step::RecoveryCodes(codes) => view! {
            <p>
                "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs \
                 you in once if you lose your authenticator, and they are not shown again."
            </p>
            <ul class="recovery-codes" data-testid="two-factor-recovery-codes">
                {codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
            </ul>
            <KeepCodes codes=codes />
            <button type="button" class="button small" data-testid="two-factor-done"
                on:click=move |_| step.set(Step::Idle)>
                "I have saved them"
            </button>
        }
        .into_any(),
        Step::Scanning(setup) => view! {
            <p>
                "Scan this with your authenticator app, then enter the code it shows and \
                 your password."
            </p>
            <img class="two-factor-qr" data-testid="two-factor-qr" width="200" height="200"
                src=format!("data:image/png;base64,{}", setup.qr_png_base64)
                alt="QR code of your two-factor secret, for an authenticator app" />
            <p>
                "Or type in this key: "
                <code data-testid="two-factor-secret">{setup.secret}</code>
            </p>
            <form class="form" novalidate=true on:submit=confirm>
                <TextField label="Code" value=code testid="two-factor-code"
                    autocomplete="one-time-code" />
                <TextField label="Password" value=password testid="two-factor-confirm-password"
                    kind="password" autocomplete="current-password" />
                <SubmitButton busy=busy testid="two-factor-confirm" label="Turn on"
                    busy_label="Checking…" />
            </form>
        }
        .into_any(),
        Step::Idle if on.get() => view! {
            <form class="form" novalidate=true on:submit=turn_off>
                <TextField label="Password" value=password testid="two-factor-password"
                    kind="password" autocomplete="current-password" />
                <SubmitButton busy=busy testid="two-factor-disable" label="Turn off"
                    busy_label="Turning off…" />
            </form>
        }
        .into_any(),
        Step::Idle => view! {
            <button type="button" class="button" data-testid="two-factor-start" on:click=start>
                "Set up"
            </button>
        }
        .into_any(),
    };

    view! {
        <h2>"Two-factor sign-in"</h2>
        <div class="card" data-testid="two-factor">
            <p data-testid="two-factor-status">
                {move || if on.get() {
                    "On: signing in asks for a code from your authenticator app."
                } else {
                    "Off: signing in asks for your password only."
                }}
            </p>
            {body}
            <FormError message=error />
        </div>
    }
}

/// Copy and Download for the recovery codes: typing ten codes off the
/// screen is how they get lost.
#[component]
fn KeepCodes(codes: Vec<String>) -> impl IntoView {
    let kept = RwSignal::new(None::<&'static str>);
    let text = StoredValue::new(recovery_file(&codes));
    let copy = move |_| {
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        let written = clipboard.write_text(&text.get_value());
        leptos::task::spawn_local(async move {
            let outcome = match wasm_bindgen_futures::JsFuture::from(written).await {
                Ok(_) => "Copied.",
                Err(_) => "This browser would not copy them: select them and copy, or download.",
            };
            kept.try_set(Some(outcome));
        });
    };
    let download = move |_| {
        let parts = js_sys::Array::of1(&text.get_value().into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/plain;charset=utf-8");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        save_as(&url, "themechat-recovery-codes.txt");
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(60),
        );
        kept.set(Some("Downloaded."));
    };
    view! {
        <div class="button-row">
            <button type="button" class="button small secondary" data-testid="two-factor-codes-copy"
                on:click=copy>"Copy"</button>
            <button type="button" class="button small secondary" data-testid="two-factor-codes-download"
                on:click=download>"Download"</button>
            <span class="status-ok" role="status" data-testid="two-factor-codes-kept">
                {move || kept.get()}
            </span>
        </div>
    }
}

/// The codes as a file to keep: what they are, then one per line.
fn recovery_file(codes: &[String]) -> String {
    let mut text = String::from(
        "ThemeChat recovery codes. Each signs you in once without your authenticator.\n\n",
    );
    for code in codes {
        text.push_str(code);
        text.push('\n');
    }
    text
}

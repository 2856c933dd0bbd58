//! Two-factor sign-in from Settings: set up with the key the page shows, a
//! code from it and the password, then another browser signs in only once
//! it gives a recovery code, and the setting is turned off again with the
//! password.

use serde_json::Value;
use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::{PASSWORD, unique};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::support::register;

/// What an authenticator app shows now for the key `secret` (base32).
fn code_now(secret: &str) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("a base32 key");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, bytes, None, String::new())
        .generate_current()
        .expect("a code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_sign_in_is_set_up_used_and_turned_off_from_settings() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let laptop = driver.browser(&server.address, "the laptop").await;
    let phone = driver.browser(&server.address, "the phone").await;
    let alice = unique("alice");
    register(&laptop, &alice).await;

    laptop.goto("/settings").await;
    laptop
        .wait_for_css_text(&tid("two-factor-status"), "Off")
        .await;
    laptop.click("two-factor-start").await;
    laptop.wait_for("two-factor-qr").await;
    let secret = laptop.text("two-factor-secret").await;
    laptop.type_into("two-factor-code", "12").await;
    laptop.click("two-factor-confirm").await;
    laptop.wait_for("form-error").await;
    // The right code is not enough without the password.
    laptop
        .type_into("two-factor-code", &code_now(&secret))
        .await;
    laptop
        .type_into("two-factor-confirm-password", "not the password")
        .await;
    laptop.click("two-factor-confirm").await;
    laptop
        .wait_for_css_text(&tid("form-error"), "password is wrong")
        .await;
    laptop
        .type_into("two-factor-code", &code_now(&secret))
        .await;
    laptop
        .type_into("two-factor-confirm-password", PASSWORD)
        .await;
    laptop.click("two-factor-confirm").await;
    let codes = format!("{} li", tid("two-factor-recovery-codes"));
    laptop.wait_count_css(&codes, 10).await;
    laptop
        .wait_for_css_text(&tid("two-factor-status"), "On")
        .await;
    let first = laptop
        .execute(
            "return document.querySelector(arguments[0]).textContent.trim();",
            vec![Value::from(codes.clone())],
        )
        .await;
    let recovery = first.as_str().expect("a recovery code").to_owned();
    // Issue 23, item 15: the codes can be copied and downloaded. What goes
    // to the clipboard is caught on its way (the clipboard itself is the
    // browser's): every code, one per line.
    laptop
        .execute(
            "window.__copied = null; \
             navigator.clipboard.writeText = text => { window.__copied = text; return Promise.resolve(); };",
            vec![],
        )
        .await;
    laptop.click("two-factor-codes-copy").await;
    laptop
        .wait_for_css_text(&tid("two-factor-codes-kept"), "Copied")
        .await;
    let copied = laptop.execute("return window.__copied;", vec![]).await;
    let copied = copied.as_str().expect("the codes were copied");
    let shown: Vec<Value> = laptop
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(li => li.textContent.trim());",
            vec![Value::from(codes.clone())],
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(shown.len(), 10);
    for code in &shown {
        let code = code.as_str().unwrap_or_default();
        assert!(
            copied.lines().any(|line| line == code),
            "{code} is missing from what was copied: {copied}"
        );
    }
    laptop.click("two-factor-codes-download").await;
    laptop
        .wait_for_css_text(&tid("two-factor-codes-kept"), "Downloaded")
        .await;
    laptop.click("two-factor-done").await;

    // The phone's password alone is not enough any more: it is asked for a
    // code, and a recovery code lets it in.
    phone.goto("/login").await;
    phone.type_into("login-username", &alice).await;
    phone.type_into("login-password", PASSWORD).await;
    phone.click("login-submit").await;
    phone.wait_for("login-code").await;
    phone
        .wait_for_css_text(&tid("form-error"), "authenticator")
        .await;
    assert_eq!(phone.path().await, "/login");
    phone.type_into("login-code", &recovery).await;
    phone.click("login-submit").await;
    phone.wait_for("room-list").await;

    // Off again, with the password.
    laptop.type_into("two-factor-password", PASSWORD).await;
    laptop.click("two-factor-disable").await;
    laptop
        .wait_for_css_text(&tid("two-factor-status"), "Off")
        .await;
    laptop.wait_for("two-factor-start").await;

    laptop.close().await;
    phone.close().await;
}

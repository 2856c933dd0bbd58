//! Signed-out visitors and form validation.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive};
use themechat_tests::unique;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_explore_redirects_to_login_and_a_short_password_is_rejected() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser(&server.address, "visitor").await;

    // A signed-out visit to a page that needs an account ends on /login,
    // with the way back.
    browser.goto("/explore").await;
    browser.wait_for_path("/login", |p| p == "/login").await;
    browser.wait_for("login-username").await;
    browser.wait_for("login-submit").await;
    let query = browser.query().await.unwrap_or_default();
    assert!(
        query.contains("next=") && query.contains("explore"),
        "the redirect to /login should carry the way back to /explore, got ?{query}"
    );
    assert_eq!(
        browser.count("room-list").await,
        0,
        "no sidebar for a visitor"
    );

    // Too short a password is refused by the form, which stays put.
    browser.goto("/register").await;
    browser
        .type_into("register-username", &unique("shorty"))
        .await;
    browser.type_into("register-password", "short").await;
    browser.click("register-submit").await;
    let error = browser.text("form-error").await;
    assert!(!error.is_empty(), "form-error is shown but empty");
    assert_eq!(
        browser.path().await,
        "/register",
        "a rejected form stays on /register"
    );
    assert_eq!(
        browser.count("connection-status").await,
        0,
        "a rejected sign-up must not sign in"
    );

    browser.close().await;
}

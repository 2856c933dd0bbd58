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

/// Two tabs of one browser share one session. With access tokens that
/// expire every half minute, both refresh about every second, at the same
/// moments: they must take turns (the one that waited adopts the other's
/// tokens), and neither may land on the sign-in page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_refreshing_together_never_sign_each_other_out() {
    use std::time::Duration;

    let _one_at_a_time = exclusive().await;
    let server = WebServer::start_with(&[("THEMECHAT_ACCESS_TOKEN_TTL_SECS", "30")]).await;
    let driver = ChromeDriver::start().await;
    let tabs = driver.browser(&server.address, "ann's tabs").await;
    crate::support::register(&tabs, &unique("ann")).await;
    let room = crate::support::create_room(&tabs, &unique("Tabs "), "public").await;
    let first = tabs
        .client
        .window()
        .await
        .expect("the first window's handle");
    let second = tabs
        .client
        .new_window(false)
        .await
        .expect("a second window")
        .handle;
    tabs.client
        .switch_to_window(second.clone())
        .await
        .expect("switch to the second window");
    tabs.goto(&format!("/rooms/{room}")).await;
    tabs.wait_for("room-list").await;

    // A minute of refreshes, both windows looked at every two seconds.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut looks = 0;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(2)).await;
        for (name, handle) in [("first", &first), ("second", &second)] {
            tabs.client
                .switch_to_window(handle.clone())
                .await
                .expect("switch windows");
            let path = tabs.path().await;
            assert_ne!(path, "/login", "the {name} window was signed out");
            looks += 1;
        }
    }
    assert!(looks >= 20);
    for (name, handle) in [("first", &first), ("second", &second)] {
        tabs.client
            .switch_to_window(handle.clone())
            .await
            .expect("switch windows");
        tabs.wait_connection(&["online"], Duration::from_secs(30))
            .await;
        let body = format!("still signed in ({name} window)");
        tabs.send_with_enter(&body).await;
        tabs.wait_for_bubble("stored", &body, |m| {
            m.mine && crate::support::is_uuid(&m.id)
        })
        .await;
    }
    tabs.close().await;
}

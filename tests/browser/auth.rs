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

/// The error under the field `testid`, if one shows.
async fn field_error(browser: &themechat_tests::browser::Browser, testid: &str) -> Option<String> {
    browser
        .execute(
            "const field = document.querySelector(arguments[0]); \
             const error = field && field.closest('label').querySelector('[data-testid=\"field-error\"]'); \
             return error ? error.textContent : null;",
            vec![serde_json::json!(themechat_tests::browser::tid(testid))],
        )
        .await
        .as_str()
        .map(str::to_owned)
}

/// Issue 23, item 14: a visitor learns what ThemeChat is before the form;
/// each refused field says why under itself, in a sentence, and the error
/// goes once the field is fixed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_says_what_themechat_is_and_errors_sit_at_their_fields() {
    use themechat_tests::browser::WAIT;
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser(&server.address, "a visitor").await;

    browser.goto("/login").await;
    let about = browser.text("about-themechat").await;
    assert!(
        about.contains("ThemeChat") && about.contains("groups"),
        "{about}"
    );
    browser.goto("/register").await;
    browser.wait_for("about-themechat").await;

    browser.type_into("register-username", "a").await;
    browser.type_into("register-password", "short").await;
    browser.click("register-submit").await;
    browser.wait_for("form-error").await;
    let name_error = field_error(&browser, "register-username")
        .await
        .expect("an error under the username");
    let password_error = field_error(&browser, "register-password")
        .await
        .expect("an error under the password");
    for error in [&name_error, &password_error] {
        assert!(
            error.starts_with(char::is_uppercase) && error.ends_with('.'),
            "an error is a sentence: {error:?}"
        );
    }
    assert!(password_error.contains('8'), "{password_error}");
    assert_eq!(
        field_error(&browser, "register-display-name").await,
        None,
        "an empty display name is fine"
    );

    // Fixing the password takes its error away as it is typed; the
    // username's stays until it is fixed too.
    browser.type_into("register-password", "-and-long").await;
    browser
        .wait_until("the password's error to go", WAIT, || async {
            Ok(field_error(&browser, "register-password")
                .await
                .is_none()
                .then_some(()))
        })
        .await;
    assert!(field_error(&browser, "register-username").await.is_some());
    browser.type_into("register-username", &unique("bc")).await;
    browser
        .wait_until("the username's error to go", WAIT, || async {
            Ok(field_error(&browser, "register-username")
                .await
                .is_none()
                .then_some(()))
        })
        .await;
    browser.click("register-submit").await;
    browser.wait_for("room-list").await;
    browser.close().await;
}

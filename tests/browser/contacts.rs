//! Scenario 4: a friend request, sent by username and accepted.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::register;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_request_is_sent_and_accepted() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;
    let (alice, bob) = (unique("alice"), unique("bob"));
    register(&a, &alice).await;
    register(&b, &bob).await;

    // A asks B by username.
    a.click("contacts-link").await;
    a.wait_for_path("/contacts", |p| p == "/contacts").await;
    a.type_into("add-friend-input", &bob).await;
    a.click("add-friend-submit").await;
    a.wait_for_text("outgoing-request-item", &bob).await;
    assert_eq!(
        a.count("friend-request-item").await,
        0,
        "A has no incoming request"
    );

    // B accepts it on its Contacts page.
    b.click("contacts-link").await;
    b.wait_for_path("/contacts", |p| p == "/contacts").await;
    b.wait_for_text("friend-request-item", &alice).await;
    assert_eq!(b.count("outgoing-request-item").await, 0, "B sent nothing");
    b.click_css(&format!(
        "{} {}",
        tid("friend-request-item"),
        tid("accept-request")
    ))
    .await;
    b.wait_for_text("friend-item", &alice).await;
    b.wait_gone("friend-request-item").await;

    // A sees the friendship and no pending request.
    a.wait_for_text("friend-item", &bob).await;
    a.wait_gone("outgoing-request-item").await;

    // B's profile says so, and offers no "Add friend" any more.
    a.click_css(&format!("{} a", tid("friend-item"))).await;
    a.wait_for("friend-badge").await;
    assert_eq!(a.count("add-friend-button").await, 0);

    a.close().await;
    b.close().await;
}

/// Issue 23, item 11: on a profile, "Add friend" turns into "Request sent"
/// and then, live, into "Friends" once the other accepts, which they do in
/// place on their Notifications page (the request then stops counting as
/// unread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_request_goes_from_the_profile_and_is_answered_in_place() {
    use themechat_tests::browser::WAIT;
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let bob = api.register(&unique("bob")).await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;
    crate::support::sign_in(&a, &alice, "/").await;
    a.goto(&format!("/users/{}", bob.id)).await;
    crate::support::sign_in(&b, &bob, "/").await;

    a.click("add-friend-button").await;
    a.wait_for_text("friend-requested", "Request sent").await;
    assert_eq!(a.count("add-friend-button").await, 0);

    b.goto("/notifications").await;
    b.wait_for("notification-accept").await;
    b.click("notification-accept").await;
    b.wait_until("the answer buttons to go", WAIT, || async {
        Ok((b.count("notification-accept").await == 0).then_some(()))
    })
    .await;
    b.wait_until("no unread notification", WAIT, || async {
        let unread = b
            .count_css(&format!("{}.unread", tid("notification-item")))
            .await;
        Ok((unread == 0).then_some(()))
    })
    .await;

    // Alice's open profile page follows, with no reload.
    a.wait_for_text("friend-badge", "Friends").await;
    a.close().await;
    b.close().await;
}

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

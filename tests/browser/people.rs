//! Finding people from the People page: a search by name shows who matches,
//! opens their profile, and sends a friend request to those who are not
//! friends yet.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::register;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_found_by_name_befriended_and_opened() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;
    let bob = unique("bob");
    register(&b, &bob).await;
    register(&a, &unique("alice")).await;

    a.click("nav-people").await;
    a.wait_for_path("/people", |p| p == "/people").await;
    a.type_into("people-search", "nobody-goes-by-this").await;
    a.click("people-search-submit").await;
    a.wait_for("people-empty").await;

    a.type_into("people-search", &bob).await;
    a.click("people-search-submit").await;
    a.wait_for_text("people-result", &bob).await;
    assert_eq!(a.count("people-result").await, 1);
    a.click("people-add-friend").await;
    a.wait_for("people-requested").await;
    // The search is in the address: a reload keeps it.
    assert!(
        a.query().await.unwrap_or_default().contains(&bob),
        "the query is in the URL"
    );

    a.click("people-result-link").await;
    a.wait_for_path("a profile", |p| p.starts_with("/users/"))
        .await;
    a.wait_for_css_text(&tid("profile-name"), &bob).await;

    a.close().await;
    b.close().await;
}

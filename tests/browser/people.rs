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

/// Issue 23, item 6: a direct conversation shows the other person (who they
/// are, their bio and interests, whether they are online), not a member
/// list of two; the sidebar keeps groups and direct conversations apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_conversation_shows_the_person_and_the_sidebar_keeps_kinds_apart() {
    let _one_at_a_time = themechat_tests::browser::exclusive().await;
    let server = themechat_tests::browser::WebServer::start().await;
    let api = server.api();
    let alice = api.register(&themechat_tests::unique("alice")).await;
    let bob = api.register(&themechat_tests::unique("bob")).await;
    let profile = api
        .patch_json(
            "/api/v1/users/me",
            bob.auth(),
            &serde_json::json!({ "bio": "Rustacean in Lisbon", "interests": ["sailing", "compilers"] }),
        )
        .await;
    assert_eq!(profile.status, 200, "{}", profile.describe());
    let group = api
        .create_room(&alice, &themechat_tests::unique("Harbour "), "public")
        .await;
    let group = group["id"].as_str().expect("a room id").to_owned();
    let dm = api
        .post_json(
            "/api/v1/dms",
            alice.auth(),
            &serde_json::json!({ "user_id": bob.id }),
        )
        .await;
    assert!(dm.status == 200 || dm.status == 201, "{}", dm.describe());
    let dm = dm.body["id"].as_str().expect("a room id").to_owned();

    let driver = themechat_tests::browser::ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    crate::support::sign_in(&a, &alice, &format!("/rooms/{dm}")).await;
    a.wait_for_text("dm-profile-name", &bob.display_name).await;
    a.wait_for_text("dm-profile-bio", "Rustacean in Lisbon")
        .await;
    assert_eq!(a.count("member-list").await, 0, "no list of two");

    // Groups first under their heading, then direct conversations under theirs.
    let order = a
        .execute(
            "const at = css => [...document.querySelectorAll('[data-testid=\"room-list\"] li')] \
                 .findIndex(li => li.matches(css) || li.querySelector(css)); \
             return [at('[data-testid=\"room-section-groups\"]'), \
                     at(arguments[0]), \
                     at('[data-testid=\"room-section-direct\"]') , \
                     at(arguments[1])];",
            vec![
                serde_json::json!(crate::support::room_item(&group)),
                serde_json::json!(crate::support::room_item(&dm)),
            ],
        )
        .await;
    let order: Vec<i64> = order
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    assert_eq!(order.len(), 4, "{order:?}");
    assert!(
        order.windows(2).all(|w| w[0] < w[1]) && order[0] >= 0,
        "the sidebar reads: Groups, the group, Direct messages, the conversation ({order:?})"
    );
    a.close().await;
}

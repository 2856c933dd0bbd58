//! Bringing people to a group (issue 23, item 13): an empty group invites
//! to share its link, and that link, opened by someone not in the group,
//! names it and offers Join. A public room can be read before joining
//! (item 10).

use serde_json::json;
use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::{id_of, unique};

use crate::support::{
    explore_room, find_on_explore, join_from_explore, register, room_of, sign_in,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_group_offers_its_link_and_the_link_offers_join() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let bob = api.register(&unique("bob")).await;
    let name = unique("Knitting circle ");
    let room = api.create_room(&alice, &name, "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();

    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    sign_in(&a, &alice, &format!("/rooms/{room}")).await;
    a.wait_for("empty-room-invite").await;
    let link = a.text("room-link").await;
    assert_eq!(link, server.url(&format!("/rooms/{room}")));
    // What goes to the clipboard is caught on its way.
    a.execute(
        "window.__copied = null; \
         navigator.clipboard.writeText = text => { window.__copied = text; return Promise.resolve(); };",
        vec![],
    )
    .await;
    a.click("copy-room-link").await;
    a.wait_for_text("room-link-copied", "Link copied").await;
    assert_eq!(
        a.execute("return window.__copied;", vec![]).await,
        json!(link)
    );

    // Bob follows the link: the group says what it is, and he joins.
    let b = driver.browser(&server.address, "bob's browser").await;
    sign_in(&b, &bob, "/").await;
    b.goto(&format!("/rooms/{room}")).await;
    b.wait_for("room-preview").await;
    assert_eq!(b.text("room-title").await, name);
    b.click("room-join").await;
    b.wait_for("composer-input").await;
    b.send_with_enter("hello, knitters").await;

    // Written in, the group no longer asks for people.
    a.wait_for_text("message-body", "hello, knitters").await;
    a.wait_gone("empty-room-invite").await;
    a.close().await;
    b.close().await;
}

/// Issue 23, item 10: a public room is read before joining (its newest
/// messages on its page), joining from there opens it, and a room joined
/// from Explore is one click away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_room_is_read_before_joining_and_explore_leads_into_it() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let name = unique("Gardening ");
    let room = id_of(&api.create_room(&alice, &name, "public").await);
    for text in [
        "tomatoes are in",
        "basil next week",
        "who has a spare trowel?",
    ] {
        api.post_message(&alice, &room, text).await;
    }
    let other_name = unique("Birding ");
    let other = id_of(&api.create_room(&alice, &other_name, "public").await);

    let driver = ChromeDriver::start().await;
    let b = driver.browser(&server.address, "bob's browser").await;
    register(&b, &unique("bob")).await;

    // From Explore, the room's name opens its page: its newest messages,
    // readable before joining.
    find_on_explore(&b, &name).await;
    b.click_css(&format!("{} .explore-name", explore_room(&room)))
        .await;
    b.wait_for("room-preview").await;
    b.wait_for_text("preview-messages", "who has a spare trowel?")
        .await;
    assert_eq!(b.count("preview-message").await, 3);
    b.click("room-join").await;
    b.wait_for("composer-input").await;
    b.wait_for_text("message-list", "who has a spare trowel?")
        .await;

    // Joined from Explore, the card leads straight in.
    assert_eq!(join_from_explore(&b, &other_name).await, other);
    b.click_css(&format!("{} {}", explore_room(&other), tid("explore-open")))
        .await;
    b.wait_for_path("/rooms/<other>", |p| room_of(p) == Some(other.as_str()))
        .await;
    b.wait_for("composer-input").await;
    b.close().await;
}

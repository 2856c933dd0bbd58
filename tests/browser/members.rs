//! An owner's actions on a member (issue 23, item 12): behind the member's
//! ⋯ menu rather than under every name, and they still work.

use themechat_tests::browser::{ChromeDriver, WAIT, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::sign_in;

/// Whether the element matching `css` is laid out on the page.
async fn shows(browser: &themechat_tests::browser::Browser, css: &str) -> bool {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); \
             return !!e && e.getClientRects().length > 0;",
            vec![serde_json::json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_kicks_a_member_from_the_members_menu() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let owner = api.register(&unique("olga")).await;
    let bob = api.register(&unique("bob")).await;
    let room = api.create_room(&owner, &unique("Deck "), "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    api.join_room(&bob, &room).await;

    let driver = ChromeDriver::start().await;
    let o = driver.browser(&server.address, "the owner's browser").await;
    sign_in(&o, &owner, &format!("/rooms/{room}")).await;
    let bobs_item = format!("{}[data-user-id=\"{}\"]", tid("member-item"), bob.id);
    o.wait_for_css(&bobs_item).await;
    let menu = format!("{bobs_item} {}", tid("member-menu"));
    let kick = format!("{bobs_item} {}", tid("kick-button"));
    assert!(!shows(&o, &kick).await, "no Kick under every name");
    let own_menu = format!(
        "{}[data-user-id=\"{}\"] {}",
        tid("member-item"),
        owner.id,
        tid("member-menu")
    );
    assert_eq!(o.count_css(&own_menu).await, 0, "no menu on my own name");

    o.click_css(&menu).await;
    assert_eq!(
        o.attr_css(&menu, "aria-expanded").await.as_deref(),
        Some("true")
    );
    o.wait_until("the member's actions", WAIT, || async {
        Ok(shows(&o, &kick).await.then_some(()))
    })
    .await;
    o.click_css(&kick).await;
    o.click("moderation-confirm").await;
    o.wait_gone_css(&bobs_item).await;
    o.close().await;
}

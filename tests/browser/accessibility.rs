//! Issue 23, item 18: axe-core (injected from npm) finds no serious or
//! critical violation on the sign-in page, the chat screen in both themes
//! (others' and one's own messages, a reply, reactions, receipts, a
//! message's actions open) and the settings.

use serde_json::json;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::sign_in;

/// Checks the page as it is now; collects what axe found, by page.
async fn check(browser: &Browser, page: &str, found: &mut Vec<String>) {
    // Let fonts, avatars and live updates settle.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for problem in browser.accessibility_problems().await {
        found.push(format!("{page}: {problem}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_on_sign_in_chat_in_both_themes_and_settings() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ada = api.register_with(&unique("ada"), Some("Ada")).await;
    let me = api.register_with(&unique("grace"), Some("Grace")).await;
    let room = api.create_room(&ada, &unique("Access "), "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    api.join_room(&me, &room).await;
    let first = api
        .post_message(&ada, &room, "Hello **everyone**, see https://example.com")
        .await;
    let first = first["id"].as_str().expect("an id").to_owned();
    let reply = api
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            me.auth(),
            &json!({ "body": "Hello Ada!", "reply_to": first }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.describe());
    let reply = reply.body["id"].as_str().expect("an id").to_owned();
    api.post_message(&ada, &room, "A second line from Ada")
        .await;
    let r = api
        .put_json(
            &format!("/api/v1/messages/{first}/reactions/%F0%9F%8E%89"),
            me.auth(),
            &json!({}),
        )
        .await;
    assert!(r.status < 300, "{}", r.describe());
    api.mark_read(&ada, &room, &reply).await;

    let driver = ChromeDriver::start().await;
    let b = driver.browser(&server.address, "grace's browser").await;
    let mut found = Vec::new();

    b.goto("/login").await;
    b.wait_for("login-submit").await;
    check(&b, "sign-in", &mut found).await;

    for theme in ["light", "dark"] {
        b.execute(
            &format!("localStorage.setItem('themechat.theme', '{theme}');"),
            Vec::new(),
        )
        .await;
        sign_in(&b, &me, &format!("/rooms/{room}")).await;
        b.wait_for("read-receipts").await;
        b.wait_for("reaction-chip").await;
        check(&b, &format!("chat ({theme})"), &mut found).await;
        // A message's actions, as the pointer shows them.
        b.hover_css(&tid("message-bubble")).await;
        b.wait_for("react-button").await;
        check(
            &b,
            &format!("chat with a message's actions ({theme})"),
            &mut found,
        )
        .await;
        b.goto("/settings").await;
        b.wait_for("theme-select").await;
        check(&b, &format!("settings ({theme})"), &mut found).await;
        b.execute("localStorage.clear();", Vec::new()).await;
    }
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
    b.close().await;
}

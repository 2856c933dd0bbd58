//! Bots from the web app: a person makes a bot, a token and an incoming
//! webhook on the Bots page; a program posts through the webhook's URL and
//! the message shows in the room, as the bot's.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{create_room, register, room_item};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_made_on_the_bots_page_posts_into_a_room_through_its_webhook() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser(&server.address, "alice").await;
    register(&browser, &unique("alice")).await;
    let room = create_room(&browser, "Deploys", "public").await;

    browser.click("nav-bots").await;
    browser.wait_for_path("/bots", |p| p == "/bots").await;
    // A username the rules refuse is refused in the page.
    browser.type_into("bot-username", "no spaces allowed").await;
    browser.click("bot-create").await;
    browser.wait_for("form-error").await;
    let name = unique("deploybot");
    browser.type_into("bot-username", &name).await;
    browser
        .type_into("bot-description", "says what shipped")
        .await;
    browser.click("bot-create").await;
    browser.wait_for_text("bot-handle", &name).await;

    browser.type_into("bot-token-name", "ci").await;
    browser.click("bot-token-create").await;
    let token = browser.wait_for("bot-token-secret").await;
    let token = token.text().await.expect("the token's text");
    assert!(token.starts_with("tcb_"), "{token}");
    browser.wait_for("bot-token").await;

    let select = browser.wait_for("bot-webhook-room").await;
    browser
        .wait_for_css(&format!(
            "{} option[value=\"{room}\"]",
            tid("bot-webhook-room")
        ))
        .await;
    select
        .select_by_value(&room)
        .await
        .expect("the room can be chosen");
    browser.type_into("bot-webhook-name", "deploys").await;
    browser.click("bot-webhook-create").await;
    let url = browser.wait_for("bot-webhook-url").await;
    let url = url.text().await.expect("the webhook's URL");
    assert!(url.starts_with(&server.address), "{url}");
    browser.wait_for_text("bot-webhook", "Deploys").await;

    // A program posts through the URL, with nothing else to sign in with.
    let posted = reqwest::Client::new()
        .post(&url)
        .json(&serde_json::json!({ "body": "v2.3 is live" }))
        .send()
        .await
        .expect("the webhook answers");
    assert_eq!(posted.status().as_u16(), 201);

    browser.goto(&format!("/rooms/{room}")).await;
    browser.wait_for_css(&room_item(&room)).await;
    let bubble = browser
        .wait_for_bubble("from the bot", "v2.3 is live", |b| !b.mine)
        .await;
    assert!(!bubble.id.is_empty());
    // The same token signs a program in as the bot.
    let me = reqwest::Client::new()
        .get(format!("{}/api/v1/users/me", server.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(me.status().as_u16(), 200);
}

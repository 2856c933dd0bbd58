//! Drafts: what one was writing in a room is still there after visiting
//! another room and after a reload, and gone once sent.

use std::time::Duration;

use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive, tid};

use crate::support::{alice_and_bob_in_a_room, create_room, room_item};

async fn composer_text(browser: &Browser) -> String {
    let value = browser
        .execute(
            "const box = document.querySelector(arguments[0]); return box ? box.value : '';",
            vec![serde_json::json!(tid("composer-input"))],
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_survives_switching_rooms_and_a_reload() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, room) = alice_and_bob_in_a_room(&driver, &server, "Drafts ").await;
    b.close().await;

    a.type_into("composer-input", "half a thought").await;
    let other = create_room(&a, &themechat_tests::unique("Elsewhere "), "public").await;
    assert_eq!(composer_text(&a).await, "", "each room has its own draft");
    a.click_css(&room_item(&room)).await;
    a.wait_until("the draft back", WAIT, || async {
        Ok((composer_text(&a).await == "half a thought").then_some(()))
    })
    .await;

    a.goto(&format!("/rooms/{room}")).await;
    a.wait_until("the draft after a reload", WAIT, || async {
        Ok((composer_text(&a).await == "half a thought").then_some(()))
    })
    .await;

    // Sent, it is no draft any more.
    // Typed on after the draft (not replacing it), then sent.
    let input = a.wait_for("composer-input").await;
    input
        .send_keys(&format!(" finished{}", fantoccini::key::Key::Enter))
        .await
        .expect("type into the composer");
    a.wait_for_bubble("sent", "half a thought finished", |m| m.mine)
        .await;
    a.click_css(&room_item(&other)).await;
    a.click_css(&room_item(&room)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(composer_text(&a).await, "");

    a.close().await;
}

//! Pins: the room's owner pins a message from its actions; the other member
//! sees it in the room's pinned list, live, and it goes when unpinned.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};

use crate::support::alice_and_bob_in_a_room;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_message_shows_in_the_rooms_pinned_list() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Pins ").await;

    b.send_with_enter("Worth keeping").await;
    a.wait_for_bubble("from bob", "Worth keeping", |m| !m.mine)
        .await;
    b.click("pins-open").await;
    b.wait_for("pinned-empty").await;

    // The owner pins it from the message's actions (shown on hover).
    let bubble = tid("message-bubble");
    a.hover_css(&bubble).await;
    a.click_css(&format!("{bubble} {}", tid("pin-button")))
        .await;
    // Bob's open panel lists it at once; Alice's header counts it.
    b.wait_for_text("pinned-item", "Worth keeping").await;
    a.wait_for_text("pins-open", "Pinned (1)").await;
    // Bob is no moderator: he sees no way to unpin.
    assert_eq!(b.count("unpin-button").await, 0);

    // Unpinned from the owner's panel, it leaves Bob's.
    a.click("pins-open").await;
    a.click_css(&format!("{} {}", tid("pinned-item"), tid("unpin-button")))
        .await;
    b.wait_for("pinned-empty").await;
    a.wait_for_text("pins-open", "Pinned (0)").await;

    a.close().await;
    b.close().await;
}

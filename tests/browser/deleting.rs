//! Deleting: a moderator deletes someone else's message after saying yes,
//! and a "Keep" leaves a message alone.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};

use crate::support::alice_and_bob_in_a_room;

/// The bubble of the message with id `id`.
fn bubble(id: &str) -> String {
    format!("{}[data-message-id='{id}']", tid("message-bubble"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_deletes_a_message_after_confirming() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Deleting ").await;

    b.send_with_enter("keep me").await;
    b.send_with_enter("spam here").await;
    let keep = a.wait_for_bubble("from bob", "keep me", |m| !m.mine).await;
    let spam = a
        .wait_for_bubble("from bob", "spam here", |m| !m.mine)
        .await;

    // "Keep" changes nothing.
    a.hover_css(&bubble(&keep.id)).await;
    a.click_css(&format!("{} {}", bubble(&keep.id), tid("delete-button")))
        .await;
    a.click_css(&format!("{} {}", bubble(&keep.id), tid("delete-cancel")))
        .await;
    a.wait_gone("delete-confirm").await;

    // Alice, the owner, deletes Bob's spam once she says yes.
    a.hover_css(&bubble(&spam.id)).await;
    a.click_css(&format!("{} {}", bubble(&spam.id), tid("delete-button")))
        .await;
    a.click_css(&format!("{} {}", bubble(&spam.id), tid("delete-confirm")))
        .await;
    for browser in [&a, &b] {
        browser
            .wait_for_css(&format!("{} .deleted-mark", bubble(&spam.id)))
            .await;
    }
    // Bob's other message stands.
    b.wait_for_bubble("still there", "keep me", |m| m.mine)
        .await;

    a.close().await;
    b.close().await;
}

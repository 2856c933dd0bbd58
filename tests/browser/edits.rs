//! Edit history in the web app: the "(edited)" mark opens what a message
//! said before.

use fantoccini::key::Key;
use themechat_tests::browser::{ChromeDriver, WebServer, exclusive};

use crate::support::alice_and_bob_in_a_room;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edited_mark_shows_what_the_message_said_before() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Edits ").await;

    a.send_with_enter("Teh first draft").await;
    a.wait_for_bubble("stored", "Teh first draft", |m| m.mine && !m.id.is_empty())
        .await;
    // Up in the empty composer edits one's last message; Enter saves it.
    a.type_into("composer-input", &Key::Up.to_string()).await;
    a.wait_for_text("composer-send", "Save").await;
    a.type_into("composer-input", &format!("The first draft{}", Key::Enter))
        .await;
    b.wait_for_bubble("edited", "The first draft", |m| !m.mine)
        .await;

    b.click("message-edited").await;
    let old = b
        .wait_for_text("edit-history-item", "Teh first draft")
        .await;
    let text = old.text().await.unwrap_or_default();
    assert!(text.contains("Teh first draft"), "{text:?}");
    assert_eq!(b.count("edit-history-item").await, 1);

    a.close().await;
    b.close().await;
}

/// An edit the server refuses gives back what was typed: the composer is
/// still editing, with the new text and the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_edit_keeps_what_was_typed() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Refused edits ").await;

    b.send_with_enter("a message about to go").await;
    let sent = a
        .wait_for_bubble("from bob", "a message about to go", |m| !m.mine)
        .await;
    b.type_into("composer-input", &Key::Up.to_string()).await;
    b.wait_for_text("composer-send", "Save").await;
    b.type_into("composer-input", "my careful rewrite").await;

    // Alice, the owner, deletes it meanwhile; Bob's save is refused.
    let bubble = format!(
        "[data-testid=\"message-bubble\"][data-message-id=\"{}\"]",
        sent.id
    );
    a.hover_css(&bubble).await;
    a.click_css(&format!("{bubble} [data-testid=\"delete-button\"]"))
        .await;
    a.click_css(&format!("{bubble} [data-testid=\"delete-confirm\"]"))
        .await;
    b.wait_for_css(&format!("{bubble} .deleted-mark")).await;
    b.click("composer-send").await;

    b.wait_for("form-error").await;
    b.wait_for_text("composer-send", "Save").await;
    let kept = b
        .execute(
            "return document.querySelector('[data-testid=\"composer-input\"]').value;",
            Vec::new(),
        )
        .await;
    assert_eq!(
        kept.as_str(),
        Some("my careful rewrite"),
        "the typed text is still there"
    );

    a.close().await;
    b.close().await;
}

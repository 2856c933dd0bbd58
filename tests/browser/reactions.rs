//! Reactions: one person reacts from the picker, the other sees the chip
//! arrive live, and a click on one's own chip takes the reaction back.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};

use crate::support::alice_and_bob_in_a_room;

/// The chip of `emoji` in the bubble whose body is `body`.
fn chip(emoji: &str) -> String {
    format!("{}[data-emoji='{emoji}']", tid("reaction-chip"))
}

/// Waits until the 🎉 chip's `aria-pressed` is `value`. The chip is looked
/// up afresh each time: a live update may draw it again, and an element
/// found before that has nothing to say.
async fn pressed(browser: &themechat_tests::browser::Browser, what: &str, value: &str) {
    browser
        .wait_until(what, themechat_tests::browser::WAIT, || async {
            let now = browser.attr_css(&chip("🎉"), "aria-pressed").await;
            Ok((now.as_deref() == Some(value)).then_some(()))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_shows_live_and_is_taken_back_with_a_click() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Reacts ").await;

    a.send_with_enter("React to this").await;
    b.wait_for_bubble("from alice", "React to this", |m| !m.mine)
        .await;

    // B picks 🎉 from the picker of the message's actions (under the pointer).
    b.hover_css(&tid("message-bubble")).await;
    b.click_css(&format!(
        "{} {}",
        tid("message-bubble"),
        tid("react-button")
    ))
    .await;
    b.wait_for("reaction-picker").await;
    b.click_css(&format!("{}[data-emoji='🎉']", tid("reaction-option")))
        .await;
    b.wait_gone("reaction-picker").await;
    pressed(&b, "B's own chip, pressed", "true").await;

    // A sees it arrive, counted, not as A's own.
    a.wait_for_css_text(&chip("🎉"), "1").await;
    pressed(&a, "B's chip on A's side, not pressed", "false").await;

    // B takes it back with a click on the chip; it goes on both sides.
    b.click_css(&chip("🎉")).await;
    b.wait_gone_css(&chip("🎉")).await;
    a.wait_gone_css(&chip("🎉")).await;

    a.close().await;
    b.close().await;
}

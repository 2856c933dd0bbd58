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

/// Opens the reaction picker of the (first) message, from its actions
/// under the pointer.
async fn open_picker(browser: &themechat_tests::browser::Browser) {
    browser.hover_css(&tid("message-bubble")).await;
    browser
        .click_css(&format!(
            "{} {}",
            tid("message-bubble"),
            tid("react-button")
        ))
        .await;
    browser.wait_for("reaction-picker").await;
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
    open_picker(&b).await;
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

/// Issue 23, item 9 (skin tones): a tone chosen in the picker is used for
/// every emoji with skin, reaches the other side as chosen, stays chosen
/// after a reload, and `:shortcode:` completion uses it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_skin_tone_is_used_for_every_emoji_with_skin_and_kept() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, room) = alice_and_bob_in_a_room(&driver, &server, "Tones ").await;

    a.send_with_enter("Thumbs for this").await;
    b.wait_for_bubble("from alice", "Thumbs for this", |m| !m.mine)
        .await;
    open_picker(&b).await;
    let medium = format!("{}[data-tone='3']", tid("emoji-tone"));
    assert_eq!(
        b.attr_css(
            &format!("{}[data-tone='0']", tid("emoji-tone")),
            "aria-checked"
        )
        .await
        .as_deref(),
        Some("true"),
        "the default tone until one is chosen"
    );
    b.click_css(&medium).await;
    // The whole grid takes the tone; an emoji without skin stays as it is.
    b.click_css(&format!("{}[data-emoji='👍🏽']", tid("reaction-option")))
        .await;
    b.wait_gone("reaction-picker").await;
    a.wait_for_css_text(&chip("👍🏽"), "1").await;

    // Kept in this browser: after a reload the picker opens in that tone.
    b.goto(&format!("/rooms/{room}")).await;
    b.wait_for_bubble("from alice, after a reload", "Thumbs for this", |m| !m.mine)
        .await;
    open_picker(&b).await;
    assert_eq!(
        b.attr_css(&medium, "aria-checked").await.as_deref(),
        Some("true")
    );
    b.execute(
        "document.querySelector('[data-testid=\"reaction-picker\"]')\
         .dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));",
        Vec::new(),
    )
    .await;
    b.wait_gone("reaction-picker").await;

    // `:+1:` typed in the box becomes the thumb in the chosen tone.
    b.type_into_css(&tid("composer-input"), "nice :+1:").await;
    let typed = b
        .wait_until(
            "the shortcode replaced",
            themechat_tests::browser::WAIT,
            || async {
                let value = b
                    .execute(
                        "return document.querySelector('[data-testid=\"composer-input\"]').value;",
                        Vec::new(),
                    )
                    .await;
                let value = value.as_str().unwrap_or_default().to_owned();
                Ok(value.contains('👍').then_some(value))
            },
        )
        .await;
    assert_eq!(typed, "nice 👍🏽");

    a.close().await;
    b.close().await;
}

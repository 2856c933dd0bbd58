//! The keyboard: a room opens with the cursor in the composer, Ctrl+K goes
//! to any room by name, Escape closes a panel (or first cancels an edit).

use fantoccini::key::Key;
use serde_json::Value;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{create_room, press, register, room_of};

async fn focused(browser: &Browser) -> String {
    let found = browser
        .execute(
            "return document.activeElement && document.activeElement.dataset.testid || '';",
            Vec::<Value>::new(),
        )
        .await;
    found.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_k_switches_rooms_escape_closes_panels_and_the_composer_has_focus() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    register(&a, &unique("alice")).await;
    let beta = create_room(&a, &unique("Beta "), "public").await;
    a.goto("/").await;
    let alpha = create_room(&a, &unique("Alpha "), "public").await;
    assert_eq!(room_of(&a.path().await), Some(alpha.as_str()));
    a.wait_until(
        "the composer to have focus",
        themechat_tests::browser::WAIT,
        || async { Ok((focused(&a).await == "composer-input").then_some(())) },
    )
    .await;

    // Ctrl+K, a few letters, Enter: the other room.
    a.type_into("composer-input", &format!("{}k", Key::Control))
        .await;
    let input = a.wait_for("quick-switcher-input").await;
    input
        .send_keys("beta")
        .await
        .expect("typing into the switcher");
    a.wait_count_css(&tid("quick-switcher-item"), 1).await;
    assert_eq!(
        a.attr("quick-switcher-item", "data-room-id")
            .await
            .as_deref(),
        Some(beta.as_str())
    );
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("Enter in the switcher");
    a.wait_for_path("the chosen room", |p| room_of(p) == Some(beta.as_str()))
        .await;
    a.wait_gone("quick-switcher").await;

    // Escape closes the switcher without going anywhere.
    a.type_into("composer-input", &format!("{}k", Key::Control))
        .await;
    let input = a.wait_for("quick-switcher-input").await;
    input
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("Escape in the switcher");
    a.wait_gone("quick-switcher").await;
    assert_eq!(room_of(&a.path().await), Some(beta.as_str()));

    // An opened panel takes the focus; Escape there closes it and gives the
    // focus back to the composer.
    a.click("pins-open").await;
    a.wait_for("pinned-panel").await;
    a.wait_until("the focus in the panel", themechat_tests::browser::WAIT, || async {
        let inside = a
            .execute(
                "return !!(document.activeElement && document.activeElement.closest('[data-testid=\"pinned-panel\"]'));",
                Vec::new(),
            )
            .await;
        Ok((inside == serde_json::json!(true)).then_some(()))
    })
    .await;
    a.client
        .active_element()
        .await
        .expect("the focused element")
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("Escape in the panel");
    a.wait_gone("pinned-panel").await;
    a.wait_until(
        "the focus back in the composer",
        themechat_tests::browser::WAIT,
        || async { Ok((focused(&a).await == "composer-input").then_some(())) },
    )
    .await;

    // Escape from the composer closes the open panel.
    a.click("pins-open").await;
    a.wait_for("pinned-panel").await;
    a.type_into("composer-input", &Key::Escape.to_string())
        .await;
    a.wait_gone("pinned-panel").await;

    a.close().await;
}

/// Issue 23, item 17 (its first parts): the first Tab reaches a skip link
/// to the conversation; F6 and Shift+F6 go round the room list, the
/// messages and the message box; Escape in the quick switcher gives the
/// focus back to where it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skip_link_f6_between_regions_and_escape_back_from_the_switcher() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    register(&a, &unique("alice")).await;
    let room = create_room(&a, &unique("Keys "), "public").await;
    a.send_with_enter("something to read").await;
    a.goto(&format!("/rooms/{room}")).await;
    a.wait_for("composer-input").await;

    // The first thing Tab reaches on a page is the skip link.
    let first = a
        .execute(
            "const f = [...document.querySelectorAll('a[href], button, input, textarea, select, [tabindex]')] \
                 .find(e => e.tabIndex >= 0 && !e.disabled); \
             return f ? (f.dataset.testid || f.outerHTML.slice(0, 80)) : '';",
            vec![],
        )
        .await;
    assert_eq!(first, Value::from("skip-link"));
    a.execute(
        "document.querySelector('[data-testid=\"skip-link\"]').focus();",
        vec![],
    )
    .await;
    assert_eq!(focused(&a).await, "skip-link");
    press(&a, &Key::Enter.to_string()).await;
    assert_eq!(
        focused(&a).await,
        "composer-input",
        "it skips to the message box"
    );

    // F6 goes round: the room list, the messages, the message box.
    let f6 = Key::F6.to_string();
    press(&a, &f6).await;
    assert_eq!(focused(&a).await, "room-item");
    press(&a, &f6).await;
    assert_eq!(focused(&a).await, "message-list");
    press(&a, &f6).await;
    assert_eq!(focused(&a).await, "composer-input");
    press(&a, &format!("{}{f6}", Key::Shift)).await;
    assert_eq!(focused(&a).await, "message-list", "Shift+F6 goes back");

    // The quick switcher, dismissed, gives the focus back.
    press(&a, &format!("{}k", Key::Control)).await;
    a.wait_for("quick-switcher-input").await;
    press(&a, &Key::Escape.to_string()).await;
    a.wait_gone("quick-switcher").await;
    assert_eq!(focused(&a).await, "message-list");
    a.close().await;
}

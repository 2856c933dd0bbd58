//! Screenshots of the app as people see it: desktop light, desktop dark,
//! a message's actions with the emoji picker, and a 375 px phone, of one
//! lively room where people write in runs. They are written to
//! `$THEMECHAT_SCREENSHOTS_DIR` when it is set (`docs/screenshots/` holds
//! the ones published), else to a temporary directory; either way each
//! must be a PNG of the size asked for.

use std::path::{Path, PathBuf};

use serde_json::json;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive};
use themechat_tests::unique;

use crate::support::register;

/// A PNG's width and height, from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    Some((be(16)?, be(20)?))
}

/// `text` as a path segment.
fn percent_encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn shoot(browser: &Browser, dir: &Path, name: &str, width: u32) {
    // Let relative times, avatars and fonts settle.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let png = browser.client.screenshot().await.expect("a screenshot");
    let (w, _) = png_size(&png).unwrap_or_else(|| panic!("{name}: not a PNG"));
    assert_eq!(w, width, "{name}: {w} px wide");
    std::fs::write(dir.join(format!("{name}.png")), &png).expect("write the screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_desktop_light_dark_and_phone() {
    let _one_at_a_time = exclusive().await;
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = std::env::var_os("THEMECHAT_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir).expect("the screenshots directory");

    let server = WebServer::start().await;
    let api = server.api();
    let ada = api
        .register_with(&unique("ada"), Some("Ada Lovelace"))
        .await;
    let linus = api.register_with(&unique("linus"), Some("Linus")).await;
    let room = api
        .post_json(
            "/api/v1/rooms",
            ada.auth(),
            &json!({ "name": "Rust in production", "visibility": "public",
                     "topic": "Async, databases and war stories" }),
        )
        .await;
    assert_eq!(room.status, 201, "{}", room.describe());
    let room = room.body["id"].as_str().expect("a room id").to_owned();
    api.join_room(&linus, &room).await;

    let driver = ChromeDriver::start().await;
    let me = driver
        .browser(&server.address, "the screenshot browser")
        .await;
    let my_name = unique("grace");
    register(&me, &my_name).await;
    let me_user = themechat_tests::TestUser::from_auth_response(
        &api.login(&my_name, themechat_tests::PASSWORD).await.body,
        themechat_tests::PASSWORD,
    );
    api.join_room(&me_user, &room).await;
    // Runs of one sender, as conversations go: each shows its name once.
    let mut posted = Vec::new();
    for (who, text) in [
        (
            &ada,
            "Morning! Has anyone moved their **actix** service to the new runtime yet?",
        ),
        (&ada, "Asking for a friend with 40k sockets per node 😅"),
        (
            &linus,
            "We did last week. The p99 dropped by a third, mostly from fewer allocations.",
        ),
        (&linus, "The socket path got simpler too."),
        (&linus, "Happy to share the flame graphs."),
        (
            &ada,
            "Nice. Did you keep `r2d2` for the pool, or go async all the way?",
        ),
        (
            &linus,
            "Kept it: Diesel behind `spawn_blocking` is boring in the best way.\n> boring is a feature",
        ),
    ] {
        posted.push(api.post_message(who, &room, text).await);
    }
    let graphs = posted[4]["id"].as_str().expect("an id").to_owned();
    for (who, emoji) in [(&ada, "🔥"), (&me_user, "🔥"), (&ada, "🙏")] {
        let r = api
            .put_json(
                &format!(
                    "/api/v1/messages/{graphs}/reactions/{}",
                    percent_encoded(emoji)
                ),
                who.auth(),
                &json!({}),
            )
            .await;
        assert!(r.status < 300, "{}", r.describe());
    }
    me.goto(&format!("/rooms/{room}")).await;
    me.wait_for_text("message-list", "boring is a feature")
        .await;
    let said = "Same here, and the read receipts below are live.";
    me.send_with_enter(said).await;
    me.wait_for_bubble("stored", said, |m| m.mine && !m.id.is_empty())
        .await;
    let mine = api.history(&ada, &room, "limit=1").await;
    let last = mine[0]["id"].as_str().expect("an id").to_owned();
    api.mark_read(&ada, &room, &last).await;
    api.mark_read(&linus, &room, &last).await;
    me.wait_for("read-receipts").await;

    me.execute(
        "localStorage.setItem('themechat.theme', 'light');",
        Vec::new(),
    )
    .await;
    me.goto(&format!("/rooms/{room}")).await;
    me.wait_for("read-receipts").await;
    shoot(&me, &dir, "desktop-light", 1280).await;

    // A message's actions under the pointer, and the emoji picker.
    let bubble = format!("[data-testid=\"message-bubble\"][data-message-id=\"{graphs}\"]");
    me.hover_css(&bubble).await;
    me.click_css(&format!("{bubble} [data-testid=\"react-button\"]"))
        .await;
    me.wait_for("reaction-picker").await;
    shoot(&me, &dir, "desktop-actions", 1280).await;
    me.client
        .active_element()
        .await
        .expect("the picker's search has the focus")
        .send_keys(&fantoccini::key::Key::Escape.to_string())
        .await
        .expect("Escape");
    me.wait_gone("reaction-picker").await;

    me.execute(
        "localStorage.setItem('themechat.theme', 'dark');",
        Vec::new(),
    )
    .await;
    me.goto(&format!("/rooms/{room}")).await;
    me.wait_for("read-receipts").await;
    shoot(&me, &dir, "desktop-dark", 1280).await;

    me.execute(
        "localStorage.setItem('themechat.theme', 'light');",
        Vec::new(),
    )
    .await;
    me.client
        .set_window_size(375, 740)
        .await
        .expect("a phone-sized window");
    me.goto(&format!("/rooms/{room}")).await;
    me.wait_for("read-receipts").await;
    shoot(&me, &dir, "phone", 375).await;
    me.close().await;
}

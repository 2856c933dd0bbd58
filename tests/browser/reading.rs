//! Reading position: a message counts as read only once it has been on
//! screen; a room opens at its first unread message under a "New messages"
//! divider; the jump controls; who has seen what; desktop notifications.

use std::time::Duration;

use serde_json::{Value, json};
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;
use themechat_tests::{ApiClient, TestUser};

use crate::support::{create_room, register, room_item};

/// A public room of `owner`'s made over the API; returns its id.
async fn api_room(api: &ApiClient, owner: &TestUser, name: &str) -> String {
    let room = api.create_room(owner, name, "public").await;
    room["id"].as_str().expect("a room id").to_owned()
}

/// The room's unread badge in the sidebar, 0 when there is none.
async fn badge(browser: &Browser, room: &str) -> u64 {
    let text = browser
        .execute(
            "const b = document.querySelector(arguments[0]);\
             return b ? b.textContent.trim() : '';",
            vec![json!(format!(
                "{} {}",
                room_item(room),
                tid("unread-badge")
            ))],
        )
        .await;
    text.as_str().and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// The unseen count the jump-to-bottom button shows, 0 when none.
async fn pill(browser: &Browser) -> u64 {
    let text = browser
        .execute(
            "const p = document.querySelector('[data-testid=\"new-messages-pill\"]');\
             return p ? p.textContent : '';",
            Vec::new(),
        )
        .await;
    text.as_str()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Where the divider is in the list's view: (its top minus the list's top,
/// the list's height), or nothing when there is no divider.
async fn divider_in_view(browser: &Browser) -> Option<(f64, f64)> {
    let at = browser
        .execute(
            "const d = document.querySelector('[data-testid=\"unread-divider\"]');\
             const l = document.querySelector('[data-testid=\"message-list\"]');\
             if (!d || !l) return null;\
             return [d.getBoundingClientRect().top - l.getBoundingClientRect().top, l.clientHeight];",
            Vec::new(),
        )
        .await;
    let pair = at.as_array()?;
    Some((pair.first()?.as_f64()?, pair.get(1)?.as_f64()?))
}

async fn scroll_list_to_top(browser: &Browser) {
    browser
        .execute(
            "document.querySelector('[data-testid=\"message-list\"]').scrollTop = 0;",
            Vec::new(),
        )
        .await;
}

/// Waits for `what` to hold and checks it still holds a moment later (a
/// read report is paced, so a wrong one could come a second late).
async fn holds<F, Fut>(browser: &Browser, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    browser
        .wait_until(what, themechat_tests::browser::WAIT, || async {
            Ok(check().await.then_some(()))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(check().await, "{}: {what} no longer holds", browser.label);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_count_as_read_only_once_seen_and_a_room_opens_at_the_first_unread() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let name = unique("Reading ");
    let room = api_room(&api, &ann, &name).await;
    for i in 0..5 {
        api.post_message(&ann, &room, &format!("old {i}")).await;
    }
    let driver = ChromeDriver::start().await;
    let bob = driver.browser(&server.address, "bob's browser").await;
    register(&bob, &unique("bob")).await;
    crate::support::join_from_explore(&bob, &name).await;
    bob.goto(&format!("/rooms/{room}")).await;
    bob.wait_for_text("message-body", "old 4").await;
    holds(&bob, "the five old messages read", || async {
        badge(&bob, &room).await == 0
    })
    .await;

    // Forty messages while bob looks elsewhere.
    bob.goto("/").await;
    bob.wait_for_css(&room_item(&room)).await;
    for i in 0..40 {
        api.post_message(&ann, &room, &format!("new {i}")).await;
    }
    bob.wait_until("40 unread", themechat_tests::browser::WAIT, || async {
        Ok((badge(&bob, &room).await == 40).then_some(()))
    })
    .await;

    // The room opens at the first of them, under the divider, and only what
    // is on screen counts as read.
    bob.click_css(&room_item(&room)).await;
    bob.wait_for("unread-divider").await;
    let after = bob
        .execute(
            "const d = document.querySelector('[data-testid=\"unread-divider\"]');\
             return d.nextElementSibling.querySelector('[data-testid=\"message-body\"]').textContent.trim();",
            Vec::new(),
        )
        .await;
    assert_eq!(
        after,
        json!("new 0"),
        "the divider sits on the first unread"
    );
    let (top, height) = bob
        .wait_until(
            "the divider in view",
            themechat_tests::browser::WAIT,
            || async {
                Ok(divider_in_view(&bob)
                    .await
                    .filter(|(top, h)| *top >= 0.0 && *top < h / 2.0))
            },
        )
        .await;
    assert!(
        top < height / 2.0,
        "the divider is near the top ({top} of {height})"
    );
    bob.wait_for("jump-to-bottom").await;
    holds(
        &bob,
        "the badge and the pill agree on what is unseen",
        || async {
            let (left, shown) = (badge(&bob, &room).await, pill(&bob).await);
            left > 0 && left < 40 && left == shown
        },
    )
    .await;

    // Jumping to the bottom reads the rest; the divider stays, and a bar
    // leads back to it.
    bob.click("jump-to-bottom").await;
    holds(&bob, "everything read", || async {
        badge(&bob, &room).await == 0 && pill(&bob).await == 0
    })
    .await;
    bob.wait_gone("jump-to-bottom").await;
    bob.click("jump-to-unread").await;
    bob.wait_until(
        "the divider back in view",
        themechat_tests::browser::WAIT,
        || async {
            Ok(divider_in_view(&bob)
                .await
                .filter(|(top, h)| *top >= 0.0 && top < h))
        },
    )
    .await;

    // Reading history: what arrives meanwhile stays unread, and says so.
    scroll_list_to_top(&bob).await;
    bob.wait_for("jump-to-bottom").await;
    for i in 0..3 {
        api.post_message(&ann, &room, &format!("late {i}")).await;
    }
    holds(&bob, "three unseen while reading history", || async {
        badge(&bob, &room).await == 3 && pill(&bob).await == 3
    })
    .await;
    bob.click("new-messages-pill").await;
    holds(&bob, "all read after jumping down", || async {
        badge(&bob, &room).await == 0
    })
    .await;

    // The server agrees: a reload opens at the bottom, with nothing unread.
    bob.goto(&format!("/rooms/{room}")).await;
    bob.wait_for_text("message-body", "late 2").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bob.count("unread-divider").await, 0);
    assert_eq!(badge(&bob, &room).await, 0);
    bob.close().await;
}

/// The names a message's receipts give (their `aria-label`), if any.
async fn receipts_of(browser: &Browser, body: &str) -> Option<String> {
    let label = browser
        .execute(
            "for (const b of document.querySelectorAll('[data-testid=\"message-bubble\"]')) {\
               const text = b.querySelector('[data-testid=\"message-body\"]');\
               if (!text || text.textContent.trim() !== arguments[0]) continue;\
               const r = b.querySelector('[data-testid=\"read-receipts\"] button');\
               return r ? r.getAttribute('aria-label') : null;\
             }\
             return null;",
            vec![json!(body)],
        )
        .await;
    label.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_show_who_has_seen_how_far() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let driver = ChromeDriver::start().await;
    let ann = driver.browser(&server.address, "ann's browser").await;
    register(&ann, &unique("ann")).await;
    let room = create_room(&ann, &unique("Receipts "), "public").await;
    let bo = api.register_with(&unique("bo"), Some("Bo Reader")).await;
    let cy = api.register_with(&unique("cy"), Some("Cy Reader")).await;
    for who in [&bo, &cy] {
        api.join_room(who, &room).await;
    }
    ann.wait_for_css_text(".room-header .member-count", "3 members")
        .await;

    ann.send_with_enter("first words").await;
    let first = ann
        .wait_for_bubble("stored", "first words", |m| m.mine && !m.id.is_empty())
        .await;
    api.mark_read(&bo, &room, &first.id).await;
    ann.wait_until("Bo's receipt", themechat_tests::browser::WAIT, || async {
        Ok(
            (receipts_of(&ann, "first words").await.as_deref() == Some("Seen by Bo Reader"))
                .then_some(()),
        )
    })
    .await;
    api.mark_read(&cy, &room, &first.id).await;
    ann.wait_until("both receipts", themechat_tests::browser::WAIT, || async {
        Ok((receipts_of(&ann, "first words").await.as_deref()
            == Some("Seen by Bo Reader and Cy Reader"))
        .then_some(()))
    })
    .await;

    // Bo reads on: his receipt moves to where he stopped.
    ann.send_with_enter("second words").await;
    let second = ann
        .wait_for_bubble("stored", "second words", |m| m.mine && !m.id.is_empty())
        .await;
    api.mark_read(&bo, &room, &second.id).await;
    ann.wait_until(
        "Bo's receipt moved on",
        themechat_tests::browser::WAIT,
        || async {
            let (one, two) = (
                receipts_of(&ann, "first words").await,
                receipts_of(&ann, "second words").await,
            );
            Ok((one.as_deref() == Some("Seen by Cy Reader")
                && two.as_deref() == Some("Seen by Bo Reader"))
            .then_some(()))
        },
    )
    .await;
    let receipt = format!("{} [data-user-id=\"{}\"]", tid("read-receipts"), bo.id);
    ann.wait_for_css(&receipt).await;
    // A tap lists the names (a phone has no hover): the first receipts
    // are Cy's, under the first message.
    ann.click_css(&format!("{} button", tid("read-receipts")))
        .await;
    ann.wait_for_text("read-receipts-list", "Cy Reader").await;
    ann.close().await;
}

const FAKE_NOTIFICATIONS: &str = r#"
window.__shown = [];
class FakeNotification {
  constructor(title, options) { window.__shown.push({ title, body: (options || {}).body || '' }); }
  close() {}
}
FakeNotification.permission = 'default';
FakeNotification.requestPermission = () => {
  FakeNotification.permission = 'granted';
  return Promise.resolve('granted');
};
window.Notification = FakeNotification;
"#;

async fn set_hidden(browser: &Browser, hidden: bool) {
    browser
        .execute(
            "const hidden = arguments[0];\
             Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' });\
             Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });\
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![json!(hidden)],
        )
        .await;
}

async fn shown(browser: &Browser) -> Vec<Value> {
    browser
        .execute("return window.__shown;", Vec::new())
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Desktop notifications: turned on in the settings (the browser's
/// permission asked then), shown for mentions while the tab is hidden, and
/// not for plain messages or while the tab is in view. The browser's
/// Notification API is replaced by a recorder: headless Chromium has no
/// desktop to show them on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_show_desktop_notifications_while_the_tab_is_hidden() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let driver = ChromeDriver::start().await;
    let ann = driver.browser(&server.address, "ann's browser").await;
    let ann_name = unique("ann");
    register(&ann, &ann_name).await;
    let room_name = unique("Alerts ");
    let room = create_room(&ann, &room_name, "public").await;
    let bo = api.register_with(&unique("bo"), Some("Bo Caller")).await;
    api.join_room(&bo, &room).await;

    ann.goto("/settings").await;
    ann.wait_for("desktop-notifications-toggle").await;
    ann.execute(FAKE_NOTIFICATIONS, Vec::new()).await;
    ann.click("desktop-notifications-toggle").await;
    ann.wait_for_text("desktop-notifications-status", "On")
        .await;
    ann.wait_connection(&["online"], themechat_tests::browser::WAIT)
        .await;

    set_hidden(&ann, true).await;
    api.post_message(&bo, &room, "nothing for ann here").await;
    api.post_message(&bo, &room, &format!("@{ann_name} look at this"))
        .await;
    let notes = ann
        .wait_until(
            "a desktop notification",
            themechat_tests::browser::WAIT,
            || async {
                let notes = shown(&ann).await;
                Ok((!notes.is_empty()).then_some(notes))
            },
        )
        .await;
    assert_eq!(
        notes[0]["title"],
        json!(format!("Bo Caller mentioned you in {room_name}"))
    );
    assert!(
        notes[0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("look at this")),
        "the message itself: {notes:?}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(shown(&ann).await.len(), 1, "a plain message alerts no one");

    // In view, the app itself shows it: no desktop notification.
    set_hidden(&ann, false).await;
    api.post_message(&bo, &room, &format!("@{ann_name} again"))
        .await;
    ann.wait_for_text("notification-count", "2").await;
    assert_eq!(shown(&ann).await.len(), 1);
    ann.close().await;
}

/// Read reports are paced (one a second per room); one still held when the
/// page goes away is sent anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_report_held_for_pacing_survives_a_reload() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let name = unique("Paced ");
    let room = api_room(&api, &ann, &name).await;
    let driver = ChromeDriver::start().await;
    let bob = driver.browser(&server.address, "bob's browser").await;
    register(&bob, &unique("bob")).await;
    crate::support::join_from_explore(&bob, &name).await;
    bob.goto("/").await;
    bob.wait_for_css(&room_item(&room)).await;
    for i in 0..60 {
        api.post_message(&ann, &room, &format!("paced {i}")).await;
    }
    bob.wait_until("60 unread", themechat_tests::browser::WAIT, || async {
        Ok((badge(&bob, &room).await == 60).then_some(()))
    })
    .await;
    // Opening reads the first screen (a report goes at once); jumping to the
    // bottom right after reads the rest (held for a second), and the page
    // reloads before that second is over.
    bob.click_css(&room_item(&room)).await;
    bob.wait_for("unread-divider").await;
    bob.click("jump-to-bottom").await;
    bob.wait_until("all read here", themechat_tests::browser::WAIT, || async {
        Ok((badge(&bob, &room).await == 0).then_some(()))
    })
    .await;
    bob.goto("/").await;
    bob.wait_for_css(&room_item(&room)).await;
    holds(&bob, "still all read after the reload", || async {
        badge(&bob, &room).await == 0
    })
    .await;
    bob.close().await;
}

/// Bubbles at least partly inside the message list's view.
async fn bubbles_on_screen(browser: &Browser) -> u64 {
    let n = browser
        .execute(
            "const l = document.querySelector('[data-testid=\"message-list\"]').getBoundingClientRect();\
             return Array.from(document.querySelectorAll('[data-testid=\"message-bubble\"]'))\
               .filter(b => { const r = b.getBoundingClientRect(); return r.bottom > l.top && r.top < l.bottom; })\
               .length;",
            Vec::new(),
        )
        .await;
    n.as_u64().unwrap_or(0)
}

/// The count the unread bar shows, 0 when it is not there.
async fn unread_bar(browser: &Browser) -> u64 {
    let text = browser
        .execute(
            "const b = document.querySelector('[data-testid=\"unread-bar-count\"]');\
             return b ? b.textContent : '';",
            Vec::new(),
        )
        .await;
    text.as_str()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Issue 22, item 5: a room with a backlog far longer than a page opens
/// where the backlog starts, and only what has been on screen is read;
/// the badge, the pill and the bar give one number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_backlog_opens_where_it_starts_and_only_what_was_seen_is_read() {
    const BACKLOG: u64 = 700;
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let bob = api.register(&unique("bob")).await;
    let room = api_room(&api, &ann, &unique("Backlog ")).await;
    api.join_room(&bob, &room).await;
    let read = api.post_message(&ann, &room, "already read").await;
    api.mark_read(&bob, &room, read["id"].as_str().expect("an id"))
        .await;
    for chunk in 0..BACKLOG / 50 {
        let posts = (0..50).map(|i| {
            let (api, ann, room) = (&api, &ann, &room);
            async move {
                api.post_message(ann, room, &format!("backlog {}", chunk * 50 + i))
                    .await
            }
        });
        futures_util::future::join_all(posts).await;
    }
    let unread = || async {
        api.room_summary(&bob, &room).await["unread_count"]
            .as_u64()
            .unwrap_or(0)
    };
    assert_eq!(unread().await, BACKLOG);

    let driver = ChromeDriver::start().await;
    let b = driver.browser(&server.address, "bob's browser").await;
    crate::support::sign_in(&b, &bob, &format!("/rooms/{room}")).await;
    b.wait_for("unread-divider").await;
    let first = b
        .execute(
            "const d = document.querySelector('[data-testid=\"unread-divider\"]');\
             return d.previousElementSibling.querySelector('[data-testid=\"message-body\"]').textContent.trim();",
            Vec::new(),
        )
        .await;
    assert_eq!(
        first,
        json!("already read"),
        "the divider follows the last message read"
    );
    holds(&b, "the badge, the pill and the bar agree", || async {
        let (left, shown, bar) = (badge(&b, &room).await, pill(&b).await, unread_bar(&b).await);
        left > 0 && left == shown && (bar == 0 || bar == left)
    })
    .await;
    let seen = bubbles_on_screen(&b).await;
    let read = BACKLOG - unread().await;
    assert!(
        read <= seen,
        "{read} messages read, but only {seen} were on screen"
    );
    assert_eq!(badge(&b, &room).await, BACKLOG - read);
    b.close().await;
}

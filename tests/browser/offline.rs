//! Issue 23, item 19: reading and writing with no server. The rooms and
//! the newest page of a room opened before are kept in the browser
//! (IndexedDB), and the app's own files by its service worker, so the app
//! opens and shows them while the server is down; a message written then
//! waits in an outbox that survives a reload and goes out once, when the
//! server is back.

use serde_json::{Value, json};
use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive};
use themechat_tests::{id_of, unique};

use crate::support::{is_uuid, sign_in};

/// Everything kept in the browser's IndexedDB, as one string.
async fn kept(browser: &Browser) -> String {
    let found = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const open = indexedDB.open('themechat'); \
             open.onerror = () => done(''); \
             open.onsuccess = () => { \
               const db = open.result; \
               if (!db.objectStoreNames.contains('saved')) { done(''); return; } \
               const all = db.transaction('saved').objectStore('saved').getAll(); \
               all.onsuccess = () => done(all.result.join('\\n')); \
               all.onerror = () => done(''); };",
            Vec::new(),
        )
        .await
        .expect("IndexedDB read");
    found.as_str().unwrap_or_default().to_owned()
}

async fn wait_kept(browser: &Browser, text: &str) {
    browser
        .wait_until(&format!("`{text}` kept in the browser"), WAIT, || async {
            Ok(kept(browser).await.contains(text).then_some(()))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_opens_its_rooms_with_the_server_down_and_sends_what_was_written_once_back() {
    let _one_at_a_time = exclusive().await;
    let mut server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let bob = api.register(&unique("bob")).await;
    let room = id_of(&api.create_room(&ann, &unique("Offline "), "public").await);
    api.join_room(&bob, &room).await;
    api.post_message(&bob, &room, "kept for the road").await;

    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "ann's browser").await;
    sign_in(&a, &ann, &format!("/rooms/{room}")).await;
    a.wait_for_bubble("from bob", "kept for the road", |m| !m.mine)
        .await;
    let ready = a
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             navigator.serviceWorker.ready.then(() => done(true), () => done(false));",
            Vec::new(),
        )
        .await
        .expect("the service worker");
    assert_eq!(ready, json!(true), "the app's files are kept");
    wait_kept(&a, "kept for the road").await;

    // The server goes away; the app opens anyway, on what it kept.
    server.kill();
    a.goto(&format!("/rooms/{room}")).await;
    a.wait_for_bubble("from the kept copy", "kept for the road", |m| !m.mine)
        .await;
    a.wait_for("room-item").await;

    // Written now, it waits, and a reload does not lose it.
    a.send_with_enter("written with no server").await;
    a.wait_for_bubble("waiting", "written with no server", |m| {
        m.mine && m.id.is_empty()
    })
    .await;
    wait_kept(&a, "written with no server").await;
    a.goto(&format!("/rooms/{room}")).await;
    a.wait_for_bubble(
        "still waiting after a reload",
        "written with no server",
        |m| m.mine && m.id.is_empty(),
    )
    .await;

    // The server is back: it goes out, once.
    server.restart().await;
    a.wait_for_bubble_within(
        "sent",
        "written with no server",
        std::time::Duration::from_secs(30),
        |m| m.mine && is_uuid(&m.id),
    )
    .await;
    let history: Vec<Value> = api.history(&ann, &room, "limit=10").await;
    let copies = history
        .iter()
        .filter(|m| m["body"] == json!("written with no server"))
        .count();
    assert_eq!(copies, 1, "stored once: {history:?}");
    a.close().await;
}

//! A flaky network between the browser and the server (issue 22, items 1
//! and 2): the browser goes through a [`Link`] the test breaks, or is put
//! offline by ChromeDriver. Nothing written meanwhile may be hidden from
//! the reader or counted as read unseen, and a dead connection must not
//! pass for a live one.

use std::time::Duration;

use serde_json::Value;
use themechat_tests::browser::{ChromeDriver, Link, WAIT, WebServer, exclusive};
use themechat_tests::{ApiClient, TestUser, unique};

use crate::support::{is_uuid, sign_in, wait_exactly_once};

/// Reconnecting backs off (up to 30 s between tries): be generous.
const RECONNECT: Duration = Duration::from_secs(45);

/// "Retry now", if the banner still shows (it may go at any moment).
const RETRY_IF_SHOWN: &str =
    "const b = document.querySelector('[data-testid=\"connection-retry\"]'); if (b) b.click();";

/// Where `reader` has read `room` up to, as the server holds it.
async fn marker_of(api: &ApiClient, asker: &TestUser, room: &str, reader: &TestUser) -> String {
    let resp = api
        .get(&format!("/api/v1/rooms/{room}/read-markers"), asker.auth())
        .await;
    assert_eq!(resp.status, 200, "{}", resp.describe());
    let reader_id = reader.id.as_str();
    resp.array()
        .iter()
        .find(|m| m["user_id"] == reader_id)
        .and_then(|m| m["message_id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn id_of(message: &Value) -> String {
    message["id"].as_str().expect("a message id").to_owned()
}

/// Item 1: Bob's socket is cut; Alice writes two messages; Bob sends one
/// (over REST, the socket being down); his socket comes back. His window
/// shows all four, once each, in order, and at no moment does his read
/// marker pass a message his window does not show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_written_while_the_socket_was_cut_shows_and_is_not_read_unseen() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let link = Link::to(&server.address).await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let bob = api.register(&unique("bob")).await;
    let room = api.create_room(&alice, &unique("Flaky "), "public").await;
    let room = id_of(&room);
    api.join_room(&bob, &room).await;
    api.post_message(&alice, &room, "before the cut").await;

    let driver = ChromeDriver::start().await;
    let b = driver.browser(&link.address, "bob's browser").await;
    sign_in(&b, &bob, &format!("/rooms/{room}")).await;
    b.wait_for_bubble("from alice", "before the cut", |m| !m.mine)
        .await;
    b.wait_connection(&["online"], WAIT).await;

    link.cut_sockets();
    b.wait_for("connection-banner").await;
    let one = id_of(&api.post_message(&alice, &room, "one during the cut").await);
    let two = id_of(&api.post_message(&alice, &room, "two during the cut").await);
    b.send_with_enter("mine during the cut").await;
    let mine = b
        .wait_for_bubble("stored over REST", "mine during the cut", |m| {
            m.mine && is_uuid(&m.id)
        })
        .await;

    // Until Alice's two show in Bob's window, his marker stays before them.
    let expected = [
        "before the cut",
        "one during the cut",
        "two during the cut",
        "mine during the cut",
    ];
    b.wait_until(
        "alice's two messages shown while the socket is still cut",
        WAIT,
        || async {
            let shown: Vec<String> = b.bubbles().await.into_iter().map(|m| m.body).collect();
            let marker = marker_of(&api, &alice, &room, &bob).await;
            let hidden = !shown.iter().any(|s| s == "two during the cut");
            assert!(
                !(hidden
                    && [one.as_str(), two.as_str(), mine.id.as_str()].contains(&marker.as_str())),
                "bob's marker is at {marker} while his window shows only {shown:?}"
            );
            Ok((shown == expected).then_some(()))
        },
    )
    .await;

    link.restore();
    b.wait_until("the socket back", RECONNECT, || async {
        b.execute(RETRY_IF_SHOWN, Vec::new()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok((b.text("connection-status").await == "online").then_some(()))
    })
    .await;
    wait_exactly_once(&b, &expected).await;
    b.close().await;
}

/// Item 2: when the browser says it went offline, the app says so at once,
/// and what is typed is said to wait; when the network silently swallows
/// everything (no `offline` event), the heartbeat finds out within seconds.
/// Either way the message goes, once, when the network is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_connection_is_shown_within_seconds_and_what_was_typed_goes_later() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let link = Link::to(&server.address).await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let room = id_of(&api.create_room(&ann, &unique("Tunnel "), "public").await);

    let driver = ChromeDriver::start().await;
    let a = driver.browser(&link.address, "ann's browser").await;
    sign_in(&a, &ann, &format!("/rooms/{room}")).await;
    a.wait_connection(&["online"], WAIT).await;

    // The browser knows: offline at once (well before any heartbeat could
    // tell), with what happens to what is typed.
    a.set_offline(true).await;
    a.wait_connection(&["offline"], Duration::from_secs(3))
        .await;
    let said = a.text("connection-banner").await;
    assert!(
        said.contains("offline") && said.contains("sent when you are back online"),
        "the banner says what happens: {said:?}"
    );
    a.send_with_enter("typed offline").await;
    a.wait_for_bubble("waiting, not stored", "typed offline", |m| {
        m.mine && m.id.is_empty() && m.status.as_deref() == Some("waiting")
    })
    .await;
    a.set_offline(false).await;
    a.wait_connection(&["online"], RECONNECT).await;
    a.wait_for_bubble("sent once back online", "typed offline", |m| {
        m.mine && is_uuid(&m.id)
    })
    .await;

    // The network swallows everything and the browser does not notice: the
    // heartbeat does, within seconds (a sent message makes it ask at once).
    link.blackhole();
    a.send_with_enter("into the void").await;
    a.wait_connection(&["offline", "connecting"], Duration::from_secs(12))
        .await;
    a.wait_for("connection-banner").await;
    link.restore();
    a.wait_until("the socket back", RECONNECT, || async {
        a.execute(RETRY_IF_SHOWN, Vec::new()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok((a.text("connection-status").await == "online").then_some(()))
    })
    .await;
    wait_exactly_once(&a, &["typed offline", "into the void"]).await;
    let stored = api
        .history(&ann, &room, "")
        .await
        .into_iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        stored,
        ["typed offline", "into the void"],
        "stored once each"
    );
    a.close().await;
}

/// Sending from a stretch of history while offline: what was being read
/// stays on screen and the message waits at its end; once the network is
/// back, the room shows its newest messages with the message among them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_from_a_backlog_while_offline_keeps_what_was_read() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let bob = api.register(&unique("bob")).await;
    let room = id_of(&api.create_room(&ann, &unique("Backlog "), "public").await);
    api.join_room(&bob, &room).await;
    let first = id_of(&api.post_message(&bob, &room, "backlog 0").await);
    api.mark_read(&ann, &room, &first).await;
    for i in 1..120 {
        api.post_message(&bob, &room, &format!("backlog {i}")).await;
    }

    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "ann's browser").await;
    sign_in(&a, &ann, &format!("/rooms/{room}")).await;
    a.wait_for_bubble("the backlog, where it starts", "backlog 1", |m| !m.mine)
        .await;
    a.set_offline(true).await;
    a.wait_connection(&["offline"], Duration::from_secs(3))
        .await;
    a.send_with_enter("said from the backlog").await;
    a.wait_for_bubble("waiting", "said from the backlog", |m| {
        m.mine && m.status.as_deref() == Some("waiting")
    })
    .await;
    let shown: Vec<String> = a.bubbles().await.into_iter().map(|b| b.body).collect();
    assert!(
        shown.iter().any(|b| b == "backlog 1"),
        "what was being read stays: {shown:?}"
    );

    a.set_offline(false).await;
    a.wait_connection(&["online"], RECONNECT).await;
    a.wait_for_bubble_within(
        "sent, at the end",
        "said from the backlog",
        RECONNECT,
        |m| m.mine && is_uuid(&m.id),
    )
    .await;
    a.wait_for_bubble("the newest shown", "backlog 119", |m| !m.mine)
        .await;
    let bodies = api
        .history(&ann, &room, "limit=2")
        .await
        .into_iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        bodies,
        ["backlog 119", "said from the backlog"],
        "stored once, last"
    );
    a.close().await;
}

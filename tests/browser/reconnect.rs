//! Scenario 5: the server is killed and started again on the same port and
//! data; the browsers reconnect and nothing is lost or doubled, including a
//! message written while the server was down.

use std::time::Duration;

use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive};
use themechat_tests::socket::{Incoming, WsClient};
use themechat_tests::unique;

use crate::support::{
    create_room, is_uuid, join_from_explore, register, room_item, wait_exactly_once,
};

/// Reconnecting backs off (up to 30 s between tries): be generous.
const RECONNECT: Duration = Duration::from_secs(45);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_after_a_server_restart_loses_nothing() {
    let _one_at_a_time = exclusive().await;
    let mut server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;

    register(&a, &unique("alice")).await;
    let name = unique("Bunker ");
    let room = create_room(&a, &name, "public").await;
    register(&b, &unique("bob")).await;
    assert_eq!(join_from_explore(&b, &name).await, room);
    b.goto(&format!("/rooms/{room}")).await;
    b.wait_for_text("room-title", &name).await;
    b.wait_for_css(&room_item(&room)).await;
    b.wait_connection(&["online"], RECONNECT).await;

    a.send_with_enter("before the restart").await;
    b.wait_for_bubble("as theirs", "before the restart", |m| !m.mine)
        .await;

    // The server dies: both notice.
    server.kill();
    for browser in [&a, &b] {
        browser
            .wait_connection(&["offline", "connecting"], RECONNECT)
            .await;
    }

    // B writes while it is down: the message waits (the server cannot be
    // reached over REST either), and says so.
    b.send_with_enter("written while offline").await;
    let pending = b
        .wait_for_bubble("as mine, waiting", "written while offline", |m| {
            m.mine && m.status.as_deref() == Some("waiting")
        })
        .await;
    assert_eq!(
        pending.status.as_deref(),
        Some("waiting"),
        "bob: an unsent message shows as waiting: {pending:#?}"
    );
    assert!(
        pending.id.is_empty(),
        "bob: an unsent message has no message id yet: {pending:#?}"
    );

    // Same port, same data: both come back online.
    server.restart().await;
    for browser in [&a, &b] {
        browser.wait_connection(&["online"], RECONNECT).await;
    }
    b.wait_for_bubble_within("as sent", "written while offline", RECONNECT, |m| {
        m.mine && is_uuid(&m.id)
    })
    .await;
    a.send_with_enter("after the restart").await;

    let expected = [
        "before the restart",
        "written while offline",
        "after the restart",
    ];
    let at_a = wait_exactly_once(&a, &expected).await;
    let at_b = wait_exactly_once(&b, &expected).await;
    assert_eq!(at_a, at_b, "both browsers show the same messages");

    a.close().await;
    b.close().await;
}

/// Seconds the banner's countdown shows, if it shows a number.
async fn countdown(browser: &Browser) -> Option<u64> {
    let text = browser
        .execute(
            "const e = document.querySelector('[data-testid=\"connection-countdown\"]');\
             return e ? e.textContent : '';",
            Vec::new(),
        )
        .await;
    text.as_str()?
        .split_whitespace()
        .find_map(|w| w.parse().ok())
}

/// While the connection is down a banner says so, counts down to the next
/// attempt, and "Retry now" does not wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_shows_a_banner_with_a_countdown_and_retry_now() {
    let _one_at_a_time = exclusive().await;
    let mut server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    register(&a, &unique("alice")).await;
    assert_eq!(a.count("connection-banner").await, 0);

    server.kill();
    a.wait_for("connection-banner").await;
    a.wait_for_text("connection-countdown", "Reconnecting")
        .await;
    // Attempts back off: wait until the next one is several seconds away.
    a.wait_until("a wait of 6 s or more", Duration::from_secs(60), || async {
        Ok(countdown(&a).await.filter(|s| *s >= 6))
    })
    .await;
    server.restart().await;
    let left = countdown(&a).await.unwrap_or(0);
    assert!(
        left >= 3,
        "the wait is still long enough to tell ({left} s)"
    );
    a.click("connection-retry").await;
    a.wait_until(
        "the banner to go before the countdown ends",
        Duration::from_secs(left - 1),
        || async { Ok((a.count("connection-banner").await == 0).then_some(())) },
    )
    .await;
    a.wait_connection(&["online"], RECONNECT).await;
}

/// A message sent while the socket is down goes over REST at once (the
/// server is back, the socket still waiting to retry), and is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_while_the_socket_is_down_goes_over_rest() {
    let _one_at_a_time = exclusive().await;
    let mut server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    register(&a, &unique("alice")).await;
    let room = create_room(&a, &unique("Fallback "), "public").await;

    server.kill();
    a.wait_for("connection-banner").await;
    a.wait_until("a wait of 6 s or more", Duration::from_secs(60), || async {
        Ok(countdown(&a).await.filter(|s| *s >= 6))
    })
    .await;
    server.restart().await;
    a.send_with_enter("sent without a socket").await;
    let sent = a
        .wait_for_bubble("stored", "sent without a socket", |m| {
            m.mine && !m.id.is_empty()
        })
        .await;
    assert!(is_uuid(&sent.id));
    assert_eq!(
        a.count("connection-banner").await,
        1,
        "stored while the socket was still down"
    );

    // Once the socket is back the outbox has nothing left to send again:
    // the room holds the message once.
    a.wait_connection(&["online"], RECONNECT).await;
    a.goto(&format!("/rooms/{room}")).await;
    a.wait_for_bubble("after a reload", "sent without a socket", |m| m.mine)
        .await;
    let copies = a
        .bubbles()
        .await
        .into_iter()
        .filter(|b| b.body == "sent without a socket")
        .count();
    assert_eq!(copies, 1);
}

/// Opens `n` more sockets as `user`, retrying while the server still counts
/// connections that are closing; they keep `user` at the server's limit.
async fn hold_sockets(
    api: &themechat_tests::ApiClient,
    user: &themechat_tests::TestUser,
    n: usize,
) -> Vec<WsClient> {
    let mut held = Vec::new();
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    while held.len() < n {
        assert!(
            tokio::time::Instant::now() < until,
            "only {} of {n} sockets opened",
            held.len()
        );
        let mut ws = WsClient::connect(api).await;
        ws.auth(&user.access_token).await;
        match ws.next_incoming(Duration::from_secs(5)).await {
            Incoming::Event(e) if e["type"] == "ready" => held.push(ws),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    held
}

/// While the socket cannot connect (the user has as many open as the server
/// allows), the app still lists the rooms and history over REST and sends
/// over REST; once the socket is back, what others read meanwhile shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_socket_the_app_works_over_rest_and_resyncs_when_it_is_back() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let name = unique("Socketless ");
    let room = api.create_room(&ann, &name, "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    let bo = api.register(&unique("bo")).await;
    api.join_room(&bo, &room).await;
    api.post_message(&ann, &room, "said before").await;

    // Every socket ann may open is taken; then she signs in.
    let held = hold_sockets(&api, &ann, 20).await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "ann's browser").await;
    a.goto(&format!("/login?next=/rooms/{room}")).await;
    a.type_into("login-username", &ann.username).await;
    a.type_into("login-password", themechat_tests::PASSWORD)
        .await;
    a.click("login-submit").await;
    a.wait_for_css(&room_item(&room)).await;
    a.wait_for_text("room-title", &name).await;
    a.wait_for_bubble("from REST", "said before", |m| m.mine)
        .await;
    a.wait_for("connection-banner").await;
    assert_ne!(a.text("connection-status").await, "online");

    a.send_with_enter("said without one").await;
    let sent = a
        .wait_for_bubble("stored over REST", "said without one", |m| {
            m.mine && is_uuid(&m.id)
        })
        .await;
    assert_eq!(sent.status.as_deref(), Some("sent"));
    // Bo reads it while ann's socket is away: no event can tell her.
    api.mark_read(&bo, &room, &sent.id).await;

    drop(held);
    a.wait_until("the socket back", RECONNECT, || async {
        a.execute(
            "const b = document.querySelector('[data-testid=\"connection-retry\"]'); if (b) b.click();",
            Vec::new(),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok((a.text("connection-status").await == "online").then_some(()))
    })
    .await;
    a.wait_for_bubble("seen after the socket came back", "said without one", |m| {
        m.status.as_deref() == Some("seen")
    })
    .await;
}

//! Scenarios 1–3: two users chat live, an unread badge appears and clears,
//! and a room is left and joined again from Explore.

use std::collections::HashSet;

use themechat_tests::browser::{Browser, Bubble, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{
    create_room, explore_room, find_on_explore, join_from_explore, register, room_item, room_of,
};

fn has_id(b: &Bubble) -> bool {
    crate::support::is_uuid(&b.id)
}

/// Every bubble shows once, with an id, `data-mine` exactly "true" or
/// "false" as `mine_bodies` says, and mine and theirs in two different,
/// visible colours.
async fn assert_conversation(browser: &Browser, mine_bodies: &[&str], their_bodies: &[&str]) {
    let bubbles = browser.bubbles().await;
    let who = &browser.label;
    let ids: HashSet<&str> = bubbles.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        bubbles.len(),
        "{who}: a message shows twice: {bubbles:#?}"
    );
    assert_eq!(
        bubbles.len(),
        mine_bodies.len() + their_bodies.len(),
        "{who}: unexpected messages: {bubbles:#?}"
    );
    for (bodies, mine) in [(mine_bodies, "true"), (their_bodies, "false")] {
        for body in bodies {
            let found: Vec<&Bubble> = bubbles.iter().filter(|b| b.body == *body).collect();
            assert_eq!(
                found.len(),
                1,
                "{who}: {body:?} should show once: {bubbles:#?}"
            );
            assert_eq!(
                found[0].mine_attr, mine,
                "{who}: {body:?} should have data-mine={mine}: {bubbles:#?}"
            );
            assert!(has_id(found[0]), "{who}: {body:?} has no message id");
        }
    }
    let colours = |mine: bool| -> HashSet<&str> {
        bubbles
            .iter()
            .filter(|b| b.mine == mine)
            .map(|b| b.background.as_str())
            .collect()
    };
    let (mine, theirs) = (colours(true), colours(false));
    assert_eq!(
        mine.len(),
        1,
        "{who}: own bubbles in several colours: {mine:?}"
    );
    assert_eq!(
        theirs.len(),
        1,
        "{who}: others' bubbles in several colours: {theirs:?}"
    );
    assert_ne!(
        mine, theirs,
        "{who}: mine and theirs share a background colour"
    );
    for colour in mine.iter().chain(&theirs) {
        assert!(
            !colour.is_empty() && *colour != "rgba(0, 0, 0, 0)" && *colour != "transparent",
            "{who}: a bubble has no background colour ({colour:?})"
        );
    }
}

/// The badge of `room` in the sidebar, once it reads `count`.
async fn wait_for_badge(browser: &Browser, room: &str, count: u32) {
    browser
        .wait_for_css_text(
            &format!("{} {}", room_item(room), tid("unread-badge")),
            &count.to_string(),
        )
        .await;
    let text = browser
        .wait_for_css_text(&tid("nav-unread-total"), &count.to_string())
        .await;
    let total = text.text().await.unwrap_or_default();
    assert_eq!(
        total.trim(),
        count.to_string(),
        "{}: nav-unread-total",
        browser.label
    );
}

/// `nav-unread-total` is gone or empty.
async fn wait_no_unread_total(browser: &Browser) {
    let client = &browser.client;
    browser
        .wait_until(
            "nav-unread-total to be absent or empty",
            themechat_tests::browser::WAIT,
            || async move {
                for element in client
                    .find_all(fantoccini::Locator::Css(&tid("nav-unread-total")))
                    .await?
                {
                    if !element.text().await?.trim().is_empty() {
                        return Ok(None);
                    }
                }
                Ok(Some(()))
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_chat_live_with_unread_badges_and_explore() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;

    // A signs up and opens a public room; B signs up and joins it from
    // Explore, then goes to a room of its own.
    register(&a, &unique("alice")).await;
    let lounge = unique("Lounge ");
    let room = create_room(&a, &lounge, "public").await;
    register(&b, &unique("bob")).await;
    assert_eq!(join_from_explore(&b, &lounge).await, room);
    let corner = create_room(&b, &unique("Corner "), "public").await;
    b.wait_for_css(&room_item(&room)).await;
    assert_eq!(
        b.count_css(&format!("{} {}", room_item(&room), tid("unread-badge")))
            .await,
        0
    );

    // Scenario 2: A posts while B is elsewhere: a badge on B's side.
    a.send_with_enter("Hi from Alice").await;
    let first = a
        .wait_for_bubble("as mine, stored", "Hi from Alice", |m| m.mine && has_id(m))
        .await;
    assert_eq!(first.mine_attr, "true");
    // Nobody has read it: it is sent, not seen.
    a.wait_for_bubble("with status sent", "Hi from Alice", |m| {
        m.status.as_deref() == Some("sent")
    })
    .await;
    wait_for_badge(&b, &room, 1).await;
    assert_eq!(
        b.count_css(&format!("{} {}", room_item(&corner), tid("unread-badge")))
            .await,
        0,
        "the room B is in has no badge"
    );

    // B opens the room from the sidebar: the badge and the total go away.
    b.click_css(&room_item(&room)).await;
    let path = b
        .wait_for_path("/rooms/<lounge>", |p| room_of(p).is_some())
        .await;
    assert_eq!(room_of(&path), Some(room.as_str()));
    b.wait_for_text("room-title", &lounge).await;
    b.wait_gone_css(&format!("{} {}", room_item(&room), tid("unread-badge")))
        .await;
    wait_no_unread_total(&b).await;
    let seen_by_b = b
        .wait_for_bubble("as theirs", "Hi from Alice", |m| m.mine_attr == "false")
        .await;
    assert_eq!(seen_by_b.id, first.id, "both show the same message");

    // Scenario 1: B has read it: A's status turns to seen, live.
    a.wait_for_bubble("with status seen", "Hi from Alice", |m| {
        m.status.as_deref() == Some("seen")
    })
    .await;

    // B answers with Enter; A sees it appear without a reload.
    b.send_with_enter("Hello Alice").await;
    let reply = b
        .wait_for_bubble("as mine, stored", "Hello Alice", |m| m.mine && has_id(m))
        .await;
    let reply_at_a = a
        .wait_for_bubble("as theirs", "Hello Alice", |m| m.mine_attr == "false")
        .await;
    assert_eq!(reply_at_a.id, reply.id);
    // A has the room open: B's message is seen.
    b.wait_for_bubble("with status seen", "Hello Alice", |m| {
        m.status.as_deref() == Some("seen")
    })
    .await;

    a.send_with_enter("How are you?").await;
    b.wait_for_bubble("as theirs", "How are you?", |m| {
        m.mine_attr == "false" && has_id(m)
    })
    .await;
    a.wait_for_bubble("as mine, seen", "How are you?", |m| {
        m.mine && m.status.as_deref() == Some("seen")
    })
    .await;
    // The status is on the own latest message only.
    let statuses: Vec<Bubble> = a
        .bubbles()
        .await
        .into_iter()
        .filter(|m| m.status.is_some())
        .collect();
    assert_eq!(
        statuses.len(),
        1,
        "alice: one message-status: {statuses:#?}"
    );
    assert_eq!(statuses[0].body, "How are you?");

    assert_conversation(&a, &["Hi from Alice", "How are you?"], &["Hello Alice"]).await;
    assert_conversation(&b, &["Hello Alice"], &["Hi from Alice", "How are you?"]).await;

    // Scenario 3: B leaves from Explore; the room leaves B's sidebar.
    let card = explore_room(&find_on_explore(&b, &lounge).await);
    b.click_css(&format!("{card} {}", tid("leave-button")))
        .await;
    b.wait_for_css(&format!("{card} {}", tid("join-button")))
        .await;
    b.goto("/").await;
    b.wait_for_css(&room_item(&corner)).await;
    b.wait_gone_css(&room_item(&room)).await;

    // Joining again brings it back, history included.
    assert_eq!(join_from_explore(&b, &lounge).await, room);
    b.goto("/").await;
    b.click_css(&room_item(&room)).await;
    b.wait_for_path("/rooms/<lounge>", |p| room_of(p) == Some(room.as_str()))
        .await;
    b.wait_for_bubble("after joining again", "How are you?", |m| {
        m.mine_attr == "false"
    })
    .await;

    a.close().await;
    b.close().await;
}

/// The user's own dot in the member list is green whenever the top bar
/// says online, however the member list and the socket race at start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_own_presence_dot_agrees_with_the_connection() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let room = api.create_room(&ann, &unique("Dots "), "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "ann's browser").await;
    crate::support::sign_in(&a, &ann, &format!("/rooms/{room}")).await;
    let mine = format!("{}[data-user-id=\"{}\"]", tid("member-item"), ann.id);
    for load in 1..=3 {
        a.goto(&format!("/rooms/{room}")).await;
        a.wait_connection(&["online"], themechat_tests::browser::WAIT)
            .await;
        a.wait_until(
            &format!("my dot green on load {load}"),
            themechat_tests::browser::WAIT,
            || async {
                Ok(
                    (a.attr_css(&mine, "data-online").await.as_deref() == Some("true"))
                        .then_some(()),
                )
            },
        )
        .await;
    }
    a.close().await;
}

//! A bot acts under its owner's blocks and bans: blocking a person blocks
//! their bots (and a person who blocks does so for their bots too), and a
//! bot of someone banned from a room can neither join nor post there.

use serde_json::json;
use themechat_tests::*;

use super::{bot_of, incoming_webhook};
use crate::social_support::*;

#[tokio::test]
async fn a_blocked_persons_bot_can_neither_open_a_conversation_nor_befriend_the_blocker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mallory = app.register("mallory").await;
    let mallbot = bot_of(&app, &mallory, "mallbot").await;
    let alicebot = bot_of(&app, &alice, "alicebot").await;
    // Asked before the block: the block ends it, as it ends the owner's.
    send_friend_request(&app, &mallbot, &alice).await;

    block(&app, &alice, &mallory).await;
    let (incoming, _) = pending_requests(&app, &alice).await;
    assert!(incoming.is_empty(), "{incoming:?}");

    // The blocked person's bot, towards the blocker, and the other way.
    for (from, to) in [(&mallbot, &alice), (&alice, &mallbot)] {
        let resp = try_open_dm(&app, from, &to.id).await;
        assert_error(&resp, 403, "blocked");
        let resp = request_friend(&app, from, &to.id).await;
        assert_error(&resp, 403, "blocked");
    }
    // The blocker's bot is blocked with its owner.
    for (from, to) in [
        (&mallory, &alicebot),
        (&alicebot, &mallory),
        (&mallbot, &alicebot),
    ] {
        let resp = try_open_dm(&app, from, &to.id).await;
        assert_error(&resp, 403, "blocked");
        let resp = request_friend(&app, from, &to.id).await;
        assert_error(&resp, 403, "blocked");
    }
    // Nobody else is touched.
    let carol = app.register("carol").await;
    assert_status(&try_open_dm(&app, &mallbot, &carol.id).await, 201);
}

#[tokio::test]
async fn a_blocked_persons_bot_cannot_write_into_an_existing_conversation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mallory = app.register("mallory").await;
    let mallbot = bot_of(&app, &mallory, "mallbot").await;
    let dm = open_dm(&app, &mallbot, &alice).await;
    app.post_message(&mallbot, &dm, "hello from a bot").await;

    block(&app, &alice, &mallory).await;
    for user in [&mallbot, &alice] {
        let resp = app
            .post_json(
                &format!("/api/v1/rooms/{dm}/messages"),
                user.auth(),
                &json!({ "body": "still there?" }),
            )
            .await;
        assert_error(&resp, 403, "blocked");
    }
}

#[tokio::test]
async fn a_blocked_persons_bot_does_not_notify_the_blocker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mallory = app.register("mallory").await;
    let room = app.public_room_with(&alice, "Lobby", &[&mallory]).await;
    let mallbot = bot_of(&app, &mallory, "mallbot").await;
    let hook = incoming_webhook(&app, &mallory, &mallbot.id, &room).await;
    let mentions = |app: &TestApp, user: &TestUser| {
        let (app, user) = (app.api(), user.clone());
        async move {
            let resp = app
                .get("/api/v1/notifications?limit=200", user.auth())
                .await;
            assert_status(&resp, 200);
            of_kind(resp.array(), "mention").len()
        }
    };
    app.post_message(&mallbot, &room, "@alice hello").await;
    assert_eq!(
        mentions(&app, &alice).await,
        1,
        "before the block it notifies"
    );

    block(&app, &alice, &mallory).await;
    app.post_message(&mallbot, &room, "@alice hello again")
        .await;
    let resp = app
        .post_json(&hook, None, &json!({ "body": "@alice and again" }))
        .await;
    assert_status(&resp, 201);
    assert_eq!(
        mentions(&app, &alice).await,
        1,
        "no mention across the block"
    );
}

#[tokio::test]
async fn a_banned_persons_bots_can_neither_join_nor_post() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mallory = app.register("mallory").await;
    let room = app.public_room_with(&alice, "Lobby", &[&mallory]).await;
    let mallbot = bot_of(&app, &mallory, "mallbot").await;
    let hook = incoming_webhook(&app, &mallory, &mallbot.id, &room).await;
    assert_status(
        &app.post_json(&hook, None, &json!({ "body": "build passed" }))
            .await,
        201,
    );

    assert_status(
        &try_ban(&app, &alice, &room, &mallory.id, "spam").await,
        204,
    );
    // The bot that was in already: its webhook, its token.
    let resp = app
        .post_json(&hook, None, &json!({ "body": "build passed again" }))
        .await;
    assert_error(&resp, 403, "banned");
    let resp = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            mallbot.auth(),
            &json!({ "body": "still here" }),
        )
        .await;
    assert_error(&resp, 403, "banned");
    // It went with its owner, and cannot come back.
    let members = app
        .get(&format!("/api/v1/rooms/{room}/members"), alice.auth())
        .await;
    assert_status(&members, 200);
    assert!(
        members
            .array()
            .iter()
            .all(|m| m["user"]["id"] != mallbot.id.as_str()),
        "{}",
        members.describe()
    );
    assert_error(&try_join(&app, &mallbot, &room).await, 403, "banned");
    // A new bot neither joins nor is invited.
    let newbot = bot_of(&app, &mallory, "newbot").await;
    assert_error(&try_join(&app, &newbot, &room).await, 403, "banned");
    assert_error(
        &try_invite(&app, &alice, &room, &newbot.id).await,
        403,
        "banned",
    );

    // The owner's ban lifted, the bot may join again.
    assert_status(&try_unban(&app, &alice, &room, &mallory.id).await, 204);
    assert_status(&try_join(&app, &newbot, &room).await, 200);
}

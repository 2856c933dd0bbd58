//! Bots and webhooks: bot accounts owned by a person, their scoped and
//! revocable tokens, incoming webhooks that post into a room as the bot,
//! and outgoing webhooks that call the owner's URL, signed and retried.

use std::time::Duration;

use serde_json::{Value, json};
use themechat_tests::webhooks::{Receiver, expected_signature};
use themechat_tests::*;

async fn create_bot(app: &TestApp, owner: &TestUser, username: &str) -> Value {
    let resp = app
        .post_json(
            "/api/v1/bots",
            owner.auth(),
            &json!({ "username": username, "description": "posts the build status" }),
        )
        .await;
    assert_status(&resp, 201);
    resp.body
}

async fn bot_token(app: &TestApp, owner: &TestUser, bot: &str, scopes: &[&str]) -> Value {
    let resp = app
        .post_json(
            &format!("/api/v1/bots/{bot}/tokens"),
            owner.auth(),
            &json!({ "name": "ci", "scopes": scopes }),
        )
        .await;
    assert_status(&resp, 201);
    resp.body
}

async fn incoming_webhook(app: &TestApp, owner: &TestUser, bot: &str, room: &str) -> TestResponse {
    app.post_json(
        &format!("/api/v1/bots/{bot}/webhooks"),
        owner.auth(),
        &json!({ "room_id": room, "name": "builds" }),
    )
    .await
}

#[tokio::test]
async fn a_bot_posts_into_a_room_through_its_webhook() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Builds", &[&bob]).await;
    let bot = create_bot(&app, &alice, "buildbot").await;
    let bot_id = id_of(&bot);
    assert_eq!(bot["owner_id"], alice.id.as_str());
    assert_eq!(bot["display_name"], "buildbot");
    assert!(bot["outgoing"].is_null());

    let made = incoming_webhook(&app, &alice, &bot_id, &room).await;
    assert_status(&made, 201);
    let url = field_str(&made.body, "url");
    assert!(
        url.starts_with(&format!("/api/v1/hooks/{}/", id_of(&made.body))),
        "{url}"
    );

    // The bot joined the room; anyone with the URL posts as the bot.
    let posted = app
        .post_json(
            &url,
            None,
            &json!({ "body": "build #42 passed", "client_id": "b42" }),
        )
        .await;
    assert_status(&posted, 201);
    assert_eq!(posted.body["sender"]["id"], bot_id.as_str());
    let again = app
        .post_json(
            &url,
            None,
            &json!({ "body": "build #42 passed", "client_id": "b42" }),
        )
        .await;
    assert_status(&again, 200);
    assert_eq!(again.body["id"], posted.body["id"]);
    let seen = app.history(&bob, &room, "").await;
    assert_eq!(seen.last().expect("a message")["body"], "build #42 passed");
    assert_eq!(
        seen.last().expect("a message")["sender"]["username"],
        "buildbot"
    );

    // A wrong secret is no webhook at all; a bad body a clear 422.
    let forged = format!("{}x", url.trim_end_matches(|c: char| c != '/'));
    assert_error(
        &app.post_json(&forged, None, &json!({ "body": "hi" })).await,
        404,
        "not_found",
    );
    assert_error(
        &app.post_json(&url, None, &json!({ "body": "  " })).await,
        422,
        "validation_failed",
    );

    // The owner sees it listed (without its secret), and deletes it.
    let listed = app
        .get(&format!("/api/v1/bots/{bot_id}/webhooks"), alice.auth())
        .await;
    assert_status(&listed, 200);
    assert_eq!(listed.array().len(), 1);
    assert_lacks_keys(&listed.array()[0], &["url", "secret"]);
    let hook_id = id_of(&made.body);
    let gone = app
        .delete(
            &format!("/api/v1/bots/{bot_id}/webhooks/{hook_id}"),
            alice.auth(),
        )
        .await;
    assert_status(&gone, 204);
    assert_error(
        &app.post_json(&url, None, &json!({ "body": "hi" })).await,
        404,
        "not_found",
    );

    // Someone else's bot is as unknown as none.
    let peek = app.get(&format!("/api/v1/bots/{bot_id}"), bob.auth()).await;
    assert_error(&peek, 404, "not_found");
    // And a bot has no password to sign in with.
    let login = app.login("buildbot", "anything-at-all").await;
    assert_error(&login, 401, "invalid_credentials");
}

#[tokio::test]
async fn a_private_room_takes_a_bot_only_on_a_moderators_invitation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.private_room_with(&alice, "Ops", &[&bob]).await;
    let bobs = id_of(&create_bot(&app, &bob, "bobbot").await);
    let refused = incoming_webhook(&app, &bob, &bobs, &room).await;
    assert_error(&refused, 403, "forbidden");
    let carols = id_of(&create_bot(&app, &carol, "carolbot").await);
    let outsider = incoming_webhook(&app, &carol, &carols, &room).await;
    assert_error(&outsider, 404, "not_found");

    let alices = id_of(&create_bot(&app, &alice, "alicebot").await);
    let made = incoming_webhook(&app, &alice, &alices, &room).await;
    assert_status(&made, 201);
    let members = app
        .get(&format!("/api/v1/rooms/{room}/members"), bob.auth())
        .await;
    assert!(
        members
            .array()
            .iter()
            .any(|m| m["user"]["id"] == alices.as_str() || m["id"] == alices.as_str()),
        "the bot is a member: {}",
        members.describe()
    );
}

#[tokio::test]
async fn bot_tokens_have_scopes_manage_nothing_and_end_when_revoked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = app.public_room_with(&alice, "Lobby", &[]).await;
    let bot_id = id_of(&create_bot(&app, &alice, "helper").await);

    let reader = bot_token(&app, &alice, &bot_id, &["read"]).await;
    let reading = field_str(&reader, "token");
    assert!(reading.starts_with("tcb_"), "{reading}");
    assert_eq!(reader["scopes"], json!(["read"]));
    let me = app.get("/api/v1/users/me", Some(&reading)).await;
    assert_status(&me, 200);
    assert_eq!(me.body["id"], bot_id.as_str());
    let join = app
        .post(&format!("/api/v1/rooms/{room}/join"), Some(&reading))
        .await;
    assert_error(&join, 403, "insufficient_scope");
    // Following events is reading.
    assert_status(
        &app.post("/api/v1/events/register", Some(&reading)).await,
        201,
    );

    let writer = bot_token(&app, &alice, &bot_id, &["read", "write"]).await;
    let writing = field_str(&writer, "token");
    assert_status(
        &app.post(&format!("/api/v1/rooms/{room}/join"), Some(&writing))
            .await,
        200,
    );
    let said = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            Some(&writing),
            &json!({ "body": "hello from a program" }),
        )
        .await;
    assert_status(&said, 201);

    // A bot token manages nothing: not bots, sessions, nor the account.
    for (method, path) in [
        ("GET", "/api/v1/bots".to_owned()),
        ("GET", "/api/v1/sessions".to_owned()),
        ("POST", format!("/api/v1/bots/{bot_id}/tokens")),
        ("POST", "/api/v1/users/me/two-factor".to_owned()),
        ("DELETE", "/api/v1/users/me".to_owned()),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let builder = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(&writing)
            .json(&json!({ "password": "x", "name": "x", "scopes": ["read"] }));
        let resp = app.api().send(builder).await;
        assert_error(&resp, 403, "insufficient_scope");
    }

    // The owner lists the tokens (no secrets) and revokes one: it stops at once.
    let listed = app
        .get(&format!("/api/v1/bots/{bot_id}/tokens"), alice.auth())
        .await;
    assert_status(&listed, 200);
    assert_eq!(listed.array().len(), 2);
    for token in listed.array() {
        assert_lacks_keys(token, &["token", "token_hash"]);
    }
    let revoked = app
        .delete(
            &format!("/api/v1/bots/{bot_id}/tokens/{}", id_of(&writer)),
            alice.auth(),
        )
        .await;
    assert_status(&revoked, 204);
    assert_error(
        &app.get("/api/v1/users/me", Some(&writing)).await,
        401,
        "invalid_token",
    );
    assert_status(&app.get("/api/v1/users/me", Some(&reading)).await, 200);

    // Deleting the owner's account deletes the bot: its tokens die too.
    let bye = app
        .delete_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "password": alice.password }),
        )
        .await;
    assert_status(&bye, 204);
    assert_error(
        &app.get("/api/v1/users/me", Some(&reading)).await,
        401,
        "invalid_token",
    );
}

#[tokio::test]
async fn an_outgoing_webhook_is_called_for_mentions_signed_and_retried() {
    let app = spawn_app_with(|s| s.webhook_private_addresses = true).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Support", &[&bob]).await;
    let bot_id = id_of(&create_bot(&app, &alice, "helper").await);
    let hook = incoming_webhook(&app, &alice, &bot_id, &room).await;
    assert_status(&hook, 201);
    let receiver = Receiver::start(vec![500]).await;
    let set = app
        .put_json(
            &format!("/api/v1/bots/{bot_id}/outgoing"),
            alice.auth(),
            &json!({ "url": receiver.url, "trigger": "mentions" }),
        )
        .await;
    assert_status(&set, 200);
    let secret = field_str(&set.body, "signing_secret");
    assert_eq!(set.body["trigger"], "mentions");

    // Calls start with the next message (see rest::edges::webhooks).
    app.post_message(&bob, &room, "nothing for the bot here")
        .await;
    // The bot's own messages never call it.
    let own = app
        .post_json(
            &field_str(&hook.body, "url"),
            None,
            &json!({ "body": "@helper talking to myself" }),
        )
        .await;
    assert_status(&own, 201);
    let asked = app
        .post_message(&bob, &room, "hey @Helper, is the build green?")
        .await;

    // Refused once (500), then called again with the same delivery id.
    let calls = receiver.wait_for(2).await;
    let (first, second) = (&calls[0], &calls[1]);
    assert_eq!(first.header("X-ThemeChat-Attempt"), Some("1"));
    assert_eq!(second.header("X-ThemeChat-Attempt"), Some("2"));
    assert_eq!(
        first.header("X-ThemeChat-Delivery"),
        second.header("X-ThemeChat-Delivery")
    );
    for call in [first, second] {
        assert_eq!(
            call.header("X-ThemeChat-Signature"),
            Some(expected_signature(&secret, call).as_str()),
            "signed with the secret"
        );
        let body = call.json();
        assert_eq!(body["bot_id"], bot_id.as_str());
        assert_eq!(body["trigger"], "mentions");
        assert_eq!(body["message"]["id"], asked["id"]);
    }

    // Nothing else is called, and the owner sees the last call succeeded.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.calls().len(), 2, "{:?}", receiver.calls());
    let bot = app
        .get(&format!("/api/v1/bots/{bot_id}"), alice.auth())
        .await;
    assert_status(&bot, 200);
    assert!(
        bot.body["outgoing"]["last_delivered_at"].is_string(),
        "{}",
        bot.describe()
    );
    assert!(
        bot.body["outgoing"]["last_error"].is_null(),
        "{}",
        bot.describe()
    );

    // Removed: no more calls.
    let removed = app
        .delete(&format!("/api/v1/bots/{bot_id}/outgoing"), alice.auth())
        .await;
    assert_status(&removed, 204);
    app.post_message(&bob, &room, "@helper are you still there?")
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.calls().len(), 2);
}

#[tokio::test]
async fn an_outgoing_webhook_may_not_call_into_the_servers_network() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Everything", &[&bob]).await;
    let bot_id = id_of(&create_bot(&app, &alice, "listener").await);
    assert_status(&incoming_webhook(&app, &alice, &bot_id, &room).await, 201);
    let receiver = Receiver::start(Vec::new()).await;
    let set = app
        .put_json(
            &format!("/api/v1/bots/{bot_id}/outgoing"),
            alice.auth(),
            &json!({ "url": receiver.url, "trigger": "messages" }),
        )
        .await;
    assert_status(&set, 200);
    for bad in [
        "ftp://example.com/x",
        "http://127.0.0.1/x",
        "http://exa mple.com",
        "http://example.com:99999/",
    ] {
        let resp = app
            .put_json(
                &format!("/api/v1/bots/{bot_id}/outgoing"),
                alice.auth(),
                &json!({ "url": bad, "trigger": "messages" }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
    app.post_message(&bob, &room, "is anyone listening?").await;

    let mut last_error = Value::Null;
    for _ in 0..100 {
        let bot = app
            .get(&format!("/api/v1/bots/{bot_id}"), alice.auth())
            .await;
        last_error = bot.body["outgoing"]["last_error"].clone();
        if last_error.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let said = last_error.as_str().unwrap_or_default();
    assert!(said.contains("no public address"), "{last_error}");
    assert!(receiver.calls().is_empty(), "{:?}", receiver.calls());
}

//! Emoji reactions over REST: adding and taking back, who may, what every
//! message read shows of them.

use serde_json::{Value, json};
use themechat_tests::*;

/// The path of one reaction, the emoji percent-encoded as a client sends it.
fn reaction_path(message_id: &str, emoji: &str) -> String {
    let encoded: String = emoji
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/api/v1/messages/{message_id}/reactions/{encoded}")
}

async fn react(app: &TestApp, user: &TestUser, message_id: &str, emoji: &str) -> TestResponse {
    put(app, user.auth(), message_id, emoji).await
}

async fn put(app: &TestApp, token: Option<&str>, message_id: &str, emoji: &str) -> TestResponse {
    let path = reaction_path(message_id, emoji);
    app.send(app.request(reqwest::Method::PUT, &path, token))
        .await
}

async fn unreact(app: &TestApp, user: &TestUser, message_id: &str, emoji: &str) -> TestResponse {
    app.api()
        .delete(&reaction_path(message_id, emoji), user.auth())
        .await
}

/// alice (owner) and bob in a public room, with one message of alice's.
async fn room_with_message() -> (TestApp, TestUser, TestUser, String, String) {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let message = id_of(&app.post_message(&alice, &room, "hello").await);
    (app, alice, bob, room, message)
}

#[tokio::test]
async fn reactions_are_counted_per_emoji_with_who_reacted() {
    let (app, alice, bob, room, message) = room_with_message().await;

    let first = react(&app, &bob, &message, "👍").await;
    assert_status(&first, 200);
    assert_eq!(
        first.body,
        json!([{ "emoji": "👍", "count": 1, "user_ids": [bob.id] }])
    );
    assert_status(&react(&app, &alice, &message, "👍").await, 200);
    let both = react(&app, &alice, &message, "🎉").await;
    assert_eq!(
        both.body,
        json!([
            { "emoji": "👍", "count": 2, "user_ids": [bob.id, alice.id] },
            { "emoji": "🎉", "count": 1, "user_ids": [alice.id] },
        ])
    );

    // Every read of the message carries them.
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history[0]["reactions"], both.body);
    let thread = app
        .api()
        .get(&format!("/api/v1/messages/{message}/thread"), bob.auth())
        .await;
    assert_eq!(thread.body["root"]["reactions"], both.body);
    let summary = app.room_summary(&bob, &room).await;
    assert_eq!(summary["last_message"]["reactions"], both.body);
    let found = app
        .api()
        .get("/api/v1/search/messages?q=hello", bob.auth())
        .await;
    assert_eq!(found.body[0]["reactions"], both.body);
}

#[tokio::test]
async fn reacting_twice_changes_nothing_and_taking_back_removes_only_mine() {
    let (app, alice, bob, _room, message) = room_with_message().await;
    react(&app, &alice, &message, "❤️").await;
    react(&app, &bob, &message, "❤️").await;
    let again = react(&app, &bob, &message, "❤️").await;
    assert_status(&again, 200);
    assert_eq!(again.body[0]["count"], json!(2), "{}", again.describe());

    let after = unreact(&app, &bob, &message, "❤️").await;
    assert_status(&after, 200);
    assert_eq!(
        after.body,
        json!([{ "emoji": "❤️", "count": 1, "user_ids": [alice.id] }])
    );
    // Taking back what is not there is fine too.
    let none = unreact(&app, &bob, &message, "❤️").await;
    assert_status(&none, 200);
    assert_eq!(none.body[0]["count"], json!(1));
    let gone = unreact(&app, &alice, &message, "❤️").await;
    assert_eq!(gone.body, json!([]));
}

#[tokio::test]
async fn a_reaction_is_one_emoji() {
    let (app, _alice, bob, _room, message) = room_with_message().await;
    for bad in ["a", "👍👍", "hello", "👍 ", "1", "<b>"] {
        let resp = react(&app, &bob, &message, bad).await;
        assert_error(&resp, 422, "validation_failed");
    }
    for ok in ["🇫🇷", "👍🏽", "1️⃣", "👨‍👩‍👧"] {
        assert_status(&react(&app, &bob, &message, ok).await, 200);
    }
}

#[tokio::test]
async fn a_message_takes_a_bounded_number_of_different_emoji() {
    let (app, alice, bob, _room, message) = room_with_message().await;
    let emoji: Vec<String> = (0..21u32)
        .map(|i| char::from_u32(0x1F600 + i).unwrap().to_string())
        .collect();
    for e in &emoji[..20] {
        assert_status(&react(&app, &bob, &message, e).await, 200);
    }
    let over = react(&app, &bob, &message, &emoji[20]).await;
    assert_error(&over, 422, "validation_failed");
    // An emoji already there still takes more people.
    let more = react(&app, &alice, &message, &emoji[0]).await;
    assert_status(&more, 200);
    assert_eq!(more.body[0]["count"], json!(2));
}

#[tokio::test]
async fn only_those_who_can_read_the_message_may_react() {
    let (app, alice, _bob, _room, message) = room_with_message().await;
    let carol = app.register("carol").await;
    // Not a member of the public room: 403, as for posting.
    assert_error(
        &react(&app, &carol, &message, "👍").await,
        403,
        "not_a_member",
    );
    // A private room's message does not exist for outsiders.
    let secret = id_of(&app.create_room(&alice, "Secret", "private").await);
    let hidden = id_of(&app.post_message(&alice, &secret, "psst").await);
    assert_error(&react(&app, &carol, &hidden, "👍").await, 404, "not_found");
    // Nor does a message that never was.
    assert_error(
        &react(&app, &alice, &random_id(), "👍").await,
        404,
        "not_found",
    );
    // Signed out: 401.
    let anonymous = put(&app, None, &message, "👍").await;
    assert_error_status(&anonymous, 401);
}

#[tokio::test]
async fn a_deleted_message_loses_its_reactions_and_takes_no_more() {
    let (app, alice, bob, room, message) = room_with_message().await;
    react(&app, &bob, &message, "👍").await;
    let deleted = app
        .api()
        .delete(&format!("/api/v1/messages/{message}"), alice.auth())
        .await;
    assert_status(&deleted, 204);
    let history = app.history(&bob, &room, "").await;
    assert_eq!(history[0]["reactions"], json!([]));
    assert_error(&react(&app, &bob, &message, "🎉").await, 404, "not_found");
}

#[tokio::test]
async fn nobody_reacts_across_a_block_in_a_direct_conversation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let dm = app
        .api()
        .post_json("/api/v1/dms", alice.auth(), &json!({ "user_id": bob.id }))
        .await;
    let dm = id_of(&dm.body);
    let message = id_of(&app.post_message(&alice, &dm, "hi").await);
    let blocked = app
        .api()
        .post_json(
            "/api/v1/blocks",
            alice.auth(),
            &json!({ "user_id": bob.id }),
        )
        .await;
    assert_status(&blocked, 204);
    assert_error(&react(&app, &bob, &message, "👍").await, 403, "blocked");
}

#[tokio::test]
async fn reactions_of_a_deleted_account_go_with_it() {
    let (app, alice, bob, room, message) = room_with_message().await;
    react(&app, &bob, &message, "👍").await;
    react(&app, &alice, &message, "👍").await;
    let gone = app
        .api()
        .delete_json(
            "/api/v1/users/me",
            bob.auth(),
            &json!({ "password": bob.password }),
        )
        .await;
    assert_status(&gone, 204);
    let history: Vec<Value> = app.history(&alice, &room, "").await;
    assert_eq!(
        history[0]["reactions"],
        json!([{ "emoji": "👍", "count": 1, "user_ids": [alice.id] }])
    );
}

//! Pinned messages over REST: who may pin, the list, and what unpins.

use serde_json::json;
use themechat_tests::*;

fn pins_path(room: &str) -> String {
    format!("/api/v1/rooms/{room}/pins")
}

async fn pin(app: &TestApp, user: &TestUser, room: &str, message: &str) -> TestResponse {
    let path = format!("{}/{message}", pins_path(room));
    app.send(app.request(reqwest::Method::PUT, &path, user.auth()))
        .await
}

async fn unpin(app: &TestApp, user: &TestUser, room: &str, message: &str) -> TestResponse {
    app.api()
        .delete(&format!("{}/{message}", pins_path(room)), user.auth())
        .await
}

async fn list(app: &TestApp, user: &TestUser, room: &str) -> TestResponse {
    app.api().get(&pins_path(room), user.auth()).await
}

#[tokio::test]
async fn a_moderator_pins_and_every_member_sees_the_list_newest_first() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let first = id_of(&app.post_message(&bob, &room, "first").await);
    let second = id_of(&app.post_message(&bob, &room, "second").await);

    assert_eq!(list(&app, &bob, &room).await.body, json!([]));
    let pinned = pin(&app, &alice, &room, &first).await;
    assert_status(&pinned, 200);
    assert_eq!(pinned.body["message"]["id"], first.as_str());
    assert_eq!(pinned.body["message"]["body"], "first");
    assert_eq!(pinned.body["pinned_by"], alice.id.as_str());
    assert_timestamp(&pinned.body["pinned_at"], "pinned_at");
    // Pinning again is the same pin.
    let again = pin(&app, &alice, &room, &first).await;
    assert_status(&again, 200);
    assert_eq!(again.body["pinned_at"], pinned.body["pinned_at"]);
    assert_status(&pin(&app, &alice, &room, &second).await, 200);

    let seen = list(&app, &bob, &room).await;
    assert_status(&seen, 200);
    let ids: Vec<&str> = seen
        .array()
        .iter()
        .map(|p| p["message"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");

    // Unpinning, twice over, leaves the other pin.
    assert_status(&unpin(&app, &alice, &room, &second).await, 204);
    assert_status(&unpin(&app, &alice, &room, &second).await, 204);
    let left = list(&app, &bob, &room).await;
    assert_eq!(left.array().len(), 1);
    assert_eq!(left.body[0]["message"]["id"], first.as_str());

    // Both acts are in the audit log.
    let audit = app
        .api()
        .get(&format!("/api/v1/rooms/{room}/audit-log"), alice.auth())
        .await;
    let actions: Vec<&str> = audit
        .array()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"pin") && actions.contains(&"unpin"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn only_moderators_pin_in_a_group_and_only_members_read_the_pins() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let message = id_of(&app.post_message(&bob, &room, "mine").await);

    assert_error(&pin(&app, &bob, &room, &message).await, 403, "forbidden");
    assert_error(&list(&app, &carol, &room).await, 403, "not_a_member");
    assert_error(
        &pin(&app, &carol, &room, &message).await,
        403,
        "not_a_member",
    );
    // A message of another room, or none at all, cannot be pinned here.
    let other = id_of(&app.create_room(&alice, "Other", "public").await);
    let elsewhere = id_of(&app.post_message(&alice, &other, "elsewhere").await);
    assert_error(
        &pin(&app, &alice, &room, &elsewhere).await,
        404,
        "not_found",
    );
    assert_error(
        &pin(&app, &alice, &room, &random_id()).await,
        404,
        "not_found",
    );
    // A private room's pins do not exist for outsiders.
    let secret = id_of(&app.create_room(&alice, "Secret", "private").await);
    assert_error(&list(&app, &carol, &secret).await, 404, "not_found");
}

#[tokio::test]
async fn both_people_of_a_direct_conversation_may_pin() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let dm = app
        .api()
        .post_json("/api/v1/dms", alice.auth(), &json!({ "user_id": bob.id }))
        .await;
    let dm = id_of(&dm.body);
    let message = id_of(&app.post_message(&alice, &dm, "remember this").await);
    assert_status(&pin(&app, &bob, &dm, &message).await, 200);
    assert_eq!(list(&app, &alice, &dm).await.array().len(), 1);
}

#[tokio::test]
async fn a_deleted_message_is_unpinned_and_cannot_be_pinned() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let message = id_of(&app.post_message(&alice, &room, "soon gone").await);
    assert_status(&pin(&app, &alice, &room, &message).await, 200);
    let deleted = app
        .api()
        .delete(&format!("/api/v1/messages/{message}"), alice.auth())
        .await;
    assert_status(&deleted, 204);
    assert_eq!(list(&app, &alice, &room).await.body, json!([]));
    assert_error(&pin(&app, &alice, &room, &message).await, 404, "not_found");
}

#[tokio::test]
async fn a_room_keeps_a_bounded_number_of_pins() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    for n in 0..50 {
        let message = id_of(&app.post_message(&alice, &room, &format!("m{n}")).await);
        assert_status(&pin(&app, &alice, &room, &message).await, 200);
    }
    let one_more = id_of(&app.post_message(&alice, &room, "one more").await);
    assert_error(
        &pin(&app, &alice, &room, &one_more).await,
        422,
        "validation_failed",
    );
}

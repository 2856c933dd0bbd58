//! Crowds (rooms from `large_room_members` up): presence does not travel
//! through them, and a read receipt goes to the reader's own devices only.

use serde_json::json;
use themechat_tests::socket::*;
use themechat_tests::*;

/// alice, bob and carol in a crowd of three (the threshold lowered to 3);
/// alice and bob also share a room of two.
async fn crowd() -> (TestApp, TestUser, TestUser, TestUser, String, String) {
    let app = spawn_app_with(|s| s.large_room_members = 3).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let crowd = app.public_room_with(&alice, "Crowd", &[&bob, &carol]).await;
    let pair = app.public_room_with(&alice, "Pair", &[&bob]).await;
    (app, alice, bob, carol, crowd, pair)
}

#[tokio::test]
async fn in_a_crowd_a_read_receipt_reaches_only_the_readers_own_devices() {
    let (app, alice, bob, _, crowd, pair) = crowd().await;
    let in_crowd = id_of(&app.post_message(&alice, &crowd, "to many").await);
    let in_pair = id_of(&app.post_message(&alice, &pair, "to one").await);
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob1 = WsClient::open(&app, &bob).await.named("bob#1");
    let mut bob2 = WsClient::open(&app, &bob).await.named("bob#2");

    bob1.read(&crowd, &in_crowd).await;
    let expected =
        json!({ "type": "read", "room_id": crowd, "user_id": bob.id, "message_id": in_crowd });
    assert_eq!(bob2.next_of_type("read", EVENT_TIMEOUT).await, expected);
    alice_ws.expect_silence(&["read"], SILENCE).await;

    // The small room still shows who has seen what.
    bob1.read(&pair, &in_pair).await;
    let expected =
        json!({ "type": "read", "room_id": pair, "user_id": bob.id, "message_id": in_pair });
    assert_eq!(alice_ws.next_of_type("read", EVENT_TIMEOUT).await, expected);
    assert_eq!(bob2.next_of_type("read", EVENT_TIMEOUT).await, expected);

    // Over REST too; and who has read what in the crowd is there when asked.
    let later = id_of(&app.post_message(&alice, &crowd, "more").await);
    let resp = app
        .post_json(
            &format!("/api/v1/rooms/{crowd}/read"),
            bob.auth(),
            &json!({ "message_id": later }),
        )
        .await;
    assert_status(&resp, 204);
    let expected =
        json!({ "type": "read", "room_id": crowd, "user_id": bob.id, "message_id": later });
    assert_eq!(bob1.next_of_type("read", EVENT_TIMEOUT).await, expected);
    alice_ws.expect_silence(&["read"], SILENCE).await;
    let markers = app
        .get(&format!("/api/v1/rooms/{crowd}/read-markers"), alice.auth())
        .await;
    assert_status(&markers, 200);
    let bobs = markers
        .body
        .as_array()
        .and_then(|all| all.iter().find(|m| m["user_id"] == bob.id.as_str()))
        .unwrap_or_else(|| panic!("bob's marker is listed: {}", markers.body));
    assert_eq!(bobs["message_id"], later.as_str(), "{}", markers.body);
}

#[tokio::test]
async fn presence_travels_through_small_rooms_but_not_through_a_crowd() {
    let (app, alice, bob, carol, crowd, _) = crowd().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;

    // carol shares only the crowd with alice.
    let _carol_ws = WsClient::open(&app, &carol).await;
    alice_ws.expect_silence(&["presence"], SILENCE).await;
    // bob shares a room of two with her as well.
    let _bob_ws = WsClient::open(&app, &bob).await;
    assert_eq!(
        alice_ws.next_of_type("presence", EVENT_TIMEOUT).await,
        json!({ "type": "presence", "user_id": bob.id, "online": true })
    );

    // The crowd's member list still says who is online.
    let members = app
        .get(&format!("/api/v1/rooms/{crowd}/members"), alice.auth())
        .await;
    assert_status(&members, 200);
    let carols = members
        .body
        .as_array()
        .and_then(|all| all.iter().find(|m| m["user"]["id"] == carol.id.as_str()))
        .unwrap_or_else(|| panic!("carol is listed: {}", members.body));
    assert_eq!(carols["online"], json!(true), "{}", members.body);
}

//! Events besides `send`: typing, read markers, and what REST changes push
//! to live connections (messages, edits, deletions, membership, rooms).

use serde_json::json;
use themechat_tests::socket::*;
use themechat_tests::*;

/// alice (owner) and bob in a public room; carol is in no room.
async fn chat() -> (TestApp, TestUser, TestUser, TestUser, String) {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;
    let bob = app.register_with("bob", Some("Bob")).await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    (app, alice, bob, carol, room)
}

// ---- typing --------------------------------------------------------------------

#[tokio::test]
async fn typing_reaches_the_other_members_but_not_the_typing_connection() {
    let (app, alice, bob, carol, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    alice_ws.typing(&room).await;

    let typing = bob_ws.next_of_type("typing", EVENT_TIMEOUT).await;
    assert_eq!(
        typing,
        json!({
            "type": "typing",
            "room_id": room,
            "user": { "id": alice.id, "username": "alice", "display_name": "Alice" },
        })
    );
    tokio::join!(
        alice_ws.expect_silence(&["typing"], SILENCE),
        carol_ws.expect_silence(&["typing"], SILENCE),
    );
}

// ---- read markers ----------------------------------------------------------------

#[tokio::test]
async fn read_goes_to_the_room_and_my_other_connections_but_not_back() {
    let (app, alice, bob, _, room) = chat().await;
    app.post_message(&alice, &room, "one").await;
    app.post_message(&alice, &room, "two").await;
    let last = id_of(&app.post_message(&alice, &room, "three").await);

    let (mut bob1, ready) = WsClient::connect_and_auth(&app, &bob).await;
    assert_eq!(ready["rooms"][0]["unread_count"], json!(3), "{ready}");
    let mut bob2 = WsClient::open(&app, &bob).await.named("bob#2");
    let mut alice_ws = WsClient::open(&app, &alice).await;

    bob1.read(&room, &last).await;

    let expected =
        json!({ "type": "read", "room_id": room, "user_id": bob.id, "message_id": last });
    assert_eq!(alice_ws.next_of_type("read", EVENT_TIMEOUT).await, expected);
    assert_eq!(bob2.next_of_type("read", EVENT_TIMEOUT).await, expected);
    bob1.expect_silence(&["read"], SILENCE).await;

    let summary = app.room_summary(&bob, &room).await;
    assert_eq!(summary["unread_count"], json!(0), "{summary}");
    assert_eq!(summary["last_read_message_id"], last.as_str(), "{summary}");
    let (_bob3, ready) = WsClient::connect_and_auth(&app, &bob).await;
    assert_eq!(ready["rooms"][0]["unread_count"], json!(0), "{ready}");
    assert_eq!(ready["rooms"][0]["last_read_message_id"], last.as_str());
}

// ---- REST changes ------------------------------------------------------------------

#[tokio::test]
async fn rest_posts_edits_and_deletions_reach_every_member_connection() {
    let (app, alice, bob, _, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let posted = app.post_message(&alice, &room, "hello").await;
    let message_id = id_of(&posted);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("message", EVENT_TIMEOUT).await;
        assert_eq!(
            event["message"], posted,
            "{}: the poster's own connections too",
            ws.label
        );
    }

    let resp = app
        .patch_json(
            &format!("/api/v1/messages/{message_id}"),
            alice.auth(),
            &json!({ "body": "hello, edited" }),
        )
        .await;
    assert_status(&resp, 200);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("message_updated", EVENT_TIMEOUT).await;
        let message = &event["message"];
        assert_eq!(message["id"], message_id.as_str(), "{event}");
        assert_eq!(message["body"], "hello, edited", "{event}");
        assert_timestamp(&message["edited_at"], "message_updated.message.edited_at");
    }

    let resp = app
        .delete(&format!("/api/v1/messages/{message_id}"), alice.auth())
        .await;
    assert_status(&resp, 204);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("message_deleted", EVENT_TIMEOUT).await;
        assert_eq!(
            event,
            json!({ "type": "message_deleted", "room_id": room, "message_id": message_id })
        );
    }
}

#[tokio::test]
async fn joining_over_rest_is_announced_and_starts_the_room_s_events_at_once() {
    let (app, alice, _, carol, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    app.join_room(&carol, &room).await;

    let joined = alice_ws.next_of_type("member_joined", EVENT_TIMEOUT).await;
    assert_eq!(joined["room_id"], room.as_str(), "{joined}");
    assert_eq!(joined["user"]["id"], carol.id.as_str(), "{joined}");
    assert_eq!(joined["user"]["username"], "carol", "{joined}");

    // Carol's connection, opened before she joined, now follows the room.
    let posted = app.post_message(&alice, &room, "welcome").await;
    let event = carol_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["id"], posted["id"]);
    carol_ws.send_message(&room, "thanks", "t-1").await;
    let ack = carol_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "t-1");
    let to_alice = alice_ws.collect(&["message"], 2, EVENT_TIMEOUT).await;
    assert_eq!(to_alice[0]["message"]["id"], posted["id"]);
    assert_eq!(to_alice[1]["message"]["id"], ack["message"]["id"]);
}

#[tokio::test]
async fn leaving_over_rest_is_announced_and_stops_the_room_s_events_at_once() {
    let (app, alice, bob, _, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let resp = app
        .post(&format!("/api/v1/rooms/{room}/leave"), bob.auth())
        .await;
    assert_status(&resp, 204);

    let left = alice_ws.next_of_type("member_left", EVENT_TIMEOUT).await;
    assert_eq!(
        left,
        json!({ "type": "member_left", "room_id": room, "user_id": bob.id })
    );

    // Posted right after the leave returned: bob's connection hears nothing.
    let posted = app.post_message(&alice, &room, "after bob left").await;
    let event = alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["id"], posted["id"]);
    bob_ws.expect_silence(&["message"], SILENCE).await;
}

#[tokio::test]
async fn a_kicked_member_s_connection_stops_receiving_the_room_at_once() {
    let (app, alice, bob, _, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let resp = app
        .delete_json(
            &format!("/api/v1/rooms/{room}/members/{}", bob.id),
            alice.auth(),
            &json!({ "ban": false }),
        )
        .await;
    assert_status(&resp, 204);

    let left = alice_ws.next_of_type("member_left", EVENT_TIMEOUT).await;
    assert_eq!(
        left,
        json!({ "type": "member_left", "room_id": room, "user_id": bob.id })
    );
    let posted = app.post_message(&alice, &room, "after the kick").await;
    let event = alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["id"], posted["id"]);
    bob_ws.expect_silence(&["message"], SILENCE).await;
    bob_ws.send_message(&room, "let me back", "k-1").await;
    let error = bob_ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_ws_error(&error, "not_a_member");
}

#[tokio::test]
async fn a_direct_conversation_opened_while_connected_is_followed_at_once() {
    let (app, alice, bob, _, _) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let resp = app
        .post_json("/api/v1/dms", alice.auth(), &json!({ "user_id": bob.id }))
        .await;
    assert_status(&resp, 201);
    let dm = id_of(&resp.body);

    let posted = app.post_message(&alice, &dm, "psst").await;
    for ws in [&mut bob_ws, &mut alice_ws] {
        let event = ws.next_of_type("message", EVENT_TIMEOUT).await;
        assert_eq!(event["message"]["id"], posted["id"], "{}", ws.label);
    }
    bob_ws.send_message(&dm, "hi", "dm-1").await;
    let ack = bob_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    let event = alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["id"], ack["message"]["id"]);
}

#[tokio::test]
async fn editing_and_deleting_a_room_reach_its_members() {
    let (app, alice, bob, carol, room) = chat().await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    let resp = app
        .patch_json(
            &format!("/api/v1/rooms/{room}"),
            alice.auth(),
            &json!({ "name": "Renamed", "topic": "new topic" }),
        )
        .await;
    assert_status(&resp, 200);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("room_updated", EVENT_TIMEOUT).await;
        assert_eq!(event["room"]["id"], room.as_str(), "{event}");
        assert_eq!(event["room"]["name"], "Renamed", "{event}");
        assert_eq!(event["room"]["topic"], "new topic", "{event}");
    }

    let resp = app
        .delete(&format!("/api/v1/rooms/{room}"), alice.auth())
        .await;
    assert_status(&resp, 204);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("room_deleted", EVENT_TIMEOUT).await;
        assert_eq!(event, json!({ "type": "room_deleted", "room_id": room }));
    }
    carol_ws
        .expect_silence(&["room_updated", "room_deleted"], SILENCE)
        .await;
}

#[tokio::test]
async fn a_room_created_while_connected_is_followed_by_that_connection() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut alice_ws = WsClient::open(&app, &alice).await;

    // Created after alice's connection opened: she is its owner and member.
    let room = id_of(&app.create_room(&alice, "Fresh", "public").await);
    app.join_room(&bob, &room).await;

    // Her own arrival is announced first (it is what makes her connection
    // follow the room), then Bob's.
    let own = alice_ws.next_of_type("member_joined", EVENT_TIMEOUT).await;
    assert_eq!(own["user"]["id"], alice.id.as_str(), "{own}");
    let joined = alice_ws.next_of_type("member_joined", EVENT_TIMEOUT).await;
    assert_eq!(joined["user"]["id"], bob.id.as_str(), "{joined}");
    let posted = app.post_message(&bob, &room, "hi alice").await;
    let event = alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["id"], posted["id"]);
}

// ---- reactions -------------------------------------------------------------------

#[tokio::test]
async fn a_reaction_reaches_the_room_over_rest_and_from_a_socket() {
    let (app, alice, bob, carol, room) = chat().await;
    let message = id_of(&app.post_message(&alice, &room, "react to me").await);
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    // Over REST: the room hears of it.
    let path = format!("/api/v1/messages/{message}/reactions/%F0%9F%91%8D");
    let put = app
        .send(app.request(reqwest::Method::PUT, &path, bob.auth()))
        .await;
    assert_status(&put, 200);
    let expected = json!({
        "type": "reaction",
        "room_id": room,
        "message_id": message,
        "user_id": bob.id,
        "emoji": "👍",
        "added": true,
        "reactions": [{ "emoji": "👍", "count": 1, "user_ids": [bob.id] }],
    });
    assert_eq!(
        alice_ws.next_of_type("reaction", EVENT_TIMEOUT).await,
        expected
    );
    assert_eq!(
        bob_ws.next_of_type("reaction", EVENT_TIMEOUT).await,
        expected
    );

    // From a socket: the sending connection gets the event as its answer.
    alice_ws
        .send_json(&json!({ "type": "unreact", "message_id": message, "emoji": "👍" }))
        .await;
    // alice had not reacted with 👍: nothing changed, nothing is announced.
    alice_ws.expect_silence(&["reaction"], SILENCE).await;
    alice_ws
        .send_json(&json!({ "type": "react", "message_id": message, "emoji": "🎉" }))
        .await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = ws.next_of_type("reaction", EVENT_TIMEOUT).await;
        assert_eq!(event["user_id"], alice.id.as_str(), "{event}");
        assert_eq!(event["emoji"], "🎉", "{event}");
        assert_eq!(
            event["reactions"][1]["user_ids"],
            json!([alice.id]),
            "{event}"
        );
    }
    carol_ws.expect_silence(&["reaction"], SILENCE).await;

    // A bad one is an error frame; nothing reaches the room.
    alice_ws
        .send_json(&json!({ "type": "react", "message_id": message, "emoji": "nope" }))
        .await;
    let error = alice_ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_ws_error(&error, "validation_failed");
    bob_ws.expect_silence(&["reaction"], SILENCE).await;
}

// ---- pins ------------------------------------------------------------------------

#[tokio::test]
async fn pins_and_unpins_reach_the_room() {
    let (app, alice, bob, carol, room) = chat().await;
    let message = id_of(&app.post_message(&bob, &room, "pin me").await);
    let mut bob_ws = WsClient::open(&app, &bob).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    let path = format!("/api/v1/rooms/{room}/pins/{message}");
    let pinned = app
        .send(app.request(reqwest::Method::PUT, &path, alice.auth()))
        .await;
    assert_status(&pinned, 200);
    let event = bob_ws.next_of_type("message_pinned", EVENT_TIMEOUT).await;
    assert_eq!(
        event,
        json!({ "type": "message_pinned", "room_id": room, "pin": pinned.body })
    );

    let unpinned = app.delete(&path, alice.auth()).await;
    assert_status(&unpinned, 204);
    let event = bob_ws.next_of_type("message_unpinned", EVENT_TIMEOUT).await;
    assert_eq!(
        event,
        json!({ "type": "message_unpinned", "room_id": room, "message_id": message })
    );
    carol_ws
        .expect_silence(&["message_pinned", "message_unpinned"], SILENCE)
        .await;
}

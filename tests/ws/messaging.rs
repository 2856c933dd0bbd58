//! `send` over the socket: acks, fan-out, idempotency, and the frames the
//! server refuses (with an `error`, or by closing).

use serde_json::{Value, json};
use themechat_tests::socket::*;
use themechat_tests::*;

/// alice (owner) and bob in a public room; carol is in no room.
struct Chat {
    app: TestApp,
    alice: TestUser,
    bob: TestUser,
    carol: TestUser,
    room: String,
}

async fn chat() -> Chat {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    Chat {
        app,
        alice,
        bob,
        carol,
        room,
    }
}

#[track_caller]
fn assert_same_message(a: &Value, b: &Value) {
    assert_eq!(a["id"], b["id"], "different messages:\n  {a}\n  {b}");
    assert_eq!(a["seq"], b["seq"], "{a}\n{b}");
    assert_eq!(a["body"], b["body"], "{a}\n{b}");
}

#[tokio::test]
async fn a_send_is_acked_to_the_sender_and_broadcast_to_everyone_else() {
    let Chat {
        app,
        alice,
        bob,
        carol,
        room,
    } = chat().await;
    let mut alice1 = WsClient::open(&app, &alice).await.named("alice#1");
    let mut alice2 = WsClient::open(&app, &alice).await.named("alice#2");
    let mut bob_ws = WsClient::open(&app, &bob).await;
    let mut carol_ws = WsClient::open(&app, &carol).await;

    alice1.send_message(&room, "hello", "c-1").await;

    let ack = alice1.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "c-1", "{ack}");
    let sent = &ack["message"];
    assert_uuid(&sent["id"], "ack.message.id");
    assert_eq!(sent["room_id"], room.as_str());
    assert_eq!(sent["seq"], json!(1));
    assert_eq!(sent["body"], "hello");
    assert_eq!(sent["client_id"], "c-1");
    assert_eq!(
        sent["sender"],
        json!({ "id": alice.id, "username": "alice", "display_name": "Alice" })
    );

    let to_bob = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_same_message(&to_bob["message"], sent);
    let to_alice2 = alice2.next_of_type("message", EVENT_TIMEOUT).await;
    assert_same_message(&to_alice2["message"], sent);

    // The sender's own connection gets no `message` for it, and a
    // non-member gets nothing at all.
    tokio::join!(
        alice1.expect_silence(&["message"], SILENCE),
        carol_ws.expect_silence(&["message", "ack"], SILENCE),
    );

    let history = app.history(&bob, &room, "").await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_same_message(&history[0], sent);
}

#[tokio::test]
async fn the_same_client_id_again_gets_the_original_ack_and_nothing_new() {
    let Chat {
        app,
        alice,
        bob,
        room,
        ..
    } = chat().await;
    let mut alice1 = WsClient::open(&app, &alice).await.named("alice#1");
    let mut alice2 = WsClient::open(&app, &alice).await.named("alice#2");
    let mut bob_ws = WsClient::open(&app, &bob).await;

    alice1.send_message(&room, "once", "dup-1").await;
    let first = alice1.next_of_type("ack", EVENT_TIMEOUT).await;
    bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    alice2.next_of_type("message", EVENT_TIMEOUT).await;

    alice1.send_message(&room, "once", "dup-1").await;
    let again = alice1.next_of_type("ack", EVENT_TIMEOUT).await;

    assert_eq!(again["client_id"], "dup-1", "{again}");
    assert_same_message(&again["message"], &first["message"]);
    tokio::join!(
        bob_ws.expect_silence(&["message"], SILENCE),
        alice2.expect_silence(&["message"], SILENCE),
        alice1.expect_silence(&["message", "ack"], SILENCE),
    );
    let history = app.history(&alice, &room, "").await;
    assert_eq!(ids(&history), [id_of(&first["message"])]);
}

#[tokio::test]
async fn ping_gets_pong() {
    let Chat { app, alice, .. } = chat().await;
    let mut ws = WsClient::open(&app, &alice).await;

    ws.send_json(&json!({ "type": "ping" })).await;

    let pong = ws.next_event(EVENT_TIMEOUT).await;
    assert_eq!(pong, json!({ "type": "pong" }));
}

#[tokio::test]
async fn malformed_frames_get_invalid_frame_and_the_connection_stays_usable() {
    let Chat {
        app, alice, room, ..
    } = chat().await;
    let mut ws = WsClient::open(&app, &alice).await;

    for bad in [
        "{not json".to_owned(),
        json!({ "type": "dance", "room_id": room }).to_string(),
        json!({ "no_type": true }).to_string(),
        json!({ "type": "send", "room_id": "not-a-uuid", "body": "x", "client_id": "x" })
            .to_string(),
    ] {
        ws.send_text(bad.clone()).await;
        let error = ws.next_of_type("error", EVENT_TIMEOUT).await;
        assert_ws_error(&error, "invalid_frame");

        ws.send_json(&json!({ "type": "ping" })).await;
        let pong = ws.next_event(EVENT_TIMEOUT).await;
        assert_eq!(
            pong["type"], "pong",
            "after {bad:?} the connection must stay usable"
        );
    }
    ws.send_message(&room, "still here", "ok-1").await;
    let ack = ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["message"]["body"], "still here");
}

#[tokio::test]
async fn sending_to_a_room_one_is_not_in_gets_not_a_member() {
    let Chat {
        app,
        alice,
        bob,
        carol,
        room: public_room,
    } = chat().await;
    let private_room = app.private_room_with(&alice, "Secret", &[&bob]).await;
    let nowhere = random_id();
    let mut ws = WsClient::open(&app, &carol).await;

    for (room, client_id) in [
        (&public_room, "p-1"),
        (&private_room, "q-1"),
        (&nowhere, "r-1"),
    ] {
        ws.send_message(room, "let me in", client_id).await;
        let error = ws.next_of_type("error", EVENT_TIMEOUT).await;
        assert_ws_error(&error, "not_a_member");
    }

    ws.expect_silence(&["ack", "message"], SILENCE).await;
    assert!(app.history(&alice, &public_room, "").await.is_empty());
    assert!(app.history(&alice, &private_room, "").await.is_empty());
}

#[tokio::test]
async fn a_body_over_4000_characters_gets_body_too_long_with_the_client_id() {
    let Chat {
        app,
        alice,
        bob,
        room,
        ..
    } = chat().await;
    let mut ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    ws.send_message(&room, &"a".repeat(4001), "long-1").await;
    let error = ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_ws_error(&error, "body_too_long");
    assert_eq!(error["client_id"], "long-1", "{error}");

    // 4000 characters is still fine (counted as characters, not bytes).
    let longest = "é".repeat(4000);
    ws.send_message(&room, &longest, "long-2").await;
    let ack = ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "long-2");
    assert_eq!(ack["message"]["body"], longest.as_str());

    let to_bob = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(
        to_bob["message"]["client_id"], "long-2",
        "only the valid one"
    );
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.len(), 1);
}

#[tokio::test]
async fn an_empty_body_gets_an_error_and_nothing_is_stored() {
    let Chat {
        app,
        alice,
        bob,
        room,
        ..
    } = chat().await;
    let mut ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    for (body, client_id) in [("", "e-1"), ("   \n\t ", "e-2")] {
        ws.send_message(&room, body, client_id).await;
        let error = ws.next_of_type("error", EVENT_TIMEOUT).await;
        assert_non_empty_str(&error["code"], "error.code");
        assert_eq!(error["client_id"], client_id, "{error}");
    }

    bob_ws.expect_silence(&["message"], SILENCE).await;
    assert!(app.history(&alice, &room, "").await.is_empty());
}

#[tokio::test]
async fn a_frame_over_64_kib_closes_the_connection_with_1009() {
    let Chat {
        app, alice, room, ..
    } = chat().await;
    let mut ws = WsClient::open(&app, &alice).await;

    // Valid JSON, but 70 KiB in one frame.
    let huge = send_frame(&room, &"x".repeat(70 * 1024), "big-1");
    ws.send_json(&huge).await;

    assert_eq!(ws.close_code(EVENT_TIMEOUT).await, Some(1009));
    assert!(app.history(&alice, &room, "").await.is_empty());
}

#[tokio::test]
async fn a_reply_is_acked_and_the_root_s_update_reaches_every_connection() {
    let Chat {
        app,
        alice,
        bob,
        room,
        ..
    } = chat().await;
    let root = app.post_message(&bob, &room, "question?").await;
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let mut frame = send_frame(&room, "answer", "re-1");
    frame["reply_to"] = root["id"].clone();
    alice_ws.send_json(&frame).await;

    let ack = alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["message"]["reply_to"], root["id"], "{ack}");
    let reply = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(reply["message"]["id"], ack["message"]["id"]);
    // The root's new reply count is news for the replier's connection too.
    for ws in [&mut alice_ws, &mut bob_ws] {
        let updated = ws.next_of_type("message_updated", EVENT_TIMEOUT).await;
        assert_eq!(
            updated["message"]["id"], root["id"],
            "{}: {updated}",
            ws.label
        );
        assert_eq!(updated["message"]["reply_count"], json!(1), "{updated}");
    }
}

#[tokio::test]
async fn a_send_carries_uploaded_files_to_every_member() {
    let Chat {
        app,
        alice,
        bob,
        room,
        ..
    } = chat().await;
    let upload = files::Upload::png("sunset.png", 30, 20);
    let attachment = app.attach(&alice, &room, &upload).await;
    let mut alice_ws = WsClient::open(&app, &alice).await.named("alice");
    let mut bob_ws = WsClient::open(&app, &bob).await.named("bob");

    alice_ws
        .send_json(&json!({
            "type": "send", "room_id": room, "body": "", "client_id": "pic-1",
            "attachments": [attachment["id"]],
        }))
        .await;
    let ack = alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["message"]["attachments"], json!([attachment]));
    let event = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(event["message"]["attachments"], json!([attachment]));

    // The same file again is refused, and says why.
    alice_ws
        .send_json(&json!({
            "type": "send", "room_id": room, "body": "again", "client_id": "pic-2",
            "attachments": [attachment["id"]],
        }))
        .await;
    let refused = alice_ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_eq!(refused["code"], "conflict");
    assert_eq!(refused["client_id"], "pic-2");
}

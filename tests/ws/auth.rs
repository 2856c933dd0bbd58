//! Signing in over the socket: the `auth` frame, the upgrade header, and
//! everything that must end in close code 4401.

use std::time::{Duration, Instant};

use serde_json::json;
use themechat_tests::socket::*;
use themechat_tests::*;

const UNAUTHORIZED: Option<u16> = Some(4401);

#[tokio::test]
async fn an_auth_frame_gets_ready_with_the_user_and_their_rooms() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    app.join_room(&bob, &room).await;
    app.post_message(&bob, &room, "one").await;
    let last = app.post_message(&bob, &room, "two").await;

    let (_ws, ready) = WsClient::connect_and_auth(&app, &alice).await;

    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["user"]["id"], alice.id.as_str(), "{ready}");
    assert_eq!(ready["user"]["username"], "alice", "{ready}");
    assert_eq!(ready["user"]["display_name"], "Alice", "{ready}");
    let rooms = ready["rooms"]
        .as_array()
        .unwrap_or_else(|| panic!("`rooms` must be an array: {ready}"));
    assert_eq!(rooms.len(), 1, "{ready}");
    let summary = &rooms[0];
    assert_has_keys(
        summary,
        &[
            "id",
            "kind",
            "name",
            "topic",
            "visibility",
            "created_at",
            "member_count",
            "my_role",
            "unread_count",
            "mention_count",
            "last_message",
            "last_read_message_id",
        ],
    );
    assert_eq!(summary["id"], room.as_str());
    assert_eq!(summary["name"], "Chat");
    assert_eq!(summary["my_role"], "owner");
    assert_eq!(summary["member_count"], json!(2));
    assert_eq!(summary["unread_count"], json!(2), "{summary}");
    assert_eq!(summary["mention_count"], json!(0), "{summary}");
    assert_eq!(summary["last_message"]["id"], last["id"], "{summary}");
    assert!(summary["last_read_message_id"].is_null(), "{summary}");
}

#[tokio::test]
async fn a_bearer_header_on_the_upgrade_gets_ready_without_an_auth_frame() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let mut ws = WsClient::connect_with_header(&app, &alice.access_token).await;

    let ready = ws.next_event(EVENT_TIMEOUT).await;
    assert_eq!(ready["type"], "ready", "{ready}");
    assert_eq!(ready["user"]["username"], "alice", "{ready}");
    assert_eq!(ready["rooms"][0]["id"], room.as_str(), "{ready}");
    // And the connection is signed in: it can use the room.
    ws.send_message(&room, "hi", "h-1").await;
    let ack = ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "h-1");
}

#[tokio::test]
async fn a_bad_token_in_the_auth_frame_gets_an_error_then_close_4401() {
    let app = spawn_app().await;

    let mut ws = WsClient::connect(&app).await;
    ws.auth("not-a-jwt").await;

    let error = ws.next_event(EVENT_TIMEOUT).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_non_empty_str(&error["code"], "error.code");
    assert_eq!(ws.close_code(EVENT_TIMEOUT).await, UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_token_in_the_header_gets_an_error_then_close_4401() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    // A real token with a broken signature.
    let forged = format!("{}x", alice.access_token);

    let mut ws = WsClient::connect_with_header(&app, &forged).await;

    let error = ws.next_event(EVENT_TIMEOUT).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(ws.close_code(EVENT_TIMEOUT).await, UNAUTHORIZED);
}

#[tokio::test]
async fn a_first_frame_other_than_auth_closes_with_4401() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let mut ws = WsClient::connect(&app).await;
    ws.send_json(&json!({ "type": "ping" })).await;
    assert_eq!(ws.close_code(EVENT_TIMEOUT).await, UNAUTHORIZED);

    let mut ws = WsClient::connect(&app).await;
    ws.send_json(&send_frame(&room, "sneaky", "s-1")).await;
    assert_eq!(ws.close_code(EVENT_TIMEOUT).await, UNAUTHORIZED);
    assert!(
        app.history(&alice, &room, "").await.is_empty(),
        "nothing may be stored from an unauthenticated connection"
    );
}

#[tokio::test]
async fn no_auth_within_the_timeout_closes_with_4401() {
    let app = spawn_app_with(|s| s.ws_auth_timeout_secs = 1).await;

    let started = Instant::now();
    let mut ws = WsClient::connect(&app).await;
    let code = ws.close_code(Duration::from_secs(10)).await;
    let waited = started.elapsed();

    assert_eq!(code, UNAUTHORIZED);
    assert!(
        waited >= Duration::from_millis(900),
        "closed after {waited:?}, before the 1 s auth timeout"
    );
}

// ---- a socket never outlives its session -------------------------------------------

/// How long a revocation may take to reach the socket.
const REVOKED_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_password_change_closes_the_other_sessions_sockets() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let laptop = app.new_session(&alice).await;
    let (mut phone_ws, _) = WsClient::connect_and_auth(&app, &alice).await;
    let (mut laptop_ws, _) = WsClient::connect_and_auth(&app, &laptop).await;

    let resp = app
        .put_json(
            "/api/v1/users/me/password",
            alice.auth(),
            &json!({ "current_password": PASSWORD, "new_password": "a brand new password" }),
        )
        .await;
    assert_status(&resp, 204);

    assert_eq!(laptop_ws.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
    // The session that changed the password keeps its socket.
    phone_ws
        .send_json(&send_frame(&room, "still here", "keep-1"))
        .await;
    let ack = phone_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "keep-1");
}

#[tokio::test]
async fn signing_out_closes_that_sessions_sockets_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let other = app.new_session(&alice).await;
    let (mut leaving, _) = WsClient::connect_and_auth(&app, &alice).await;
    let (mut staying, _) = WsClient::connect_and_auth(&app, &other).await;

    let resp = app
        .post_json(
            "/api/v1/auth/logout",
            None,
            &json!({ "refresh_token": alice.refresh_token }),
        )
        .await;
    assert_status(&resp, 204);

    assert_eq!(leaving.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
    // `ping` waits for its `pong`: the other session's socket still works.
    staying.ping().await;
}

#[tokio::test]
async fn signing_a_device_out_closes_its_sockets_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let phone = app.new_session(&alice).await;
    let (mut on_phone, _) = WsClient::connect_and_auth(&app, &phone).await;
    let (mut here, _) = WsClient::connect_and_auth(&app, &alice).await;
    let devices = app.get("/api/v1/sessions", alice.auth()).await;
    let phone_id = devices
        .array()
        .iter()
        .find(|d| d["current"] == json!(false))
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .expect("the other device");

    let resp = app
        .delete(&format!("/api/v1/sessions/{phone_id}"), alice.auth())
        .await;
    assert_status(&resp, 204);

    assert_eq!(on_phone.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
    here.ping().await;
}

#[tokio::test]
async fn deleting_the_account_closes_every_socket() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let other = app.new_session(&alice).await;
    let (mut first, _) = WsClient::connect_and_auth(&app, &alice).await;
    let (mut second, _) = WsClient::connect_and_auth(&app, &other).await;

    let resp = app
        .delete_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_status(&resp, 204);

    assert_eq!(first.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
    assert_eq!(second.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_revoked_behind_the_nodes_back_is_swept() {
    // The revocation is written straight to the database, as if its event
    // had been lost (Redis down): the periodic check still closes the socket.
    let app = spawn_app_with(|s| s.session_check_secs = 1).await;
    let alice = app.register("alice").await;
    let (mut ws, _) = WsClient::connect_and_auth(&app, &alice).await;
    app.revoke_sessions_in_storage(&alice.id).await;
    assert_eq!(ws.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
}

/// A bot token signs a socket in as its bot: with `read` it listens, it
/// acts only with `write`, and revoking it closes the socket at once.
#[tokio::test]
async fn a_bot_token_listens_acts_by_its_scopes_and_ends_when_revoked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Bots welcome", &[&bob]).await;
    let bot = app
        .post_json(
            "/api/v1/bots",
            alice.auth(),
            &json!({ "username": "watcher" }),
        )
        .await;
    assert_status(&bot, 201);
    let bot_id = id_of(&bot.body);
    let token = |scopes: &[&str]| {
        let (app, alice, bot_id) = (&app, &alice, &bot_id);
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        async move {
            let resp = app
                .post_json(
                    &format!("/api/v1/bots/{bot_id}/tokens"),
                    alice.auth(),
                    &json!({ "name": "socket", "scopes": scopes }),
                )
                .await;
            assert_status(&resp, 201);
            resp.body
        }
    };
    let writer = token(&["write"]).await;
    let joined = app
        .post(
            &format!("/api/v1/rooms/{room}/join"),
            Some(field_str(&writer, "token").as_str()),
        )
        .await;
    assert_status(&joined, 200);

    // `write` alone cannot listen.
    let mut deaf = WsClient::connect(&app).await;
    deaf.auth(&field_str(&writer, "token")).await;
    assert_ws_error(
        &deaf.next_of_type("error", EVENT_TIMEOUT).await,
        "insufficient_scope",
    );
    assert_eq!(deaf.close_code(EVENT_TIMEOUT).await, UNAUTHORIZED);

    let reader = token(&["read"]).await;
    let mut ws = WsClient::connect(&app).await;
    ws.auth(&field_str(&reader, "token")).await;
    let ready = ws.next_of_type("ready", EVENT_TIMEOUT).await;
    assert_eq!(ready["user"]["id"], bot_id.as_str());
    let said = app.post_message(&bob, &room, "hello, watcher").await;
    let heard = ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(heard["message"]["id"], said["id"]);
    ws.send_message(&room, "may I speak?", "c1").await;
    let refused = ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_ws_error(&refused, "insufficient_scope");
    assert_eq!(refused["client_id"], "c1");

    let revoked = app
        .delete(
            &format!("/api/v1/bots/{bot_id}/tokens/{}", id_of(&reader)),
            alice.auth(),
        )
        .await;
    assert_status(&revoked, 204);
    assert_eq!(ws.close_code(REVOKED_WITHIN).await, UNAUTHORIZED);
}

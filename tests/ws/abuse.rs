//! What one signed-in user may not do to the server: open sockets without
//! end, flood frames other than `send`, or keep following a room they left.

use std::time::Duration;

use serde_json::json;
use themechat_tests::socket::*;
use themechat_tests::*;

#[tokio::test]
async fn one_user_may_open_only_so_many_sockets() {
    let app = spawn_app_with(|s| s.ws_max_per_user = 3).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(WsClient::open(&app, &alice).await);
    }
    let mut extra = WsClient::connect_with_header(&app, &alice.access_token).await;
    let error = extra.next_event(EVENT_TIMEOUT).await;
    assert_ws_error(&error, "too_many_connections");
    assert_eq!(extra.close_code(EVENT_TIMEOUT).await, Some(4429));
    // Someone else is not affected, and a closed socket frees its place.
    let _bobs = WsClient::open(&app, &bob).await;
    open.pop().expect("one").close().await;
    let mut again = WsClient::open(&app, &alice).await;
    again.ping().await;
}

#[tokio::test]
async fn a_flood_of_frames_is_refused_and_the_socket_survives() {
    let app = spawn_app_with(|s| s.ws_frames_per_sec = 5).await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let mut ws = WsClient::open(&app, &alice).await;
    for _ in 0..60 {
        ws.send_json(&json!({ "type": "typing", "room_id": room }))
            .await;
    }
    let refused = ws.next_of_type("error", EVENT_TIMEOUT).await;
    assert_ws_error(&refused, "rate_limited");
    // Sends have their own limit and still get through.
    ws.send_message(&room, "still talking", "flood-1").await;
    let ack = ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "flood-1");
    // Once the client calms down, everything works again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    ws.ping().await;
}

#[tokio::test]
async fn a_membership_lost_behind_the_nodes_back_is_reconciled() {
    // The membership row goes away with no `member_left` ever published (as
    // when that event was lost with Redis): the periodic check stops the
    // room's events all the same.
    let app = spawn_app_with(|s| s.session_check_secs = 1).await;
    let owner = app.register("owner").await;
    let gone = app.register("gone").await;
    let room = id_of(&app.create_room(&owner, "Chat", "public").await);
    app.join_room(&gone, &room).await;
    let mut ws = WsClient::open(&app, &gone).await;
    app.post_message(&owner, &room, "before").await;
    let seen = ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(seen["message"]["body"], "before");

    app.remove_member_in_storage(&room, &gone.id).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.post_message(&owner, &room, "after").await;
    ws.expect_silence(&["message"], Duration::from_secs(1))
        .await;
}

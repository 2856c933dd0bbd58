//! Presence: a user is online from their first connection to their last.

use serde_json::{Value, json};
use themechat_tests::socket::*;
use themechat_tests::*;

fn member<'a>(members: &'a Value, user: &TestUser) -> &'a Value {
    members
        .as_array()
        .and_then(|list| list.iter().find(|m| m["user"]["id"] == user.id.as_str()))
        .unwrap_or_else(|| panic!("{} is not in the member list {members}", user.username))
}

#[tokio::test]
async fn co_members_see_the_first_connection_open_and_the_last_one_close() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.public_room_with(&alice, "Chat", &[&bob]).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    let alice1 = WsClient::open(&app, &alice).await.named("alice#1");
    let online = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        online,
        json!({ "type": "presence", "user_id": alice.id, "online": true })
    );

    // A second connection, opened and closed, changes nothing.
    let alice2 = WsClient::open(&app, &alice).await.named("alice#2");
    bob_ws.expect_silence(&["presence"], SILENCE).await;
    alice2.close().await;
    bob_ws.expect_silence(&["presence"], SILENCE).await;

    alice1.close().await;
    let offline = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        offline,
        json!({ "type": "presence", "user_id": alice.id, "online": false })
    );
}

#[tokio::test]
async fn presence_does_not_reach_users_who_share_nothing() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let dave = app.register("dave").await;
    app.create_room(&alice, "Alone", "public").await;
    let mut dave_ws = WsClient::open(&app, &dave).await;

    let alice_ws = WsClient::open(&app, &alice).await;
    dave_ws.expect_silence(&["presence"], SILENCE).await;
    alice_ws.close().await;
    dave_ws.expect_silence(&["presence"], SILENCE).await;
}

#[tokio::test]
async fn the_member_list_shows_who_is_connected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let path = format!("/api/v1/rooms/{room}/members");

    let alice_ws = WsClient::open(&app, &alice).await;

    let resp = app.get(&path, bob.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(
        member(&resp.body, &alice)["online"],
        json!(true),
        "{}",
        resp.body
    );
    assert_eq!(
        member(&resp.body, &bob)["online"],
        json!(false),
        "{}",
        resp.body
    );

    alice_ws.close().await;
    eventually_get(&app, &path, &bob, |members| {
        member(members, &alice)["online"] == json!(false)
    })
    .await;
}

#[tokio::test]
async fn a_connection_that_stops_answering_pings_is_dropped() {
    let app = spawn_app_with(|s| s.ws_heartbeat_secs = 1).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let mut bob_ws = WsClient::open(&app, &bob).await;

    // Alice's connection is never read again, so it never answers a ping.
    let mut alice_ws = WsClient::open(&app, &alice).await;
    let online = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(online["online"], json!(true), "{online}");

    // Bob keeps reading (and so answering pings) while he waits.
    let offline = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        offline,
        json!({ "type": "presence", "user_id": alice.id, "online": false }),
        "a connection silent for two heartbeats must be dropped"
    );
    let members = app
        .get(&format!("/api/v1/rooms/{room}/members"), bob.auth())
        .await;
    assert_eq!(member(&members.body, &alice)["online"], json!(false));
    assert_eq!(member(&members.body, &bob)["online"], json!(true));
    bob_ws.ping().await;
    // Read again, the dropped connection ends (with whatever close code).
    alice_ws.close_code(EVENT_TIMEOUT).await;
}

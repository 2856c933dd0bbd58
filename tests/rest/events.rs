//! Events without a WebSocket: a queue per client, polled with the last
//! event id it has, each poll held until something happens.

use serde_json::{Value, json};
use themechat_tests::*;

const REGISTER: &str = "/api/v1/events/register";

async fn register_queue(app: &TestApp, user: &TestUser) -> String {
    let resp = app.post(REGISTER, user.auth()).await;
    assert_status(&resp, 201);
    assert_eq!(resp.body["last_event_id"], 0);
    resp.body["queue_id"]
        .as_str()
        .expect("a queue id")
        .to_owned()
}

fn poll_path(queue: &str, last: i64, timeout: u64) -> String {
    format!("/api/v1/events?queue_id={queue}&last_event_id={last}&timeout={timeout}")
}

fn events(resp: &TestResponse) -> Vec<Value> {
    assert_status(resp, 200);
    resp.body["events"].as_array().expect("events").clone()
}

#[tokio::test]
async fn a_poll_carries_the_frames_a_socket_would_and_waits_for_the_next() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Polled", &[&bob]).await;
    let queue = register_queue(&app, &alice).await;

    // First, what a socket gets first: `ready`, with the room.
    let first = events(&app.get(&poll_path(&queue, 0, 0), alice.auth()).await);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["id"], 1);
    assert_eq!(first[0]["event"]["type"], "ready");
    assert_eq!(first[0]["event"]["rooms"][0]["id"], room.as_str());

    // A poll with nothing new waits; a message ends the wait.
    let api = app.api();
    let (token, path) = (alice.access_token.clone(), poll_path(&queue, 1, 30));
    let waiting = tokio::spawn(async move { api.get(&path, Some(&token)).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the poll waits for an event");
    let said = app.post_message(&bob, &room, "are you there?").await;
    let woken = events(&waiting.await.expect("the poll"));
    assert_eq!(woken[0]["id"], 2);
    assert_eq!(woken[0]["event"]["type"], "message");
    assert_eq!(woken[0]["event"]["message"]["id"], said["id"]);
    assert_eq!(woken[0]["event"]["message"]["body"], "are you there?");

    // With nothing new and no wait asked for, the answer is at once.
    let later = events(&app.get(&poll_path(&queue, 2, 0), alice.auth()).await);
    assert!(later.is_empty(), "{later:?}");
}

#[tokio::test]
async fn acknowledged_events_are_gone_and_ids_are_checked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Acks", &[&bob]).await;
    let queue = register_queue(&app, &alice).await;
    app.post_message(&bob, &room, "one").await;
    app.post_message(&bob, &room, "two").await;

    let mut all = Vec::new();
    while all.len() < 3 {
        let last = all
            .last()
            .map_or(0, |e: &Value| e["id"].as_i64().expect("an id"));
        all.extend(events(
            &app.get(&poll_path(&queue, last, 5), alice.auth()).await,
        ));
    }
    let ids: Vec<i64> = all
        .iter()
        .map(|e| e["id"].as_i64().expect("an id"))
        .collect();
    assert_eq!(ids, [1, 2, 3], "numbered without gaps");
    let bodies: Vec<&str> = all[1..]
        .iter()
        .map(|e| e["event"]["message"]["body"].as_str().expect("a body"))
        .collect();
    assert_eq!(bodies, ["one", "two"]);

    // Having said it has 3, the client cannot go back to 1.
    assert_status(&app.get(&poll_path(&queue, 3, 0), alice.auth()).await, 200);
    let gone = app.get(&poll_path(&queue, 1, 0), alice.auth()).await;
    assert_error(&gone, 409, "conflict");
    let ahead = app.get(&poll_path(&queue, 9, 0), alice.auth()).await;
    assert_error(&ahead, 422, "validation_failed");
}

#[tokio::test]
async fn a_queue_is_its_owners_until_deleted_or_signed_out() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let queue = register_queue(&app, &alice).await;

    assert_error(
        &app.get(&poll_path(&queue, 0, 0), bob.auth()).await,
        404,
        "not_found",
    );
    assert_error(
        &app.delete(&format!("/api/v1/events/{queue}"), bob.auth())
            .await,
        404,
        "not_found",
    );
    assert_status(
        &app.delete(&format!("/api/v1/events/{queue}"), alice.auth())
            .await,
        204,
    );
    assert_error(
        &app.get(&poll_path(&queue, 0, 0), alice.auth()).await,
        404,
        "not_found",
    );

    // Signing out ends polling with that session, as it closes sockets.
    let second = register_queue(&app, &alice).await;
    let out = app
        .post_json(
            "/api/v1/auth/logout",
            alice.auth(),
            &json!({ "refresh_token": alice.refresh_token }),
        )
        .await;
    assert_status(&out, 204);
    assert_status(&app.get(&poll_path(&second, 0, 0), alice.auth()).await, 401);
}

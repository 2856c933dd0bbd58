//! Exports: everything of mine, and a room's whole history for its owner,
//! as JSON read and written a page at a time.

use futures_util::future::join_all;
use serde_json::{Value, json};
use themechat_tests::*;

use crate::social_support::{make_friends, make_moderator};

async fn export(app: &TestApp, user: &TestUser, path: &str) -> (TestResponse, Value) {
    let resp = app.get(path, user.auth()).await;
    let parsed = serde_json::from_slice(&resp.bytes).unwrap_or(Value::Null);
    (resp, parsed)
}

#[tokio::test]
async fn my_export_holds_my_profile_friends_rooms_and_every_message_i_wrote() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;
    let bob = app.register("bob").await;
    make_friends(&app, &alice, &bob).await;
    let kept = app.public_room_with(&alice, "Kept", &[&bob]).await;
    let left = app.public_room_with(&bob, "Left", &[&alice]).await;
    let first = app.post_message(&alice, &left, "said before leaving").await;
    app.post_message(&bob, &kept, "not mine").await;
    let second = app.post_message(&alice, &kept, "still here").await;
    assert_status(
        &app.post(&format!("/api/v1/rooms/{left}/leave"), alice.auth())
            .await,
        204,
    );

    let (resp, data) = export(&app, &alice, "/api/v1/users/me/export").await;
    assert_status(&resp, 200);
    assert!(
        resp.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let disposition = resp.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("themechat-alice.json"),
        "{disposition}"
    );
    assert_eq!(data["format"], "themechat-account-export/1");
    assert_timestamp(&data["exported_at"], "exported_at");
    assert_eq!(data["profile"]["username"], "alice");
    assert_eq!(data["profile"]["display_name"], "Alice");
    let friends: Vec<&str> = data["friends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["username"].as_str().unwrap())
        .collect();
    assert_eq!(friends, ["bob"]);
    assert_eq!(
        data["rooms"],
        json!([{ "id": kept, "name": "Kept", "kind": "group" }])
    );
    // Mine only, the room I left included, oldest first.
    assert_eq!(
        ids(data["messages"].as_array().unwrap()),
        [id_of(&first), id_of(&second)]
    );
    assert_eq!(data["messages"][1]["body"], "still here");
}

#[tokio::test]
async fn a_rooms_owner_exports_its_whole_history_page_after_page() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Archive", &[&bob]).await;
    // More than two pages of 500.
    let total = 1_050;
    for chunk in (0..total).collect::<Vec<_>>().chunks(50) {
        join_all(chunk.iter().map(|&n| {
            let who = if n % 2 == 0 { &alice } else { &bob };
            let (app, room) = (&app, &room);
            async move {
                let body = format!("message {n}");
                app.post_message(who, room, &body).await
            }
        }))
        .await;
    }
    // The newest message may be either's (they were sent concurrently):
    // the owner may delete it whoever wrote it.
    let history = app.history(&alice, &room, "limit=1").await;
    let newest = id_of(&history[0]);
    assert_status(
        &app.delete(&format!("/api/v1/messages/{newest}"), alice.auth())
            .await,
        204,
    );

    let path = format!("/api/v1/rooms/{room}/export");
    let (resp, data) = export(&app, &alice, &path).await;
    assert_status(&resp, 200);
    assert_eq!(data["format"], "themechat-room-export/1");
    assert_eq!(data["room"]["id"], room.as_str());
    let messages = data["messages"].as_array().expect("the whole JSON parses");
    assert_eq!(seqs(messages), (1..=total as i64).collect::<Vec<_>>());
    assert_distinct_ids(messages);
    let last = &messages[total - 1];
    assert_eq!(last["deleted"], json!(true));
    assert_eq!(last["body"], "");

    // Only the owner; outsiders of a private room learn nothing.
    make_moderator(&app, &alice, &room, &bob).await;
    assert_error(&app.get(&path, bob.auth()).await, 403, "forbidden");
    assert_error(&app.get(&path, carol.auth()).await, 403, "not_a_member");
    let private = id_of(&app.create_room(&alice, "Secret", "private").await);
    let hidden = app
        .get(&format!("/api/v1/rooms/{private}/export"), carol.auth())
        .await;
    assert_error(&hidden, 404, "not_found");
    let (empty, data) = export(&app, &alice, &format!("/api/v1/rooms/{private}/export")).await;
    assert_status(&empty, 200);
    assert_eq!(data["messages"], json!([]));
}

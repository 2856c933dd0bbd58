//! Direct conversations: `POST /dms`, one room per pair, private to the two.

use std::collections::HashSet;

use serde_json::{Value, json};
use themechat_tests::*;

use crate::social_support::*;

fn direct_rooms(rooms: &[Value]) -> Vec<Value> {
    rooms
        .iter()
        .filter(|r| r["kind"] == "direct")
        .cloned()
        .collect()
}

#[tokio::test]
async fn opening_a_direct_room_creates_it_once() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice Liddell")).await;
    let bob = app.register_with("bob", Some("Bob Dylan")).await;

    let resp = try_open_dm(&app, &alice, &bob.id).await;

    assert_status(&resp, 201);
    let room = &resp.body;
    assert_uuid(&room["id"], "room.id");
    assert_eq!(room["kind"], "direct");
    assert_eq!(room["member_count"], json!(2));
    assert_eq!(room["name"], "Bob Dylan", "named for the other person");
    assert_eq!(room["visibility"], "private");
    assert_timestamp(&room["created_at"], "room.created_at");
    assert_has_keys(room, &["topic", "my_role"]);
    let room_id = id_of(room);

    // Again, from either side: 200 with the same room.
    let resp = try_open_dm(&app, &bob, &alice.id).await;
    assert_status(&resp, 200);
    assert_eq!(id_of(&resp.body), room_id);
    assert_eq!(resp.body["kind"], "direct");
    assert_eq!(
        resp.body["name"], "Alice Liddell",
        "named for the other person"
    );
    assert_eq!(resp.body["member_count"], json!(2));

    let resp = try_open_dm(&app, &alice, &bob.id).await;
    assert_status(&resp, 200);
    assert_eq!(id_of(&resp.body), room_id);
    assert_eq!(resp.body["name"], "Bob Dylan");

    // GET /rooms/{id} names it per viewer as well.
    let for_alice = app.get(&room_path(&room_id), alice.auth()).await;
    assert_status(&for_alice, 200);
    assert_eq!(for_alice.body["name"], "Bob Dylan");
    let for_bob = app.get(&room_path(&room_id), bob.auth()).await;
    assert_status(&for_bob, 200);
    assert_eq!(for_bob.body["name"], "Alice Liddell");
}

#[tokio::test]
async fn the_two_members_are_exactly_the_pair() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.register("carol").await;
    let room = open_dm(&app, &alice, &bob).await;

    let resp = app
        .get(&format!("{}/members", room_path(&room)), bob.auth())
        .await;

    assert_status(&resp, 200);
    let mut members: Vec<String> = resp
        .array()
        .iter()
        .map(|m| field_str(&m["user"], "id"))
        .collect();
    members.sort();
    let mut pair = vec![alice.id.clone(), bob.id.clone()];
    pair.sort();
    assert_eq!(members, pair);
}

#[tokio::test]
async fn each_pair_gets_its_own_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;

    let ab = open_dm(&app, &alice, &bob).await;
    let ac = open_dm(&app, &alice, &carol).await;
    let bc = open_dm(&app, &carol, &bob).await;

    let distinct: HashSet<&String> = [&ab, &ac, &bc].into_iter().collect();
    assert_eq!(distinct.len(), 3, "{ab} {ac} {bc}");
    let for_alice = direct_rooms(&app.my_rooms(&alice).await);
    let mut got = ids(&for_alice);
    got.sort();
    let mut expected = vec![ab, ac];
    expected.sort();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn concurrent_first_opens_make_exactly_one_room() {
    let app = spawn_app().await;
    // Run the race a few times: once is often not enough to lose it.
    for round in 0..3 {
        let alice = app.register(&format!("alice{round}")).await;
        let bob = app.register(&format!("bob{round}")).await;

        let answers = all_at_once(10, |n| {
            let api = app.api();
            let (me, other) = if n % 2 == 0 {
                (alice.clone(), bob.id.clone())
            } else {
                (bob.clone(), alice.id.clone())
            };
            async move {
                api.post_json("/api/v1/dms", me.auth(), &json!({ "user_id": other }))
                    .await
            }
        })
        .await;

        for resp in &answers {
            assert!(
                resp.status == 200 || resp.status == 201,
                "every call must succeed, got {}",
                resp.describe()
            );
        }
        let rooms: HashSet<String> = answers.iter().map(|r| id_of(&r.body)).collect();
        assert_eq!(rooms.len(), 1, "one pair, one room: {rooms:?}");
        let created = answers.iter().filter(|r| r.status == 201).count();
        assert_eq!(created, 1, "exactly one call creates the room");
        let room = rooms.into_iter().next().unwrap();
        for user in [&alice, &bob] {
            let direct = direct_rooms(&app.my_rooms(user).await);
            assert_eq!(ids(&direct), std::slice::from_ref(&room));
            assert_eq!(direct[0]["member_count"], json!(2));
        }
    }
}

#[tokio::test]
async fn a_direct_room_is_in_both_room_lists_with_unread_counts() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice A")).await;
    let bob = app.register_with("bob", Some("Bob B")).await;
    let room = open_dm(&app, &alice, &bob).await;

    // Listed at once, before anything was said.
    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["kind"], "direct");
    assert_eq!(for_bob["unread_count"], json!(0));

    app.post_message(&alice, &room, "hello bob").await;
    let last = app.post_message(&alice, &room, "are you there?").await;

    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["name"], "Alice A");
    assert_eq!(for_bob["member_count"], json!(2));
    assert_eq!(for_bob["unread_count"], json!(2), "{for_bob}");
    assert_eq!(for_bob["last_message"]["id"], last["id"]);
    let for_alice = app.room_summary(&alice, &room).await;
    assert_eq!(for_alice["name"], "Bob B");
    assert_eq!(
        for_alice["unread_count"],
        json!(0),
        "own messages are not unread"
    );

    app.mark_read(&bob, &room, &id_of(&last)).await;
    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["unread_count"], json!(0), "{for_bob}");
}

#[tokio::test]
async fn both_members_can_talk_in_a_direct_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &alice, &bob).await;

    app.post_message(&alice, &room, "hi").await;
    app.post_message(&bob, &room, "hello").await;

    for user in [&alice, &bob] {
        let history = app.history(user, &room, "").await;
        let bodies: Vec<&Value> = history.iter().map(|m| &m["body"]).collect();
        assert_eq!(bodies, [&json!("hi"), &json!("hello")]);
        assert_eq!(seqs(&history), [1, 2]);
    }
}

#[tokio::test]
async fn outsiders_cannot_see_a_direct_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let room = open_dm(&app, &alice, &bob).await;
    let message = id_of(&app.post_message(&alice, &room, "just us").await);
    let path = room_path(&room);

    let answers = [
        app.get(&path, eve.auth()).await,
        app.get(&format!("{path}/messages"), eve.auth()).await,
        app.post_json(
            &format!("{path}/messages"),
            eve.auth(),
            &json!({ "body": "let me in" }),
        )
        .await,
        app.get(&format!("{path}/members"), eve.auth()).await,
        app.post(&format!("{path}/join"), eve.auth()).await,
        app.get(&format!("/api/v1/messages/{message}/thread"), eve.auth())
            .await,
        app.get(
            &format!("/api/v1/search/messages?q=just&room_id={room}"),
            eve.auth(),
        )
        .await,
    ];
    for resp in &answers {
        assert_error(resp, 404, "not_found");
    }
    // Nor is it offered anywhere.
    assert!(app.my_rooms(&eve).await.is_empty());
    assert!(
        app.explore(&eve, "")
            .await
            .iter()
            .all(|r| r["id"] != room.as_str()),
        "a direct room is never in Explore"
    );
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.len(), 1, "nothing was added: {history:?}");
}

#[tokio::test]
async fn a_direct_room_cannot_be_moderated_or_joined_by_invite() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = open_dm(&app, &alice, &bob).await;

    let resp = try_invite(&app, &alice, &room, &carol.id).await;
    assert!(
        resp.status == 403 || resp.status == 404,
        "no invites into a direct room: {}",
        resp.describe()
    );
    let resp = try_kick(&app, &alice, &room, &bob.id).await;
    assert!(
        resp.status == 403 || resp.status == 404,
        "nobody is kicked from a direct room: {}",
        resp.describe()
    );
    let resp = try_join(&app, &carol, &room).await;
    assert_error(&resp, 404, "not_found");
    let count = app.get(&room_path(&room), alice.auth()).await;
    assert_eq!(count.body["member_count"], json!(2));
}

#[tokio::test]
async fn a_direct_room_to_oneself_is_a_validation_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = try_open_dm(&app, &alice, &alice.id).await;

    assert_error(&resp, 422, "validation_failed");
    assert!(app.my_rooms(&alice).await.is_empty());
}

#[tokio::test]
async fn a_direct_room_with_an_unknown_user_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = try_open_dm(&app, &alice, &random_id()).await;

    assert_error(&resp, 404, "not_found");
    assert!(app.my_rooms(&alice).await.is_empty());
}

#[tokio::test]
async fn dms_need_a_token_and_a_valid_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let resp = app
        .post_json("/api/v1/dms", None, &json!({ "user_id": bob.id }))
        .await;
    assert_error_status(&resp, 401);
    for body in [
        json!({}),
        json!({ "user_id": "bob" }),
        json!({ "user_id": null }),
    ] {
        let resp = app.post_json("/api/v1/dms", alice.auth(), &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
    let resp = app
        .post_raw("/api/v1/dms", alice.auth(), "{not json", "application/json")
        .await;
    assert_error(&resp, 400, "bad_request");
}

#[tokio::test]
async fn a_member_who_left_is_brought_back_by_reopening() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &alice, &bob).await;
    app.post_message(&alice, &room, "before you left").await;

    leave_room(&app, &bob, &room).await;
    assert!(direct_rooms(&app.my_rooms(&bob).await).is_empty());

    // Either side reopening gives the same room, with both in it again.
    let resp = try_open_dm(&app, &alice, &bob.id).await;
    assert_status(&resp, 200);
    assert_eq!(id_of(&resp.body), room);
    assert_eq!(resp.body["member_count"], json!(2));
    let history = app.history(&bob, &room, "").await;
    assert_eq!(history[0]["body"], "before you left");
}

#[tokio::test]
async fn concurrent_reopens_after_leaving_all_succeed() {
    let app = spawn_app().await;
    // Run the race a few times: once is often not enough to lose it.
    for round in 0..5 {
        let alice = app.register(&format!("alice{round}")).await;
        let bob = app.register(&format!("bob{round}")).await;
        let room = open_dm(&app, &alice, &bob).await;
        leave_room(&app, &bob, &room).await;

        let answers = all_at_once(10, |n| {
            let api = app.api();
            let (me, other) = if n % 2 == 0 {
                (alice.clone(), bob.id.clone())
            } else {
                (bob.clone(), alice.id.clone())
            };
            async move {
                api.post_json("/api/v1/dms", me.auth(), &json!({ "user_id": other }))
                    .await
            }
        })
        .await;

        assert_no_server_errors(&answers);
        for resp in &answers {
            assert_status(resp, 200);
            assert_eq!(id_of(&resp.body), room);
        }
        let resp = app.get(&room_path(&room), alice.auth()).await;
        assert_eq!(resp.body["member_count"], json!(2));
    }
}

#[tokio::test]
async fn a_deleted_account_cannot_be_messaged_befriended_or_blocked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let resp = app
        .delete_json(
            "/api/v1/users/me",
            bob.auth(),
            &json!({ "password": bob.password }),
        )
        .await;
    assert_status(&resp, 204);

    assert_error(&try_open_dm(&app, &alice, &bob.id).await, 404, "not_found");
    assert_error(
        &request_friend(&app, &alice, &bob.id).await,
        404,
        "not_found",
    );
    assert_error(&try_block(&app, &alice, &bob.id).await, 404, "not_found");
}

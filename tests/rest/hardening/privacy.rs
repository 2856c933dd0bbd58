//! Privacy, blocking, mentions and lists of people in pages.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::{
    all_notifications, block, kinds, make_friends, of_kind, open_dm, try_open_dm,
};

// ---- privacy -------------------------------------------------------------------------

async fn friends_only(app: &TestApp, user: &TestUser) {
    let resp = app
        .patch_json(
            "/api/v1/users/me",
            user.auth(),
            &json!({ "bio": "secret bio", "interests": ["secrets"], "profile_visibility": "friends" }),
        )
        .await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn a_friends_only_profile_does_not_leak_through_the_member_list() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let shy = app.register("shy").await;
    let pal = app.register("pal").await;
    friends_only(&app, &shy).await;
    make_friends(&app, &shy, &pal).await;
    let room = id_of(&app.create_room(&owner, "Members room", "public").await);
    app.join_room(&shy, &room).await;
    app.join_room(&pal, &room).await;

    let member_of = |list: &[serde_json::Value]| {
        list.iter()
            .find(|m| m["user"]["id"] == shy.id.as_str())
            .cloned()
            .expect("shy is listed")
    };
    let path = format!("/api/v1/rooms/{room}/members");
    let as_stranger = app.get(&path, owner.auth()).await;
    assert_status(&as_stranger, 200);
    let seen = member_of(as_stranger.array());
    assert_ne!(seen["user"]["bio"], "secret bio", "{seen}");
    assert_ne!(seen["user"]["interests"], json!(["secrets"]), "{seen}");

    let as_friend = app.get(&path, pal.auth()).await;
    let seen = member_of(as_friend.array());
    assert_eq!(seen["user"]["bio"], "secret bio", "a friend sees it all");
}

// ---- blocking ------------------------------------------------------------------------

#[tokio::test]
async fn a_block_closes_an_existing_direct_conversation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let dm = open_dm(&app, &alice, &bob).await;
    app.post_message(&bob, &dm, "hello before").await;

    block(&app, &alice, &bob).await;

    let path = format!("/api/v1/rooms/{dm}/messages");
    let from_bob = app
        .post_json(&path, bob.auth(), &json!({ "body": "still there?" }))
        .await;
    assert_error(&from_bob, 403, "blocked");
    let from_alice = app
        .post_json(&path, alice.auth(), &json!({ "body": "bye" }))
        .await;
    assert_error(&from_alice, 403, "blocked");
    assert_eq!(app.history(&alice, &dm, "").await.len(), 1);
    assert_error(&try_open_dm(&app, &bob, &alice.id).await, 403, "blocked");

    // Unblocked, they talk again.
    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    let again = app
        .post_json(&path, bob.auth(), &json!({ "body": "friends again" }))
        .await;
    assert_status(&again, 201);
}

#[tokio::test]
async fn invites_from_a_blocked_user_never_reach_the_blocker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let pest = app.register("pest").await;
    block(&app, &alice, &pest).await;
    for n in 0..3 {
        let room = id_of(
            &app.create_room(&pest, &format!("Pest room {n}"), "private")
                .await,
        );
        let resp = app
            .post_json(
                &format!("/api/v1/rooms/{room}/invites"),
                pest.auth(),
                &json!({ "user_id": alice.id }),
            )
            .await;
        assert_error(&resp, 403, "blocked");
    }
    let list = all_notifications(&app, &alice).await;
    assert!(
        of_kind(&list, "room_invite").is_empty(),
        "{:?}",
        kinds(&list)
    );
}

#[tokio::test]
async fn a_repeated_invite_notifies_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Invite room", "private").await);
    for _ in 0..3 {
        let resp = app
            .post_json(
                &format!("/api/v1/rooms/{room}/invites"),
                alice.auth(),
                &json!({ "user_id": bob.id }),
            )
            .await;
        assert!(
            resp.status == 200 || resp.status == 201,
            "{}",
            resp.describe()
        );
    }
    let list = all_notifications(&app, &bob).await;
    assert_eq!(of_kind(&list, "room_invite").len(), 1, "{:?}", kinds(&list));
}

// ---- mentions ------------------------------------------------------------------------

#[tokio::test]
async fn one_message_notifies_at_most_twenty_mentioned_people() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Crowd", "public").await);
    let mut crowd = Vec::new();
    for n in 0..22 {
        let user = app.register(&format!("crowd{n:02}")).await;
        app.join_room(&user, &room).await;
        crowd.push(user);
    }
    let body: String = crowd.iter().map(|u| format!("@{} ", u.username)).collect();
    app.post_message(&alice, &room, &body).await;

    let mut notified = 0;
    for user in &crowd {
        if !of_kind(&all_notifications(&app, user).await, "mention").is_empty() {
            notified += 1;
        }
    }
    assert_eq!(notified, 20);
}

// ---- lists of people come in pages ---------------------------------------------------

/// Pages through `path` with `limit` and `after` (the id at `id_of`).
async fn all_pages(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    key: impl Fn(&serde_json::Value) -> String,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(id) => format!("limit=2&after={id}"),
            None => "limit=2".to_owned(),
        };
        let resp = app.get(&with_query(path, &query), user.auth()).await;
        assert_status(&resp, 200);
        let page: Vec<String> = resp.array().iter().map(&key).collect();
        assert!(page.len() <= 2, "{path}: a page over the limit: {page:?}");
        if page.is_empty() {
            return seen;
        }
        after = page.last().cloned();
        seen.extend(page);
    }
}

#[tokio::test]
async fn members_friends_and_read_markers_come_in_pages() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let room = id_of(&app.create_room(&owner, "Paged", "public").await);
    let message = id_of(&app.post_message(&owner, &room, "read me").await);
    let mut everyone = vec![owner.id.clone()];
    for n in 0..4 {
        let user = app.register(&format!("pal{n}")).await;
        app.join_room(&user, &room).await;
        app.mark_read(&user, &room, &message).await;
        make_friends(&app, &owner, &user).await;
        everyone.push(user.id.clone());
    }
    let resp = app
        .put_json(
            &format!("/api/v1/rooms/{room}/members/{}/role", everyone[3]),
            owner.auth(),
            &json!({ "role": "moderator" }),
        )
        .await;
    assert_status(&resp, 200);

    let members = all_pages(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/members"),
        |m| field_str(&m["user"], "id"),
    )
    .await;
    let whole = app
        .get(&format!("/api/v1/rooms/{room}/members"), owner.auth())
        .await;
    let whole: Vec<String> = whole
        .array()
        .iter()
        .map(|m| field_str(&m["user"], "id"))
        .collect();
    assert_eq!(members, whole, "pages in order add up to the list");
    assert_eq!(members.len(), 5);
    assert_eq!(members[0], owner.id, "the owner first");
    assert_eq!(members[1], everyone[3], "then the moderator");

    let friends = all_pages(&app, &owner, "/api/v1/friends", |u| field_str(u, "id")).await;
    let mut expected: Vec<String> = everyone[1..].to_vec();
    expected.sort();
    let mut got = friends.clone();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(friends.len(), 4);

    let markers = all_pages(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/read-markers"),
        |m| field_str(m, "user_id"),
    )
    .await;
    assert_eq!(markers.len(), 4, "{markers:?}");
    let distinct: std::collections::HashSet<&String> = markers.iter().collect();
    assert_eq!(distinct.len(), 4);

    // An unknown cursor is a 404, like a message cursor.
    let resp = app
        .get(
            &format!("/api/v1/rooms/{room}/members?after={}", random_id()),
            owner.auth(),
        )
        .await;
    assert_error(&resp, 404, "not_found");
}

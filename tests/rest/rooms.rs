//! Rooms: creation, Explore, access, editing, membership and the room list.

use std::collections::HashSet;

use serde_json::{Value, json};
use themechat_tests::*;

fn room_path(room_id: &str) -> String {
    format!("/api/v1/rooms/{room_id}")
}

fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|item| item["id"] == id)
}

// ---- creation ------------------------------------------------------------------

#[tokio::test]
async fn creating_a_room_makes_the_creator_its_owner() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "name": "Tea Lovers", "topic": "all about tea", "visibility": "public" }),
        )
        .await;

    assert_status(&resp, 201);
    let room = &resp.body;
    assert_uuid(&room["id"], "room.id");
    assert_eq!(room["kind"], "group");
    assert_eq!(room["name"], "Tea Lovers");
    assert_eq!(room["topic"], "all about tea");
    assert_eq!(room["visibility"], "public");
    assert_eq!(room["my_role"], "owner");
    assert_eq!(room["member_count"], json!(1));
    assert_timestamp(&room["created_at"], "room.created_at");
}

#[tokio::test]
async fn a_private_room_can_be_created() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let room = app.create_room(&alice, "Secret Club", "private").await;

    assert_eq!(room["visibility"], "private");
    assert_eq!(room["my_role"], "owner");
    assert_eq!(room["member_count"], json!(1));
}

#[tokio::test]
async fn room_names_must_be_1_to_64_characters() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let too_long = "r".repeat(65);

    for name in ["", too_long.as_str()] {
        let resp = app
            .post_json(
                "/api/v1/rooms",
                alice.auth(),
                &json!({ "name": name, "visibility": "public" }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
    let longest = "r".repeat(64);
    app.create_room(&alice, &longest, "public").await;
}

#[tokio::test]
async fn an_unknown_visibility_is_rejected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "name": "Odd", "visibility": "secret" }),
        )
        .await;

    assert_error(&resp, 422, "validation_failed");
}

// ---- Explore ----------------------------------------------------------------------

#[tokio::test]
async fn explore_lists_public_rooms_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let public = id_of(&app.create_room(&alice, "Public Alpha", "public").await);
    let private = id_of(&app.create_room(&alice, "Secret Beta", "private").await);

    let for_bob = app.explore(&bob, "").await;
    let listed =
        find(&for_bob, &public).unwrap_or_else(|| panic!("public room missing: {for_bob:?}"));
    assert_eq!(listed["name"], "Public Alpha");
    assert_eq!(listed["member_count"], json!(1));
    assert_eq!(listed["joined"], json!(false));
    assert!(
        find(&for_bob, &private).is_none(),
        "private room listed: {for_bob:?}"
    );

    // Not even its own members see a private room in Explore.
    let for_alice = app.explore(&alice, "").await;
    let listed =
        find(&for_alice, &public).unwrap_or_else(|| panic!("public room missing: {for_alice:?}"));
    assert_eq!(listed["joined"], json!(true));
    assert!(
        find(&for_alice, &private).is_none(),
        "private room listed: {for_alice:?}"
    );
}

#[tokio::test]
async fn explore_shows_membership_changes() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Busy Place", &[&bob]).await;

    let for_bob = app.explore(&bob, "").await;

    let listed = find(&for_bob, &room).unwrap_or_else(|| panic!("room missing: {for_bob:?}"));
    assert_eq!(listed["member_count"], json!(2));
    assert_eq!(listed["joined"], json!(true));
}

#[tokio::test]
async fn explore_filters_by_query() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let lovers = id_of(&app.create_room(&alice, "Rust Lovers", "public").await);
    let beginners = id_of(&app.create_room(&alice, "Rust Beginners", "public").await);
    let gophers = id_of(&app.create_room(&alice, "Go Gophers", "public").await);

    let found = ids(&app.explore(&alice, "q=Rust").await);

    assert!(found.contains(&lovers), "{found:?}");
    assert!(found.contains(&beginners), "{found:?}");
    assert!(!found.contains(&gophers), "{found:?}");
    let nothing = app.explore(&alice, "q=nomatchxyz").await;
    assert!(nothing.is_empty(), "{nothing:?}");
}

#[tokio::test]
async fn explore_limits_and_pages_without_overlap() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut created = HashSet::new();
    for n in 1..=7 {
        created.insert(id_of(
            &app.create_room(&alice, &format!("Room {n}"), "public")
                .await,
        ));
    }
    app.create_room(&alice, "Hidden", "private").await;

    // An oversized limit is clamped, not an error.
    let everything = ids(&app.explore(&alice, "limit=500").await);
    assert_eq!(everything.iter().cloned().collect::<HashSet<_>>(), created);
    assert_eq!(everything.len(), 7);

    let first = ids(&app.explore(&alice, "limit=3").await);
    assert_eq!(first.len(), 3, "{first:?}");
    let second = ids(&app
        .explore(&alice, &format!("limit=3&before={}", first[2]))
        .await);
    assert_eq!(second.len(), 3, "{second:?}");
    let third = ids(&app
        .explore(&alice, &format!("limit=3&before={}", second[2]))
        .await);
    assert_eq!(third.len(), 1, "{third:?}");
    let after_last = app
        .explore(&alice, &format!("limit=3&before={}", third[0]))
        .await;
    assert!(after_last.is_empty(), "{after_last:?}");

    let paged: Vec<String> = first.into_iter().chain(second).chain(third).collect();
    assert_eq!(
        paged, everything,
        "pages must follow the list's order without overlap or gaps"
    );
}

// ---- reading a room ------------------------------------------------------------------

#[tokio::test]
async fn any_user_can_read_a_public_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);

    let resp = app.get(&room_path(&room), bob.auth()).await;

    assert_status(&resp, 200);
    assert_eq!(resp.body["id"], room.as_str());
    assert_eq!(resp.body["name"], "Open");
    assert!(
        resp.body["my_role"].is_null(),
        "bob is no member: {}",
        resp.body
    );
}

#[tokio::test]
async fn reading_a_room_needs_a_token() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);

    let resp = app.get(&room_path(&room), None).await;

    assert_error_status(&resp, 401);
}

#[tokio::test]
async fn a_private_room_is_invisible_to_outsiders() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let eve = app.register("eve").await;
    let room = id_of(&app.create_room(&alice, "Secret", "private").await);
    let message = id_of(&app.post_message(&alice, &room, "classified").await);
    let path = room_path(&room);

    let answers = [
        app.get(&path, eve.auth()).await,
        app.patch_json(&path, eve.auth(), &json!({ "name": "Mine now" }))
            .await,
        app.delete(&path, eve.auth()).await,
        app.post(&format!("{path}/join"), eve.auth()).await,
        app.post(&format!("{path}/leave"), eve.auth()).await,
        app.get(&format!("{path}/members"), eve.auth()).await,
        app.get(&format!("{path}/messages"), eve.auth()).await,
        app.post_json(
            &format!("{path}/messages"),
            eve.auth(),
            &json!({ "body": "hi" }),
        )
        .await,
        app.get(&format!("{path}/read-markers"), eve.auth()).await,
        app.post_json(
            &format!("{path}/read"),
            eve.auth(),
            &json!({ "message_id": message }),
        )
        .await,
        app.post_json(
            &format!("{path}/invites"),
            eve.auth(),
            &json!({ "user_id": eve.id }),
        )
        .await,
        app.get(&format!("/api/v1/messages/{message}/thread"), eve.auth())
            .await,
    ];

    for resp in &answers {
        assert_error(resp, 404, "not_found");
    }
    // The owner still sees it, unchanged.
    let resp = app.get(&path, alice.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["name"], "Secret");
}

#[tokio::test]
async fn an_unknown_room_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app.get(&room_path(&random_id()), alice.auth()).await;

    assert_error(&resp, 404, "not_found");
}

// ---- editing and deleting ------------------------------------------------------------------

#[tokio::test]
async fn the_owner_can_edit_the_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Old Name", "public").await);

    let resp = app
        .patch_json(
            &room_path(&room),
            alice.auth(),
            &json!({ "name": "New Name", "topic": "fresh" }),
        )
        .await;

    assert_status(&resp, 200);
    assert_eq!(resp.body["name"], "New Name");
    assert_eq!(resp.body["topic"], "fresh");
    assert_eq!(resp.body["visibility"], "public");
    let reread = app.get(&room_path(&room), alice.auth()).await;
    assert_eq!(reread.body["name"], "New Name");
}

#[tokio::test]
async fn room_edits_are_validated() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Name", "public").await);

    for body in [
        json!({ "name": "" }),
        json!({ "name": "r".repeat(65) }),
        json!({ "visibility": "secret" }),
    ] {
        let resp = app.patch_json(&room_path(&room), alice.auth(), &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn a_plain_member_cannot_edit_the_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Alice's", &[&bob]).await;

    let resp = app
        .patch_json(&room_path(&room), bob.auth(), &json!({ "name": "Bob's" }))
        .await;

    assert_error(&resp, 403, "forbidden");
    let reread = app.get(&room_path(&room), alice.auth()).await;
    assert_eq!(reread.body["name"], "Alice's");
}

#[tokio::test]
async fn only_the_owner_can_delete_a_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Doomed", &[&bob]).await;

    let resp = app.delete(&room_path(&room), bob.auth()).await;
    assert_error(&resp, 403, "forbidden");

    let resp = app.delete(&room_path(&room), alice.auth()).await;
    assert_status(&resp, 204);

    for user in [&alice, &bob] {
        let resp = app.get(&room_path(&room), user.auth()).await;
        assert_error(&resp, 404, "not_found");
    }
    assert!(find(&app.my_rooms(&bob).await, &room).is_none());
    assert!(find(&app.explore(&bob, "").await, &room).is_none());
}

// ---- joining, inviting and leaving ----------------------------------------------------------

#[tokio::test]
async fn joining_a_public_room_is_idempotent() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);

    let joined = app.join_room(&bob, &room).await;
    assert_eq!(joined["id"], room.as_str());
    assert_eq!(joined["my_role"], "member");
    assert_eq!(joined["member_count"], json!(2));

    let again = app.join_room(&bob, &room).await;
    assert_eq!(again["my_role"], "member");
    assert_eq!(again["member_count"], json!(2));

    // The owner "joining" stays the owner.
    let owner = app.join_room(&alice, &room).await;
    assert_eq!(owner["my_role"], "owner");
    assert_eq!(owner["member_count"], json!(2));
}

#[tokio::test]
async fn joining_a_private_room_needs_an_invite() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Club", "private").await);

    let resp = app
        .post(&format!("{}/join", room_path(&room)), bob.auth())
        .await;
    assert_error(&resp, 404, "not_found");

    app.invite(&alice, &room, &bob.id).await;
    let joined = app.join_room(&bob, &room).await;
    assert_eq!(joined["my_role"], "member");
    assert_eq!(joined["member_count"], json!(2));

    let resp = app.get(&room_path(&room), bob.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["visibility"], "private");
}

#[tokio::test]
async fn a_plain_member_cannot_invite() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.private_room_with(&alice, "Club", &[&bob]).await;

    let resp = app
        .post_json(
            &format!("{}/invites", room_path(&room)),
            bob.auth(),
            &json!({ "user_id": carol.id }),
        )
        .await;
    assert_error(&resp, 403, "forbidden");

    let resp = app
        .post(&format!("{}/join", room_path(&room)), carol.auth())
        .await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn leaving_a_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Open", &[&bob]).await;
    let leave = format!("{}/leave", room_path(&room));

    let resp = app.post(&leave, bob.auth()).await;
    assert_status(&resp, 204);

    let seen_by_alice = app.get(&room_path(&room), alice.auth()).await;
    assert_eq!(seen_by_alice.body["member_count"], json!(1));
    let seen_by_bob = app.get(&room_path(&room), bob.auth()).await;
    assert_status(&seen_by_bob, 200);
    assert!(
        seen_by_bob.body["my_role"].is_null(),
        "{}",
        seen_by_bob.body
    );
    assert!(find(&app.my_rooms(&bob).await, &room).is_none());
    let members = app
        .get(&format!("{}/members", room_path(&room)), bob.auth())
        .await;
    assert_error(&members, 403, "not_a_member");

    // Leaving a public room one is not in: 204.
    let resp = app.post(&leave, bob.auth()).await;
    assert_status(&resp, 204);
}

#[tokio::test]
async fn leaving_a_private_room_one_is_not_in_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Club", "private").await);

    let resp = app
        .post(&format!("{}/leave", room_path(&room)), bob.auth())
        .await;

    assert_error(&resp, 404, "not_found");
}

// ---- members ---------------------------------------------------------------------------------

#[tokio::test]
async fn members_lists_users_with_roles() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Open", &[&bob]).await;

    let resp = app
        .get(&format!("{}/members", room_path(&room)), bob.auth())
        .await;

    assert_status(&resp, 200);
    let members = resp.array();
    assert_eq!(members.len(), 2, "{members:?}");
    for member in members {
        assert_has_keys(member, &["user", "role", "joined_at", "online"]);
        assert_has_keys(&member["user"], &["id", "username", "display_name"]);
        assert_timestamp(&member["joined_at"], "joined_at");
        assert!(member["online"].is_boolean(), "{member}");
    }
    let role_of = |user: &TestUser| {
        members
            .iter()
            .find(|m| m["user"]["id"] == user.id.as_str())
            .map(|m| m["role"].clone())
            .unwrap_or_else(|| panic!("{} is not listed in {members:?}", user.username))
    };
    assert_eq!(role_of(&alice), "owner");
    assert_eq!(role_of(&bob), "member");
}

#[tokio::test]
async fn members_of_a_public_room_are_for_members_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let carol = app.register("carol").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);

    let resp = app
        .get(&format!("{}/members", room_path(&room)), carol.auth())
        .await;

    assert_error(&resp, 403, "not_a_member");
}

// ---- notification level ------------------------------------------------------------------------

#[tokio::test]
async fn the_notification_level_can_be_set() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);
    let path = format!("{}/notification-level", room_path(&room));

    for level in ["mentions", "none", "all"] {
        let resp = app
            .put_json(&path, alice.auth(), &json!({ "level": level }))
            .await;
        assert_status(&resp, 200);
    }
    for body in [json!({ "level": "loud" }), json!({ "level": 3 }), json!({})] {
        let resp = app.put_json(&path, alice.auth(), &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
}

// ---- the caller's room list ---------------------------------------------------------------------

#[tokio::test]
async fn my_rooms_lists_summaries_by_latest_activity() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let a = id_of(&app.create_room(&alice, "Room A", "public").await);
    let b = id_of(&app.create_room(&alice, "Room B", "private").await);
    let c = id_of(&app.create_room(&alice, "Room C", "public").await);
    app.post_message(&alice, &b, "in b").await;
    let newest = app.post_message(&alice, &a, "in a").await;

    let rooms = app.my_rooms(&alice).await;

    assert_eq!(
        ids(&rooms),
        [a.clone(), b.clone(), c.clone()],
        "newest activity first"
    );
    let summary = find(&rooms, &a).unwrap();
    assert_eq!(summary["name"], "Room A");
    assert_eq!(summary["kind"], "group");
    assert_eq!(summary["my_role"], "owner");
    assert_eq!(summary["member_count"], json!(1));
    assert_eq!(summary["unread_count"], json!(0));
    assert_eq!(summary["mention_count"], json!(0));
    assert_eq!(summary["last_message"]["id"], newest["id"]);
    assert_eq!(summary["last_message"]["body"], "in a");
    assert_has_keys(summary, &["last_read_message_id"]);
    let quiet = find(&rooms, &c).unwrap();
    assert!(quiet["last_message"].is_null(), "{quiet}");
    assert!(quiet["last_read_message_id"].is_null(), "{quiet}");

    // A new message moves its room to the top.
    app.post_message(&alice, &c, "in c").await;
    let rooms = app.my_rooms(&alice).await;
    assert_eq!(ids(&rooms), [c, a, b]);
}

#[tokio::test]
async fn my_rooms_lists_only_rooms_i_am_in() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let joined = app.public_room_with(&alice, "Joined", &[&bob]).await;
    app.create_room(&alice, "Not joined", "public").await;
    app.create_room(&alice, "Private", "private").await;

    let rooms = app.my_rooms(&bob).await;

    assert_eq!(ids(&rooms), [joined]);
    assert_eq!(rooms[0]["my_role"], "member");
}

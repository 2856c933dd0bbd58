//! `GET /users/me/activity`: a person's own history, newest first.

use serde_json::Value;
use themechat_tests::*;

use crate::social_support::*;

/// `(kind, room_id, other_user_id)` of each entry, nulls as `None`.
fn summary(items: &[Value]) -> Vec<(String, Option<String>, Option<String>)> {
    items
        .iter()
        .map(|a| {
            (
                field_str(a, "kind"),
                a["room_id"].as_str().map(str::to_owned),
                a["other_user_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn entry(
    kind: &str,
    room: Option<&str>,
    other: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        kind.to_owned(),
        room.map(str::to_owned),
        other.map(str::to_owned),
    )
}

#[tokio::test]
async fn registering_records_a_login() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let list = activity(&app, &alice, "").await;

    assert_eq!(summary(&list), [entry("login", None, None)]);
    let first = &list[0];
    assert_eq!(
        keys(first),
        set(&["id", "kind", "room_id", "other_user_id", "created_at"]),
        "{first}"
    );
    assert_uuid(&first["id"], "activity.id");
    assert_timestamp(&first["created_at"], "activity.created_at");
}

#[tokio::test]
async fn logins_are_recorded_but_refreshes_are_not() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let resp = app.refresh(&alice.refresh_token).await;
    assert_status(&resp, 200);
    let second = app.new_session(&alice).await;

    let list = activity(&app, &second, "").await;

    assert_eq!(
        summary(&list),
        [entry("login", None, None), entry("login", None, None)]
    );
    // Both sessions see the same history.
    assert_eq!(ids(&activity(&app, &alice, "").await), ids(&list));
}

#[tokio::test]
async fn joins_and_leaves_are_recorded_with_the_room() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let one = id_of(&app.create_room(&owner, "One", "public").await);
    let two = id_of(&app.create_room(&owner, "Two", "public").await);

    app.join_room(&alice, &one).await;
    app.join_room(&alice, &two).await;
    leave_room(&app, &alice, &one).await;

    let list = activity(&app, &alice, "").await;
    assert_eq!(
        summary(&list),
        [
            entry("leave", Some(&one), None),
            entry("join", Some(&two), None),
            entry("join", Some(&one), None),
            entry("login", None, None),
        ],
        "newest first"
    );
    // Joining again while a member changes nothing.
    app.join_room(&alice, &two).await;
    assert_eq!(activity(&app, &alice, "").await.len(), 4);
}

#[tokio::test]
async fn kicks_and_bans_are_recorded_for_the_removed_user() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let alice = app.register("alice").await;
    let room = app
        .public_room_with(&owner, "Strict", &[&moderator, &alice])
        .await;
    make_moderator(&app, &owner, &room, &moderator).await;

    assert_status(&try_kick(&app, &moderator, &room, &alice.id).await, 204);
    app.join_room(&alice, &room).await;
    assert_status(&try_ban(&app, &owner, &room, &alice.id, "spam").await, 204);

    let list = activity(&app, &alice, "").await;
    let entries = summary(&list);
    assert_eq!(entries.len(), 5, "{list:?}");
    assert_eq!(
        entries[..3]
            .iter()
            .map(|e| e.0.as_str())
            .collect::<Vec<_>>(),
        ["banned", "join", "kicked"]
    );
    assert_eq!(entries[0].1.as_deref(), Some(room.as_str()));
    assert_eq!(entries[2].1.as_deref(), Some(room.as_str()));
    assert_eq!(entries[1], entry("join", Some(&room), None));
    assert_eq!(
        entries[3..].to_vec(),
        [entry("join", Some(&room), None), entry("login", None, None)]
    );
    // The actors' own histories do not get the victim's entries.
    let for_owner = summary(&activity(&app, &owner, "").await);
    assert!(
        for_owner.iter().all(|e| e.0 != "banned" && e.0 != "kicked"),
        "{for_owner:?}"
    );
}

#[tokio::test]
async fn kicks_and_bans_name_who_did_it() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let alice = app.register("alice").await;
    let room = app
        .public_room_with(&owner, "Strict", &[&moderator, &alice])
        .await;
    make_moderator(&app, &owner, &room, &moderator).await;
    assert_status(&try_kick(&app, &moderator, &room, &alice.id).await, 204);
    app.join_room(&alice, &room).await;
    assert_status(&try_ban(&app, &owner, &room, &alice.id, "spam").await, 204);

    let entries = summary(&activity(&app, &alice, "limit=3").await);

    // `other_user_id` of a kick or ban is, when given, the one who did it.
    let (banned, kicked) = (&entries[0], &entries[2]);
    assert_eq!(banned.0, "banned");
    assert_eq!(kicked.0, "kicked");
    if let Some(actor) = &banned.2 {
        assert_eq!(actor, &owner.id);
    }
    if let Some(actor) = &kicked.2 {
        assert_eq!(actor, &moderator.id);
    }
}

#[tokio::test]
async fn friend_events_are_recorded_for_both_sides() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;

    make_friends(&app, &alice, &bob).await;
    // A mutual request befriends too.
    send_friend_request(&app, &carol, &alice).await;
    assert_status(&request_friend(&app, &alice, &carol.id).await, 200);
    let resp = app
        .delete(&format!("/api/v1/friends/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);

    assert_eq!(
        summary(&activity(&app, &alice, "").await),
        [
            entry("friend_removed", None, Some(&bob.id)),
            entry("friend_added", None, Some(&carol.id)),
            entry("friend_added", None, Some(&bob.id)),
            entry("login", None, None),
        ]
    );
    assert_eq!(
        summary(&activity(&app, &bob, "").await),
        [
            entry("friend_removed", None, Some(&alice.id)),
            entry("friend_added", None, Some(&alice.id)),
            entry("login", None, None),
        ]
    );
    assert_eq!(
        summary(&activity(&app, &carol, "").await),
        [
            entry("friend_added", None, Some(&alice.id)),
            entry("login", None, None),
        ]
    );
}

#[tokio::test]
async fn a_block_that_ends_a_friendship_records_its_removal() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    make_friends(&app, &alice, &bob).await;

    block(&app, &alice, &bob).await;

    let for_bob = summary(&activity(&app, &bob, "limit=1").await);
    assert_eq!(for_bob, [entry("friend_removed", None, Some(&alice.id))]);
    let for_alice = summary(&activity(&app, &alice, "limit=1").await);
    assert_eq!(for_alice, [entry("friend_removed", None, Some(&bob.id))]);
}

#[tokio::test]
async fn declined_and_cancelled_requests_add_no_friend_events() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let first = id_of(&send_friend_request(&app, &alice, &bob).await);
    let resp = app
        .post(
            &format!("/api/v1/friends/requests/{first}/decline"),
            bob.auth(),
        )
        .await;
    assert_status(&resp, 204);
    let second = id_of(&send_friend_request(&app, &alice, &bob).await);
    let resp = app
        .delete(&format!("/api/v1/friends/requests/{second}"), alice.auth())
        .await;
    assert_status(&resp, 204);

    for user in [&alice, &bob] {
        assert_eq!(
            summary(&activity(&app, user, "").await),
            [entry("login", None, None)]
        );
    }
}

#[tokio::test]
async fn activity_pages_with_before_and_limit() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&owner, "Revolving", "public").await);
    for _ in 0..3 {
        app.join_room(&alice, &room).await;
        leave_room(&app, &alice, &room).await;
    }
    // login + 3 joins + 3 leaves
    let all = ids(&activity(&app, &alice, "").await);
    assert_eq!(all.len(), 7, "{all:?}");

    let first = ids(&activity(&app, &alice, "limit=3").await);
    assert_eq!(first, all[..3]);
    let second = ids(&activity(&app, &alice, &format!("limit=3&before={}", first[2])).await);
    assert_eq!(second, all[3..6]);
    let third = ids(&activity(&app, &alice, &format!("limit=3&before={}", second[2])).await);
    assert_eq!(third, all[6..]);
    assert!(
        activity(&app, &alice, &format!("before={}", third[0]))
            .await
            .is_empty()
    );
    assert_eq!(ids(&activity(&app, &alice, "limit=1000").await), all);
    let kinds: Vec<String> = activity(&app, &alice, "")
        .await
        .iter()
        .map(|a| field_str(a, "kind"))
        .collect();
    assert_eq!(
        kinds,
        ["leave", "join", "leave", "join", "leave", "join", "login"]
    );
}

#[tokio::test]
async fn activity_is_private_to_its_user() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Alice's", "public").await);

    let for_bob = summary(&activity(&app, &bob, "").await);

    assert_eq!(for_bob, [entry("login", None, None)]);
    app.join_room(&bob, &room).await;
    let for_alice = summary(&activity(&app, &alice, "").await);
    assert_eq!(for_alice.last(), Some(&entry("login", None, None)));
    assert!(
        for_alice.iter().all(|e| e.0 == "login" || e.0 == "join"),
        "bob's join is not in alice's history: {for_alice:?}"
    );
    assert!(for_alice.len() <= 2, "{for_alice:?}");
    let for_bob = summary(&activity(&app, &bob, "").await);
    assert_eq!(
        for_bob,
        [entry("join", Some(&room), None), entry("login", None, None)]
    );
    assert_error_status(&app.get("/api/v1/users/me/activity", None).await, 401);
}

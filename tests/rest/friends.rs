//! Friends: requests, accepting, declining, cancelling, removing, and the
//! friends-only profile.

use serde_json::{Value, json};
use themechat_tests::*;

use crate::social_support::*;

fn request_path(request_id: &str) -> String {
    format!("/api/v1/friends/requests/{request_id}")
}

#[track_caller]
fn assert_request_shape(request: &Value, from: &TestUser, to: &TestUser) {
    assert_eq!(
        keys(request),
        set(&["id", "from", "to", "created_at"]),
        "a FriendRequest is exactly {{id, from, to, created_at}}: {request}"
    );
    assert_uuid(&request["id"], "request.id");
    assert_timestamp(&request["created_at"], "request.created_at");
    assert_eq!(request["from"]["id"], from.id.as_str(), "{request}");
    assert_eq!(request["from"]["username"], from.username.as_str());
    assert_eq!(request["to"]["id"], to.id.as_str(), "{request}");
    assert_eq!(request["to"]["username"], to.username.as_str());
    for side in ["from", "to"] {
        assert_has_keys(
            &request[side],
            &["id", "username", "display_name", "avatar_url", "online"],
        );
    }
}

// ---- sending, listing, answering --------------------------------------------------

#[tokio::test]
async fn a_friend_request_is_listed_for_both_sides() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let resp = request_friend(&app, &alice, &bob.id).await;

    assert_status(&resp, 201);
    let request = resp.body;
    assert_request_shape(&request, &alice, &bob);

    let (incoming, outgoing) = pending_requests(&app, &bob).await;
    assert_eq!(ids(&incoming), [id_of(&request)], "bob's incoming");
    assert!(outgoing.is_empty(), "bob's outgoing: {outgoing:?}");
    assert_request_shape(&incoming[0], &alice, &bob);

    let (incoming, outgoing) = pending_requests(&app, &alice).await;
    assert!(incoming.is_empty(), "alice's incoming: {incoming:?}");
    assert_eq!(ids(&outgoing), [id_of(&request)], "alice's outgoing");
    assert_request_shape(&outgoing[0], &alice, &bob);

    // Not friends yet.
    assert!(friend_ids(&app, &alice).await.is_empty());
    assert!(friend_ids(&app, &bob).await.is_empty());
}

#[tokio::test]
async fn accepting_makes_both_friends() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice A")).await;
    let bob = app.register_with("bob", Some("Bob B")).await;
    let request = send_friend_request(&app, &alice, &bob).await;

    let resp = accept_request(&app, &bob, &id_of(&request)).await;

    assert_status(&resp, 200);
    // The answer is the new friend.
    assert_eq!(resp.body["id"], alice.id.as_str(), "{}", resp.describe());

    let for_alice = friends_of(&app, &alice).await;
    assert_eq!(ids(&for_alice), std::slice::from_ref(&bob.id));
    assert_eq!(for_alice[0]["username"], "bob");
    assert_eq!(for_alice[0]["display_name"], "Bob B");
    assert!(for_alice[0]["online"].is_boolean(), "{}", for_alice[0]);
    let for_bob = friends_of(&app, &bob).await;
    assert_eq!(ids(&for_bob), std::slice::from_ref(&alice.id));
    assert!(for_bob[0]["online"].is_boolean(), "{}", for_bob[0]);

    // The request is gone from both lists.
    for user in [&alice, &bob] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
    }
    // ... and cannot be accepted twice.
    let again = accept_request(&app, &bob, &id_of(&request)).await;
    assert_error(&again, 404, "not_found");
}

#[tokio::test]
async fn declining_deletes_the_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let request = id_of(&send_friend_request(&app, &alice, &bob).await);

    let resp = app
        .post(&format!("{}/decline", request_path(&request)), bob.auth())
        .await;

    assert_status(&resp, 204);
    for user in [&alice, &bob] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
        assert!(friend_ids(&app, user).await.is_empty());
    }
    let resp = accept_request(&app, &bob, &request).await;
    assert_error(&resp, 404, "not_found");
    // Alice may ask again.
    send_friend_request(&app, &alice, &bob).await;
}

#[tokio::test]
async fn the_sender_can_cancel_a_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let request = id_of(&send_friend_request(&app, &alice, &bob).await);

    // The recipient cannot cancel; they decline instead.
    let resp = app.delete(&request_path(&request), bob.auth()).await;
    assert_error(&resp, 403, "forbidden");

    let resp = app.delete(&request_path(&request), alice.auth()).await;
    assert_status(&resp, 204);

    for user in [&alice, &bob] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
    }
    let resp = accept_request(&app, &bob, &request).await;
    assert_error(&resp, 404, "not_found");
    let resp = app.delete(&request_path(&request), alice.auth()).await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn a_mutual_request_makes_both_friends_at_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let first = send_friend_request(&app, &alice, &bob).await;

    let resp = request_friend(&app, &bob, &alice.id).await;

    assert_status(&resp, 200);
    assert_has_keys(&resp.body, &["id", "from", "to", "created_at"]);
    assert_eq!(
        friend_ids(&app, &alice).await,
        std::slice::from_ref(&bob.id)
    );
    assert_eq!(
        friend_ids(&app, &bob).await,
        std::slice::from_ref(&alice.id)
    );
    for user in [&alice, &bob] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
    }
    let resp = accept_request(&app, &bob, &id_of(&first)).await;
    assert_error(&resp, 404, "not_found");
}

// ---- refusals -----------------------------------------------------------------------

#[tokio::test]
async fn befriending_oneself_is_a_validation_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = request_friend(&app, &alice, &alice.id).await;

    assert_error(&resp, 422, "validation_failed");
    let (incoming, outgoing) = pending_requests(&app, &alice).await;
    assert!(incoming.is_empty() && outgoing.is_empty());
}

#[tokio::test]
async fn asking_a_friend_again_is_already_friends() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    make_friends(&app, &alice, &bob).await;

    for (from, to) in [(&alice, &bob), (&bob, &alice)] {
        let resp = request_friend(&app, from, &to.id).await;
        assert_error(&resp, 409, "already_friends");
    }
    let (incoming, _) = pending_requests(&app, &bob).await;
    assert!(incoming.is_empty(), "{incoming:?}");
}

#[tokio::test]
async fn a_second_pending_request_is_already_requested() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let first = send_friend_request(&app, &alice, &bob).await;

    let resp = request_friend(&app, &alice, &bob.id).await;

    assert_error(&resp, 409, "already_requested");
    let (incoming, _) = pending_requests(&app, &bob).await;
    assert_eq!(ids(&incoming), [id_of(&first)]);
}

#[tokio::test]
async fn the_sender_cannot_accept_or_decline_their_own_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let request = id_of(&send_friend_request(&app, &alice, &bob).await);

    let resp = accept_request(&app, &alice, &request).await;
    assert_error(&resp, 403, "forbidden");
    let resp = app
        .post(&format!("{}/decline", request_path(&request)), alice.auth())
        .await;
    assert_error(&resp, 403, "forbidden");

    assert!(friend_ids(&app, &alice).await.is_empty());
    let (incoming, _) = pending_requests(&app, &bob).await;
    assert_eq!(ids(&incoming), [request]);
}

#[tokio::test]
async fn a_third_party_cannot_see_or_touch_a_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let request = id_of(&send_friend_request(&app, &alice, &bob).await);

    let answers = [
        accept_request(&app, &eve, &request).await,
        app.post(&format!("{}/decline", request_path(&request)), eve.auth())
            .await,
        app.delete(&request_path(&request), eve.auth()).await,
    ];
    for resp in &answers {
        assert_error(resp, 404, "not_found");
    }
    let (incoming, outgoing) = pending_requests(&app, &eve).await;
    assert!(incoming.is_empty() && outgoing.is_empty());
    // Untouched: bob can still accept it.
    let resp = accept_request(&app, &bob, &request).await;
    assert_status(&resp, 200);
    assert!(friend_ids(&app, &eve).await.is_empty());
}

#[tokio::test]
async fn unknown_users_and_requests_are_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let unknown = random_id();

    let answers = [
        request_friend(&app, &alice, &unknown).await,
        accept_request(&app, &alice, &unknown).await,
        app.post(&format!("{}/decline", request_path(&unknown)), alice.auth())
            .await,
        app.delete(&request_path(&unknown), alice.auth()).await,
        app.delete(&format!("/api/v1/friends/{unknown}"), alice.auth())
            .await,
    ];
    for resp in &answers {
        assert_error(resp, 404, "not_found");
    }
}

#[tokio::test]
async fn friend_routes_need_a_token_and_a_valid_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    assert_error_status(&app.get("/api/v1/friends", None).await, 401);
    assert_error_status(&app.get("/api/v1/friends/requests", None).await, 401);
    let resp = app
        .post_json(
            "/api/v1/friends/requests",
            None,
            &json!({ "user_id": alice.id }),
        )
        .await;
    assert_error_status(&resp, 401);

    for body in [
        json!({}),
        json!({ "user_id": "not-a-uuid" }),
        json!({ "user_id": 7 }),
    ] {
        let resp = app
            .post_json("/api/v1/friends/requests", alice.auth(), &body)
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
}

// ---- removing ------------------------------------------------------------------------

#[tokio::test]
async fn removing_a_friend_ends_it_for_both() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    make_friends(&app, &alice, &bob).await;
    make_friends(&app, &alice, &carol).await;

    let resp = app
        .delete(&format!("/api/v1/friends/{}", alice.id), bob.auth())
        .await;

    assert_status(&resp, 204);
    assert_eq!(
        friend_ids(&app, &alice).await,
        std::slice::from_ref(&carol.id)
    );
    assert!(friend_ids(&app, &bob).await.is_empty());
    assert_eq!(
        friend_ids(&app, &carol).await,
        std::slice::from_ref(&alice.id)
    );
    // No longer a friend: nothing to remove.
    let resp = app
        .delete(&format!("/api/v1/friends/{}", bob.id), alice.auth())
        .await;
    assert_error(&resp, 404, "not_found");
    // They may become friends again.
    make_friends(&app, &bob, &alice).await;
    assert!(friend_ids(&app, &bob).await.contains(&alice.id));
}

#[tokio::test]
async fn the_friend_list_is_not_someone_elses() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    make_friends(&app, &alice, &bob).await;
    make_friends(&app, &carol, &alice).await;
    make_friends(&app, &carol, &dave).await;

    let mut mine = friend_ids(&app, &alice).await;
    mine.sort();
    let mut expected = vec![bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(mine, expected);
    assert_eq!(
        friend_ids(&app, &bob).await,
        std::slice::from_ref(&alice.id)
    );
    assert_eq!(
        friend_ids(&app, &dave).await,
        std::slice::from_ref(&carol.id)
    );
}

// ---- friends-only profiles --------------------------------------------------------------

#[tokio::test]
async fn a_friends_only_profile_shows_its_bio_to_friends_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let resp = app
        .patch_json(
            "/api/v1/users/me",
            bob.auth(),
            &json!({
                "bio": "Only for friends",
                "interests": ["chess"],
                "profile_visibility": "friends",
            }),
        )
        .await;
    assert_status(&resp, 200);
    let profile = format!("/api/v1/users/{}", bob.id);

    let stranger = app.get(&profile, alice.auth()).await;
    assert_status(&stranger, 200);
    assert_lacks_keys(&stranger.body, &["bio", "interests", "created_at"]);
    assert_eq!(stranger.body["username"], "bob");

    make_friends(&app, &alice, &bob).await;
    let friend = app.get(&profile, alice.auth()).await;
    assert_status(&friend, 200);
    assert_eq!(friend.body["bio"], "Only for friends", "{}", friend.body);
    assert_eq!(friend.body["interests"], json!(["chess"]));

    // The friends list shows a friend's full profile too.
    let listed = friends_of(&app, &alice).await;
    assert_eq!(listed[0]["bio"], "Only for friends", "{}", listed[0]);

    // No longer a friend: the bio is hidden again.
    let resp = app
        .delete(&format!("/api/v1/friends/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    let stranger = app.get(&profile, alice.auth()).await;
    assert_lacks_keys(&stranger.body, &["bio", "interests"]);
}

// ---- at the same time ------------------------------------------------------------------

#[tokio::test]
async fn concurrent_duplicate_requests_make_one_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let answers = all_at_once(8, |_| {
        let (api, alice, bob) = (app.api(), alice.clone(), bob.id.clone());
        async move {
            api.post_json(
                "/api/v1/friends/requests",
                alice.auth(),
                &json!({ "user_id": bob }),
            )
            .await
        }
    })
    .await;

    assert_no_server_errors(&answers);
    assert_eq!(
        answers.iter().filter(|r| r.status == 201).count(),
        1,
        "exactly one request is created"
    );
    for resp in answers.iter().filter(|r| r.status != 201) {
        assert_error(resp, 409, "already_requested");
    }
    let (incoming, _) = pending_requests(&app, &bob).await;
    assert_eq!(incoming.len(), 1, "{incoming:?}");
    assert_eq!(all_notifications(&app, &bob).await.len(), 1);
}

/// How many times each race is run: once is often not enough to lose it.
const ROUNDS: usize = 5;

#[tokio::test]
async fn concurrent_accepts_of_one_request_befriend_once() {
    let app = spawn_app().await;
    for round in 0..ROUNDS {
        let alice = app.register(&format!("alice{round}")).await;
        let bob = app.register(&format!("bob{round}")).await;
        let request = id_of(&send_friend_request(&app, &alice, &bob).await);

        // A double (or sextuple) click on "accept".
        let answers = all_at_once(6, |_| {
            let (api, bob, request) = (app.api(), bob.clone(), request.clone());
            async move {
                api.post(
                    &format!("/api/v1/friends/requests/{request}/accept"),
                    bob.auth(),
                )
                .await
            }
        })
        .await;

        assert_no_server_errors(&answers);
        assert!(
            answers.iter().any(|r| r.status == 200),
            "one accept must succeed"
        );
        for resp in answers.iter().filter(|r| r.status != 200) {
            assert_error(resp, 404, "not_found");
        }
        assert_eq!(
            friend_ids(&app, &alice).await,
            std::slice::from_ref(&bob.id)
        );
        assert_eq!(
            friend_ids(&app, &bob).await,
            std::slice::from_ref(&alice.id)
        );
        let added = activity(&app, &bob, "")
            .await
            .iter()
            .filter(|a| a["kind"] == "friend_added")
            .count();
        assert_eq!(added, 1, "one friendship, one friend_added");
        let accepted = of_kind(&all_notifications(&app, &alice).await, "friend_accepted");
        assert_eq!(accepted.len(), 1, "{accepted:?}");
    }
}

#[tokio::test]
async fn crossing_requests_at_the_same_moment_end_as_friends() {
    let app = spawn_app().await;
    for round in 0..2 * ROUNDS {
        let a = app.register(&format!("left{round}")).await;
        let b = app.register(&format!("right{round}")).await;

        let answers = all_at_once(2, |i| {
            let api = app.api();
            let (me, other) = if i == 0 {
                (a.clone(), b.id.clone())
            } else {
                (b.clone(), a.id.clone())
            };
            async move {
                api.post_json(
                    "/api/v1/friends/requests",
                    me.auth(),
                    &json!({ "user_id": other }),
                )
                .await
            }
        })
        .await;
        assert_no_server_errors(&answers);

        // Either the second request found the first (friends now), or one of
        // them is still pending; never two requests crossing each other.
        let friends = friend_ids(&app, &a).await;
        let (incoming, outgoing) = pending_requests(&app, &a).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert!(
            friends == std::slice::from_ref(&b.id) && incoming.is_empty() && outgoing.is_empty()
                || friends.is_empty() && incoming.len() + outgoing.len() == 1,
            "round {round}: answers {statuses:?}, then {} friends, {} incoming and {} \
             outgoing requests: two requests cross each other and neither befriended",
            friends.len(),
            incoming.len(),
            outgoing.len()
        );
    }
}

/// Issue 23, item 11: a friend request's notification asks a question;
/// once answered (accepted or declined, from any page or device) it no
/// longer counts as unread.
#[tokio::test]
async fn answering_a_friend_request_clears_its_notification() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let carol = app.register("carol").await;
    let bob = app.register("bob").await;
    let unread_requests = |items: &[Value]| {
        of_kind(items, "friend_request")
            .iter()
            .filter(|n| n["read"] == false)
            .count()
    };

    let from_alice = send_friend_request(&app, &alice, &bob).await;
    let from_carol = send_friend_request(&app, &carol, &bob).await;
    let (items, unread) = notifications(&app, &bob, "limit=200").await;
    assert_eq!((unread, unread_requests(&items)), (2, 2));

    assert_status(&accept_request(&app, &bob, &id_of(&from_alice)).await, 200);
    let (items, unread) = notifications(&app, &bob, "limit=200").await;
    assert_eq!(
        (unread, unread_requests(&items)),
        (1, 1),
        "accepted: Alice's request no longer waits in the bell"
    );

    let declined = app
        .post(
            &format!("{}/decline", request_path(&id_of(&from_carol))),
            bob.auth(),
        )
        .await;
    assert!(declined.status < 300, "{}", declined.describe());
    let (items, unread) = notifications(&app, &bob, "limit=200").await;
    assert_eq!(
        (unread, unread_requests(&items)),
        (0, 0),
        "declined: Carol's request no longer waits either"
    );
}

//! Blocking: what a block stops, what it ends, and unblocking.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

#[tokio::test]
async fn a_block_stops_friend_requests_both_ways() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let resp = try_block(&app, &alice, &bob.id).await;
    assert_status(&resp, 204);
    assert!(resp.text.is_empty(), "204 has no body: {}", resp.describe());

    // The blocked user cannot ask the blocker...
    let resp = request_friend(&app, &bob, &alice.id).await;
    assert_error(&resp, 403, "blocked");
    // ... nor the blocker the blocked.
    let resp = request_friend(&app, &alice, &bob.id).await;
    assert_error(&resp, 403, "blocked");

    for user in [&alice, &bob] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
    }
}

#[tokio::test]
async fn a_block_stops_direct_conversations_both_ways() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;

    let resp = try_open_dm(&app, &bob, &alice.id).await;
    assert_error(&resp, 403, "blocked");
    let resp = try_open_dm(&app, &alice, &bob.id).await;
    assert_error(&resp, 403, "blocked");

    for user in [&alice, &bob] {
        let direct: Vec<_> = app
            .my_rooms(user)
            .await
            .into_iter()
            .filter(|r| r["kind"] == "direct")
            .collect();
        assert!(direct.is_empty(), "no direct room may exist: {direct:?}");
    }
}

#[tokio::test]
async fn an_existing_direct_room_cannot_be_reopened_after_a_block() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    open_dm(&app, &alice, &bob).await;

    block(&app, &bob, &alice).await;

    for (user, other) in [(&alice, &bob), (&bob, &alice)] {
        let resp = try_open_dm(&app, user, &other.id).await;
        assert_error(&resp, 403, "blocked");
    }
}

#[tokio::test]
async fn a_block_ends_a_friendship() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    make_friends(&app, &alice, &bob).await;
    make_friends(&app, &alice, &carol).await;

    block(&app, &bob, &alice).await;

    assert_eq!(
        friend_ids(&app, &alice).await,
        std::slice::from_ref(&carol.id)
    );
    assert!(friend_ids(&app, &bob).await.is_empty());
}

#[tokio::test]
async fn a_block_deletes_pending_requests_either_way() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    // bob asked alice; alice asked carol; dave asked alice.
    let from_bob = id_of(&send_friend_request(&app, &bob, &alice).await);
    let to_carol = id_of(&send_friend_request(&app, &alice, &carol).await);
    let from_dave = id_of(&send_friend_request(&app, &dave, &alice).await);

    block(&app, &alice, &bob).await;
    block(&app, &carol, &alice).await;

    let (incoming, outgoing) = pending_requests(&app, &alice).await;
    assert_eq!(ids(&incoming), [from_dave], "only dave's request is left");
    assert!(outgoing.is_empty(), "{outgoing:?}");
    for user in [&bob, &carol] {
        let (incoming, outgoing) = pending_requests(&app, user).await;
        assert!(
            incoming.is_empty() && outgoing.is_empty(),
            "{incoming:?} {outgoing:?}"
        );
    }
    for request in [from_bob, to_carol] {
        let resp = accept_request(&app, &alice, &request).await;
        assert_error(&resp, 404, "not_found");
    }
}

#[tokio::test]
async fn a_blocked_users_mention_is_shown_but_does_not_notify() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Shared", &[&bob]).await;
    block(&app, &alice, &bob).await;

    let message = app.post_message(&bob, &room, "hey @alice look").await;

    // Stored and shown to everyone, the blocker included.
    let history = app.history(&alice, &room, "").await;
    assert_eq!(ids(&history), [id_of(&message)]);
    assert_eq!(history[0]["body"], "hey @alice look");
    // No notification, no mention count.
    let (list, unread) = notifications(&app, &alice, "").await;
    assert!(of_kind(&list, "mention").is_empty(), "{list:?}");
    assert_eq!(unread, 0, "{list:?}");
    let summary = app.room_summary(&alice, &room).await;
    assert_eq!(summary["mention_count"], json!(0), "{summary}");
    assert_eq!(summary["unread_count"], json!(1), "{summary}");
}

#[tokio::test]
async fn a_blocked_users_message_in_an_old_direct_room_does_not_notify() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &bob, &alice).await;
    block(&app, &alice, &bob).await;

    // Either refused outright, or stored without notifying the blocker.
    let resp = app
        .post_json(
            &format!("{}/messages", room_path(&room)),
            bob.auth(),
            &json!({ "body": "@alice are you there?" }),
        )
        .await;
    if resp.status != 201 {
        assert_error(&resp, 403, "blocked");
    }

    let (list, unread) = notifications(&app, &alice, "").await;
    assert!(
        list.is_empty(),
        "the blocker must not be notified: {list:?}"
    );
    assert_eq!(unread, 0);
}

#[tokio::test]
async fn mentions_notify_again_after_an_unblock() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Shared", &[&bob]).await;
    block(&app, &alice, &bob).await;
    app.post_message(&bob, &room, "@alice one").await;

    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    let second = app.post_message(&bob, &room, "@alice two").await;

    let (list, _) = notifications(&app, &alice, "").await;
    let mentions = of_kind(&list, "mention");
    assert_eq!(mentions.len(), 1, "{list:?}");
    assert_eq!(mentions[0]["message_id"], second["id"]);
}

#[tokio::test]
async fn unblocking_lets_requests_and_direct_rooms_through_again() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;
    assert_error(&request_friend(&app, &bob, &alice.id).await, 403, "blocked");

    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;

    assert_status(&resp, 204);
    let request = send_friend_request(&app, &bob, &alice).await;
    let resp = accept_request(&app, &alice, &id_of(&request)).await;
    assert_status(&resp, 200);
    let resp = try_open_dm(&app, &bob, &alice.id).await;
    assert_status(&resp, 201);
}

#[tokio::test]
async fn only_the_blocker_can_lift_a_block() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;

    // Bob "unblocking" alice changes nothing: alice's block stands.
    let resp = app
        .delete(&format!("/api/v1/blocks/{}", alice.id), bob.auth())
        .await;
    assert!(
        resp.status == 204 || resp.status == 404,
        "{}",
        resp.describe()
    );
    assert_error(&request_friend(&app, &bob, &alice.id).await, 403, "blocked");
    assert_error(&try_open_dm(&app, &bob, &alice.id).await, 403, "blocked");
}

#[tokio::test]
async fn both_may_block_each_other_and_both_must_unblock() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;
    block(&app, &bob, &alice).await;

    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    assert_error(&request_friend(&app, &alice, &bob.id).await, 403, "blocked");

    let resp = app
        .delete(&format!("/api/v1/blocks/{}", alice.id), bob.auth())
        .await;
    assert_status(&resp, 204);
    send_friend_request(&app, &alice, &bob).await;
}

#[tokio::test]
async fn blocking_twice_is_harmless() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    block(&app, &alice, &bob).await;
    block(&app, &alice, &bob).await;

    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    send_friend_request(&app, &bob, &alice).await;
}

#[tokio::test]
async fn blocking_oneself_is_a_validation_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = try_block(&app, &alice, &alice.id).await;

    assert_error(&resp, 422, "validation_failed");
}

#[tokio::test]
async fn blocking_an_unknown_user_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = try_block(&app, &alice, &random_id()).await;

    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn block_routes_need_a_token_and_a_valid_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let resp = app
        .post_json("/api/v1/blocks", None, &json!({ "user_id": bob.id }))
        .await;
    assert_error_status(&resp, 401);
    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), None)
        .await;
    assert_error_status(&resp, 401);
    for body in [json!({}), json!({ "user_id": "bob" })] {
        let resp = app.post_json("/api/v1/blocks", alice.auth(), &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
    let resp = app.delete("/api/v1/blocks/not-a-uuid", alice.auth()).await;
    assert_error(&resp, 400, "bad_request");
    // Nothing was blocked along the way.
    send_friend_request(&app, &bob, &alice).await;
}

#[tokio::test]
async fn concurrent_blocks_of_the_same_user_all_succeed() {
    let app = spawn_app().await;
    // Run the race a few times: once is often not enough to lose it.
    for round in 0..5 {
        let alice = app.register(&format!("alice{round}")).await;
        let bob = app.register(&format!("bob{round}")).await;
        make_friends(&app, &alice, &bob).await;

        let answers = all_at_once(6, |_| {
            let (api, alice, bob) = (app.api(), alice.clone(), bob.id.clone());
            async move {
                api.post_json("/api/v1/blocks", alice.auth(), &json!({ "user_id": bob }))
                    .await
            }
        })
        .await;

        assert_no_server_errors(&answers);
        for resp in &answers {
            assert_status(resp, 204);
        }
        assert!(friend_ids(&app, &alice).await.is_empty());
        assert_error(&request_friend(&app, &bob, &alice.id).await, 403, "blocked");
        // One unblock lifts it.
        let resp = app
            .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
            .await;
        assert_status(&resp, 204);
        send_friend_request(&app, &bob, &alice).await;
    }
}

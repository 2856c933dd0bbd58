//! Stored notifications: what creates them, listing, paging and reading.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

// ---- what notifies --------------------------------------------------------------------

#[tokio::test]
async fn a_friend_request_notifies_the_recipient() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    send_friend_request(&app, &alice, &bob).await;

    let (list, unread) = notifications(&app, &bob, "").await;
    assert_eq!(kinds(&list), ["friend_request"], "{list:?}");
    assert_eq!(unread, 1);
    let n = &list[0];
    assert_notification_shape(n);
    assert_eq!(n["actor"]["id"], alice.id.as_str());
    assert_eq!(n["actor"]["username"], "alice");
    assert!(n["room_id"].is_null(), "{n}");
    assert!(n["message_id"].is_null(), "{n}");
    assert_eq!(n["read"], json!(false));
    // The sender is not notified of their own request.
    let (list, unread) = notifications(&app, &alice, "").await;
    assert!(list.is_empty(), "{list:?}");
    assert_eq!(unread, 0);
}

#[tokio::test]
async fn an_accepted_request_notifies_the_original_sender_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    make_friends(&app, &alice, &bob).await;

    let for_alice = all_notifications(&app, &alice).await;
    assert_eq!(kinds(&for_alice), ["friend_accepted"], "{for_alice:?}");
    assert_notification_shape(&for_alice[0]);
    assert_eq!(for_alice[0]["actor"]["id"], bob.id.as_str());
    // The accepter gets no friend_accepted, only the original request.
    let for_bob = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&for_bob), ["friend_request"], "{for_bob:?}");
}

#[tokio::test]
async fn a_mutual_request_notifies_the_first_asker_of_acceptance() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    send_friend_request(&app, &alice, &bob).await;

    let resp = request_friend(&app, &bob, &alice.id).await;
    assert_status(&resp, 200);

    let for_alice = all_notifications(&app, &alice).await;
    assert_eq!(kinds(&for_alice), ["friend_accepted"], "{for_alice:?}");
    assert_eq!(for_alice[0]["actor"]["id"], bob.id.as_str());
    let for_bob = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&for_bob), ["friend_request"], "{for_bob:?}");
}

#[tokio::test]
async fn a_mention_of_a_member_notifies_them() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob, &carol]).await;

    let message = app.post_message(&alice, &room, "hey @bob, look").await;

    let for_bob = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&for_bob), ["mention"], "{for_bob:?}");
    let n = &for_bob[0];
    assert_notification_shape(n);
    assert_eq!(n["actor"]["id"], alice.id.as_str());
    assert_eq!(n["room_id"], room.as_str());
    assert_eq!(n["message_id"], message["id"]);
    assert_eq!(n["read"], json!(false));
    // Nobody else is notified: not the sender, not an unmentioned member.
    assert!(all_notifications(&app, &alice).await.is_empty());
    assert!(all_notifications(&app, &carol).await.is_empty());
}

#[tokio::test]
async fn a_mention_matches_the_username_in_any_case() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    let message = app.post_message(&alice, &room, "thanks @BOB.").await;

    let for_bob = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&for_bob), ["mention"], "{for_bob:?}");
    assert_eq!(for_bob[0]["message_id"], message["id"]);
}

#[tokio::test]
async fn mentioning_oneself_or_a_non_member_notifies_nobody() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    app.post_message(&alice, &room, "@carol are you here? @alice is")
        .await;
    app.post_message(&alice, &room, "mail bob@example.org")
        .await;

    assert!(all_notifications(&app, &carol).await.is_empty());
    assert!(all_notifications(&app, &alice).await.is_empty());
    assert!(all_notifications(&app, &bob).await.is_empty());
}

#[tokio::test]
async fn a_mention_in_a_room_left_does_not_notify() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    leave_room(&app, &bob, &room).await;

    app.post_message(&alice, &room, "@bob come back").await;

    assert!(all_notifications(&app, &bob).await.is_empty());
}

#[tokio::test]
async fn the_room_notification_level_governs_mentions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    set_level(&app, &bob, &room, "none").await;
    app.post_message(&alice, &room, "@bob muted").await;
    assert!(
        all_notifications(&app, &bob).await.is_empty(),
        "level `none`: no mention notification"
    );

    set_level(&app, &bob, &room, "mentions").await;
    let heard = app.post_message(&alice, &room, "@bob mentions only").await;
    let list = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&list), ["mention"], "level `mentions`: {list:?}");
    assert_eq!(list[0]["message_id"], heard["id"]);

    set_level(&app, &bob, &room, "all").await;
    app.post_message(&alice, &room, "@bob everything").await;
    assert_eq!(all_notifications(&app, &bob).await.len(), 2);
}

#[tokio::test]
async fn an_invite_notifies_the_invitee() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Club", "private").await);

    app.invite(&alice, &room, &bob.id).await;

    let list = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&list), ["room_invite"], "{list:?}");
    assert_notification_shape(&list[0]);
    assert_eq!(list[0]["actor"]["id"], alice.id.as_str());
    assert_eq!(list[0]["room_id"], room.as_str());
    assert!(list[0]["message_id"].is_null(), "{}", list[0]);
    assert!(all_notifications(&app, &alice).await.is_empty());
}

#[tokio::test]
async fn a_direct_message_notifies_a_recipient_who_is_not_connected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &alice, &bob).await;

    let message = app.post_message(&alice, &room, "psst").await;

    let list = all_notifications(&app, &bob).await;
    assert_eq!(kinds(&list), ["direct_message"], "{list:?}");
    let n = &list[0];
    assert_notification_shape(n);
    assert_eq!(n["actor"]["id"], alice.id.as_str());
    assert_eq!(n["room_id"], room.as_str());
    assert_eq!(n["message_id"], message["id"]);
    // The sender is not notified of their own message.
    assert!(all_notifications(&app, &alice).await.is_empty());
}

#[tokio::test]
async fn a_group_message_without_a_mention_notifies_nobody() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    app.post_message(&alice, &room, "hello everyone").await;

    assert!(all_notifications(&app, &bob).await.is_empty());
}

// ---- listing ---------------------------------------------------------------------------

/// Alice gets five notifications, oldest to newest: a friend request from
/// bob, an invite from carol, and mentions by carol in three messages.
async fn five_notifications(app: &TestApp) -> (TestUser, Vec<String>) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    send_friend_request(app, &bob, &alice).await;
    let room = id_of(&app.create_room(&carol, "Carol's", "private").await);
    app.invite(&carol, &room, &alice.id).await;
    app.join_room(&alice, &room).await;
    for n in 1..=3 {
        app.post_message(&carol, &room, &format!("@alice ping {n}"))
            .await;
    }
    let (list, unread) = notifications(app, &alice, "").await;
    assert_eq!(unread, 5, "{list:?}");
    assert_eq!(
        kinds(&list),
        [
            "mention",
            "mention",
            "mention",
            "room_invite",
            "friend_request"
        ],
        "newest first"
    );
    (alice, ids(&list))
}

#[tokio::test]
async fn notifications_are_listed_newest_first() {
    let app = spawn_app().await;
    let (alice, newest_first) = five_notifications(&app).await;

    let (list, _) = notifications(&app, &alice, "").await;

    assert_eq!(ids(&list), newest_first);
    assert_distinct_ids(&list);
    let times: Vec<String> = list.iter().map(|n| field_str(n, "created_at")).collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(
        parsed.windows(2).all(|w| w[0] >= w[1]),
        "created_at must not increase down the list: {times:?}"
    );
    // The three mentions point at three distinct messages.
    let messages: std::collections::HashSet<String> = of_kind(&list, "mention")
        .iter()
        .map(|n| field_str(n, "message_id"))
        .collect();
    assert_eq!(messages.len(), 3, "{list:?}");
}

#[tokio::test]
async fn notifications_page_with_before_and_limit() {
    let app = spawn_app().await;
    let (alice, newest_first) = five_notifications(&app).await;

    let (first, unread) = notifications(&app, &alice, "limit=2").await;
    assert_eq!(ids(&first), newest_first[..2]);
    assert_eq!(unread, 5, "the header counts everything, not the page");
    let (second, _) =
        notifications(&app, &alice, &format!("limit=2&before={}", newest_first[1])).await;
    assert_eq!(ids(&second), newest_first[2..4]);
    let (third, _) =
        notifications(&app, &alice, &format!("limit=2&before={}", newest_first[3])).await;
    assert_eq!(ids(&third), newest_first[4..]);
    let (none, _) = notifications(&app, &alice, &format!("before={}", newest_first[4])).await;
    assert!(none.is_empty(), "{none:?}");

    // An oversized limit is clamped, not refused.
    let (all, _) = notifications(&app, &alice, "limit=1000").await;
    assert_eq!(ids(&all), newest_first);
}

#[tokio::test]
async fn reading_one_notification_lowers_the_unread_count() {
    let app = spawn_app().await;
    let (alice, newest_first) = five_notifications(&app).await;
    let target = &newest_first[3];

    let resp = app
        .post(
            &format!("/api/v1/notifications/{target}/read"),
            alice.auth(),
        )
        .await;

    assert_status(&resp, 204);
    let (list, unread) = notifications(&app, &alice, "").await;
    assert_eq!(unread, 4);
    for n in &list {
        let expected = id_of(n) == *target;
        assert_eq!(n["read"], json!(expected), "{n}");
    }
    // Reading it again changes nothing.
    let resp = app
        .post(
            &format!("/api/v1/notifications/{target}/read"),
            alice.auth(),
        )
        .await;
    assert_status(&resp, 204);
    assert_eq!(notifications(&app, &alice, "").await.1, 4);
}

#[tokio::test]
async fn unread_only_filters_but_the_header_counts_all_unread() {
    let app = spawn_app().await;
    let (alice, newest_first) = five_notifications(&app).await;
    for id in [&newest_first[0], &newest_first[2]] {
        let resp = app
            .post(&format!("/api/v1/notifications/{id}/read"), alice.auth())
            .await;
        assert_status(&resp, 204);
    }

    let (unread_list, unread) = notifications(&app, &alice, "unread_only=true").await;
    assert_eq!(
        ids(&unread_list),
        [
            newest_first[1].clone(),
            newest_first[3].clone(),
            newest_first[4].clone()
        ]
    );
    assert!(unread_list.iter().all(|n| n["read"] == json!(false)));
    assert_eq!(unread, 3);

    // Every filter leaves the header at the user's total of unread.
    let (page, unread) = notifications(&app, &alice, "unread_only=true&limit=1").await;
    assert_eq!(ids(&page), [newest_first[1].clone()]);
    assert_eq!(unread, 3);
    let (page, unread) = notifications(
        &app,
        &alice,
        &format!("unread_only=true&before={}", newest_first[3]),
    )
    .await;
    assert_eq!(ids(&page), [newest_first[4].clone()]);
    assert_eq!(unread, 3);
    let (all, unread) = notifications(&app, &alice, "unread_only=false").await;
    assert_eq!(ids(&all), newest_first);
    assert_eq!(unread, 3);
}

#[tokio::test]
async fn read_all_clears_the_unread_count() {
    let app = spawn_app().await;
    let (alice, newest_first) = five_notifications(&app).await;

    let resp = app
        .post("/api/v1/notifications/read-all", alice.auth())
        .await;

    assert_status(&resp, 204);
    let (list, unread) = notifications(&app, &alice, "").await;
    assert_eq!(unread, 0);
    assert_eq!(ids(&list), newest_first, "read notifications stay listed");
    assert!(list.iter().all(|n| n["read"] == json!(true)), "{list:?}");
    let (unread_list, _) = notifications(&app, &alice, "unread_only=true").await;
    assert!(unread_list.is_empty(), "{unread_list:?}");
    // New ones count again.
    let dave = app.register("dave").await;
    send_friend_request(&app, &dave, &alice).await;
    assert_eq!(notifications(&app, &alice, "").await.1, 1);
}

#[tokio::test]
async fn read_all_touches_only_the_callers_notifications() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    send_friend_request(&app, &alice, &bob).await;
    let carol = app.register("carol").await;
    send_friend_request(&app, &carol, &alice).await;

    let resp = app
        .post("/api/v1/notifications/read-all", alice.auth())
        .await;
    assert_status(&resp, 204);

    assert_eq!(notifications(&app, &alice, "").await.1, 0);
    assert_eq!(notifications(&app, &bob, "").await.1, 1);
}

#[tokio::test]
async fn someone_elses_notification_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    send_friend_request(&app, &alice, &bob).await;
    let theirs = id_of(&all_notifications(&app, &bob).await[0]);

    let resp = app
        .post(
            &format!("/api/v1/notifications/{theirs}/read"),
            alice.auth(),
        )
        .await;

    assert_error(&resp, 404, "not_found");
    let (list, unread) = notifications(&app, &bob, "").await;
    assert_eq!(unread, 1, "still unread for bob");
    assert_eq!(list[0]["read"], json!(false));

    let resp = app
        .post(
            &format!("/api/v1/notifications/{}/read", random_id()),
            alice.auth(),
        )
        .await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn notification_routes_need_a_token() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    send_friend_request(&app, &app.register("bob").await, &alice).await;
    let id = id_of(&all_notifications(&app, &alice).await[0]);

    assert_error_status(&app.get("/api/v1/notifications", None).await, 401);
    assert_error_status(
        &app.post(&format!("/api/v1/notifications/{id}/read"), None)
            .await,
        401,
    );
    assert_error_status(&app.post("/api/v1/notifications/read-all", None).await, 401);
    let resp = app
        .post("/api/v1/notifications/not-a-uuid/read", alice.auth())
        .await;
    assert_error(&resp, 400, "bad_request");
    assert_eq!(notifications(&app, &alice, "").await.1, 1);
}

#[tokio::test]
async fn a_mention_in_a_direct_room_notifies_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &alice, &bob).await;

    let message = app.post_message(&alice, &room, "@bob look at this").await;

    let list = all_notifications(&app, &bob).await;
    assert_eq!(list.len(), 1, "one message, one notification: {list:?}");
    assert_eq!(list[0]["message_id"], message["id"]);
    assert!(
        list[0]["kind"] == "mention" || list[0]["kind"] == "direct_message",
        "{}",
        list[0]
    );
}

#[tokio::test]
async fn a_muted_direct_room_does_not_notify() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = open_dm(&app, &alice, &bob).await;
    set_level(&app, &bob, &room, "none").await;

    app.post_message(&alice, &room, "psst").await;
    app.post_message(&alice, &room, "@bob psst").await;

    assert!(all_notifications(&app, &bob).await.is_empty());
    // The messages are there all the same.
    assert_eq!(
        app.room_summary(&bob, &room).await["unread_count"],
        json!(2)
    );
}

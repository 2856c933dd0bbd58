//! An owner who leaves hands the room over.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

#[tokio::test]
async fn an_owner_who_leaves_hands_over_to_the_oldest_moderator() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let elder = app.register("elder").await;
    let m_old = app.register("m_old").await;
    let m_new = app.register("m_new").await;
    let room = app
        .public_room_with(&owner, "Heirs", &[&elder, &m_old, &m_new])
        .await;
    // Promoted in the other order: membership age decides, not promotion.
    make_moderator(&app, &owner, &room, &m_new).await;
    make_moderator(&app, &owner, &room, &m_old).await;

    leave_room(&app, &owner, &room).await;

    assert_eq!(my_role(&app, &m_old, &room).await, "owner");
    assert_eq!(my_role(&app, &m_new, &room).await, "moderator");
    assert_eq!(my_role(&app, &elder, &room).await, "member");
    assert!(my_role(&app, &owner, &room).await.is_null());
    let room_now = app.get(&room_path(&room), elder.auth()).await;
    assert_eq!(room_now.body["member_count"], json!(3));
    // The heir has the owner's rights.
    let resp = try_set_role(&app, &m_old, &room, &elder.id, "moderator").await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn an_owner_without_moderators_hands_over_to_the_oldest_member() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let first = app.register("first").await;
    let second = app.register("second").await;
    let room = app
        .private_room_with(&owner, "Heirs", &[&first, &second])
        .await;

    leave_room(&app, &owner, &room).await;

    assert_eq!(my_role(&app, &first, &room).await, "owner");
    assert_eq!(my_role(&app, &second, &room).await, "member");
    let resp = app.get(&room_path(&room), owner.auth()).await;
    assert_error(&resp, 404, "not_found");
    // The heir can run the room, down to deleting it.
    let resp = try_invite(&app, &first, &room, &owner.id).await;
    assert_status(&resp, 201);
    let resp = app.delete(&room_path(&room), first.auth()).await;
    assert_status(&resp, 204);
}

#[tokio::test]
async fn the_last_member_leaving_keeps_the_room_and_its_history() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&owner, "Lonely", "public").await);
    let said = app.post_message(&owner, &room, "is anyone here?").await;

    leave_room(&app, &owner, &room).await;

    let resp = app.get(&room_path(&room), bob.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["member_count"], json!(0));
    let joined = app.join_room(&bob, &room).await;
    assert_eq!(joined["member_count"], json!(1));
    let history = app.history(&bob, &room, "").await;
    assert_eq!(ids(&history), [id_of(&said)]);
    assert_eq!(history[0]["body"], "is anyone here?");
    // The former owner may come back too.
    app.join_room(&owner, &room).await;
    assert_eq!(app.history(&owner, &room, "").await.len(), 1);
}

#[tokio::test]
async fn the_owner_cannot_remove_themselves() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let room = id_of(&app.create_room(&owner, "Mine", "public").await);

    let resp = try_kick(&app, &owner, &room, &owner.id).await;

    assert!(
        resp.status == 403 || resp.status == 422,
        "the owner leaves instead: {}",
        resp.describe()
    );
    assert_error_shape(&resp);
    assert_eq!(my_role(&app, &owner, &room).await, "owner");
}

// ---- at the same time ------------------------------------------------------------------------

#[tokio::test]
async fn concurrent_bans_of_one_member_do_not_fail() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let room = app.public_room_with(&owner, "Busy", &[&moderator]).await;
    make_moderator(&app, &owner, &room, &moderator).await;

    // Run the race a few times: once is often not enough to lose it.
    for round in 0..5 {
        let bob = app.register(&format!("bob{round}")).await;
        app.join_room(&bob, &room).await;

        let answers = all_at_once(6, |i| {
            let api = app.api();
            let actor = if i % 2 == 0 {
                owner.clone()
            } else {
                moderator.clone()
            };
            let path = format!("{}/members/{}", room_path(&room), bob.id);
            async move {
                api.delete_json(
                    &path,
                    actor.auth(),
                    &json!({ "ban": true, "reason": "spam" }),
                )
                .await
            }
        })
        .await;

        assert_no_server_errors(&answers);
        for resp in &answers {
            assert!(
                resp.status == 204 || resp.status == 404,
                "{}",
                resp.describe()
            );
        }
        assert_error(&try_join(&app, &bob, &room).await, 403, "banned");
        assert_status(&try_unban(&app, &owner, &room, &bob.id).await, 204);
        assert_status(&try_join(&app, &bob, &room).await, 200);
    }
}

#[tokio::test]
async fn concurrent_invites_of_one_user_do_not_fail() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let room = app.private_room_with(&owner, "Club", &[&moderator]).await;
    make_moderator(&app, &owner, &room, &moderator).await;

    // Run the race a few times: once is often not enough to lose it.
    for round in 0..10 {
        let bob = app.register(&format!("bob{round}")).await;
        let answers = all_at_once(6, |i| {
            let api = app.api();
            let actor = if i % 2 == 0 {
                owner.clone()
            } else {
                moderator.clone()
            };
            let path = format!("{}/invites", room_path(&room));
            let bob = bob.id.clone();
            async move {
                api.post_json(&path, actor.auth(), &json!({ "user_id": bob }))
                    .await
            }
        })
        .await;

        assert_no_server_errors(&answers);
        for resp in &answers {
            assert_status(resp, 201);
        }
        let joined = app.join_room(&bob, &room).await;
        assert_eq!(joined["my_role"], "member");
    }
}

#[tokio::test]
async fn concurrent_kicks_of_one_member_are_recorded_once() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let room = app.public_room_with(&owner, "Busy", &[&moderator]).await;
    make_moderator(&app, &owner, &room, &moderator).await;

    // Run the race a few times: once is often not enough to lose it.
    for round in 0..5 {
        let bob = app.register(&format!("bob{round}")).await;
        app.join_room(&bob, &room).await;

        let answers = all_at_once(6, |i| {
            let api = app.api();
            let actor = if i % 2 == 0 {
                owner.clone()
            } else {
                moderator.clone()
            };
            let path = format!("{}/members/{}", room_path(&room), bob.id);
            async move { api.delete(&path, actor.auth()).await }
        })
        .await;

        assert_no_server_errors(&answers);
        assert!(answers.iter().any(|r| r.status == 204), "{answers:?}");
        for resp in answers.iter().filter(|r| r.status != 204) {
            assert_error(resp, 404, "not_found");
        }
        let log = try_audit_log(&app, &owner, &room, "").await;
        let kicks = log
            .array()
            .iter()
            .filter(|e| e["action"] == "kick" && e["target_user_id"] == bob.id.as_str())
            .count();
        assert_eq!(kicks, 1, "round {round}: one kick, one audit entry");
        let kicked = activity(&app, &bob, "")
            .await
            .iter()
            .filter(|a| a["kind"] == "kicked")
            .count();
        assert_eq!(kicked, 1, "round {round}: one kick, one activity entry");
    }
}

#[tokio::test]
async fn inviting_a_member_or_an_unknown_user_is_refused() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.private_room_with(&owner, "Club", &[&bob]).await;

    let resp = try_invite(&app, &owner, &room, &bob.id).await;
    assert_error(&resp, 409, "already_member");
    let resp = try_invite(&app, &owner, &room, &owner.id).await;
    assert_error(&resp, 409, "already_member");
    let resp = try_invite(&app, &owner, &room, &random_id()).await;
    assert_error(&resp, 404, "not_found");
    for body in [json!({}), json!({ "user_id": "bob" })] {
        let resp = app
            .post_json(
                &format!("{}/invites", room_path(&room)),
                owner.auth(),
                &body,
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
}

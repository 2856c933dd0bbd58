//! Kicks, bans and unbans.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

use super::*;

#[tokio::test]
async fn a_moderator_cannot_remove_the_owner_or_another_moderator() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let m1 = app.register("mod_one").await;
    let m2 = app.register("mod_two").await;
    let plain = app.register("plain").await;
    let room = app
        .public_room_with(&owner, "Kicks", &[&m1, &m2, &plain])
        .await;
    make_moderator(&app, &owner, &room, &m1).await;
    make_moderator(&app, &owner, &room, &m2).await;

    for target in [&owner, &m2] {
        let resp = try_kick(&app, &m1, &room, &target.id).await;
        assert_error(&resp, 403, "forbidden");
        let resp = try_ban(&app, &m1, &room, &target.id, "coup").await;
        assert_error(&resp, 403, "forbidden");
    }
    let roles_now = roles(&app, &owner, &room).await;
    assert_eq!(roles_now.len(), 4, "{roles_now:?}");
    assert_eq!(
        try_join(&app, &m2, &room).await.status,
        200,
        "m2 is not banned"
    );

    // A plain member, though, a moderator may kick.
    let resp = try_kick(&app, &m1, &room, &plain.id).await;
    assert_status(&resp, 204);
    assert_eq!(role_of(&roles(&app, &owner, &room).await, "plain"), None);
}

#[tokio::test]
async fn the_owner_can_kick_a_moderator_who_may_rejoin_as_a_member() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let m1 = app.register("mod_one").await;
    let room = app.public_room_with(&owner, "Kicks", &[&m1]).await;
    make_moderator(&app, &owner, &room, &m1).await;

    let resp = try_kick(&app, &owner, &room, &m1.id).await;

    assert_status(&resp, 204);
    assert!(my_role(&app, &m1, &room).await.is_null());
    let resp = app
        .get(&format!("{}/members", room_path(&room)), m1.auth())
        .await;
    assert_error(&resp, 403, "not_a_member");
    assert!(app.my_rooms(&m1).await.is_empty());

    let rejoined = app.join_room(&m1, &room).await;
    assert_eq!(
        rejoined["my_role"], "member",
        "the old role is not restored"
    );
}

#[tokio::test]
async fn a_kicked_member_may_rejoin_a_public_room() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&owner, "Kicks", &[&bob]).await;
    app.post_message(&owner, &room, "before the kick").await;

    let resp = try_kick(&app, &owner, &room, &bob.id).await;
    assert_status(&resp, 204);
    let resp = app
        .get(&format!("{}/messages", room_path(&room)), bob.auth())
        .await;
    assert_error(&resp, 403, "not_a_member");
    let resp = app
        .post_json(
            &format!("{}/messages", room_path(&room)),
            bob.auth(),
            &json!({ "body": "still here?" }),
        )
        .await;
    assert_error(&resp, 403, "not_a_member");

    let resp = try_join(&app, &bob, &room).await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["my_role"], "member");
    assert_eq!(app.history(&bob, &room, "").await.len(), 1);
}

#[tokio::test]
async fn the_kick_body_is_optional() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let users = [
        app.register("user_a").await,
        app.register("user_b").await,
        app.register("user_c").await,
        app.register("user_d").await,
        app.register("user_e").await,
    ];
    let members: Vec<&TestUser> = users.iter().collect();
    let room = app.public_room_with(&owner, "Kicks", &members).await;
    let path = |user: &TestUser| format!("{}/members/{}", room_path(&room), user.id);

    // No body at all.
    let resp = app.delete(&path(&users[0]), owner.auth()).await;
    assert_status(&resp, 204);
    // An empty body that claims to be JSON.
    let builder = app
        .request(Method::DELETE, &path(&users[1]), owner.auth())
        .header(CONTENT_TYPE, "application/json")
        .body(Vec::<u8>::new());
    let resp = app.send(builder).await;
    assert_status(&resp, 204);
    // An empty object, and an explicit `ban: false`.
    let resp = app
        .delete_json(&path(&users[2]), owner.auth(), &json!({}))
        .await;
    assert_status(&resp, 204);
    let resp = app
        .delete_json(&path(&users[3]), owner.auth(), &json!({ "ban": false }))
        .await;
    assert_status(&resp, 204);
    // JSON's own "nothing" (the schema says the body is optional).
    let resp = app
        .delete_json(&path(&users[4]), owner.auth(), &json!(null))
        .await;
    assert_status(&resp, 204);

    // All were kicks, not bans: everyone may come back.
    for user in &users {
        assert_status(&try_join(&app, user, &room).await, 200);
    }
    assert_eq!(
        audit_actions(&app, &owner, &room).await,
        ["kick", "kick", "kick", "kick", "kick"]
    );
}

#[tokio::test]
async fn a_malformed_kick_body_is_refused() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&owner, "Kicks", &[&bob]).await;
    let path = format!("{}/members/{}", room_path(&room), bob.id);

    let builder = app
        .request(Method::DELETE, &path, owner.auth())
        .header(CONTENT_TYPE, "application/json")
        .body("{ban");
    assert_error(&app.send(builder).await, 400, "bad_request");
    let resp = app
        .delete_json(&path, owner.auth(), &json!({ "ban": "yes" }))
        .await;
    assert_error(&resp, 422, "validation_failed");

    assert_eq!(
        my_role(&app, &bob, &room).await,
        "member",
        "bob is still in"
    );
}

#[tokio::test]
async fn removing_someone_not_in_the_room_is_404() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let room = id_of(&app.create_room(&owner, "Kicks", "public").await);

    let resp = try_kick(&app, &owner, &room, &stranger.id).await;
    assert_error(&resp, 404, "not_found");
    let resp = try_kick(&app, &owner, &room, &random_id()).await;
    assert_error(&resp, 404, "not_found");
    let resp = try_kick(&app, &owner, &random_id(), &stranger.id).await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn a_ban_with_a_reason_keeps_the_user_out() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&owner, "Bans", &[&bob]).await;

    let resp = try_ban(&app, &owner, &room, &bob.id, "spam").await;

    assert_status(&resp, 204);
    assert!(my_role(&app, &bob, &room).await.is_null());
    assert!(app.my_rooms(&bob).await.is_empty());
    let resp = try_join(&app, &bob, &room).await;
    assert_error(&resp, 403, "banned");
    let resp = try_join(&app, &bob, &room).await;
    assert_error(&resp, 403, "banned");
    let log = try_audit_log(&app, &owner, &room, "").await;
    assert_status(&log, 200);
    let entry = &log.array()[0];
    assert_eq!(entry["action"], "ban");
    assert_eq!(entry["target_user_id"], bob.id.as_str());
    assert!(
        entry["detail"].as_str().is_some_and(|d| d.contains("spam")),
        "the reason is kept: {entry}"
    );
}

#[tokio::test]
async fn a_moderator_may_ban_a_member() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let bob = app.register("bob").await;
    let room = app
        .public_room_with(&owner, "Bans", &[&moderator, &bob])
        .await;
    make_moderator(&app, &owner, &room, &moderator).await;

    let resp = try_ban(&app, &moderator, &room, &bob.id, "spam").await;

    assert_status(&resp, 204);
    assert_error(&try_join(&app, &bob, &room).await, 403, "banned");
}

#[tokio::test]
async fn a_banned_user_cannot_be_invited_back() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let bob = app.register("bob").await;
    let room = app
        .private_room_with(&owner, "Club", &[&moderator, &bob])
        .await;
    make_moderator(&app, &owner, &room, &moderator).await;
    let resp = try_ban(&app, &owner, &room, &bob.id, "spam").await;
    assert_status(&resp, 204);

    for actor in [&owner, &moderator] {
        let resp = try_invite(&app, actor, &room, &bob.id).await;
        assert_error(&resp, 403, "banned");
    }
    // Joining stays impossible (banned, or not visible at all).
    let resp = try_join(&app, &bob, &room).await;
    assert!(
        resp.status == 403 || resp.status == 404,
        "{}",
        resp.describe()
    );
    assert_error_shape(&resp);
    let resp = app.get(&room_path(&room), bob.auth()).await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn an_invite_into_a_public_room_for_a_banned_user_is_refused_too() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&owner, "Open", &[&bob]).await;
    assert_status(&try_ban(&app, &owner, &room, &bob.id, "").await, 204);

    let resp = try_invite(&app, &owner, &room, &bob.id).await;

    assert_error(&resp, 403, "banned");
    assert_error(&try_join(&app, &bob, &room).await, 403, "banned");
}

#[tokio::test]
async fn unbanning_lets_the_user_join_again() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let plain = app.register("plain").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app
        .public_room_with(&owner, "Bans", &[&moderator, &plain, &bob, &carol])
        .await;
    make_moderator(&app, &owner, &room, &moderator).await;
    for user in [&bob, &carol] {
        assert_status(&try_ban(&app, &owner, &room, &user.id, "spam").await, 204);
    }

    // Plain members and outsiders may not unban.
    let resp = try_unban(&app, &plain, &room, &bob.id).await;
    assert_error(&resp, 403, "forbidden");
    let resp = try_unban(&app, &bob, &room, &bob.id).await;
    assert_error(&resp, 403, "not_a_member");
    assert_error(&try_join(&app, &bob, &room).await, 403, "banned");

    // The owner and a moderator may.
    for (actor, user) in [(&owner, &bob), (&moderator, &carol)] {
        let resp = try_unban(&app, actor, &room, &user.id).await;
        assert_status(&resp, 204);
        let joined = try_join(&app, user, &room).await;
        assert_status(&joined, 200);
        assert_eq!(joined.body["my_role"], "member");
    }
    // Nobody left to unban.
    let resp = try_unban(&app, &owner, &room, &bob.id).await;
    assert_error(&resp, 404, "not_found");
    let resp = try_unban(&app, &owner, &room, &random_id()).await;
    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn an_unbanned_user_can_be_invited_to_a_private_room_again() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.private_room_with(&owner, "Club", &[&bob]).await;
    assert_status(&try_ban(&app, &owner, &room, &bob.id, "spam").await, 204);

    assert_status(&try_unban(&app, &owner, &room, &bob.id).await, 204);

    let resp = try_invite(&app, &owner, &room, &bob.id).await;
    assert_status(&resp, 201);
    let joined = app.join_room(&bob, &room).await;
    assert_eq!(joined["my_role"], "member");
}

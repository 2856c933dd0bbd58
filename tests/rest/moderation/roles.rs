//! Changing roles.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

use super::*;

#[tokio::test]
async fn only_the_owner_changes_roles() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let m1 = app.register("mod_one").await;
    let m2 = app.register("mod_two").await;
    let plain = app.register("plain").await;
    let room = app
        .public_room_with(&owner, "Roles", &[&m1, &m2, &plain])
        .await;
    make_moderator(&app, &owner, &room, &m1).await;
    make_moderator(&app, &owner, &room, &m2).await;

    // A moderator can neither promote a member nor demote a moderator.
    let resp = try_set_role(&app, &m1, &room, &plain.id, "moderator").await;
    assert_error(&resp, 403, "forbidden");
    let resp = try_set_role(&app, &m1, &room, &m2.id, "member").await;
    assert_error(&resp, 403, "forbidden");
    let resp = try_set_role(&app, &m1, &room, &owner.id, "member").await;
    assert_error(&resp, 403, "forbidden");

    // The owner can demote.
    let resp = try_set_role(&app, &owner, &room, &m2.id, "member").await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["role"], "member");

    let roles = roles(&app, &owner, &room).await;
    assert_eq!(role_of(&roles, "owner").as_deref(), Some("owner"));
    assert_eq!(role_of(&roles, "mod_one").as_deref(), Some("moderator"));
    assert_eq!(role_of(&roles, "mod_two").as_deref(), Some("member"));
    assert_eq!(role_of(&roles, "plain").as_deref(), Some("member"));
    assert_eq!(my_role(&app, &m2, &room).await, "member");
    assert_eq!(my_role(&app, &m1, &room).await, "moderator");
    // A demoted moderator lost the rights.
    let resp = try_kick(&app, &m2, &room, &plain.id).await;
    assert_error(&resp, 403, "forbidden");
}

#[tokio::test]
async fn only_moderator_and_member_are_valid_roles() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&owner, "Roles", &[&bob]).await;
    let path = format!("{}/members/{}/role", room_path(&room), bob.id);

    for role in ["owner", "admin", "", "Moderator"] {
        let resp = try_set_role(&app, &owner, &room, &bob.id, role).await;
        assert_error(&resp, 422, "validation_failed");
    }
    for body in [json!({}), json!({ "role": 1 }), json!({ "role": null })] {
        let resp = app.put_json(&path, owner.auth(), &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
    assert_eq!(my_role(&app, &bob, &room).await, "member");
    assert_eq!(my_role(&app, &owner, &room).await, "owner");
}

#[tokio::test]
async fn a_role_for_someone_not_in_the_room_is_404() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let room = id_of(&app.create_room(&owner, "Roles", "public").await);

    let resp = try_set_role(&app, &owner, &room, &stranger.id, "moderator").await;
    assert_error(&resp, 404, "not_found");
    let resp = try_set_role(&app, &owner, &room, &random_id(), "moderator").await;
    assert_error(&resp, 404, "not_found");
}

//! The permission matrix: who may use each moderation route, in public
//! and private rooms.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Route {
    SetRole,
    Kick,
    AuditLog,
    EditRoom,
    DeleteRoom,
    DeleteMessage,
    Invite,
}

const ROUTES: [Route; 7] = [
    Route::SetRole,
    Route::Kick,
    Route::AuditLog,
    Route::EditRoom,
    Route::DeleteRoom,
    Route::DeleteMessage,
    Route::Invite,
];

/// Calls `route` as `actor`, aimed at `crew.target` (or their message), or
/// inviting `invitee`.
async fn attempt(
    app: &TestApp,
    crew: &Crew,
    actor: &TestUser,
    route: Route,
    invitee: &str,
) -> TestResponse {
    let room = &crew.room;
    match route {
        Route::SetRole => try_set_role(app, actor, room, &crew.target.id, "moderator").await,
        Route::Kick => try_kick(app, actor, room, &crew.target.id).await,
        Route::AuditLog => try_audit_log(app, actor, room, "").await,
        Route::EditRoom => {
            app.patch_json(
                &room_path(room),
                actor.auth(),
                &json!({ "name": "Hijacked", "topic": "hijacked" }),
            )
            .await
        }
        Route::DeleteRoom => app.delete(&room_path(room), actor.auth()).await,
        Route::DeleteMessage => {
            app.delete(&format!("/api/v1/messages/{}", crew.message), actor.auth())
                .await
        }
        Route::Invite => try_invite(app, actor, room, invitee).await,
    }
}

/// Everyone without the right is refused, and nothing changes.
async fn refusals(visibility: &str) {
    let app = spawn_app().await;
    let crew = crew(&app, visibility).await;
    let invitee = app.register("invitee").await;
    let (outside_status, outside_code) = if crew.public {
        (403, "not_a_member")
    } else {
        (404, "not_found")
    };

    for route in ROUTES {
        let resp = attempt(&app, &crew, &crew.member, route, &invitee.id).await;
        assert_eq!(resp.status, 403, "member, {route:?}: {}", resp.describe());
        assert_error(&resp, 403, "forbidden");

        for stranger in [&crew.outsider, &crew.banned] {
            let resp = attempt(&app, &crew, stranger, route, &invitee.id).await;
            assert_eq!(
                resp.status,
                outside_status,
                "{}, {route:?}: {}",
                stranger.username,
                resp.describe()
            );
            assert_error(&resp, outside_status, outside_code);
        }
    }
    // A moderator may not change roles nor delete the room.
    for route in [Route::SetRole, Route::DeleteRoom] {
        let resp = attempt(&app, &crew, &crew.moderator, route, &invitee.id).await;
        assert_eq!(
            resp.status,
            403,
            "moderator, {route:?}: {}",
            resp.describe()
        );
        assert_error(&resp, 403, "forbidden");
    }

    // Nothing changed.
    let room = app.get(&room_path(&crew.room), crew.owner.auth()).await;
    assert_status(&room, 200);
    assert_eq!(room.body["name"], "Moderated");
    assert_eq!(room.body["member_count"], json!(5));
    let roles = roles(&app, &crew.owner, &crew.room).await;
    assert_eq!(role_of(&roles, "target").as_deref(), Some("member"));
    let history = app.history(&crew.owner, &crew.room, "").await;
    assert!(
        history.iter().all(|m| m["deleted"] == json!(false)),
        "{history:?}"
    );
    assert_eq!(
        audit_actions(&app, &crew.owner, &crew.room).await,
        ["ban", "role_change"],
        "refused acts are not logged"
    );
    if !crew.public {
        let resp = try_join(&app, &invitee, &crew.room).await;
        assert_error(&resp, 404, "not_found");
    }
}

#[tokio::test]
async fn members_outsiders_and_banned_users_are_refused_in_a_public_room() {
    refusals("public").await;
}

#[tokio::test]
async fn members_outsiders_and_banned_users_are_refused_in_a_private_room() {
    refusals("private").await;
}

/// The owner may use every route, a moderator every one but roles and
/// deleting the room.
async fn permissions(visibility: &str) {
    let app = spawn_app().await;
    let crew = crew(&app, visibility).await;
    let (o, m) = (&crew.owner, &crew.moderator);
    let path = room_path(&crew.room);

    // Roles: the owner only.
    let resp = try_set_role(&app, o, &crew.room, &crew.target.id, "moderator").await;
    assert_status(&resp, 200);
    assert_has_keys(&resp.body, &["user", "role", "joined_at", "online"]);
    assert_eq!(resp.body["user"]["id"], crew.target.id.as_str());
    assert_eq!(resp.body["role"], "moderator");
    let resp = try_set_role(&app, o, &crew.room, &crew.target.id, "member").await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["role"], "member");

    // The audit log.
    for actor in [o, m] {
        let resp = try_audit_log(&app, actor, &crew.room, "").await;
        assert_status(&resp, 200);
        assert!(!resp.array().is_empty(), "{}", resp.describe());
    }

    // Editing the room.
    let resp = app
        .patch_json(&path, o.auth(), &json!({ "name": "Owner's name" }))
        .await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["name"], "Owner's name");
    assert_eq!(resp.body["my_role"], "owner");
    let resp = app
        .patch_json(&path, m.auth(), &json!({ "topic": "moderated topic" }))
        .await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["topic"], "moderated topic");
    assert_eq!(resp.body["name"], "Owner's name");
    assert_eq!(resp.body["my_role"], "moderator");

    // Deleting others' messages.
    for (actor, message) in [(o, &crew.message), (m, &crew.message2)] {
        let resp = app
            .delete(&format!("/api/v1/messages/{message}"), actor.auth())
            .await;
        assert_status(&resp, 204);
    }
    let history = app.history(o, &crew.room, "").await;
    assert!(
        history
            .iter()
            .all(|msg| msg["deleted"] == json!(true) && msg["body"] == ""),
        "{history:?}"
    );

    // Inviting.
    for actor in [o, m] {
        let invitee = app.register(&unique("inv")).await;
        let resp = try_invite(&app, actor, &crew.room, &invitee.id).await;
        assert_status(&resp, 201);
        app.join_room(&invitee, &crew.room).await;
    }

    // Kicking members.
    for (actor, target) in [(o, &crew.target), (m, &crew.target2)] {
        let resp = try_kick(&app, actor, &crew.room, &target.id).await;
        assert_status(&resp, 204);
        assert!(resp.text.is_empty(), "{}", resp.describe());
    }
    let roles = roles(&app, o, &crew.room).await;
    assert_eq!(role_of(&roles, "target"), None, "{roles:?}");
    assert_eq!(role_of(&roles, "target2"), None, "{roles:?}");

    // Deleting the room: the owner only.
    let resp = app.delete(&path, o.auth()).await;
    assert_status(&resp, 204);
    for user in [o, m, &crew.member] {
        let resp = app.get(&path, user.auth()).await;
        assert_error(&resp, 404, "not_found");
    }
}

#[tokio::test]
async fn the_owner_and_moderators_may_moderate_a_public_room() {
    permissions("public").await;
}

#[tokio::test]
async fn the_owner_and_moderators_may_moderate_a_private_room() {
    permissions("private").await;
}

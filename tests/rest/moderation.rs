//! Running a group: the permission matrix of every moderation route, roles,
//! kicks, bans, unbans, the audit log and handing the room over.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

// ---- a room with one person of every standing --------------------------------------------

/// A room with an owner, a moderator, two plain members (`target` wrote
/// `message`, `target2` wrote `message2`), a banned former member and an
/// outsider who never joined.
struct Crew {
    room: String,
    public: bool,
    owner: TestUser,
    moderator: TestUser,
    member: TestUser,
    target: TestUser,
    target2: TestUser,
    banned: TestUser,
    outsider: TestUser,
    message: String,
    message2: String,
}

/// Brings `user` into the room: joins a public room, or is invited to a
/// private one first.
async fn admit(app: &TestApp, owner: &TestUser, room: &str, public: bool, user: &TestUser) {
    if !public {
        app.invite(owner, room, &user.id).await;
    }
    app.join_room(user, room).await;
}

async fn crew(app: &TestApp, visibility: &str) -> Crew {
    let public = visibility == "public";
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let member = app.register("member").await;
    let target = app.register("target").await;
    let target2 = app.register("target2").await;
    let banned = app.register("banned").await;
    let outsider = app.register("outsider").await;
    let room = id_of(&app.create_room(&owner, "Moderated", visibility).await);
    for user in [&moderator, &member, &target, &target2, &banned] {
        admit(app, &owner, &room, public, user).await;
    }
    make_moderator(app, &owner, &room, &moderator).await;
    let message = id_of(&app.post_message(&target, &room, "target speaks").await);
    let message2 = id_of(&app.post_message(&target2, &room, "target2 speaks").await);
    let resp = try_ban(app, &owner, &room, &banned.id, "trouble").await;
    assert_status(&resp, 204);
    Crew {
        room,
        public,
        owner,
        moderator,
        member,
        target,
        target2,
        banned,
        outsider,
        message,
        message2,
    }
}

/// The role of each member, from `GET /rooms/{id}/members` as `viewer`.
async fn roles(app: &TestApp, viewer: &TestUser, room: &str) -> Vec<(String, String)> {
    let resp = app
        .get(&format!("{}/members", room_path(room)), viewer.auth())
        .await;
    assert_status(&resp, 200);
    let mut out: Vec<(String, String)> = resp
        .array()
        .iter()
        .map(|m| (field_str(&m["user"], "username"), field_str(m, "role")))
        .collect();
    out.sort();
    out
}

fn role_of(roles: &[(String, String)], username: &str) -> Option<String> {
    roles
        .iter()
        .find(|(name, _)| name == username)
        .map(|(_, role)| role.clone())
}

/// The actions of the audit log, newest first, as the owner sees it.
async fn audit_actions(app: &TestApp, viewer: &TestUser, room: &str) -> Vec<String> {
    let resp = try_audit_log(app, viewer, room, "").await;
    assert_status(&resp, 200);
    resp.array()
        .iter()
        .map(|e| field_str(e, "action"))
        .collect()
}

// ---- the permission matrix ----------------------------------------------------------------

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

// ---- roles -------------------------------------------------------------------------------------

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

// ---- kicks and bans -------------------------------------------------------------------------------

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

    // All were kicks, not bans: everyone may come back.
    for user in &users {
        assert_status(&try_join(&app, user, &room).await, 200);
    }
    assert_eq!(
        audit_actions(&app, &owner, &room).await,
        ["kick", "kick", "kick", "kick"]
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

// ---- the audit log ----------------------------------------------------------------------------

#[tokio::test]
async fn the_audit_log_records_moderation_newest_first() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let moderator = app.register("moderator").await;
    let kicked = app.register("kicked").await;
    let banned = app.register("banned").await;
    let author = app.register("author").await;
    let room = app
        .public_room_with(&owner, "Logged", &[&moderator, &kicked, &banned, &author])
        .await;
    // Not logged: an author deleting their own message, and the owner too.
    let own = id_of(&app.post_message(&author, &room, "oops").await);
    assert_status(
        &app.delete(&format!("/api/v1/messages/{own}"), author.auth())
            .await,
        204,
    );
    let owners = id_of(&app.post_message(&owner, &room, "mine").await);
    assert_status(
        &app.delete(&format!("/api/v1/messages/{owners}"), owner.auth())
            .await,
        204,
    );
    let doomed = id_of(&app.post_message(&author, &room, "rude words").await);

    make_moderator(&app, &owner, &room, &moderator).await;
    assert_status(&try_kick(&app, &moderator, &room, &kicked.id).await, 204);
    assert_status(&try_ban(&app, &owner, &room, &banned.id, "spam").await, 204);
    assert_status(&try_unban(&app, &moderator, &room, &banned.id).await, 204);
    assert_status(
        &app.delete(&format!("/api/v1/messages/{doomed}"), moderator.auth())
            .await,
        204,
    );
    let resp = app
        .patch_json(
            &room_path(&room),
            moderator.auth(),
            &json!({ "topic": "be nice" }),
        )
        .await;
    assert_status(&resp, 200);

    for viewer in [&owner, &moderator] {
        let resp = try_audit_log(&app, viewer, &room, "").await;
        assert_status(&resp, 200);
        let log = resp.array();
        let actions: Vec<String> = log.iter().map(|e| field_str(e, "action")).collect();
        assert_eq!(
            actions,
            [
                "room_update",
                "message_delete",
                "unban",
                "ban",
                "kick",
                "role_change"
            ],
            "newest first: {log:?}"
        );
        assert_distinct_ids(log);
        for entry in log {
            assert_eq!(
                keys(entry),
                set(&[
                    "id",
                    "room_id",
                    "actor",
                    "action",
                    "target_user_id",
                    "message_id",
                    "detail",
                    "created_at"
                ]),
                "{entry}"
            );
            assert_uuid(&entry["id"], "entry.id");
            assert_eq!(entry["room_id"], room.as_str());
            assert_timestamp(&entry["created_at"], "entry.created_at");
            assert_has_keys(&entry["actor"], &["id", "username", "display_name"]);
        }
        let by = |i: usize| field_str(&log[i]["actor"], "id");
        let target = |i: usize| log[i]["target_user_id"].clone();

        assert_eq!(by(0), moderator.id, "room_update by the moderator");
        assert!(target(0).is_null(), "{}", log[0]);
        assert!(log[0]["message_id"].is_null(), "{}", log[0]);
        assert!(
            log[0]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("be nice")),
            "the change is described: {}",
            log[0]
        );

        assert_eq!(by(1), moderator.id);
        assert_eq!(target(1), author.id.as_str(), "the message's author");
        assert_eq!(log[1]["message_id"], doomed.as_str());

        assert_eq!(by(2), moderator.id);
        assert_eq!(target(2), banned.id.as_str());
        assert!(log[2]["message_id"].is_null());

        assert_eq!(by(3), owner.id);
        assert_eq!(target(3), banned.id.as_str());
        assert!(
            log[3]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("spam")),
            "{}",
            log[3]
        );

        assert_eq!(by(4), moderator.id);
        assert_eq!(target(4), kicked.id.as_str());

        assert_eq!(by(5), owner.id);
        assert_eq!(target(5), moderator.id.as_str());
        assert!(log[5]["message_id"].is_null());
    }
}

#[tokio::test]
async fn the_audit_log_pages_with_before_and_limit() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let mut users = Vec::new();
    for n in 0..5 {
        users.push(app.register(&format!("user{n}")).await);
    }
    let members: Vec<&TestUser> = users.iter().collect();
    let room = app.public_room_with(&owner, "Logged", &members).await;
    for user in &users {
        assert_status(&try_kick(&app, &owner, &room, &user.id).await, 204);
    }
    let all = try_audit_log(&app, &owner, &room, "").await;
    assert_status(&all, 200);
    let all = ids(all.array());
    assert_eq!(all.len(), 5);

    let page = |query: String| {
        let app = &app;
        let owner = &owner;
        let room = &room;
        async move {
            let resp = try_audit_log(app, owner, room, &query).await;
            assert_status(&resp, 200);
            ids(resp.array())
        }
    };
    assert_eq!(page("limit=2".into()).await, all[..2]);
    assert_eq!(page(format!("limit=2&before={}", all[1])).await, all[2..4]);
    assert_eq!(page(format!("limit=2&before={}", all[3])).await, all[4..]);
    assert!(page(format!("before={}", all[4])).await.is_empty());
    assert_eq!(page("limit=1000".into()).await, all);
    // Newest first: the last kick comes first.
    let first = try_audit_log(&app, &owner, &room, "limit=1").await;
    assert_eq!(first.array()[0]["target_user_id"], users[4].id.as_str());
}

// ---- handing the room over ---------------------------------------------------------------------

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

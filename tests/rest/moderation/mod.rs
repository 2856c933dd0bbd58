//! Running a group: the permission matrix of every moderation route, roles,
//! kicks, bans, unbans, the audit log and handing the room over.

mod audit;
mod handover;
mod matrix;
mod removals;
mod roles;

use themechat_tests::*;

use crate::social_support::*;

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

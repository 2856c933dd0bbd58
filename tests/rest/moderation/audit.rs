//! The audit log.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::*;

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

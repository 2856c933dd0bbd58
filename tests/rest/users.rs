//! Profiles, password changes, account deletion and user search.

use serde_json::json;
use themechat_tests::*;

const ME: &str = "/api/v1/users/me";
const PASSWORD_PATH: &str = "/api/v1/users/me/password";

fn user_path(id: &str) -> String {
    format!("/api/v1/users/{id}")
}

// ---- own profile -------------------------------------------------------------

#[tokio::test]
async fn get_me_includes_the_private_fields() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;

    let me = app.me(&alice).await;

    assert_eq!(me["id"], alice.id.as_str());
    assert_eq!(me["username"], "alice");
    assert_eq!(me["display_name"], "Alice");
    assert_eq!(me["profile_visibility"], "public");
    assert!(
        me.get("email").is_some_and(|e| e.is_null()),
        "email must be null: {me}"
    );
    assert_has_keys(&me, &["avatar_url", "online", "created_at"]);
}

#[tokio::test]
async fn patch_me_updates_the_profile() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .patch_json(
            ME,
            alice.auth(),
            &json!({
                "display_name": "Alice Wonder",
                "bio": "Likes tea",
                "interests": ["tea", "chess"],
                "avatar_url": "https://example.com/a.png",
            }),
        )
        .await;

    assert_status(&resp, 200);
    for view in [resp.body, app.me(&alice).await] {
        assert_eq!(view["display_name"], "Alice Wonder");
        assert_eq!(view["bio"], "Likes tea");
        assert_eq!(view["interests"], json!(["tea", "chess"]));
        assert_eq!(view["avatar_url"], "https://example.com/a.png");
        assert_eq!(view["username"], "alice");
    }
}

#[tokio::test]
async fn patch_me_leaves_absent_fields_alone() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let first = app
        .patch_json(
            ME,
            alice.auth(),
            &json!({ "bio": "Likes tea", "display_name": "Al" }),
        )
        .await;
    assert_status(&first, 200);

    let resp = app
        .patch_json(ME, alice.auth(), &json!({ "bio": "Likes coffee" }))
        .await;

    assert_status(&resp, 200);
    assert_eq!(resp.body["bio"], "Likes coffee");
    assert_eq!(resp.body["display_name"], "Al");
}

#[tokio::test]
async fn avatar_url_must_be_http_or_a_path() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for good in [
        "https://example.com/a.png",
        "http://example.com/b.png",
        "/x.png",
    ] {
        let resp = app
            .patch_json(ME, alice.auth(), &json!({ "avatar_url": good }))
            .await;
        assert_status(&resp, 200);
        assert_eq!(resp.body["avatar_url"], good);
    }
    for bad in [
        "javascript:x",
        "javascript:alert(1)",
        "ftp://example.com/a.png",
        "example.com/a.png",
    ] {
        let resp = app
            .patch_json(ME, alice.auth(), &json!({ "avatar_url": bad }))
            .await;
        assert_error(&resp, 422, "validation_failed");
    }

    // The rejected updates changed nothing.
    assert_eq!(app.me(&alice).await["avatar_url"], "/x.png");
}

#[tokio::test]
async fn display_name_must_be_1_to_64_characters() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let too_long = "n".repeat(65);

    for bad in ["", too_long.as_str()] {
        let resp = app
            .patch_json(ME, alice.auth(), &json!({ "display_name": bad }))
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
    let longest = "n".repeat(64);
    let resp = app
        .patch_json(ME, alice.auth(), &json!({ "display_name": longest }))
        .await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn profile_visibility_can_be_set_to_friends_and_back() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .patch_json(
            ME,
            alice.auth(),
            &json!({ "profile_visibility": "friends" }),
        )
        .await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["profile_visibility"], "friends");
    assert_eq!(app.me(&alice).await["profile_visibility"], "friends");

    let resp = app
        .patch_json(ME, alice.auth(), &json!({ "profile_visibility": "public" }))
        .await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["profile_visibility"], "public");

    let resp = app
        .patch_json(
            ME,
            alice.auth(),
            &json!({ "profile_visibility": "everyone" }),
        )
        .await;
    assert_error(&resp, 422, "validation_failed");
}

// ---- password change -----------------------------------------------------------

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .put_json(
            PASSWORD_PATH,
            alice.auth(),
            &json!({ "current_password": "not my password", "new_password": "a brand new secret" }),
        )
        .await;

    assert_error(&resp, 403, "wrong_password");
    let login = app.login("alice", PASSWORD).await;
    assert_status(&login, 200);
}

#[tokio::test]
async fn a_too_short_new_password_is_rejected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .put_json(
            PASSWORD_PATH,
            alice.auth(),
            &json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;

    assert_error(&resp, 422, "validation_failed");
}

#[tokio::test]
async fn changing_the_password_revokes_the_other_sessions_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let other_session = app.new_session(&alice).await;
    let new_password = "a brand new secret";

    let resp = app
        .put_json(
            PASSWORD_PATH,
            alice.auth(),
            &json!({ "current_password": PASSWORD, "new_password": new_password }),
        )
        .await;
    assert_status(&resp, 204);

    let revoked = app.refresh(&other_session.refresh_token).await;
    assert_error(&revoked, 401, "invalid_token");
    let kept = app.refresh(&alice.refresh_token).await;
    assert_status(&kept, 200);

    let with_new = app.login("alice", new_password).await;
    assert_status(&with_new, 200);
    let with_old = app.login("alice", PASSWORD).await;
    assert_error(&with_old, 401, "invalid_credentials");
}

// ---- account deletion -------------------------------------------------------------

#[tokio::test]
async fn deleting_the_account_needs_the_password() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .delete_json(ME, alice.auth(), &json!({ "password": "not my password" }))
        .await;

    assert_error(&resp, 403, "wrong_password");
    app.me(&alice).await;
}

#[tokio::test]
async fn a_deleted_account_is_gone_but_its_messages_stay() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Tea", &[&bob]).await;
    let message = app.post_message(&bob, &room, "hi from bob").await;

    let resp = app
        .delete_json(ME, bob.auth(), &json!({ "password": PASSWORD }))
        .await;
    assert_status(&resp, 204);

    // The profile answers 404.
    let profile = app.get(&user_path(&bob.id), alice.auth()).await;
    assert_error(&profile, 404, "not_found");
    // The username stays reserved, in any case.
    for username in ["bob", "BOB"] {
        let again = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": username, "password": PASSWORD }),
            )
            .await;
        assert_error(&again, 409, "username_taken");
    }
    // Nobody can log in as bob any more.
    let login = app.login("bob", PASSWORD).await;
    assert_error(&login, 401, "invalid_credentials");
    // The message is still there, from a deleted sender.
    let history = app.history(&alice, &room, "").await;
    let kept = history
        .iter()
        .find(|m| m["id"] == message["id"])
        .unwrap_or_else(|| panic!("bob's message vanished from {history:?}"));
    assert!(kept["sender"].is_null(), "sender must be null: {kept}");
}

// ---- other people's profiles ----------------------------------------------------------

#[tokio::test]
async fn a_public_profile_shows_the_public_fields_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register_with("bob", Some("Bobby")).await;
    let resp = app
        .patch_json(
            ME,
            bob.auth(),
            &json!({ "bio": "Bob's bio", "interests": ["sailing"], "avatar_url": "/bob.png" }),
        )
        .await;
    assert_status(&resp, 200);

    let resp = app.get(&user_path(&bob.id), alice.auth()).await;

    assert_status(&resp, 200);
    let user = &resp.body;
    assert_eq!(user["id"], bob.id.as_str());
    assert_eq!(user["username"], "bob");
    assert_eq!(user["display_name"], "Bobby");
    assert_eq!(user["bio"], "Bob's bio");
    assert_eq!(user["interests"], json!(["sailing"]));
    assert_eq!(user["avatar_url"], "/bob.png");
    assert!(
        user["online"].is_boolean(),
        "online must be a boolean: {user}"
    );
    assert_timestamp(&user["created_at"], "created_at");
    assert_lacks_keys(
        user,
        &["profile_visibility", "email", "password", "password_hash"],
    );
}

#[tokio::test]
async fn a_friends_only_profile_shows_strangers_the_basics_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register_with("bob", Some("Bobby")).await;
    let resp = app
        .patch_json(
            ME,
            bob.auth(),
            &json!({
                "bio": "Private bio",
                "interests": ["secrets"],
                "avatar_url": "/bob.png",
                "profile_visibility": "friends",
            }),
        )
        .await;
    assert_status(&resp, 200);

    let resp = app.get(&user_path(&bob.id), alice.auth()).await;

    assert_status(&resp, 200);
    assert_eq!(
        keys(&resp.body),
        set(&["id", "username", "display_name", "avatar_url", "online"]),
        "a stranger must see only the basics of a friends-only profile: {}",
        resp.body
    );
    assert_eq!(resp.body["id"], bob.id.as_str());
    assert_eq!(resp.body["username"], "bob");
    assert_eq!(resp.body["display_name"], "Bobby");
    assert_eq!(resp.body["avatar_url"], "/bob.png");
    // Bob himself still sees everything.
    let me = app.me(&bob).await;
    assert_eq!(me["bio"], "Private bio");
    assert_eq!(me["interests"], json!(["secrets"]));
}

#[tokio::test]
async fn a_user_id_that_is_not_a_uuid_is_a_bad_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app.get(&user_path("not-a-uuid"), alice.auth()).await;

    assert_error(&resp, 400, "bad_request");
}

#[tokio::test]
async fn an_unknown_user_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app.get(&user_path(&random_id()), alice.auth()).await;

    assert_error(&resp, 404, "not_found");
}

// ---- search ------------------------------------------------------------------------------

async fn search(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let resp = app
        .get(&with_query("/api/v1/users", query), user.auth())
        .await;
    assert_status(&resp, 200);
    resp.array()
        .iter()
        .map(|u| field_str(u, "username"))
        .collect()
}

#[tokio::test]
async fn user_search_matches_username_and_display_name_in_any_case() {
    let app = spawn_app().await;
    let searcher = app.register("searcher").await;
    app.register_with("zebra_keeper", Some("Zed")).await;
    app.register_with("koala_fan", Some("Marsupial Lover"))
        .await;

    let by_username = search(&app, &searcher, "q=KEEPER").await;
    assert!(
        by_username.contains(&"zebra_keeper".to_owned()),
        "{by_username:?}"
    );
    assert!(
        !by_username.contains(&"koala_fan".to_owned()),
        "{by_username:?}"
    );

    let by_display_name = search(&app, &searcher, "q=marsupial").await;
    assert!(
        by_display_name.contains(&"koala_fan".to_owned()),
        "{by_display_name:?}"
    );
    assert!(
        !by_display_name.contains(&"zebra_keeper".to_owned()),
        "{by_display_name:?}"
    );

    let nothing = search(&app, &searcher, "q=nomatchxyz").await;
    assert!(nothing.is_empty(), "{nothing:?}");
}

#[tokio::test]
async fn user_search_respects_the_limit() {
    let app = spawn_app().await;
    let searcher = app.register("searcher").await;
    for n in 0..3 {
        app.register(&format!("keeper_{n}")).await;
    }

    let all = search(&app, &searcher, "q=keeper").await;
    assert_eq!(all.len(), 3, "{all:?}");
    let limited = search(&app, &searcher, "q=keeper&limit=2").await;
    assert_eq!(limited.len(), 2, "{limited:?}");
}

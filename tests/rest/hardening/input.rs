//! Input that must never be a server error.

use serde_json::json;
use themechat_tests::*;

use super::assert_error_shape_if_error;

// ---- input that must never be a server error ----------------------------------------

#[tokio::test]
async fn a_nul_byte_in_a_search_query_is_no_server_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = app.create_room(&alice, "Nul room", "public").await;
    let room = id_of(&room);
    app.post_message(&alice, &room, "findable words").await;

    for path in [
        "/api/v1/users?q=%00",
        "/api/v1/users?q=al%00ice",
        "/api/v1/rooms?q=%00",
        "/api/v1/search/messages?q=%00",
        "/api/v1/search/messages?q=findable%00",
    ] {
        let resp = app.get(path, alice.auth()).await;
        assert!(
            resp.status == 200 || resp.status == 422,
            "{path}: {}",
            resp.describe()
        );
        assert_error_shape_if_error(&resp);
    }
}

#[tokio::test]
async fn a_nul_byte_in_stored_text_is_a_validation_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Text room", "public").await);

    let body = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": "a\u{0}b" }),
        )
        .await;
    assert_error(&body, 422, "validation_failed");

    let bio = app
        .patch_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "bio": "nul\u{0}bio" }),
        )
        .await;
    assert_error(&bio, 422, "validation_failed");

    let topic = app
        .patch_json(
            &format!("/api/v1/rooms/{room}"),
            alice.auth(),
            &json!({ "topic": "nul\u{0}topic" }),
        )
        .await;
    assert_error(&topic, 422, "validation_failed");

    let created = app
        .post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "name": "Other", "topic": "t\u{0}" }),
        )
        .await;
    assert_error(&created, 422, "validation_failed");

    // Nothing of it was stored.
    let history = app.history(&alice, &room, "").await;
    assert!(history.is_empty(), "{history:?}");
    assert_eq!(app.me(&alice).await["bio"], "");
}

#[tokio::test]
async fn an_explicitly_empty_display_name_at_sign_up_is_rejected() {
    let app = spawn_app().await;
    for name in ["", "   "] {
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": unique("empty"), "password": PASSWORD, "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn invisible_and_direction_changing_characters_are_refused_in_names() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for name in [
        "evil\u{202e}gnp.exe",
        "zero\u{200b}width",
        "join\u{200d}er",
        "bom\u{feff}",
        "iso\u{2066}late",
    ] {
        let resp = app
            .patch_json(
                "/api/v1/users/me",
                alice.auth(),
                &json!({ "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": unique("bidi"), "password": PASSWORD, "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
        let resp = app
            .post_json("/api/v1/rooms", alice.auth(), &json!({ "name": name }))
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
    // Scripts written right to left are people's names, not an attack.
    let resp = app
        .patch_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "display_name": "שלום עולם" }),
        )
        .await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn a_room_has_one_created_at_wherever_it_is_read() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = app.create_room(&alice, "Clock room", "public").await;
    let id = id_of(&room);

    let fetched = app.get(&format!("/api/v1/rooms/{id}"), alice.auth()).await;
    assert_status(&fetched, 200);
    let summary = app.room_summary(&alice, &id).await;
    assert_eq!(
        room["created_at"], fetched.body["created_at"],
        "create vs get"
    );
    assert_eq!(
        fetched.body["created_at"], summary["created_at"],
        "get vs my rooms"
    );
}

//! Edit history: every earlier version of an edited message, for members.

use serde_json::json;
use themechat_tests::*;

async fn edit(app: &TestApp, user: &TestUser, message: &str, body: &str) -> TestResponse {
    app.api()
        .patch_json(
            &format!("/api/v1/messages/{message}"),
            user.auth(),
            &json!({ "body": body }),
        )
        .await
}

async fn versions(app: &TestApp, user: &TestUser, message: &str) -> TestResponse {
    app.api()
        .get(&format!("/api/v1/messages/{message}/edits"), user.auth())
        .await
}

#[tokio::test]
async fn each_edit_keeps_the_version_it_replaced() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let posted = app.post_message(&alice, &room, "first words").await;
    let message = id_of(&posted);

    let none = versions(&app, &bob, &message).await;
    assert_status(&none, 200);
    assert_eq!(none.body, json!([]), "never edited: no earlier versions");

    let second = edit(&app, &alice, &message, "second words").await;
    assert_status(&second, 200);
    let third = edit(&app, &alice, &message, "third words").await;
    assert_status(&third, 200);
    // Saying the same again is no edit: nothing new is kept.
    assert_status(&edit(&app, &alice, &message, "third words").await, 200);

    let list = versions(&app, &bob, &message).await;
    assert_status(&list, 200);
    let list = list.array();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["body"], "first words");
    assert_eq!(list[0]["written_at"], posted["created_at"]);
    assert_eq!(list[1]["body"], "second words");
    assert_eq!(list[1]["written_at"], second.body["edited_at"]);
    assert_eq!(list[1]["replaced_at"], third.body["edited_at"]);
    assert_timestamp(&list[0]["replaced_at"], "replaced_at");
}

#[tokio::test]
async fn only_members_see_earlier_versions_and_a_deleted_message_has_none() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let carol = app.register("carol").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);
    let message = id_of(&app.post_message(&alice, &room, "before").await);
    assert_status(&edit(&app, &alice, &message, "after").await, 200);

    assert_error(&versions(&app, &carol, &message).await, 403, "not_a_member");
    let secret = id_of(&app.create_room(&alice, "Secret", "private").await);
    let hidden = id_of(&app.post_message(&alice, &secret, "psst").await);
    assert_error(&versions(&app, &carol, &hidden).await, 404, "not_found");
    assert_error(
        &versions(&app, &alice, &random_id()).await,
        404,
        "not_found",
    );

    let deleted = app
        .api()
        .delete(&format!("/api/v1/messages/{message}"), alice.auth())
        .await;
    assert_status(&deleted, 204);
    assert_error(&versions(&app, &alice, &message).await, 404, "not_found");
}

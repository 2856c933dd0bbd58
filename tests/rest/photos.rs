//! Photo libraries over REST: pictures only, seen as the owner's privacy
//! setting allows, removed for good (bytes too).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use themechat_tests::files::{Upload, picture_size};
use themechat_tests::*;

use crate::social_support::make_friends;

async fn add(app: &TestApp, user: &TestUser, file: &Upload) -> TestResponse {
    app.upload(Method::POST, "/api/v1/users/me/photos", user.auth(), file)
        .await
}

fn photos_of(user: &TestUser) -> String {
    format!("/api/v1/users/{}/photos", user.id)
}

#[tokio::test]
async fn a_photo_library_is_seen_as_its_owners_profile_allows() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let first = add(&app, &alice, &Upload::png("beach.png", 800, 600)).await;
    assert_status(&first, 201);
    assert_eq!(first.body["owner_id"], alice.id.as_str());
    assert_eq!(first.body["content_type"], "image/png");
    assert_eq!(
        (first.body["width"].clone(), first.body["height"].clone()),
        (json!(800), json!(600))
    );
    assert_timestamp(&first.body["created_at"], "created_at");
    let second = add(&app, &alice, &Upload::png("hill.png", 100, 100)).await;
    assert_status(&second, 201);

    // Public profile: anyone signed in sees them, newest first.
    let seen = app.get(&photos_of(&alice), carol.auth()).await;
    assert_status(&seen, 200);
    assert_eq!(ids(seen.array()), [id_of(&second.body), id_of(&first.body)]);
    let mine = app.get("/api/v1/users/me/photos", alice.auth()).await;
    assert_eq!(mine.body, seen.body);
    let photo = format!("/api/v1/photos/{}", id_of(&first.body));
    let whole = app.get(&photo, carol.auth()).await;
    assert_status(&whole, 200);
    assert_eq!(picture_size(&whole.bytes), (800, 600));
    let thumb = app.get(&format!("{photo}/thumbnail"), carol.auth()).await;
    assert_eq!(picture_size(&thumb.bytes), (320, 240));
    assert_error(&app.get(&photo, None).await, 401, "unauthorized");

    // Friends only: a friend still sees them, a stranger does not.
    let private = json!({ "profile_visibility": "friends" });
    assert_status(
        &app.patch_json("/api/v1/users/me", alice.auth(), &private)
            .await,
        200,
    );
    make_friends(&app, &alice, &bob).await;
    assert_status(&app.get(&photos_of(&alice), bob.auth()).await, 200);
    assert_status(&app.get(&photo, bob.auth()).await, 200);
    assert_error(
        &app.get(&photos_of(&alice), carol.auth()).await,
        403,
        "forbidden",
    );
    assert_error(&app.get(&photo, carol.auth()).await, 404, "not_found");
    assert_error(
        &app.get(&format!("{photo}/thumbnail"), carol.auth()).await,
        404,
        "not_found",
    );
    assert_status(&app.get(&photos_of(&alice), alice.auth()).await, 200);
    assert_error(
        &app.get(&format!("/api/v1/users/{}/photos", random_id()), bob.auth())
            .await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn only_pictures_go_in_and_removed_ones_leave_no_bytes() {
    let app = spawn_app_with(|s| s.file_sweep_secs = 1).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let text = Upload::new("cv.png", "image/png", b"not a picture at all".to_vec());
    assert_error(&add(&app, &alice, &text).await, 422, "validation_failed");
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());

    let photo = id_of(&add(&app, &alice, &Upload::png("p.png", 50, 50)).await.body);
    assert_eq!(app.stored_files().len(), 2, "the picture and its thumbnail");
    let mine = format!("/api/v1/users/me/photos/{photo}");
    // Only its owner removes it.
    assert_error(&app.delete(&mine, bob.auth()).await, 404, "not_found");
    assert_status(&app.delete(&mine, alice.auth()).await, 204);
    assert_error(&app.delete(&mine, alice.auth()).await, 404, "not_found");
    assert_error(
        &app.get(&format!("/api/v1/photos/{photo}"), alice.auth())
            .await,
        404,
        "not_found",
    );
    assert_eq!(
        app.get(&photos_of(&alice), alice.auth()).await.body,
        json!([])
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while !app.stored_files().is_empty() {
        assert!(Instant::now() < deadline, "left: {:?}", app.stored_files());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

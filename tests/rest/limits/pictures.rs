//! Pictures are decoded within a budget each, and only so many at once.

use reqwest::Method;
use serde_json::json;
use themechat_tests::files::{Upload, black_png, picture_size};
use themechat_tests::*;

use crate::social_support::all_at_once;

async fn add_photo(app: &TestApp, user: &TestUser, bytes: &[u8]) -> TestResponse {
    let file = Upload::new("me.png", "image/png", bytes.to_vec());
    app.upload(Method::POST, "/api/v1/users/me/photos", user.auth(), &file)
        .await
}

#[tokio::test]
async fn a_picture_beyond_the_budget_is_refused_unread() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Pictures", "public").await);
    // 64 megapixels in a few kilobytes: 64 MiB and more once decoded.
    let bomb = black_png(8000, 8000);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    assert_eq!(
        picture_size(&black_png(9, 7)),
        (9, 7),
        "the maker makes PNGs"
    );
    let file = Upload::new("big.png", "image/png", bomb);

    let photo = app
        .upload(Method::POST, "/api/v1/users/me/photos", alice.auth(), &file)
        .await;
    assert_error(&photo, 422, "picture_too_large");
    let avatar = app
        .upload(Method::PUT, "/api/v1/users/me/avatar", alice.auth(), &file)
        .await;
    assert_error(&avatar, 422, "picture_too_large");
    let path = format!("/api/v1/rooms/{room}/attachments");
    let attachment = app.upload(Method::POST, &path, alice.auth(), &file).await;
    assert_error(&attachment, 422, "picture_too_large");
    // Too long a side is too large too, however few the pixels.
    let strip = Upload::new("strip.png", "image/png", black_png(9000, 2));
    let resp = app.upload(Method::POST, &path, alice.auth(), &strip).await;
    assert_error(&resp, 422, "picture_too_large");
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());

    // What a chat picture needs still goes through: 16 megapixels.
    let fits = Upload::new("fits.png", "image/png", black_png(4096, 4096));
    let resp = app.upload(Method::POST, &path, alice.auth(), &fits).await;
    assert_status(&resp, 201);
    assert_eq!(
        (resp.body["width"].clone(), resp.body["height"].clone()),
        (json!(4096), json!(4096))
    );
}

#[tokio::test]
async fn pictures_beyond_the_decodes_in_flight_are_refused_with_retry_after() {
    // One decode at a time and no line: whoever comes while a picture is
    // being decoded is told to come back.
    let app = spawn_app_with(|s| {
        s.picture_decodes = 1;
        s.picture_decode_queue = 0;
    })
    .await;
    let alice = app.register("alice").await;
    // Four megapixels: taken, and far longer to decode (with its
    // thumbnail) than the six requests take to arrive together.
    let picture = black_png(2048, 2048);
    let answers = all_at_once(6, |_| {
        let api = app.api();
        let token = alice.access_token.clone();
        let file = Upload::new("me.png", "image/png", picture.clone());
        async move {
            api.upload(Method::POST, "/api/v1/users/me/photos", Some(&token), &file)
                .await
        }
    })
    .await;
    let mut taken = 0;
    let mut refused = 0;
    for resp in &answers {
        match resp.status {
            201 => taken += 1,
            503 => {
                assert_error(resp, 503, "unavailable");
                assert!(resp.header("retry-after").is_some(), "{}", resp.describe());
                refused += 1;
            }
            _ => panic!("neither taken nor refused: {}", resp.describe()),
        }
    }
    assert!(taken >= 1, "none taken");
    assert!(refused >= 1, "all six decoded side by side");

    // The slot is free again afterwards, refusals included.
    assert_status(&add_photo(&app, &alice, &picture).await, 201);
}

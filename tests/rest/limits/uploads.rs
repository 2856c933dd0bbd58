//! Uploads: a rate per user, and a quota of bytes kept per user, counted
//! in the database (so on every node alike) and freed by deleting files.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use themechat_tests::files::{Upload, png};
use themechat_tests::*;

async fn attach(app: &TestApp, user: &TestUser, room: &str, size: usize) -> TestResponse {
    let file = Upload::new("notes.txt", "text/plain", vec![b'a'; size]);
    let path = format!("/api/v1/rooms/{room}/attachments");
    app.upload(Method::POST, &path, user.auth(), &file).await
}

async fn add_photo(app: &TestApp, user: &TestUser, bytes: &[u8]) -> TestResponse {
    let file = Upload::new("me.png", "image/png", bytes.to_vec());
    app.upload(Method::POST, "/api/v1/users/me/photos", user.auth(), &file)
        .await
}

/// Waits until the store holds `count` files (a refused upload's bytes
/// are removed just after its answer).
async fn files_settle_at(app: &TestApp, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.stored_files().len() != count {
        assert!(
            Instant::now() < deadline,
            "still {} files, not {count}: {:?}",
            app.stored_files().len(),
            app.stored_files()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_burst_of_uploads_is_refused_with_retry_after() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Files", &[&bob]).await;

    let mut taken = 0;
    let mut refused = None;
    for _ in 0..100 {
        let resp = attach(&app, &alice, &room, 10).await;
        match resp.status {
            201 => taken += 1,
            _ => {
                refused = Some(resp);
                break;
            }
        }
    }
    let refused = refused.expect("a hundred uploads at once are not all taken");
    assert_error(&refused, 429, "rate_limited");
    let wait: u64 = refused
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in whole seconds");
    assert!(wait >= 1, "{wait}");
    assert!((1..=30).contains(&taken), "{taken} uploads taken");

    // One limit for every kind of upload of that person: photos too.
    let resp = add_photo(&app, &alice, &png(40, 30)).await;
    assert_error(&resp, 429, "rate_limited");
    // Bob's are his own.
    assert_status(&attach(&app, &bob, &room, 10).await, 201);
}

#[tokio::test]
async fn what_one_person_keeps_is_bounded_and_deleting_frees_it() {
    let photo = png(120, 90);
    let p = photo.len();
    let quota = 3 * p;
    let app = spawn_app_with(|s| s.upload_quota_bytes = quota as u64).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Files", &[&bob]).await;

    let resp = add_photo(&app, &alice, &photo).await;
    assert_status(&resp, 201);
    let first_photo = id_of(&resp.body);
    files_settle_at(&app, 2).await; // the photo and its thumbnail

    // p kept: 2p + 1 more does not fit, and nothing of it is stored.
    let resp = attach(&app, &alice, &room, 2 * p + 1).await;
    assert_error(&resp, 413, "quota_exceeded");
    files_settle_at(&app, 2).await;

    let resp = attach(&app, &alice, &room, p + 1).await;
    assert_status(&resp, 201);
    let sent_later = id_of(&resp.body);
    // 2p + 1 kept: a photo of p does not fit; its bytes do not stay.
    let resp = add_photo(&app, &alice, &photo).await;
    assert_error(&resp, 413, "quota_exceeded");
    files_settle_at(&app, 3).await;

    // Up to the byte: p - 1 fits, then nothing more does.
    assert_status(&attach(&app, &alice, &room, p - 1).await, 201);
    let resp = attach(&app, &alice, &room, 1).await;
    assert_error(&resp, 413, "quota_exceeded");
    // Bob has a quota of his own.
    assert_status(&attach(&app, &bob, &room, 2 * p).await, 201);

    // A removed photo frees its bytes at once (before the sweep).
    let resp = app
        .delete(
            &format!("/api/v1/users/me/photos/{first_photo}"),
            alice.auth(),
        )
        .await;
    assert_status(&resp, 204);
    assert_status(&add_photo(&app, &alice, &photo).await, 201);
    assert_error(&attach(&app, &alice, &room, 1).await, 413, "quota_exceeded");

    // So does a deleted message's attachment.
    let resp = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": "", "attachments": [sent_later] }),
        )
        .await;
    assert_status(&resp, 201);
    let message = id_of(&resp.body);
    let resp = app
        .delete(&format!("/api/v1/messages/{message}"), alice.auth())
        .await;
    assert_status(&resp, 204);
    assert_status(&attach(&app, &alice, &room, p + 1).await, 201);
    assert_error(&attach(&app, &alice, &room, 1).await, 413, "quota_exceeded");
}

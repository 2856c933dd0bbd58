//! Files in the web app: a picture and a document picked in the composer
//! arrive with the message; the other side sees the thumbnail, opens the
//! picture in the viewer, and gets the document by its name. An avatar
//! uploaded in the settings shows beside what its person writes.

use std::time::Duration;

use serde_json::json;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::files::png;

use crate::support::alice_and_bob_in_a_room;

/// Gives `path` to the file input `testid` (as a person picking it would).
async fn pick_file(browser: &Browser, testid: &str, path: &std::path::Path) {
    let input = browser.wait_for(testid).await;
    input
        .send_keys(path.to_str().expect("a UTF-8 path"))
        .await
        .unwrap_or_else(|e| panic!("{}: cannot pick {}: {e}", browser.label, path.display()));
}

/// The natural width of the first `img` matching `css`, once it loaded.
async fn loaded_width(browser: &Browser, css: &str) -> u64 {
    browser.wait_for_css(css).await;
    browser
        .wait_until("the picture to load", Duration::from_secs(15), || async {
            let width = browser
                .execute(
                    "const img = document.querySelector(arguments[0]);
                     return img && img.complete ? img.naturalWidth : 0;",
                    vec![json!(css)],
                )
                .await;
            Ok(width.as_u64().filter(|w| *w > 0))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_and_a_file_arrive_with_the_message() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Files ").await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let picture = dir.path().join("harbour.png");
    std::fs::write(&picture, png(640, 480)).expect("write the picture");
    let notes = dir.path().join("minutes.txt");
    std::fs::write(&notes, "1. ship it\n").expect("write the notes");

    // Alice picks the picture; it uploads before she sends.
    pick_file(&a, "composer-file", &picture).await;
    a.wait_for_css(&format!(
        "{}[data-state='ready']",
        tid("composer-attachment")
    ))
    .await;
    a.send_with_enter("Look at this").await;
    a.wait_gone("composer-attachment").await;
    b.wait_for_bubble("from alice", "Look at this", |m| !m.mine)
        .await;
    let thumbnail = format!(
        "{} img{}",
        tid("attachment-image"),
        tid("attachment-thumbnail")
    );
    assert_eq!(
        loaded_width(&b, &thumbnail).await,
        320,
        "the thumbnail, not the picture"
    );

    // Bob opens it: the viewer shows the whole picture, and closes again.
    b.click("attachment-image").await;
    b.wait_for("attachment-viewer").await;
    assert_eq!(loaded_width(&b, &tid("attachment-viewer-image")).await, 640);
    assert_eq!(
        b.attr("attachment-viewer-download", "download")
            .await
            .as_deref(),
        Some("harbour.png")
    );
    b.click("attachment-viewer-close").await;
    b.wait_gone("attachment-viewer").await;

    // A document needs no words; Bob sees it by name and size.
    pick_file(&a, "composer-file", &notes).await;
    a.wait_for_css(&format!(
        "{}[data-state='ready']",
        tid("composer-attachment")
    ))
    .await;
    a.click("composer-send").await;
    let file = b.wait_for_text("attachment-file", "minutes.txt").await;
    let label = file.text().await.unwrap_or_default();
    assert!(label.contains("11 bytes"), "{label}");
    b.click("attachment-file").await;
    // The download went through (an error would show beside the button).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.count("attachment-error").await, 0);

    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_avatar_shows_beside_its_persons_messages() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, room) = alice_and_bob_in_a_room(&driver, &server, "Faces ").await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let face = dir.path().join("face.png");
    std::fs::write(&face, png(500, 300)).expect("write the picture");

    a.goto("/settings").await;
    a.wait_for("avatar-upload").await;
    pick_file(&a, "avatar-file", &face).await;
    let preview = format!("{} img", tid("avatar-preview"));
    assert_eq!(
        loaded_width(&a, &preview).await,
        256,
        "cropped square and resized"
    );
    a.wait_for("avatar-remove").await;

    a.goto(&format!("/rooms/{room}")).await;
    a.send_with_enter("Hello with a face").await;
    b.wait_for_bubble("from alice", "Hello with a face", |m| !m.mine)
        .await;
    let beside = format!(
        "{}[data-mine='false'] {} img",
        tid("message-bubble"),
        tid("avatar")
    );
    assert_eq!(loaded_width(&b, &beside).await, 256);

    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_added_on_ones_profile_is_seen_by_others() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Albums ").await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let photo = dir.path().join("summit.png");
    std::fs::write(&photo, png(640, 480)).expect("write the photo");

    a.send_with_enter("My album").await;
    b.wait_for_bubble("from alice", "My album", |m| !m.mine)
        .await;
    let own_sender = format!(
        "{}[data-mine='true'] {}",
        tid("message-bubble"),
        tid("message-sender")
    );
    // Read once the bubble is the stored message (its sender a link), and
    // again if it was redrawn meanwhile.
    let profile = a
        .wait_until("a link to my profile", Duration::from_secs(15), || async {
            let href = a
                .execute(
                    "const l = document.querySelector(arguments[0]);
                     return l ? l.getAttribute('href') : null;",
                    vec![json!(own_sender)],
                )
                .await;
            Ok(href.as_str().map(str::to_owned))
        })
        .await;
    a.goto(&profile).await;
    a.wait_for("profile-photos-empty").await;
    pick_file(&a, "photo-file", &photo).await;
    assert_eq!(loaded_width(&a, &tid("profile-photo-thumbnail")).await, 320);

    let theirs = format!(
        "{}[data-mine='false'] {}",
        tid("message-bubble"),
        tid("message-sender")
    );
    b.click_css(&theirs).await;
    b.wait_for_path("alice's profile", |p| p == profile).await;
    assert_eq!(loaded_width(&b, &tid("profile-photo-thumbnail")).await, 320);
    assert_eq!(b.count("photo-remove").await, 0, "not Bob's to remove");
    b.click_css(&format!("{} button", tid("profile-photo")))
        .await;
    assert_eq!(loaded_width(&b, &tid("attachment-viewer-image")).await, 640);

    // Alice removes it; it is gone from her profile.
    a.click("photo-remove").await;
    a.wait_for("profile-photos-empty").await;

    a.close().await;
    b.close().await;
}

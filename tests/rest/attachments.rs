//! Attachments over REST: uploads typed from their bytes, messages that
//! carry them, members-only fetching, bad uploads that leave nothing, and
//! the files of deleted messages going away.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use themechat_tests::files::{self, Upload, picture_size, png};
use themechat_tests::*;

fn file_path(id: &str) -> String {
    format!("/api/v1/attachments/{id}")
}

async fn send_with(
    app: &TestApp,
    user: &TestUser,
    room: &str,
    body: &str,
    attachments: &[&str],
) -> TestResponse {
    let path = format!("/api/v1/rooms/{room}/messages");
    app.post_json(
        &path,
        user.auth(),
        &json!({ "body": body, "attachments": attachments }),
    )
    .await
}

/// Waits until `check` holds of the stored files (the sweep runs every
/// second in these apps).
async fn eventually_files(app: &TestApp, what: &str, check: impl Fn(usize) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let count = app.stored_files().len();
        if check(count) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still {count} files: {:?}",
            app.stored_files()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_picture_is_typed_from_its_bytes_and_gets_a_thumbnail() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Pics", "public").await);
    // The client claims text; the bytes say PNG.
    let file = Upload::new("holiday.txt", "text/plain", png(900, 450));
    let attachment = app.attach(&alice, &room, &file).await;
    assert_uuid(&attachment["id"], "id");
    assert_eq!(attachment["room_id"], room.as_str());
    assert_eq!(attachment["name"], "holiday.txt");
    assert_eq!(attachment["content_type"], "image/png");
    assert_eq!(attachment["size"], json!(file.bytes.len()));
    assert_eq!(
        (attachment["width"].clone(), attachment["height"].clone()),
        (json!(900), json!(450))
    );
    assert_eq!(attachment["thumbnail"], json!(true));

    let id = id_of(&attachment);
    let whole = app.get(&file_path(&id), alice.auth()).await;
    assert_status(&whole, 200);
    assert_eq!(whole.bytes, file.bytes);
    assert_eq!(whole.header("content-type"), Some("image/png"));
    let disposition = whole.header("content-disposition").unwrap();
    assert!(disposition.starts_with("inline"), "{disposition}");
    assert!(
        whole
            .header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(whole.header("x-content-type-options"), Some("nosniff"));

    let thumbnail = app
        .get(&format!("{}/thumbnail", file_path(&id)), alice.auth())
        .await;
    assert_status(&thumbnail, 200);
    assert_eq!(thumbnail.header("content-type"), Some("image/jpeg"));
    assert_eq!(picture_size(&thumbnail.bytes), (320, 160));
}

#[tokio::test]
async fn other_files_download_under_a_safe_name_and_never_as_a_page() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Docs", "public").await);
    let page = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let file = Upload::new("../../evil;ré.html", "text/html", page.clone());
    let attachment = app.attach(&alice, &room, &file).await;
    assert_eq!(attachment["name"], "evil;ré.html");
    // What the bytes are, whatever the client said: a page, which must
    // never be served as one.
    assert_eq!(attachment["content_type"], "text/html");
    assert_eq!(attachment["width"], Value::Null);
    assert_eq!(attachment["thumbnail"], json!(false));

    let id = id_of(&attachment);
    let fetched = app.get(&file_path(&id), alice.auth()).await;
    assert_status(&fetched, 200);
    assert_eq!(fetched.bytes, page);
    assert_eq!(fetched.header("content-type"), Some("text/html"));
    assert!(
        fetched
            .header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    assert!(fetched.header("set-cookie").is_none());
    let disposition = fetched.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"evil;r_.html\""),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert!(disposition.contains("r%C3%A9.html"), "{disposition}");
    assert_error(
        &app.get(&format!("{}/thumbnail", file_path(&id)), alice.auth())
            .await,
        404,
        "not_found",
    );
    let text = Upload::new("notes", "image/png", "plain words, é".as_bytes().to_vec());
    let text = app.attach(&alice, &room, &text).await;
    assert_eq!(text["content_type"], "text/plain; charset=utf-8");
    let pdf = Upload::new(
        "report",
        "application/octet-stream",
        b"%PDF-1.7\n1 0 obj".to_vec(),
    );
    assert_eq!(
        app.attach(&alice, &room, &pdf).await["content_type"],
        "application/pdf"
    );
}

#[tokio::test]
async fn a_message_carries_attachments_that_only_members_fetch() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Shared", &[&bob]).await;
    let picture = id_of(
        &app.attach(&alice, &room, &Upload::png("a.png", 40, 30))
            .await,
    );
    let notes = id_of(
        &app.attach(
            &alice,
            &room,
            &Upload::new("notes.txt", "text/plain", b"hello".to_vec()),
        )
        .await,
    );
    // Unsent, it is the uploader's alone.
    assert_error(
        &app.get(&file_path(&picture), bob.auth()).await,
        404,
        "not_found",
    );

    // No words needed when there are files; they keep the order given.
    let sent = send_with(&app, &alice, &room, "  ", &[&notes, &picture]).await;
    assert_status(&sent, 201);
    assert_eq!(sent.body["body"], "");
    let carried: Vec<&str> = sent.body["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(carried, [notes.as_str(), picture.as_str()]);
    assert_eq!(sent.body["attachments"][1]["width"], json!(40));

    let history = app.history(&bob, &room, "").await;
    assert_eq!(history[0]["attachments"], sent.body["attachments"]);
    assert_status(&app.get(&file_path(&picture), bob.auth()).await, 200);
    assert_status(
        &app.get(&format!("{}/thumbnail", file_path(&picture)), bob.auth())
            .await,
        200,
    );
    // Outsiders learn nothing, not even that it exists.
    assert_error(
        &app.get(&file_path(&picture), carol.auth()).await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(&file_path(&picture), None).await,
        401,
        "unauthorized",
    );
    assert_error(
        &app.get(&file_path(&random_id()), bob.auth()).await,
        404,
        "not_found",
    );
    // Who leaves the room leaves its files.
    assert_status(
        &app.post(&format!("/api/v1/rooms/{room}/leave"), bob.auth())
            .await,
        204,
    );
    assert_error(
        &app.get(&file_path(&picture), bob.auth()).await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn an_upload_is_sent_once_by_its_uploader_to_its_own_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "One", &[&bob]).await;
    let other = app.public_room_with(&alice, "Two", &[&bob]).await;
    let file = id_of(&app.attach(&alice, &room, &Upload::png("a.png", 8, 8)).await);

    // Someone else's upload is as unknown as one that never was; one's own
    // that cannot go here conflicts; a list naming one twice is invalid.
    let refusals = [
        (
            send_with(&app, &bob, &room, "mine now", &[&file]).await,
            404,
            "not_found",
        ),
        (
            send_with(&app, &alice, &room, "unknown", &[&random_id()]).await,
            404,
            "not_found",
        ),
        (
            send_with(&app, &alice, &other, "elsewhere", &[&file]).await,
            409,
            "conflict",
        ),
        (
            send_with(&app, &alice, &room, "twice", &[&file, &file]).await,
            422,
            "validation_failed",
        ),
    ];
    for (refused, status, code) in &refusals {
        assert_error(refused, *status, code);
    }
    let eleven: Vec<String> = (0..11).map(|_| random_id()).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    assert_error(
        &send_with(&app, &alice, &room, "many", &eleven).await,
        422,
        "validation_failed",
    );
    assert_error(
        &send_with(&app, &alice, &room, " ", &[]).await,
        422,
        "validation_failed",
    );
    assert_eq!(
        app.history(&alice, &room, "").await.len(),
        0,
        "nothing refused was stored"
    );

    assert_status(
        &send_with(&app, &alice, &room, "first", &[&file]).await,
        201,
    );
    let again = send_with(&app, &alice, &room, "second", &[&file]).await;
    assert_error(&again, 409, "conflict");
}

#[tokio::test]
async fn only_members_upload() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mallory = app.register("mallory").await;
    let public = id_of(&app.create_room(&alice, "Open", "public").await);
    let private = id_of(&app.create_room(&alice, "Closed", "private").await);
    let file = Upload::png("x.png", 4, 4);
    let path = |room: &str| format!("/api/v1/rooms/{room}/attachments");
    let outsider = app
        .upload(Method::POST, &path(&public), mallory.auth(), &file)
        .await;
    assert_error(&outsider, 403, "not_a_member");
    let hidden = app
        .upload(Method::POST, &path(&private), mallory.auth(), &file)
        .await;
    assert_error(&hidden, 404, "not_found");
    let anonymous = app.upload(Method::POST, &path(&public), None, &file).await;
    assert_error(&anonymous, 401, "unauthorized");
    assert!(app.stored_files().is_empty());
}

#[tokio::test]
async fn bad_uploads_get_clear_errors_and_leave_nothing_behind() {
    let app = spawn_app_with(|s| s.upload_max_bytes = 2000).await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Limits", "public").await);
    let path = format!("/api/v1/rooms/{room}/attachments");

    let big = Upload::new("big.bin", "application/octet-stream", vec![7; 2001]);
    let refused = app.upload(Method::POST, &path, alice.auth(), &big).await;
    assert_error(&refused, 413, "payload_too_large");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2000 bytes")
    );

    let whole = Upload::new("cut.bin", "application/octet-stream", vec![1; 1500]).form();
    let cut = &whole[..whole.len() - 40];
    let request = app
        .request(Method::POST, &path, alice.auth())
        .header("content-type", files::multipart_type())
        .body(cut.to_vec());
    assert_error(&app.send(request).await, 400, "bad_request");

    let not_a_form = app
        .post_json(&path, alice.auth(), &json!({ "file": "x" }))
        .await;
    assert_error(&not_a_form, 400, "bad_request");
    let empty = Upload::new("empty.txt", "text/plain", Vec::new());
    assert_error(
        &app.upload(Method::POST, &path, alice.auth(), &empty).await,
        422,
        "validation_failed",
    );
    let other_field = app
        .request(Method::POST, &path, alice.auth())
        .header("content-type", files::multipart_type())
        .body(
            "--themechat-test-boundary-7Hq2\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--themechat-test-boundary-7Hq2--\r\n",
        );
    assert_error(&app.send(other_field).await, 422, "validation_failed");
    // A form has its one part, `file`: more is a client misreading it.
    let file_and_more = app
        .request(Method::POST, &path, alice.auth())
        .header("content-type", files::multipart_type())
        .body(
            "--themechat-test-boundary-7Hq2\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--themechat-test-boundary-7Hq2\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--themechat-test-boundary-7Hq2--\r\n",
        );
    assert_error(&app.send(file_and_more).await, 422, "validation_failed");

    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());
    // Just under the limit is fine.
    let fits = Upload::new("fits.bin", "application/octet-stream", vec![7; 2000]);
    assert_eq!(app.attach(&alice, &room, &fits).await["size"], json!(2000));
}

#[tokio::test]
async fn deleting_a_message_deletes_its_files() {
    let app = spawn_app_with(|s| s.file_sweep_secs = 1).await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Gone", "public").await);
    let kept = id_of(
        &app.attach(&alice, &room, &Upload::png("kept.png", 20, 20))
            .await,
    );
    let doomed = id_of(
        &app.attach(&alice, &room, &Upload::png("doomed.png", 20, 20))
            .await,
    );
    assert_status(
        &send_with(&app, &alice, &room, "stays", &[&kept]).await,
        201,
    );
    let message = send_with(&app, &alice, &room, "goes", &[&doomed]).await;
    // Two files and two thumbnails.
    assert_eq!(app.stored_files().len(), 4);

    let path = format!("/api/v1/messages/{}", id_of(&message.body));
    assert_status(&app.delete(&path, alice.auth()).await, 204);
    assert_error(
        &app.get(&file_path(&doomed), alice.auth()).await,
        404,
        "not_found",
    );
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history[1]["attachments"], json!([]));
    eventually_files(&app, "the deleted message's files", |n| n == 2).await;
    assert_status(&app.get(&file_path(&kept), alice.auth()).await, 200);
}

#[tokio::test]
async fn uploads_never_sent_are_swept() {
    let app = spawn_app_with(|s| {
        s.file_sweep_secs = 1;
        s.unsent_upload_ttl_secs = 1;
    })
    .await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Later", "public").await);
    let file = id_of(
        &app.attach(&alice, &room, &Upload::png("late.png", 10, 10))
            .await,
    );
    eventually_files(&app, "the unsent upload", |n| n == 0).await;
    assert_error(
        &app.get(&file_path(&file), alice.auth()).await,
        404,
        "not_found",
    );
    let late = send_with(&app, &alice, &room, "too late", &[&file]).await;
    assert_error(&late, 404, "not_found");
}

#[tokio::test]
async fn an_avatar_is_cropped_square_served_to_all_and_replaced_cleanly() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let path = "/api/v1/users/me/avatar";
    let me = app
        .upload(
            Method::PUT,
            path,
            alice.auth(),
            &Upload::png("me.png", 900, 300),
        )
        .await;
    assert_status(&me, 200);
    let first = field_str(&me.body, "avatar_url");
    assert!(first.starts_with("/api/v1/avatars/"), "{first}");
    // Anyone may see it: avatars appear wherever their person does.
    let served = app.get(&first, None).await;
    assert_status(&served, 200);
    assert_eq!(picture_size(&served.bytes), (256, 256));
    assert!(served.header("cache-control").unwrap().contains("public"));
    let profile = app
        .get(&format!("/api/v1/users/{}", alice.id), alice.auth())
        .await;
    assert_eq!(profile.body["avatar_url"], first.as_str());
    // Shown beside what she writes, too.
    let room = id_of(&app.create_room(&alice, "Faces", "public").await);
    let said = app.post_message(&alice, &room, "hi").await;
    assert_eq!(said["sender"]["avatar_url"], first.as_str());

    // A PNG cut short: its header reads, its pixels do not.
    let whole = png(64, 64);
    let cut = Upload::new("me.png", "image/png", whole[..whole.len() / 2].to_vec());
    let refused = app.upload(Method::PUT, path, alice.auth(), &cut).await;
    assert_error(&refused, 422, "validation_failed");
    assert_eq!(app.me(&alice).await["avatar_url"], first.as_str());
    // Words after a GIF signature: read as a header, they claim 25120 ×
    // 29813 pixels, which is refused before anything is decoded.
    let not_a_picture = Upload::new("me.png", "image/png", b"GIF89a but not really".to_vec());
    let refused = app
        .upload(Method::PUT, path, alice.auth(), &not_a_picture)
        .await;
    assert_error(&refused, 422, "picture_too_large");
    assert_eq!(app.me(&alice).await["avatar_url"], first.as_str());

    let replaced = app
        .upload(
            Method::PUT,
            path,
            alice.auth(),
            &Upload::png("new.png", 64, 64),
        )
        .await;
    assert_status(&replaced, 200);
    let second = field_str(&replaced.body, "avatar_url");
    assert_ne!(second, first);
    assert_error(&app.get(&first, None).await, 404, "not_found");
    assert_eq!(app.stored_files().len(), 1);

    let cleared = app.delete(path, alice.auth()).await;
    assert_status(&cleared, 200);
    assert_eq!(cleared.body["avatar_url"], Value::Null);
    assert_error(&app.get(&second, None).await, 404, "not_found");
    assert!(app.stored_files().is_empty());
}

//! Messages: posting, history paging, ordering, edits, deletion, threads,
//! read markers and unread counts.

use std::collections::HashSet;

use serde_json::{Value, json};
use themechat_tests::*;

fn messages_path(room_id: &str) -> String {
    format!("/api/v1/rooms/{room_id}/messages")
}

fn message_path(message_id: &str) -> String {
    format!("/api/v1/messages/{message_id}")
}

async fn try_post(app: &TestApp, user: &TestUser, room_id: &str, body: &Value) -> TestResponse {
    app.post_json(&messages_path(room_id), user.auth(), body)
        .await
}

/// Asserts the page is in chronological order with consecutive `seq`s.
#[track_caller]
fn assert_consecutive(page: &[Value]) {
    let page_seqs = seqs(page);
    for pair in page_seqs.windows(2) {
        assert_eq!(
            pair[1],
            pair[0] + 1,
            "a page must be oldest first without gaps: {page_seqs:?}"
        );
    }
}

// ---- posting -----------------------------------------------------------------------

#[tokio::test]
async fn posted_messages_get_consecutive_seqs() {
    let app = spawn_app().await;
    let alice = app.register_with("alice", Some("Alice")).await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let first = try_post(&app, &alice, &room, &json!({ "body": "first" })).await;
    assert_status(&first, 201);
    let second = app.post_message(&alice, &room, "  second, padded \n").await;
    let third = app.post_message(&alice, &room, "third").await;

    let first = &first.body;
    assert_uuid(&first["id"], "message.id");
    assert_eq!(first["room_id"], room.as_str());
    assert_eq!(first["seq"], json!(1));
    assert_eq!(first["body"], "first");
    assert_eq!(
        first["sender"],
        json!({ "id": alice.id, "username": "alice", "display_name": "Alice" })
    );
    assert_timestamp(&first["created_at"], "created_at");
    assert!(first["edited_at"].is_null(), "{first}");
    assert_eq!(first["deleted"], json!(false));
    assert!(first["reply_to"].is_null(), "{first}");
    assert_eq!(first["reply_count"], json!(0));
    assert_has_keys(first, &["client_id"]);

    assert_eq!(second["seq"], json!(2));
    assert_eq!(
        second["body"], "second, padded",
        "bodies are stored trimmed"
    );
    assert_eq!(third["seq"], json!(3));

    let history = app.history(&alice, &room, "").await;
    assert_eq!(seqs(&history), [1, 2, 3]);
    assert_eq!(history[1]["body"], "second, padded");
}

#[tokio::test]
async fn empty_and_overlong_bodies_are_rejected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    for body in [
        json!({ "body": "" }),
        json!({ "body": "   \n\t  " }),
        json!({ "body": "a".repeat(4001) }),
        json!({ "body": format!("  {}  ", "é".repeat(4001)) }),
        json!({}),
        json!({ "body": 42 }),
    ] {
        let resp = try_post(&app, &alice, &room, &body).await;
        assert_error(&resp, 422, "validation_failed");
    }
    assert!(app.history(&alice, &room, "").await.is_empty());
}

#[tokio::test]
async fn bodies_of_up_to_4000_characters_are_accepted() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let ascii = "a".repeat(4000);
    let padded = format!("   {}   ", "b".repeat(4000));
    // 4000 characters of three bytes each: the limit counts characters.
    let euros = "€".repeat(4000);
    for (body, stored) in [
        (&ascii, &ascii),
        (&padded, &"b".repeat(4000)),
        (&euros, &euros),
    ] {
        let message = app.post_message(&alice, &room, body).await;
        assert_eq!(message["body"], stored.as_str());
    }
}

#[tokio::test]
async fn the_same_client_id_gives_the_same_message() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let body = json!({ "body": "hello once", "client_id": "c-1" });

    let first = try_post(&app, &alice, &room, &body).await;
    assert_status(&first, 201);
    assert_eq!(first.body["client_id"], "c-1");
    let again = try_post(&app, &alice, &room, &body).await;
    assert!(
        again.status == 200 || again.status == 201,
        "a repeated client_id must succeed, got {}",
        again.describe()
    );

    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["seq"], first.body["seq"]);
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.len(), 1, "{history:?}");

    // Another client_id, or the same one from another user, is a new message.
    let other_id = app
        .post_json(
            &messages_path(&room),
            alice.auth(),
            &json!({ "body": "hello twice", "client_id": "c-2" }),
        )
        .await;
    assert_status(&other_id, 201);
    assert_eq!(other_id.body["seq"], json!(2));
    let other_user = try_post(&app, &bob, &room, &body).await;
    assert_status(&other_user, 201);
    assert_ne!(other_user.body["id"], first.body["id"]);
    assert_eq!(other_user.body["seq"], json!(3));
}

#[tokio::test]
async fn non_members_cannot_post_or_read_in_a_public_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let eve = app.register("eve").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);
    let message = id_of(&app.post_message(&alice, &room, "members only").await);

    let post = try_post(&app, &eve, &room, &json!({ "body": "let me in" })).await;
    assert_error(&post, 403, "not_a_member");
    let read = app.get(&messages_path(&room), eve.auth()).await;
    assert_error(&read, 403, "not_a_member");
    let thread = app
        .get(&format!("{}/thread", message_path(&message)), eve.auth())
        .await;
    assert_error(&thread, 403, "not_a_member");
    let markers = app
        .get(&format!("/api/v1/rooms/{room}/read-markers"), eve.auth())
        .await;
    assert_error(&markers, 403, "not_a_member");

    assert_eq!(app.history(&alice, &room, "").await.len(), 1);
}

/// Issue 23, item 10: a public room's newest messages can be read before
/// joining; older history, private rooms and the banned stay out.
#[tokio::test]
async fn a_public_room_can_be_previewed_before_joining() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let eve = app.register("eve").await;
    let mallory = app.register("mallory").await;
    let room = id_of(&app.create_room(&alice, "Open", "public").await);
    for i in 1..=5 {
        app.post_message(&alice, &room, &format!("news {i}")).await;
    }
    let path = |limit: u32| format!("/api/v1/rooms/{room}/messages/preview?limit={limit}");

    // The newest ones, oldest first, to someone who has not joined.
    let seen = app.get(&path(3), eve.auth()).await;
    assert_status(&seen, 200);
    let bodies: Vec<&str> = seen
        .array()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["news 3", "news 4", "news 5"]);
    // The rest of the history is still members' only.
    assert_error(
        &app.get(&messages_path(&room), eve.auth()).await,
        403,
        "not_a_member",
    );

    // Banned: no preview either.
    app.join_room(&mallory, &room).await;
    let ban = crate::social_support::try_ban(&app, &alice, &room, &mallory.id, "spam").await;
    assert!(ban.status < 300, "{}", ban.describe());
    assert_error(&app.get(&path(3), mallory.auth()).await, 403, "banned");

    // A private room does not exist for outsiders.
    let private = id_of(&app.create_room(&alice, "Closed", "private").await);
    let hidden = app
        .get(
            &format!("/api/v1/rooms/{private}/messages/preview"),
            eve.auth(),
        )
        .await;
    assert_error(&hidden, 404, "not_found");
}

#[tokio::test]
async fn non_members_of_a_private_room_get_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let eve = app.register("eve").await;
    let room = id_of(&app.create_room(&alice, "Club", "private").await);

    let post = try_post(&app, &eve, &room, &json!({ "body": "let me in" })).await;
    assert_error(&post, 404, "not_found");
    let read = app.get(&messages_path(&room), eve.auth()).await;
    assert_error(&read, 404, "not_found");
}

#[tokio::test]
async fn profanity_is_masked_as_whole_words_in_any_case() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    for (sent, stored) in [
        ("well darn it", "well **** it"),
        ("Darn, what the HECK.", "****, what the ****."),
        (
            "darning socks is heckish work",
            "darning socks is heckish work",
        ),
        ("darn", "****"),
    ] {
        let message = app.post_message(&alice, &room, sent).await;
        assert_eq!(message["body"], stored, "posting {sent:?}");
    }
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history[0]["body"], "well **** it");
}

// ---- history and paging ---------------------------------------------------------------------

/// Walks the history from the newest page back with `before`.
async fn walk_backwards(app: &TestApp, user: &TestUser, room: &str, limit: usize) -> Vec<Value> {
    let mut pages: Vec<Vec<Value>> = Vec::new();
    let mut page = app.history(user, room, &format!("limit={limit}")).await;
    while !page.is_empty() {
        assert!(pages.len() < 1000, "paging backwards never ends");
        assert!(
            page.len() <= limit,
            "page of {} exceeds limit {limit}",
            page.len()
        );
        assert_consecutive(&page);
        let oldest = id_of(&page[0]);
        pages.push(page);
        page = app
            .history(user, room, &format!("limit={limit}&before={oldest}"))
            .await;
    }
    // Every page but the oldest is full.
    for full in pages.iter().rev().skip(1) {
        assert_eq!(full.len(), limit, "only the oldest page may be short");
    }
    pages.into_iter().rev().flatten().collect()
}

/// Walks the history forwards from `first` with `after`.
async fn walk_forwards(
    app: &TestApp,
    user: &TestUser,
    room: &str,
    first: &Value,
    limit: usize,
) -> Vec<Value> {
    let mut all = vec![first.clone()];
    let mut pages = 0;
    loop {
        assert!(pages < 1000, "paging forwards never ends");
        pages += 1;
        let newest = id_of(all.last().unwrap());
        let page = app
            .history(user, room, &format!("limit={limit}&after={newest}"))
            .await;
        if page.is_empty() {
            break;
        }
        assert!(
            page.len() <= limit,
            "page of {} exceeds limit {limit}",
            page.len()
        );
        assert_consecutive(&page);
        all.extend(page);
    }
    all
}

#[track_caller]
fn assert_exactly_1_to(messages: &[Value], n: i64) {
    assert_eq!(seqs(messages), (1..=n).collect::<Vec<i64>>());
    assert_distinct_ids(messages);
}

#[tokio::test]
async fn paging_through_500_messages_returns_each_exactly_once() {
    let app = spawn_app().await;
    let owner = app.register("pager").await;
    let mut posters = vec![owner.clone()];
    for n in 1..4 {
        posters.push(app.register(&format!("poster{n}")).await);
    }
    let others: Vec<&TestUser> = posters[1..].iter().collect();
    let room = app.public_room_with(&owner, "Long history", &others).await;

    // Four posters in parallel, 125 messages each; seq gives the order.
    let mut tasks = Vec::new();
    for poster in posters {
        let api = app.api();
        let room = room.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..125 {
                api.post_message(&poster, &room, &format!("{} #{n}", poster.username))
                    .await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a posting task failed");
    }

    // Neither cursor: the newest page of 50, oldest first.
    let newest = app.history(&owner, &room, "").await;
    assert_eq!(seqs(&newest), (451..=500).collect::<Vec<i64>>());
    // A limit over 200 is clamped to 200.
    let clamped = app.history(&owner, &room, "limit=1000").await;
    assert_eq!(seqs(&clamped), (301..=500).collect::<Vec<i64>>());
    let one = app.history(&owner, &room, "limit=1").await;
    assert_eq!(seqs(&one), [500]);

    for limit in [50, 200] {
        let backwards = walk_backwards(&app, &owner, &room, limit).await;
        assert_exactly_1_to(&backwards, 500);

        let forwards = walk_forwards(&app, &owner, &room, &backwards[0], limit).await;
        assert_exactly_1_to(&forwards, 500);
        assert_eq!(ids(&forwards), ids(&backwards));
    }

    // `after` from any message returns every later one.
    let all = walk_backwards(&app, &owner, &room, 200).await;
    let middle = &all[249];
    assert_eq!(middle["seq"], json!(250));
    let page = app
        .history(&owner, &room, &format!("limit=200&after={}", id_of(middle)))
        .await;
    assert_eq!(seqs(&page), (251..=450).collect::<Vec<i64>>());
}

#[tokio::test]
async fn unknown_or_foreign_cursors_are_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Here", "public").await);
    let elsewhere = id_of(&app.create_room(&alice, "There", "public").await);
    for n in 0..3 {
        app.post_message(&alice, &room, &format!("here {n}")).await;
    }
    let foreign = id_of(&app.post_message(&alice, &elsewhere, "there").await);

    for cursor in [random_id(), foreign] {
        for direction in ["before", "after"] {
            let resp = app
                .get(
                    &format!("{}?{direction}={cursor}", messages_path(&room)),
                    alice.auth(),
                )
                .await;
            assert_error(&resp, 404, "not_found");
        }
    }
    let resp = app
        .get(
            &format!("{}?before=not-a-uuid", messages_path(&room)),
            alice.auth(),
        )
        .await;
    assert_error(&resp, 400, "bad_request");
}

/// `GET /messages/{id}/context`: the page around a message (a link to it,
/// a search result opened in context), the message included.
#[tokio::test]
async fn the_context_of_a_message_is_the_page_it_sits_in() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Context", "public").await);
    let mut posted = Vec::new();
    for n in 1..=30 {
        posted.push(id_of(
            &app.post_message(&alice, &room, &format!("m{n}")).await,
        ));
    }
    let context = |user: &TestUser, seq: usize, limit: Option<i64>| {
        let path = match limit {
            Some(limit) => format!("/api/v1/messages/{}/context?limit={limit}", posted[seq - 1]),
            None => format!("/api/v1/messages/{}/context", posted[seq - 1]),
        };
        let token = user.access_token.clone();
        let app = &app;
        async move { app.get(&path, Some(&token)).await }
    };
    let page = |resp: TestResponse| {
        assert_eq!(resp.status, 200, "{}", resp.describe());
        resp.array().to_vec()
    };
    // In the middle: half older, the message, the rest newer.
    let got = page(context(&alice, 15, Some(10)).await);
    assert_eq!(seqs(&got), (11..=20).collect::<Vec<i64>>());
    assert_eq!(got[4]["id"], json!(posted[14]));
    // Near either end, the other side fills the page.
    assert_eq!(
        seqs(&page(context(&alice, 2, Some(10)).await)),
        (1..=10).collect::<Vec<i64>>()
    );
    assert_eq!(
        seqs(&page(context(&alice, 29, Some(10)).await)),
        (21..=30).collect::<Vec<i64>>()
    );
    assert_eq!(seqs(&page(context(&alice, 1, Some(1)).await)), [1]);
    assert_eq!(
        seqs(&page(context(&alice, 1, None).await)),
        (1..=30).collect::<Vec<i64>>(),
        "the whole room fits in the default page"
    );

    // Unknown: 404; another room's member who is not in this one: refused.
    let resp = app
        .get(
            &format!("/api/v1/messages/{}/context", random_id()),
            alice.auth(),
        )
        .await;
    assert_error(&resp, 404, "not_found");
    let bob = app.register("bob").await;
    assert_error(&context(&bob, 1, None).await, 403, "not_a_member");
}

#[tokio::test]
async fn a_room_opens_where_the_readers_unread_messages_start() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Backlog", &[&bob]).await;
    let mut posted = Vec::new();
    for n in 1..=120 {
        posted.push(id_of(
            &app.post_message(&alice, &room, &format!("m{n}")).await,
        ));
    }
    let first_unread = |user: &TestUser, limit: i64| {
        let path = format!("/api/v1/rooms/{room}/messages/first-unread?limit={limit}");
        let token = user.access_token.clone();
        let app = &app;
        async move {
            let resp = app.get(&path, Some(&token)).await;
            assert_eq!(resp.status, 200, "{}", resp.describe());
            seqs(resp.array())
        }
    };
    // Never read: the room's start.
    assert_eq!(first_unread(&bob, 10).await, (1..=10).collect::<Vec<i64>>());
    // Read up to 70: the page around 71, older ones above it for context.
    app.mark_read(&bob, &room, &posted[69]).await;
    assert_eq!(
        first_unread(&bob, 10).await,
        (67..=76).collect::<Vec<i64>>()
    );
    // Everything read: the newest page.
    app.mark_read(&bob, &room, &posted[119]).await;
    assert_eq!(
        first_unread(&bob, 10).await,
        (111..=120).collect::<Vec<i64>>()
    );

    let carol = app.register("carol").await;
    let resp = app
        .get(
            &format!("/api/v1/rooms/{room}/messages/first-unread"),
            carol.auth(),
        )
        .await;
    assert_error(&resp, 403, "not_a_member");
    let resp = app
        .get(
            &format!("/api/v1/rooms/{}/messages/first-unread", random_id()),
            carol.auth(),
        )
        .await;
    assert_eq!(resp.status, 404, "{}", resp.describe());
}

#[tokio::test]
async fn concurrent_posts_get_gap_free_seqs() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let room = id_of(&app.create_room(&owner, "Busy", "public").await);
    let mut users = Vec::new();
    for n in 0..8 {
        let user = app.register(&unique(&format!("busy{n}_"))).await;
        app.join_room(&user, &room).await;
        users.push(user);
    }

    let mut tasks = Vec::new();
    for user in &users {
        for n in 0..25 {
            let api = app.api();
            let user = user.clone();
            let path = messages_path(&room);
            tasks.push(tokio::spawn(async move {
                let body = json!({ "body": format!("{} says {n}", user.username) });
                let resp = api.post_json(&path, user.auth(), &body).await;
                assert_status(&resp, 201);
                resp.body
            }));
        }
    }
    let mut posted = Vec::new();
    for task in tasks {
        posted.push(task.await.expect("a posting task failed"));
    }

    let mut answered = seqs(&posted);
    answered.sort_unstable();
    assert_eq!(
        answered,
        (1..=200).collect::<Vec<i64>>(),
        "every post got its own seq"
    );
    assert_distinct_ids(&posted);
    let history = app.history(&owner, &room, "limit=200").await;
    assert_exactly_1_to(&history, 200);
    let posted_ids: HashSet<String> = ids(&posted).into_iter().collect();
    let stored_ids: HashSet<String> = ids(&history).into_iter().collect();
    assert_eq!(posted_ids, stored_ids);
}

// ---- edits and deletion --------------------------------------------------------------------

#[tokio::test]
async fn the_author_can_edit_a_message() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let original = app.post_message(&alice, &room, "frist").await;
    let path = message_path(&id_of(&original));

    let resp = app
        .patch_json(
            &path,
            alice.auth(),
            &json!({ "body": "  first, darn it  " }),
        )
        .await;

    assert_status(&resp, 200);
    assert_eq!(resp.body["id"], original["id"]);
    assert_eq!(resp.body["seq"], original["seq"]);
    assert_eq!(resp.body["body"], "first, **** it");
    assert_timestamp(&resp.body["edited_at"], "edited_at");
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history[0]["body"], "first, **** it");
    assert_eq!(history.len(), 1);

    let empty = app
        .patch_json(&path, alice.auth(), &json!({ "body": "  " }))
        .await;
    assert_error(&empty, 422, "validation_failed");
}

#[tokio::test]
async fn only_the_author_can_edit() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let bobs = id_of(&app.post_message(&bob, &room, "bob's words").await);

    // Not even the room's owner may put words in bob's mouth.
    let resp = app
        .patch_json(
            &message_path(&bobs),
            alice.auth(),
            &json!({ "body": "alice's words" }),
        )
        .await;

    assert_error(&resp, 403, "forbidden");
    assert_eq!(app.history(&bob, &room, "").await[0]["body"], "bob's words");
}

#[tokio::test]
async fn editing_an_unknown_message_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .patch_json(
            &message_path(&random_id()),
            alice.auth(),
            &json!({ "body": "hello" }),
        )
        .await;

    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn a_deleted_message_stays_in_history_blanked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let doomed = id_of(&app.post_message(&alice, &room, "oops").await);
    app.post_message(&alice, &room, "still here").await;

    let resp = app.delete(&message_path(&doomed), alice.auth()).await;

    assert_status(&resp, 204);
    let history = app.history(&alice, &room, "").await;
    assert_eq!(seqs(&history), [1, 2]);
    assert_eq!(history[0]["id"], doomed.as_str());
    assert_eq!(history[0]["deleted"], json!(true));
    assert_eq!(history[0]["body"], "");
    assert_eq!(history[1]["deleted"], json!(false));
}

#[tokio::test]
async fn plain_members_cannot_delete_others_messages_but_the_owner_can() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob, &carol]).await;
    let bobs = id_of(&app.post_message(&bob, &room, "bob's words").await);

    let resp = app.delete(&message_path(&bobs), carol.auth()).await;
    assert_error(&resp, 403, "forbidden");
    assert_eq!(
        app.history(&bob, &room, "").await[0]["deleted"],
        json!(false)
    );

    let resp = app.delete(&message_path(&bobs), alice.auth()).await;
    assert_status(&resp, 204);
    let history = app.history(&bob, &room, "").await;
    assert_eq!(history[0]["deleted"], json!(true));
    assert_eq!(history[0]["body"], "");
}

// ---- threads ---------------------------------------------------------------------------------

#[tokio::test]
async fn replies_form_a_thread() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let root = id_of(&app.post_message(&alice, &room, "what shall we do?").await);

    let mut replies = Vec::new();
    for text in ["sail", "sleep"] {
        let resp = try_post(
            &app,
            &bob,
            &room,
            &json!({ "body": text, "reply_to": root }),
        )
        .await;
        assert_status(&resp, 201);
        assert_eq!(resp.body["reply_to"], root.as_str());
        replies.push(id_of(&resp.body));
    }
    app.post_message(&alice, &room, "unrelated").await;

    let resp = app
        .get(&format!("{}/thread", message_path(&root)), bob.auth())
        .await;
    assert_status(&resp, 200);
    assert_eq!(resp.body["root"]["id"], root.as_str());
    assert_eq!(resp.body["root"]["reply_count"], json!(2));
    let thread = resp.body["replies"].as_array().unwrap();
    assert_eq!(ids(thread), replies);
    assert_eq!(thread[0]["body"], "sail");

    let history = app.history(&alice, &room, "").await;
    assert_eq!(history[0]["id"], root.as_str());
    assert_eq!(history[0]["reply_count"], json!(2));
}

#[tokio::test]
async fn replying_to_an_unknown_message_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let resp = try_post(
        &app,
        &alice,
        &room,
        &json!({ "body": "hm?", "reply_to": random_id() }),
    )
    .await;
    assert_error(&resp, 404, "not_found");
    let thread = app
        .get(
            &format!("{}/thread", message_path(&random_id())),
            alice.auth(),
        )
        .await;
    assert_error(&thread, 404, "not_found");
    assert!(app.history(&alice, &room, "").await.is_empty());
}

// ---- read markers and unread counts ---------------------------------------------------------

#[tokio::test]
async fn read_markers_move_forward_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let mut posted = Vec::new();
    for n in 1..=3 {
        posted.push(id_of(
            &app.post_message(&alice, &room, &format!("news {n}")).await,
        ));
    }
    let markers_path = format!("/api/v1/rooms/{room}/read-markers");
    let bobs_marker = |markers: &[Value]| {
        markers
            .iter()
            .find(|m| m["user_id"] == bob.id.as_str())
            .map(|m| field_str(m, "message_id"))
    };

    app.mark_read(&bob, &room, &posted[2]).await;
    let resp = app.get(&markers_path, alice.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(bobs_marker(resp.array()), Some(posted[2].clone()));

    // Moving back is accepted and ignored.
    app.mark_read(&bob, &room, &posted[0]).await;
    let resp = app.get(&markers_path, bob.auth()).await;
    assert_status(&resp, 200);
    assert_eq!(bobs_marker(resp.array()), Some(posted[2].clone()));
    let summary = app.room_summary(&bob, &room).await;
    assert_eq!(summary["last_read_message_id"], posted[2].as_str());

    let unknown = app
        .post_json(
            &format!("/api/v1/rooms/{room}/read"),
            bob.auth(),
            &json!({ "message_id": random_id() }),
        )
        .await;
    assert_error(&unknown, 404, "not_found");
}

#[tokio::test]
async fn unread_and_mention_counts_follow_the_read_marker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    for n in 1..=3 {
        app.post_message(&alice, &room, &format!("news {n}")).await;
    }
    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["unread_count"], json!(3));
    assert_eq!(for_bob["mention_count"], json!(0));
    assert_eq!(for_bob["last_message"]["body"], "news 3");
    // One's own messages are never unread.
    assert_eq!(
        app.room_summary(&alice, &room).await["unread_count"],
        json!(0)
    );

    app.post_message(&bob, &room, "bob answers").await;
    assert_eq!(
        app.room_summary(&bob, &room).await["unread_count"],
        json!(3)
    );
    assert_eq!(
        app.room_summary(&alice, &room).await["unread_count"],
        json!(1)
    );

    let mention = id_of(&app.post_message(&alice, &room, "hey @bob, look").await);
    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["unread_count"], json!(4));
    assert_eq!(for_bob["mention_count"], json!(1));

    app.mark_read(&bob, &room, &mention).await;
    let for_bob = app.room_summary(&bob, &room).await;
    assert_eq!(for_bob["unread_count"], json!(0));
    assert_eq!(for_bob["mention_count"], json!(0));
    assert_eq!(for_bob["last_read_message_id"], mention.as_str());
}

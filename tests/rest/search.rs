//! `GET /search/messages`: words, visibility, order, paging, filters, and
//! hostile queries.

use reqwest::Method;
use serde_json::{Value, json};
use themechat_tests::*;

use crate::social_support::*;

/// `GET /search/messages` with these query parameters (URL-encoded here).
async fn try_search(app: &TestApp, user: &TestUser, params: &[(&str, &str)]) -> TestResponse {
    let builder = app
        .request(Method::GET, "/api/v1/search/messages", user.auth())
        .query(params);
    app.send(builder).await
}

/// A search that must answer 200; returns the messages.
async fn search(app: &TestApp, user: &TestUser, params: &[(&str, &str)]) -> Vec<Value> {
    let resp = try_search(app, user, params).await;
    assert_status(&resp, 200);
    resp.array().to_vec()
}

/// The ids found for `q`.
async fn found(app: &TestApp, user: &TestUser, q: &str) -> Vec<String> {
    ids(&search(app, user, &[("q", q)]).await)
}

#[tokio::test]
async fn search_finds_messages_by_words_in_any_case() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Zoo", "public").await);
    let fox = id_of(&app.post_message(&alice, &room, "The Quick Brown Fox").await);
    app.post_message(&alice, &room, "a lazy dog sleeps").await;
    let thinking = id_of(&app.post_message(&alice, &room, "QUICK thinking").await);

    assert_eq!(found(&app, &alice, "fox").await, std::slice::from_ref(&fox));
    assert_eq!(found(&app, &alice, "FOX").await, std::slice::from_ref(&fox));
    assert_eq!(
        found(&app, &alice, "quick").await,
        [thinking.clone(), fox.clone()]
    );
    assert_eq!(found(&app, &alice, "Quick").await, [thinking, fox.clone()]);
    // Every word must match, in any order.
    assert_eq!(found(&app, &alice, "brown quick").await, [fox]);
    assert!(found(&app, &alice, "quick dog").await.is_empty());
    assert!(found(&app, &alice, "giraffe").await.is_empty());

    let hits = search(&app, &alice, &[("q", "lazy")]).await;
    assert_eq!(hits.len(), 1);
    let message = &hits[0];
    assert_has_keys(
        message,
        &[
            "id",
            "room_id",
            "seq",
            "sender",
            "body",
            "created_at",
            "edited_at",
            "deleted",
            "reply_to",
            "reply_count",
            "client_id",
        ],
    );
    assert_eq!(message["room_id"], room.as_str());
    assert_eq!(message["body"], "a lazy dog sleeps");
    assert_eq!(message["sender"]["id"], alice.id.as_str());
    assert_eq!(message["seq"], json!(2));
}

#[tokio::test]
async fn search_sees_only_the_callers_rooms() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let public_a = id_of(&app.create_room(&alice, "A", "public").await);
    let shared = app.public_room_with(&alice, "Shared", &[&bob]).await;
    let private = app.private_room_with(&carol, "Carol's", &[&alice]).await;
    let dm = open_dm(&app, &alice, &carol).await;
    let in_a = id_of(&app.post_message(&alice, &public_a, "zebra in a").await);
    let in_shared = id_of(&app.post_message(&alice, &shared, "zebra shared").await);
    let in_private = id_of(&app.post_message(&carol, &private, "zebra private").await);
    let in_dm = id_of(&app.post_message(&carol, &dm, "zebra direct").await);

    // Bob is only in the shared room.
    assert_eq!(
        found(&app, &bob, "zebra").await,
        std::slice::from_ref(&in_shared)
    );
    // Alice is in all four.
    assert_eq!(
        found(&app, &alice, "zebra").await,
        [
            in_dm.clone(),
            in_private.clone(),
            in_shared.clone(),
            in_a.clone()
        ]
    );
    // Carol never joined the public room A nor the shared room.
    assert_eq!(found(&app, &carol, "zebra").await, [in_dm, in_private]);

    // Joining a public room brings its history into reach...
    app.join_room(&bob, &public_a).await;
    assert_eq!(
        found(&app, &bob, "zebra").await,
        [in_shared.clone(), in_a.clone()]
    );
    // ... and leaving takes it out again.
    leave_room(&app, &bob, &public_a).await;
    leave_room(&app, &bob, &shared).await;
    assert!(found(&app, &bob, "zebra").await.is_empty());
}

#[tokio::test]
async fn search_results_are_newest_first_and_page_with_before_and_limit() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let one = id_of(&app.create_room(&alice, "One", "public").await);
    let two = id_of(&app.create_room(&alice, "Two", "private").await);
    let mut posted = Vec::new();
    for n in 0..7 {
        let room = if n % 2 == 0 { &one } else { &two };
        posted.push(id_of(
            &app.post_message(&alice, room, &format!("needle number {n}"))
                .await,
        ));
        app.post_message(&alice, room, &format!("hay {n}")).await;
    }
    let newest_first: Vec<String> = posted.iter().rev().cloned().collect();

    assert_eq!(found(&app, &alice, "needle").await, newest_first);

    let first = ids(&search(&app, &alice, &[("q", "needle"), ("limit", "3")]).await);
    assert_eq!(first, newest_first[..3]);
    let second = ids(&search(
        &app,
        &alice,
        &[("q", "needle"), ("limit", "3"), ("before", &first[2])],
    )
    .await);
    assert_eq!(second, newest_first[3..6]);
    let third = ids(&search(
        &app,
        &alice,
        &[("q", "needle"), ("limit", "3"), ("before", &second[2])],
    )
    .await);
    assert_eq!(third, newest_first[6..]);
    let past_the_end = search(&app, &alice, &[("q", "needle"), ("before", &third[0])]).await;
    assert!(past_the_end.is_empty(), "{past_the_end:?}");

    // An oversized limit is clamped, not refused.
    let all = ids(&search(&app, &alice, &[("q", "needle"), ("limit", "1000")]).await);
    assert_eq!(all, newest_first);
}

#[tokio::test]
async fn search_can_be_limited_to_one_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let one = id_of(&app.create_room(&alice, "One", "public").await);
    let two = id_of(&app.create_room(&alice, "Two", "public").await);
    let in_one = id_of(&app.post_message(&alice, &one, "tulip one").await);
    let in_two = id_of(&app.post_message(&alice, &two, "tulip two").await);

    let hits = search(&app, &alice, &[("q", "tulip"), ("room_id", &one)]).await;
    assert_eq!(ids(&hits), [in_one]);
    let hits = search(&app, &alice, &[("q", "tulip"), ("room_id", &two)]).await;
    assert_eq!(ids(&hits), [in_two]);

    // A public room one is not in: not a member. A private or unknown one: 404.
    let resp = try_search(&app, &bob, &[("q", "tulip"), ("room_id", &one)]).await;
    assert_error(&resp, 403, "not_a_member");
    let private = id_of(&app.create_room(&alice, "Hidden", "private").await);
    app.post_message(&alice, &private, "tulip hidden").await;
    let resp = try_search(&app, &bob, &[("q", "tulip"), ("room_id", &private)]).await;
    assert_error(&resp, 404, "not_found");
    let unknown = random_id();
    let resp = try_search(&app, &alice, &[("q", "tulip"), ("room_id", &unknown)]).await;
    assert_error(&resp, 404, "not_found");
    let resp = try_search(&app, &alice, &[("q", "tulip"), ("room_id", "nope")]).await;
    assert_error(&resp, 400, "bad_request");
}

#[tokio::test]
async fn edits_are_reflected_in_search() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Edits", "public").await);
    let message = id_of(&app.post_message(&alice, &room, "apple pie recipe").await);
    assert_eq!(
        found(&app, &alice, "apple").await,
        std::slice::from_ref(&message)
    );

    let resp = app
        .patch_json(
            &format!("/api/v1/messages/{message}"),
            alice.auth(),
            &json!({ "body": "banana split recipe" }),
        )
        .await;
    assert_status(&resp, 200);

    assert!(found(&app, &alice, "apple").await.is_empty());
    let hits = search(&app, &alice, &[("q", "banana")]).await;
    assert_eq!(ids(&hits), std::slice::from_ref(&message));
    assert_eq!(hits[0]["body"], "banana split recipe");
    assert!(!hits[0]["edited_at"].is_null(), "{}", hits[0]);
    assert_eq!(found(&app, &alice, "recipe").await, [message]);
}

#[tokio::test]
async fn deleted_messages_are_not_found() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Deletes", &[&bob]).await;
    let mine = id_of(&app.post_message(&bob, &room, "secret plans").await);
    let moderated = id_of(&app.post_message(&bob, &room, "secret spam").await);
    let kept = id_of(&app.post_message(&alice, &room, "secret kept").await);

    let resp = app
        .delete(&format!("/api/v1/messages/{mine}"), bob.auth())
        .await;
    assert_status(&resp, 204);
    let resp = app
        .delete(&format!("/api/v1/messages/{moderated}"), alice.auth())
        .await;
    assert_status(&resp, 204);

    for user in [&alice, &bob] {
        assert_eq!(
            found(&app, user, "secret").await,
            std::slice::from_ref(&kept)
        );
        assert!(found(&app, user, "plans").await.is_empty());
    }
}

#[tokio::test]
async fn hostile_queries_never_break_search() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Hostile", "public").await);
    let fox = id_of(&app.post_message(&alice, &room, "the quick brown fox").await);
    app.post_message(&alice, &room, "jumps over the lazy dog")
        .await;

    let hostile = [
        "\"",
        "\"\"",
        "*",
        "OR",
        "AND",
        "NOT",
        "'; DROP TABLE messages; --",
        "%",
        "_",
        "%%",
        "NEAR(",
        "NEAR(fox dog)",
        "-",
        "--",
        "fox OR",
        "(",
        ")",
        "^",
        "'",
        "\\",
        "body:fox",
        "{fox}",
        "fox & dog",
        "fox | dog",
        "!fox",
        "fox:*",
        "<->",
        "\u{0}",
        "😀",
        "ünïcödé",
    ];
    for q in hostile {
        let resp = try_search(&app, &alice, &[("q", q)]).await;
        assert_eq!(
            resp.status,
            200,
            "query {q:?} must answer 200, got {}",
            resp.describe()
        );
        assert!(resp.body.is_array(), "{}", resp.describe());
    }
    // Wildcards are not wildcards: nothing matches everything.
    for q in ["%", "_", "*", "\"", "-", "'", "%%"] {
        assert!(found(&app, &alice, q).await.is_empty(), "query {q:?}");
    }
    // Quotes and a trailing star are just punctuation around words.
    assert_eq!(
        found(&app, &alice, "\"quick fox\"").await,
        std::slice::from_ref(&fox)
    );
    assert_eq!(found(&app, &alice, "fox*").await, [fox]);

    // And the data is intact.
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.len(), 2);
    let after = app.post_message(&alice, &room, "drop table messages").await;
    assert_eq!(
        found(&app, &alice, "'; DROP TABLE messages; --").await,
        [id_of(&after)]
    );
}

#[tokio::test]
async fn an_empty_query_finds_nothing() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Quiet", "public").await);
    app.post_message(&alice, &room, "something").await;

    for params in [vec![("q", "")], vec![("q", "   ")], vec![]] {
        let resp = try_search(&app, &alice, &params).await;
        assert_status(&resp, 200);
        assert_eq!(resp.body, json!([]), "{}", resp.describe());
    }
}

#[tokio::test]
async fn an_unknown_before_cursor_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Cursor", "public").await);
    app.post_message(&alice, &room, "findable words").await;

    let unknown = random_id();
    let resp = try_search(&app, &alice, &[("q", "findable"), ("before", &unknown)]).await;

    assert_error(&resp, 404, "not_found");
}

#[tokio::test]
async fn search_needs_a_token() {
    let app = spawn_app().await;

    let resp = app.get("/api/v1/search/messages?q=anything", None).await;

    assert_error_status(&resp, 401);
}

//! Helpers for the social-layer tests (friends, blocks, direct rooms,
//! notifications, moderation, search, activity). Kept here rather than in the
//! shared harness so that these modules stand on their own.

use serde_json::{Value, json};
use themechat_tests::*;

// ---- friends and blocks ------------------------------------------------------------

/// `POST /friends/requests` from `from` to `to`, whatever the answer.
pub async fn request_friend(app: &TestApp, from: &TestUser, to: &str) -> TestResponse {
    app.post_json(
        "/api/v1/friends/requests",
        from.auth(),
        &json!({ "user_id": to }),
    )
    .await
}

/// Sends a request; asserts 201 and returns the `FriendRequest`.
pub async fn send_friend_request(app: &TestApp, from: &TestUser, to: &TestUser) -> Value {
    let resp = request_friend(app, from, &to.id).await;
    assert_status(&resp, 201);
    resp.body
}

/// `POST /friends/requests/{id}/accept` by `user`, whatever the answer.
pub async fn accept_request(app: &TestApp, user: &TestUser, request_id: &str) -> TestResponse {
    app.post(
        &format!("/api/v1/friends/requests/{request_id}/accept"),
        user.auth(),
    )
    .await
}

/// `a` asks, `b` accepts: they are friends.
pub async fn make_friends(app: &TestApp, a: &TestUser, b: &TestUser) {
    let request = send_friend_request(app, a, b).await;
    let resp = accept_request(app, b, &id_of(&request)).await;
    assert_status(&resp, 200);
}

/// `GET /friends`; asserts 200.
pub async fn friends_of(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let resp = app.get("/api/v1/friends", user.auth()).await;
    assert_status(&resp, 200);
    resp.array().to_vec()
}

/// The ids of `user`'s friends.
pub async fn friend_ids(app: &TestApp, user: &TestUser) -> Vec<String> {
    ids(&friends_of(app, user).await)
}

/// `GET /friends/requests`; asserts 200 and returns `(incoming, outgoing)`.
pub async fn pending_requests(app: &TestApp, user: &TestUser) -> (Vec<Value>, Vec<Value>) {
    let resp = app.get("/api/v1/friends/requests", user.auth()).await;
    assert_status(&resp, 200);
    assert_has_keys(&resp.body, &["incoming", "outgoing"]);
    let list = |key: &str| match resp.body[key].as_array() {
        Some(items) => items.clone(),
        None => panic!("`{key}` must be an array: {}", resp.describe()),
    };
    (list("incoming"), list("outgoing"))
}

/// `POST /blocks`, whatever the answer.
pub async fn try_block(app: &TestApp, blocker: &TestUser, target: &str) -> TestResponse {
    app.post_json(
        "/api/v1/blocks",
        blocker.auth(),
        &json!({ "user_id": target }),
    )
    .await
}

/// `blocker` blocks `target`; asserts 204.
pub async fn block(app: &TestApp, blocker: &TestUser, target: &TestUser) {
    let resp = try_block(app, blocker, &target.id).await;
    assert_status(&resp, 204);
}

// ---- direct conversations ------------------------------------------------------------

/// `POST /dms`, whatever the answer.
pub async fn try_open_dm(app: &TestApp, user: &TestUser, other: &str) -> TestResponse {
    app.post_json("/api/v1/dms", user.auth(), &json!({ "user_id": other }))
        .await
}

/// Opens (or reopens) the direct room of `user` and `other`; asserts 200 or
/// 201 and returns its id.
pub async fn open_dm(app: &TestApp, user: &TestUser, other: &TestUser) -> String {
    let resp = try_open_dm(app, user, &other.id).await;
    assert!(
        resp.status == 200 || resp.status == 201,
        "expected 200 or 201, got {}",
        resp.describe()
    );
    id_of(&resp.body)
}

// ---- notifications ------------------------------------------------------------------

/// `GET /notifications` with an optional query string; asserts 200 and
/// returns the page with the `X-Unread-Count` header as a number.
pub async fn notifications(app: &TestApp, user: &TestUser, query: &str) -> (Vec<Value>, i64) {
    let resp = app
        .get(&with_query("/api/v1/notifications", query), user.auth())
        .await;
    assert_status(&resp, 200);
    let unread = resp
        .header("X-Unread-Count")
        .unwrap_or_else(|| panic!("no X-Unread-Count header: {}", resp.describe()))
        .parse::<i64>()
        .unwrap_or_else(|e| panic!("X-Unread-Count is not a number ({e}): {resp:?}"));
    (resp.array().to_vec(), unread)
}

/// All of `user`'s notifications (newest first).
pub async fn all_notifications(app: &TestApp, user: &TestUser) -> Vec<Value> {
    notifications(app, user, "limit=200").await.0
}

/// The kinds of a list of notifications, in order.
pub fn kinds(items: &[Value]) -> Vec<String> {
    items.iter().map(|n| field_str(n, "kind")).collect()
}

/// The notifications of one kind.
pub fn of_kind(items: &[Value], kind: &str) -> Vec<Value> {
    items
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

/// Asserts the full `Notification` shape.
#[track_caller]
pub fn assert_notification_shape(n: &Value) {
    assert_has_keys(
        n,
        &[
            "id",
            "kind",
            "actor",
            "room_id",
            "message_id",
            "created_at",
            "read",
        ],
    );
    assert_uuid(&n["id"], "notification.id");
    assert_timestamp(&n["created_at"], "notification.created_at");
    assert!(n["read"].is_boolean(), "read must be a boolean: {n}");
}

// ---- rooms and moderation ----------------------------------------------------------------

pub fn room_path(room_id: &str) -> String {
    format!("/api/v1/rooms/{room_id}")
}

/// `PUT /rooms/{id}/members/{user}/role`, whatever the answer.
pub async fn try_set_role(
    app: &TestApp,
    actor: &TestUser,
    room_id: &str,
    target: &str,
    role: &str,
) -> TestResponse {
    app.put_json(
        &format!("{}/members/{target}/role", room_path(room_id)),
        actor.auth(),
        &json!({ "role": role }),
    )
    .await
}

/// The owner makes `target` a moderator; asserts 200.
pub async fn make_moderator(app: &TestApp, owner: &TestUser, room_id: &str, target: &TestUser) {
    let resp = try_set_role(app, owner, room_id, &target.id, "moderator").await;
    assert_status(&resp, 200);
}

/// `DELETE /rooms/{id}/members/{user}` with no body at all (a kick).
pub async fn try_kick(
    app: &TestApp,
    actor: &TestUser,
    room_id: &str,
    target: &str,
) -> TestResponse {
    app.delete(
        &format!("{}/members/{target}", room_path(room_id)),
        actor.auth(),
    )
    .await
}

/// `DELETE /rooms/{id}/members/{user}` with `{"ban": true, "reason": ...}`.
pub async fn try_ban(
    app: &TestApp,
    actor: &TestUser,
    room_id: &str,
    target: &str,
    reason: &str,
) -> TestResponse {
    app.delete_json(
        &format!("{}/members/{target}", room_path(room_id)),
        actor.auth(),
        &json!({ "ban": true, "reason": reason }),
    )
    .await
}

/// `DELETE /rooms/{id}/bans/{user}`, whatever the answer.
pub async fn try_unban(
    app: &TestApp,
    actor: &TestUser,
    room_id: &str,
    target: &str,
) -> TestResponse {
    app.delete(
        &format!("{}/bans/{target}", room_path(room_id)),
        actor.auth(),
    )
    .await
}

/// `POST /rooms/{id}/join`, whatever the answer.
pub async fn try_join(app: &TestApp, user: &TestUser, room_id: &str) -> TestResponse {
    app.post(&format!("{}/join", room_path(room_id)), user.auth())
        .await
}

/// `POST /rooms/{id}/leave`; asserts 204.
pub async fn leave_room(app: &TestApp, user: &TestUser, room_id: &str) {
    let resp = app
        .post(&format!("{}/leave", room_path(room_id)), user.auth())
        .await;
    assert_status(&resp, 204);
}

/// `POST /rooms/{id}/invites`, whatever the answer.
pub async fn try_invite(
    app: &TestApp,
    actor: &TestUser,
    room_id: &str,
    user_id: &str,
) -> TestResponse {
    app.post_json(
        &format!("{}/invites", room_path(room_id)),
        actor.auth(),
        &json!({ "user_id": user_id }),
    )
    .await
}

/// `GET /rooms/{id}/audit-log` with an optional query, whatever the answer.
pub async fn try_audit_log(
    app: &TestApp,
    user: &TestUser,
    room_id: &str,
    query: &str,
) -> TestResponse {
    app.get(
        &with_query(&format!("{}/audit-log", room_path(room_id)), query),
        user.auth(),
    )
    .await
}

/// `my_role` of `user` in a room, from `GET /rooms/{id}`.
pub async fn my_role(app: &TestApp, user: &TestUser, room_id: &str) -> Value {
    let resp = app.get(&room_path(room_id), user.auth()).await;
    assert_status(&resp, 200);
    resp.body["my_role"].clone()
}

/// `PUT /rooms/{id}/notification-level`; asserts 200.
pub async fn set_level(app: &TestApp, user: &TestUser, room_id: &str, level: &str) {
    let resp = app
        .put_json(
            &format!("{}/notification-level", room_path(room_id)),
            user.auth(),
            &json!({ "level": level }),
        )
        .await;
    assert_status(&resp, 200);
}

// ---- activity --------------------------------------------------------------------------

/// `GET /users/me/activity` with an optional query; asserts 200.
pub async fn activity(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    let resp = app
        .get(&with_query("/api/v1/users/me/activity", query), user.auth())
        .await;
    assert_status(&resp, 200);
    resp.array().to_vec()
}

// ---- concurrency ---------------------------------------------------------------------------

/// Sends `n` copies of the same request at once (`make` builds the n-th);
/// returns every answer.
pub async fn all_at_once<F, Fut>(n: usize, make: F) -> Vec<TestResponse>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = TestResponse> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(make(i))).collect();
    let mut answers = Vec::with_capacity(n);
    for task in tasks {
        answers.push(task.await.expect("a request task panicked"));
    }
    answers
}

/// Asserts that no answer is a server error.
#[track_caller]
pub fn assert_no_server_errors(answers: &[TestResponse]) {
    for resp in answers {
        assert!(
            resp.status < 500,
            "a concurrent request failed with a server error: {}",
            resp.describe()
        );
    }
}

//! The authorization matrix: every room and message route, called by every
//! kind of caller, gets exactly the status API.md gives it. Built as a
//! table so that a new route or role is one line, and a failure names the
//! cell.
//!
//! Callers: a stranger, a member, a member the owner has blocked (a block
//! changes nothing about a shared group: their messages are stored and
//! shown), a moderator, the owner, a banned user, and a deleted account
//! (whose token must not work at all).

use serde_json::{Value, json};
use themechat_tests::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Stranger,
    Member,
    Blocked,
    Moderator,
    Owner,
    Banned,
    Deleted,
}

const EVERYONE: [Who; 7] = [
    Who::Stranger,
    Who::Member,
    Who::Blocked,
    Who::Moderator,
    Who::Owner,
    Who::Banned,
    Who::Deleted,
];

struct Cast {
    stranger: TestUser,
    member: TestUser,
    blocked: TestUser,
    moderator: TestUser,
    owner: TestUser,
    banned: TestUser,
    deleted: TestUser,
    /// A member that role changes and kicks are aimed at.
    target: TestUser,
}

impl Cast {
    fn get(&self, who: Who) -> &TestUser {
        match who {
            Who::Stranger => &self.stranger,
            Who::Member => &self.member,
            Who::Blocked => &self.blocked,
            Who::Moderator => &self.moderator,
            Who::Owner => &self.owner,
            Who::Banned => &self.banned,
            Who::Deleted => &self.deleted,
        }
    }
}

/// One room with everyone in place, and a message of the owner's in it.
async fn room_with_cast(app: &TestApp, cast: &Cast, visibility: &str) -> (String, String) {
    let room = id_of(&app.create_room(&cast.owner, "Matrix", visibility).await);
    // Invites do not cross a block: lifted while everyone is let in.
    let unblock = app
        .delete(
            &format!("/api/v1/blocks/{}", cast.blocked.id),
            cast.owner.auth(),
        )
        .await;
    assert_status(&unblock, 204);
    for user in [
        &cast.member,
        &cast.blocked,
        &cast.moderator,
        &cast.banned,
        &cast.target,
    ] {
        if visibility == "private" {
            app.invite(&cast.owner, &room, &user.id).await;
        }
        app.join_room(user, &room).await;
    }
    let resp = app
        .put_json(
            &format!("/api/v1/rooms/{room}/members/{}/role", cast.moderator.id),
            cast.owner.auth(),
            &json!({ "role": "moderator" }),
        )
        .await;
    assert_status(&resp, 200);
    let resp = app
        .delete_json(
            &format!("/api/v1/rooms/{room}/members/{}", cast.banned.id),
            cast.owner.auth(),
            &json!({ "ban": true }),
        )
        .await;
    assert_status(&resp, 204);
    let resp = app
        .post_json(
            "/api/v1/blocks",
            cast.owner.auth(),
            &json!({ "user_id": cast.blocked.id }),
        )
        .await;
    assert_status(&resp, 204);
    let message = id_of(
        &app.post_message(&cast.owner, &room, "the owner's words")
            .await,
    );
    (room, message)
}

struct Call {
    method: &'static str,
    path: String,
    body: Option<Value>,
}

fn call(method: &'static str, path: String, body: Option<Value>) -> Call {
    Call { method, path, body }
}

async fn send(app: &TestApp, user: &TestUser, c: &Call) -> TestResponse {
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
    let mut builder = app
        .client
        .request(method, format!("{}{}", app.address, c.path))
        .bearer_auth(&user.access_token);
    if let Some(body) = &c.body {
        builder = builder.json(body);
    }
    app.api().send(builder).await
}

/// `expected` is the status for each of [`EVERYONE`], in order.
async fn check_row(
    app: &TestApp,
    cast: &Cast,
    label: &str,
    c: &Call,
    expected: [u16; 7],
    failures: &mut Vec<String>,
) {
    for (who, want) in EVERYONE.iter().zip(expected) {
        let resp = send(app, cast.get(*who), c).await;
        if resp.status != want {
            failures.push(format!(
                "{label}: {} {} as {who:?}: expected {want}, got {}",
                c.method,
                c.path,
                resp.describe()
            ));
        } else if want >= 400 {
            assert_error_shape(&resp);
        }
    }
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        stranger: app.register("stranger").await,
        member: app.register("member").await,
        blocked: app.register("blocked").await,
        moderator: app.register("moderator").await,
        owner: app.register("owner").await,
        banned: app.register("banned").await,
        deleted: app.register("deleted").await,
        target: app.register("target").await,
    }
}

async fn delete_account(app: &TestApp, user: &TestUser) {
    let resp = app
        .delete_json(
            "/api/v1/users/me",
            user.auth(),
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_status(&resp, 204);
}

/// The rows for one room. `hidden` is what a non-member gets: 403 in a
/// public room (it exists, they are not in it), 404 in a private one (its
/// existence is not revealed).
async fn room_rows(app: &TestApp, cast: &Cast, visibility: &str, failures: &mut Vec<String>) {
    let (room, message) = room_with_cast(app, cast, visibility).await;
    delete_account_once(app, cast).await;
    let hidden: u16 = if visibility == "public" { 403 } else { 404 };
    let see: u16 = if visibility == "public" { 200 } else { 404 };
    let label = format!("{visibility} room");
    let r = |p: &str| format!("/api/v1/rooms/{room}{p}");
    let m = |p: &str| format!("/api/v1/messages/{message}{p}");
    //                              stranger member blocked mod owner banned deleted
    let rows: Vec<(Call, [u16; 7])> = vec![
        (
            call("GET", r(""), None),
            [see, 200, 200, 200, 200, see, 401],
        ),
        (
            call("GET", r("/members"), None),
            [hidden, 200, 200, 200, 200, hidden, 401],
        ),
        (
            call("GET", r("/messages"), None),
            [hidden, 200, 200, 200, 200, hidden, 401],
        ),
        (
            call("GET", r("/read-markers"), None),
            [hidden, 200, 200, 200, 200, hidden, 401],
        ),
        (
            call("GET", m("/thread"), None),
            [hidden, 200, 200, 200, 200, hidden, 401],
        ),
        (
            call("POST", r("/read"), Some(json!({ "message_id": message }))),
            [hidden, 204, 204, 204, 204, hidden, 401],
        ),
        (
            call(
                "PUT",
                r("/notification-level"),
                Some(json!({ "level": "all" })),
            ),
            [hidden, 200, 200, 200, 200, hidden, 401],
        ),
        (
            call("GET", r("/audit-log"), None),
            [hidden, 403, 403, 200, 200, hidden, 401],
        ),
        (
            call("PATCH", r(""), Some(json!({ "topic": "changed" }))),
            [hidden, 403, 403, 200, 200, hidden, 401],
        ),
        (
            call(
                "PUT",
                r(&format!("/members/{}/role", cast.target.id)),
                Some(json!({ "role": "member" })),
            ),
            [hidden, 403, 403, 403, 200, hidden, 401],
        ),
        (
            call("PATCH", m(""), Some(json!({ "body": "edited" }))),
            [hidden, 403, 403, 403, 200, hidden, 401],
        ),
        (
            call("POST", r("/messages"), Some(json!({ "body": "hello" }))),
            [hidden, 201, 201, 201, 201, hidden, 401],
        ),
        // Deleting the room: everyone but the owner is refused (the owner's
        // own delete is the last act, below).
        (
            call("DELETE", r(""), None),
            [hidden, 403, 403, 403, 204, hidden, 401],
        ),
    ];
    for (c, expected) in &rows {
        if c.method == "DELETE" {
            continue;
        }
        check_row(app, cast, &label, c, *expected, failures).await;
    }

    // Kicks change membership: the target rejoins after each one that works.
    let kick = call(
        "DELETE",
        r(&format!("/members/{}", cast.target.id)),
        Some(json!({})),
    );
    //             stranger member blocked mod owner banned deleted
    let expected = [hidden, 403, 403, 204, 204, hidden, 401];
    for (who, want) in EVERYONE.iter().zip(expected) {
        let resp = send(app, cast.get(*who), &kick).await;
        if resp.status != want {
            failures.push(format!(
                "{label}: kick as {who:?}: expected {want}, got {}",
                resp.describe()
            ));
        }
        if resp.status == 204 {
            if visibility == "private" {
                app.invite(&cast.owner, &room, &cast.target.id).await;
            }
            app.join_room(&cast.target, &room).await;
        }
    }
    // A moderator may not kick the owner or another moderator.
    let resp = send(
        app,
        &cast.moderator,
        &call(
            "DELETE",
            r(&format!("/members/{}", cast.owner.id)),
            Some(json!({})),
        ),
    )
    .await;
    if resp.status != 403 {
        failures.push(format!(
            "{label}: a moderator kicking the owner: {}",
            resp.describe()
        ));
    }

    // Invites (private rooms take them): owner and moderators only.
    if visibility == "private" {
        for (who, want) in EVERYONE.iter().zip([404, 403, 403, 201, 201, 404, 401]) {
            let invitee = app.register(&unique("invitee")).await;
            let c = call(
                "POST",
                r("/invites"),
                Some(json!({ "user_id": invitee.id })),
            );
            let resp = send(app, cast.get(*who), &c).await;
            if resp.status != want {
                failures.push(format!(
                    "{label}: invite as {who:?}: expected {want}, got {}",
                    resp.describe()
                ));
            }
        }
    }

    // Deleting a message: the author, or the room's moderators and owner.
    for (who, want) in EVERYONE
        .iter()
        .zip([hidden, 403, 403, 204, 204, hidden, 401])
    {
        let fresh = id_of(&app.post_message(&cast.target, &room, "delete me").await);
        let c = call("DELETE", format!("/api/v1/messages/{fresh}"), None);
        let resp = send(app, cast.get(*who), &c).await;
        if resp.status != want {
            failures.push(format!(
                "{label}: deleting another's message as {who:?}: expected {want}, got {}",
                resp.describe()
            ));
        }
    }

    // Last: deleting the room.
    let delete = rows
        .iter()
        .find(|(c, _)| c.method == "DELETE")
        .expect("the delete row");
    let (c, expected) = delete;
    // The owner goes last: after that there is no room to refuse anyone.
    let order = [
        Who::Stranger,
        Who::Member,
        Who::Blocked,
        Who::Moderator,
        Who::Banned,
        Who::Deleted,
        Who::Owner,
    ];
    for who in order {
        let i = EVERYONE.iter().position(|w| *w == who).expect("everyone");
        let resp = send(app, cast.get(who), c).await;
        if resp.status != expected[i] {
            failures.push(format!(
                "{label}: deleting the room as {who:?}: expected {}, got {}",
                expected[i],
                resp.describe()
            ));
        }
    }
}

/// Reaching the owner as a person: a block keeps the blocked one out of
/// direct conversations and friend requests; oneself is a validation error.
async fn people_rows(app: &TestApp, cast: &Cast, failures: &mut Vec<String>) {
    let owner = json!({ "user_id": cast.owner.id });
    //             stranger member blocked mod owner banned deleted
    let rows = [
        (
            call("POST", "/api/v1/dms".into(), Some(owner.clone())),
            [201, 201, 403, 201, 422, 201, 401],
        ),
        (
            call("POST", "/api/v1/friends/requests".into(), Some(owner)),
            [201, 201, 403, 201, 422, 201, 401],
        ),
    ];
    for (c, expected) in &rows {
        check_row(app, cast, "people", c, *expected, failures).await;
    }
}

/// The deleted account is deleted after it was set up like a stranger.
async fn delete_account_once(app: &TestApp, cast: &Cast) {
    let resp = app.get("/api/v1/users/me", cast.deleted.auth()).await;
    if resp.status == 200 {
        delete_account(app, &cast.deleted).await;
    }
}

#[tokio::test]
async fn every_room_route_answers_every_caller_as_the_contract_says() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let mut failures = Vec::new();
    room_rows(&app, &cast, "public", &mut failures).await;
    room_rows(&app, &cast, "private", &mut failures).await;
    people_rows(&app, &cast, &mut failures).await;
    assert!(
        failures.is_empty(),
        "{} cells of the matrix differ from the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `/a/{id}/b/{user_id}` with every parameter a fresh UUID.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                random_id()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Generated from the OpenAPI document: every operation that needs a
/// signed-in user refuses a request without a token (401) and one with a
/// deleted account's token (401, or 422 for a body that cannot be valid).
#[tokio::test]
async fn every_operation_of_the_document_refuses_missing_and_dead_tokens() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_status(&doc, 200);
    let gone = app.register("gone").await;
    delete_account(&app, &gone).await;

    let mut failures = Vec::new();
    let mut checked = 0;
    let paths = doc.body["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("operations") {
            if operation.get("security").is_none() {
                continue; // public: sign-up, sign-in, health and the like
            }
            checked += 1;
            let url = concrete(path);
            for (who, token) in [("no token", None), ("a deleted account", Some(&gone))] {
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
                    .expect("an HTTP method");
                let mut builder = app
                    .client
                    .request(method.clone(), format!("{}{url}", app.address))
                    .json(&json!({}));
                if let Some(user) = token {
                    builder = builder.bearer_auth(&user.access_token);
                }
                let resp = app.api().send(builder).await;
                // Without a token the answer is 401 before anything else. A
                // dead token is found dead by a database read, which a body
                // that cannot be valid (`{}`) may lose the race to: then a
                // 422 about the body, never anything the account could use.
                let refused = match token {
                    None => resp.status == 401,
                    Some(_) => resp.status == 401 || resp.status == 422,
                };
                if !refused {
                    failures.push(format!("{method} {path} with {who}: {}", resp.describe()));
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} operations need a token?");
    assert!(
        failures.is_empty(),
        "{} answers were not 401:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

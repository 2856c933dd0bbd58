//! Trust at the edges (issue 22): what the server believes of the network
//! in front of it, where its own calls go, and who a bot speaks for. Each
//! test failed on the code before its fix.

mod bots;
mod client_address;
mod two_factor;
mod webhooks;

use serde_json::{Value, json};
use themechat_tests::{ApiClient, TestUser, assert_status, field_str, id_of};

/// `owner` creates the bot `username`; its id.
async fn create_bot(app: &ApiClient, owner: &TestUser, username: &str) -> String {
    let resp = app
        .post_json(
            "/api/v1/bots",
            owner.auth(),
            &json!({ "username": username }),
        )
        .await;
    assert_status(&resp, 201);
    id_of(&resp.body)
}

/// The bot `username` of `owner`, signed in with a read and write token:
/// the request helpers take it like a person.
async fn bot_of(app: &ApiClient, owner: &TestUser, username: &str) -> TestUser {
    let id = create_bot(app, owner, username).await;
    let resp = app
        .post_json(
            &format!("/api/v1/bots/{id}/tokens"),
            owner.auth(),
            &json!({ "name": "program", "scopes": ["read", "write"] }),
        )
        .await;
    assert_status(&resp, 201);
    TestUser {
        id,
        username: username.to_owned(),
        display_name: username.to_owned(),
        password: String::new(),
        access_token: field_str(&resp.body, "token"),
        refresh_token: String::new(),
    }
}

/// An incoming webhook of the bot into `room` (the bot joins it); its URL.
async fn incoming_webhook(app: &ApiClient, owner: &TestUser, bot: &str, room: &str) -> String {
    let resp = app
        .post_json(
            &format!("/api/v1/bots/{bot}/webhooks"),
            owner.auth(),
            &json!({ "room_id": room, "name": "hook" }),
        )
        .await;
    assert_status(&resp, 201);
    field_str(&resp.body, "url")
}

/// `GET /bots/{id}`'s `outgoing`, as the owner sees it.
async fn outgoing_of(app: &ApiClient, owner: &TestUser, bot: &str) -> Value {
    let resp = app.get(&format!("/api/v1/bots/{bot}"), owner.auth()).await;
    assert_status(&resp, 200);
    resp.body["outgoing"].clone()
}

//! Registration, login, token refresh, logout and bearer authentication.

use serde_json::{Value, json};
use themechat_tests::*;

const REGISTER: &str = "/api/v1/auth/register";
const LOGOUT: &str = "/api/v1/auth/logout";
const ME: &str = "/api/v1/users/me";

async fn try_register(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post_json(
        REGISTER,
        None,
        &json!({ "username": username, "password": password }),
    )
    .await
}

#[tokio::test]
async fn register_returns_tokens_and_the_private_user() {
    let app = spawn_app().await;

    let resp = app
        .post_json(
            REGISTER,
            None,
            &json!({ "username": "alice", "password": PASSWORD, "display_name": "Alice Liddell" }),
        )
        .await;

    assert_status(&resp, 201);
    assert_non_empty_str(&resp.body["access_token"], "access_token");
    assert_non_empty_str(&resp.body["refresh_token"], "refresh_token");
    let user = &resp.body["user"];
    assert_uuid(&user["id"], "user.id");
    assert_eq!(user["username"], "alice");
    assert_eq!(user["display_name"], "Alice Liddell");
    assert_eq!(user["profile_visibility"], "public");
    assert!(
        user.get("email").is_some_and(Value::is_null),
        "email must be present and null: {user}"
    );
    assert!(
        user["online"].is_boolean(),
        "online must be a boolean: {user}"
    );
    assert_timestamp(&user["created_at"], "user.created_at");
}

#[tokio::test]
async fn the_access_token_from_register_authenticates() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let me = app.me(&alice).await;

    assert_eq!(me["id"], alice.id.as_str());
    assert_eq!(me["username"], "alice");
}

#[tokio::test]
async fn register_without_display_name_still_has_one() {
    let app = spawn_app().await;

    let resp = try_register(&app, "no_display", PASSWORD).await;

    assert_status(&resp, 201);
    assert_non_empty_str(&resp.body["user"]["display_name"], "display_name");
}

#[tokio::test]
async fn usernames_are_unique_in_any_case() {
    let app = spawn_app().await;
    app.register("Bob_1").await;

    for taken in ["Bob_1", "bob_1", "BOB_1", "bOb_1"] {
        let resp = try_register(&app, taken, PASSWORD).await;
        assert_error(&resp, 409, "username_taken");
    }
}

#[tokio::test]
async fn invalid_usernames_are_rejected() {
    let app = spawn_app().await;
    let too_long = "a".repeat(33);

    for username in [
        "",
        "ab",
        too_long.as_str(),
        "has space",
        "semi;colon",
        "at@sign",
        "émile",
        "tab\tname",
    ] {
        let resp = try_register(&app, username, PASSWORD).await;
        assert_error(&resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn usernames_at_the_limits_are_accepted() {
    let app = spawn_app().await;
    let longest = "x".repeat(32);

    for username in ["abc", "A.b_c-9", longest.as_str()] {
        let resp = try_register(&app, username, PASSWORD).await;
        assert_status(&resp, 201);
        assert_eq!(resp.body["user"]["username"], username);
    }
}

#[tokio::test]
async fn passwords_outside_8_to_128_characters_are_rejected() {
    let app = spawn_app().await;
    let too_long = "p".repeat(129);

    // Counted in characters: seven two-byte characters are still too short.
    for (n, password) in ["1234567", "ééééééé", too_long.as_str()]
        .into_iter()
        .enumerate()
    {
        let resp = try_register(&app, &format!("pw_user{n}"), password).await;
        assert_error(&resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn passwords_at_the_limits_are_accepted() {
    let app = spawn_app().await;
    let longest = "p".repeat(128);

    for (n, password) in ["12345678", "éééééééé", longest.as_str()]
        .into_iter()
        .enumerate()
    {
        let username = format!("pw_ok{n}");
        let resp = try_register(&app, &username, password).await;
        assert_status(&resp, 201);
        let login = app.login(&username, password).await;
        assert_status(&login, 200);
    }
}

#[tokio::test]
async fn login_accepts_the_username_in_any_case() {
    let app = spawn_app().await;
    let user = app.register("MixedCase").await;

    for spelling in ["MixedCase", "mixedcase", "MIXEDCASE"] {
        let resp = app.login(spelling, PASSWORD).await;
        assert_status(&resp, 200);
        assert_non_empty_str(&resp.body["access_token"], "access_token");
        assert_non_empty_str(&resp.body["refresh_token"], "refresh_token");
        assert_eq!(resp.body["user"]["id"], user.id.as_str());
    }
}

#[tokio::test]
async fn login_with_a_wrong_password_is_invalid_credentials() {
    let app = spawn_app().await;
    app.register("alice").await;

    let resp = app.login("alice", "not the password").await;

    assert_error(&resp, 401, "invalid_credentials");
}

#[tokio::test]
async fn login_of_an_unknown_user_is_invalid_credentials() {
    let app = spawn_app().await;

    let resp = app.login("nobody_here", PASSWORD).await;

    assert_error(&resp, 401, "invalid_credentials");
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let first = app.refresh(&alice.refresh_token).await;
    assert_status(&first, 200);
    let access = field_str(&first.body, "access_token");
    let second_token = field_str(&first.body, "refresh_token");
    assert_ne!(
        second_token, alice.refresh_token,
        "refresh must issue a new refresh token"
    );

    // The new access token works, and so does the new refresh token.
    let me = app.get(ME, Some(access.as_str())).await;
    assert_status(&me, 200);
    assert_eq!(me.body["id"], alice.id.as_str());
    let second = app.refresh(&second_token).await;
    assert_status(&second, 200);
    assert_ne!(field_str(&second.body, "refresh_token"), second_token);

    // The original refresh token stopped working when it was used.
    let reused = app.refresh(&alice.refresh_token).await;
    assert_error(&reused, 401, "invalid_token");
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let resp = app
        .post_json(
            LOGOUT,
            alice.auth(),
            &json!({ "refresh_token": alice.refresh_token }),
        )
        .await;
    assert_status(&resp, 204);

    let refreshed = app.refresh(&alice.refresh_token).await;
    assert_error(&refreshed, 401, "invalid_token");
}

#[tokio::test]
async fn logout_leaves_other_sessions_alone() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let other_session = app.new_session(&alice).await;

    let resp = app
        .post_json(
            LOGOUT,
            alice.auth(),
            &json!({ "refresh_token": alice.refresh_token }),
        )
        .await;
    assert_status(&resp, 204);

    let refreshed = app.refresh(&other_session.refresh_token).await;
    assert_status(&refreshed, 200);
}

#[tokio::test]
async fn unknown_refresh_tokens_are_invalid_token() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for token in [
        "garbage".to_owned(),
        random_id(),
        alice.access_token.clone(),
        format!("{}x", alice.refresh_token),
    ] {
        let resp = app.refresh(&token).await;
        assert_error(&resp, 401, "invalid_token");
    }
}

#[tokio::test]
async fn users_me_without_a_token_is_401() {
    let app = spawn_app().await;

    let resp = app.get(ME, None).await;

    assert_error_status(&resp, 401);
}

#[tokio::test]
async fn users_me_with_a_bad_token_is_401() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let forged_jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
                      eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJleHAiOjQxMDI0NDQ4MDB9.\
                      c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ";

    for token in [
        "garbage".to_owned(),
        forged_jwt.to_owned(),
        tamper_signature(&alice.access_token),
        alice.refresh_token.clone(),
    ] {
        let resp = app.get(ME, Some(token.as_str())).await;
        assert_error_status(&resp, 401);
    }
}

#[tokio::test]
async fn a_non_bearer_authorization_header_is_401() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let builder = app
        .request(reqwest::Method::GET, ME, None)
        .header("Authorization", format!("Token {}", alice.access_token));
    let resp = app.send(builder).await;

    assert_error_status(&resp, 401);
}

/// Changes one character in the middle of a JWT's signature, so the token is
/// well-formed but no longer signed by the server.
fn tamper_signature(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() - 10;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

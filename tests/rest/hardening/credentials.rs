//! Password guessing, refresh tokens and access tokens.

use serde_json::json;
use themechat_tests::*;

// ---- password guessing ---------------------------------------------------------------

fn assert_retry_after(resp: &TestResponse) {
    let secs: u64 = resp
        .header("Retry-After")
        .unwrap_or_else(|| panic!("no Retry-After: {}", resp.describe()))
        .parse()
        .unwrap_or_else(|e| panic!("Retry-After is not seconds ({e}): {}", resp.describe()));
    assert!((1..=300).contains(&secs), "{secs}");
}

#[tokio::test]
async fn sign_ins_to_one_account_are_limited() {
    let app = spawn_app_with(|s| s.auth_attempts_per_account = 3).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    for _ in 0..3 {
        let resp = app.login("alice", "not the password").await;
        assert_error(&resp, 401, "invalid_credentials");
    }
    let resp = app.login("ALICE", "not the password").await;
    assert_error(&resp, 429, "rate_limited");
    assert_retry_after(&resp);
    // Even the right password waits: the limit is what stops guessing.
    let resp = app.login("alice", PASSWORD).await;
    assert_error(&resp, 429, "rate_limited");
    // Another account is not affected, nor are sessions already open.
    assert_status(&app.login("bob", PASSWORD).await, 200);
    assert_eq!(app.me(&alice).await["id"], alice.id.as_str());
    assert_eq!(app.me(&bob).await["id"], bob.id.as_str());
}

#[tokio::test]
async fn password_checks_from_one_address_are_limited() {
    let app = spawn_app_with(|s| s.auth_attempts_per_address = 3).await;
    for n in 0..3 {
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": format!("user{n}"), "password": PASSWORD }),
            )
            .await;
        assert_status(&resp, 201);
    }
    let resp = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "username": "user3", "password": PASSWORD }),
        )
        .await;
    assert_error(&resp, 429, "rate_limited");
    assert_retry_after(&resp);
    let resp = app.login("user0", PASSWORD).await;
    assert_error(&resp, 429, "rate_limited");
}

#[tokio::test]
async fn password_checks_with_a_token_are_limited_too() {
    let app = spawn_app_with(|s| s.auth_attempts_per_account = 2).await;
    let alice = app.register("alice").await;
    let wrong = json!({ "current_password": "not it at all", "new_password": "whatever new one" });
    for _ in 0..2 {
        let resp = app
            .put_json("/api/v1/users/me/password", alice.auth(), &wrong)
            .await;
        assert_error(&resp, 403, "wrong_password");
    }
    let resp = app
        .put_json("/api/v1/users/me/password", alice.auth(), &wrong)
        .await;
    assert_error(&resp, 429, "rate_limited");
    let resp = app
        .delete_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "password": "not it either" }),
        )
        .await;
    assert_error(&resp, 429, "rate_limited");
}

// ---- refresh tokens --------------------------------------------------------------------

async fn refreshed(app: &TestApp, token: &str) -> String {
    let resp = app.refresh(token).await;
    assert_status(&resp, 200);
    field_str(&resp.body, "refresh_token")
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_session() {
    let app = spawn_app_with(|s| s.refresh_reuse_grace_ms = 0).await;
    let alice = app.register("alice").await;
    let other = app.new_session(&alice).await;
    let current = refreshed(&app, &alice.refresh_token).await;

    // The first token comes back after it was rotated away: a copy exists.
    let replay = app.refresh(&alice.refresh_token).await;
    assert_error(&replay, 401, "invalid_token");
    // The whole session is gone, for the thief and the owner alike.
    assert_error(&app.refresh(&current).await, 401, "invalid_token");
    let me = app.get("/api/v1/users/me", alice.auth()).await;
    assert_error(&me, 401, "invalid_token");
    // Other sessions of the user are not touched.
    assert_status(&app.get("/api/v1/users/me", other.auth()).await, 200);
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_keep_the_session() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let current = refreshed(&app, &alice.refresh_token).await;
    // The other tab, a moment late with the same token: refused, no harm.
    assert_error(
        &app.refresh(&alice.refresh_token).await,
        401,
        "invalid_token",
    );
    let next = refreshed(&app, &current).await;
    assert_ne!(next, current);
}

#[tokio::test]
async fn a_session_ends_at_its_maximum_age_however_often_it_is_refreshed() {
    let app = spawn_app_with(|s| s.session_max_age_secs = 2).await;
    let alice = app.register("alice").await;
    let current = refreshed(&app, &alice.refresh_token).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_error(&app.refresh(&current).await, 401, "invalid_token");
}

// ---- tokens --------------------------------------------------------------------------

#[tokio::test]
async fn forged_expired_and_orphaned_tokens_are_refused() {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let claims = |exp: i64| {
        let payload = json!({ "sub": alice.id, "sid": random_id(), "iat": 0, "exp": exp });
        b64(payload.to_string().as_bytes())
    };
    let far = chrono::Utc::now().timestamp() + 3600;
    let parts: Vec<&str> = alice.access_token.split('.').collect();
    let real_payload = parts[1];

    let none = format!("{}.{real_payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
    let other_key = {
        use hmac::Mac;
        let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
        let body = claims(far);
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(b"not-the-server-key-not-the-key!!")
                .unwrap();
        mac.update(format!("{header}.{body}").as_bytes());
        format!("{header}.{body}.{}", b64(&mac.finalize().into_bytes()))
    };
    let tampered = format!("{}.{}.{}", parts[0], claims(far), parts[2]);
    for (what, token) in [
        ("alg none", none),
        ("another key", other_key),
        ("a changed payload", tampered),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let resp = app.get("/api/v1/users/me", Some(&token)).await;
        assert_error_status(&resp, 401);
        assert_eq!(resp.body["error"]["code"], "invalid_token", "{what}");
    }

    // A deleted account's token, and a signed-out session's.
    let bob = app.register("bob").await;
    let resp = app
        .post_json(
            "/api/v1/auth/logout",
            None,
            &json!({ "refresh_token": bob.refresh_token }),
        )
        .await;
    assert_status(&resp, 204);
    assert_error(
        &app.get("/api/v1/users/me", bob.auth()).await,
        401,
        "invalid_token",
    );
    let carol = app.register("carol").await;
    let resp = app
        .delete_json(
            "/api/v1/users/me",
            carol.auth(),
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_status(&resp, 204);
    assert_error(
        &app.get("/api/v1/users/me", carol.auth()).await,
        401,
        "invalid_token",
    );
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = 1).await;
    let alice = app.register("alice").await;
    assert_status(&app.get("/api/v1/users/me", alice.auth()).await, 200);
    // The server allows 5 s of clock skew.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    assert_error(
        &app.get("/api/v1/users/me", alice.auth()).await,
        401,
        "invalid_token",
    );
}

#[tokio::test]
async fn metrics_can_be_served_on_a_listener_of_their_own() {
    let app = spawn_app_with(|s| s.metrics_bind = Some("127.0.0.1:0".into())).await;
    let public = app.get("/metrics", None).await;
    assert_error(&public, 404, "not_found");
    let private = app.metrics_address.clone().expect("a metrics listener");
    let text = app
        .client
        .get(format!("{private}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("themechat_http_requests_total"), "{text}");
    assert!(
        text.contains("themechat_ws_connections"),
        "the operators' own listener shows the open sockets: {text}"
    );
}

#[tokio::test]
async fn public_metrics_do_not_say_how_many_sockets_the_node_holds() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let _socket = themechat_tests::socket::WsClient::open(&app, &alice).await;
    let public = app.get("/metrics", None).await;
    assert_eq!(public.status, 200, "{}", public.describe());
    assert!(
        public.text.contains("themechat_http_requests_total"),
        "{}",
        public.text
    );
    assert!(
        !public.text.contains("ws_connections"),
        "anyone may read the public /metrics: the count of open sockets tells an \
         attacker how many more to open ({})",
        public.text
    );
}

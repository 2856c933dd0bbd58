//! Holes a security read of the server found (issue 9). Each test failed on
//! the code before its fix.

use serde_json::json;
use themechat_tests::*;

use crate::social_support::{
    all_notifications, block, kinds, make_friends, of_kind, open_dm, try_open_dm,
};

// ---- input that must never be a server error ----------------------------------------

#[tokio::test]
async fn a_nul_byte_in_a_search_query_is_no_server_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = app.create_room(&alice, "Nul room", "public").await;
    let room = id_of(&room);
    app.post_message(&alice, &room, "findable words").await;

    for path in [
        "/api/v1/users?q=%00",
        "/api/v1/users?q=al%00ice",
        "/api/v1/rooms?q=%00",
        "/api/v1/search/messages?q=%00",
        "/api/v1/search/messages?q=findable%00",
    ] {
        let resp = app.get(path, alice.auth()).await;
        assert!(
            resp.status == 200 || resp.status == 422,
            "{path}: {}",
            resp.describe()
        );
        assert_error_shape_if_error(&resp);
    }
}

#[tokio::test]
async fn a_nul_byte_in_stored_text_is_a_validation_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Text room", "public").await);

    let body = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": "a\u{0}b" }),
        )
        .await;
    assert_error(&body, 422, "validation_failed");

    let bio = app
        .patch_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "bio": "nul\u{0}bio" }),
        )
        .await;
    assert_error(&bio, 422, "validation_failed");

    let topic = app
        .patch_json(
            &format!("/api/v1/rooms/{room}"),
            alice.auth(),
            &json!({ "topic": "nul\u{0}topic" }),
        )
        .await;
    assert_error(&topic, 422, "validation_failed");

    let created = app
        .post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "name": "Other", "topic": "t\u{0}" }),
        )
        .await;
    assert_error(&created, 422, "validation_failed");

    // Nothing of it was stored.
    let history = app.history(&alice, &room, "").await;
    assert!(history.is_empty(), "{history:?}");
    assert_eq!(app.me(&alice).await["bio"], "");
}

#[tokio::test]
async fn an_explicitly_empty_display_name_at_sign_up_is_rejected() {
    let app = spawn_app().await;
    for name in ["", "   "] {
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": unique("empty"), "password": PASSWORD, "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn invisible_and_direction_changing_characters_are_refused_in_names() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for name in [
        "evil\u{202e}gnp.exe",
        "zero\u{200b}width",
        "join\u{200d}er",
        "bom\u{feff}",
        "iso\u{2066}late",
    ] {
        let resp = app
            .patch_json(
                "/api/v1/users/me",
                alice.auth(),
                &json!({ "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({ "username": unique("bidi"), "password": PASSWORD, "display_name": name }),
            )
            .await;
        assert_error(&resp, 422, "validation_failed");
        let resp = app
            .post_json("/api/v1/rooms", alice.auth(), &json!({ "name": name }))
            .await;
        assert_error(&resp, 422, "validation_failed");
    }
    // Scripts written right to left are people's names, not an attack.
    let resp = app
        .patch_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "display_name": "שלום עולם" }),
        )
        .await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn a_room_has_one_created_at_wherever_it_is_read() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = app.create_room(&alice, "Clock room", "public").await;
    let id = id_of(&room);

    let fetched = app.get(&format!("/api/v1/rooms/{id}"), alice.auth()).await;
    assert_status(&fetched, 200);
    let summary = app.room_summary(&alice, &id).await;
    assert_eq!(
        room["created_at"], fetched.body["created_at"],
        "create vs get"
    );
    assert_eq!(
        fetched.body["created_at"], summary["created_at"],
        "get vs my rooms"
    );
}

// ---- message identity ----------------------------------------------------------------

#[tokio::test]
async fn a_client_id_is_per_room() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let first = id_of(&app.create_room(&alice, "First", "public").await);
    let second = id_of(&app.create_room(&alice, "Second", "public").await);

    let send = |room: String, body: &'static str| {
        let api = app.api();
        let token = alice.access_token.clone();
        async move {
            api.post_json(
                &format!("/api/v1/rooms/{room}/messages"),
                Some(&token),
                &json!({ "body": body, "client_id": "same-key" }),
            )
            .await
        }
    };
    let in_first = send(first.clone(), "to the first room").await;
    assert_status(&in_first, 201);
    let in_second = send(second.clone(), "to the second room").await;
    assert_status(&in_second, 201);
    assert_eq!(in_second.body["room_id"], second.as_str());
    assert_eq!(in_second.body["body"], "to the second room");

    // Within one room the key still deduplicates.
    let again = send(second.clone(), "to the second room").await;
    assert_status(&again, 200);
    assert_eq!(again.body["id"], in_second.body["id"]);
    assert_eq!(app.history(&alice, &second, "").await.len(), 1);
    assert_eq!(app.history(&alice, &first, "").await.len(), 1);
}

// ---- metrics -------------------------------------------------------------------------

#[tokio::test]
async fn made_up_http_methods_do_not_become_metric_labels() {
    let app = spawn_app().await;
    for method in ["BREW", "WHEN", "XYZZY"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, format!("{}/api/v1/rooms", app.address))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
    }
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for made_up in ["BREW", "WHEN", "XYZZY"] {
        assert!(
            !metrics.contains(&format!("method=\"{made_up}\"")),
            "{made_up} became a label"
        );
    }
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

// ---- privacy -------------------------------------------------------------------------

async fn friends_only(app: &TestApp, user: &TestUser) {
    let resp = app
        .patch_json(
            "/api/v1/users/me",
            user.auth(),
            &json!({ "bio": "secret bio", "interests": ["secrets"], "profile_visibility": "friends" }),
        )
        .await;
    assert_status(&resp, 200);
}

#[tokio::test]
async fn a_friends_only_profile_does_not_leak_through_the_member_list() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let shy = app.register("shy").await;
    let pal = app.register("pal").await;
    friends_only(&app, &shy).await;
    make_friends(&app, &shy, &pal).await;
    let room = id_of(&app.create_room(&owner, "Members room", "public").await);
    app.join_room(&shy, &room).await;
    app.join_room(&pal, &room).await;

    let member_of = |list: &[serde_json::Value]| {
        list.iter()
            .find(|m| m["user"]["id"] == shy.id.as_str())
            .cloned()
            .expect("shy is listed")
    };
    let path = format!("/api/v1/rooms/{room}/members");
    let as_stranger = app.get(&path, owner.auth()).await;
    assert_status(&as_stranger, 200);
    let seen = member_of(as_stranger.array());
    assert_ne!(seen["user"]["bio"], "secret bio", "{seen}");
    assert_ne!(seen["user"]["interests"], json!(["secrets"]), "{seen}");

    let as_friend = app.get(&path, pal.auth()).await;
    let seen = member_of(as_friend.array());
    assert_eq!(seen["user"]["bio"], "secret bio", "a friend sees it all");
}

// ---- blocking ------------------------------------------------------------------------

#[tokio::test]
async fn a_block_closes_an_existing_direct_conversation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let dm = open_dm(&app, &alice, &bob).await;
    app.post_message(&bob, &dm, "hello before").await;

    block(&app, &alice, &bob).await;

    let path = format!("/api/v1/rooms/{dm}/messages");
    let from_bob = app
        .post_json(&path, bob.auth(), &json!({ "body": "still there?" }))
        .await;
    assert_error(&from_bob, 403, "blocked");
    let from_alice = app
        .post_json(&path, alice.auth(), &json!({ "body": "bye" }))
        .await;
    assert_error(&from_alice, 403, "blocked");
    assert_eq!(app.history(&alice, &dm, "").await.len(), 1);
    assert_error(&try_open_dm(&app, &bob, &alice.id).await, 403, "blocked");

    // Unblocked, they talk again.
    let resp = app
        .delete(&format!("/api/v1/blocks/{}", bob.id), alice.auth())
        .await;
    assert_status(&resp, 204);
    let again = app
        .post_json(&path, bob.auth(), &json!({ "body": "friends again" }))
        .await;
    assert_status(&again, 201);
}

#[tokio::test]
async fn invites_from_a_blocked_user_never_reach_the_blocker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let pest = app.register("pest").await;
    block(&app, &alice, &pest).await;
    for n in 0..3 {
        let room = id_of(
            &app.create_room(&pest, &format!("Pest room {n}"), "private")
                .await,
        );
        let resp = app
            .post_json(
                &format!("/api/v1/rooms/{room}/invites"),
                pest.auth(),
                &json!({ "user_id": alice.id }),
            )
            .await;
        assert_error(&resp, 403, "blocked");
    }
    let list = all_notifications(&app, &alice).await;
    assert!(
        of_kind(&list, "room_invite").is_empty(),
        "{:?}",
        kinds(&list)
    );
}

#[tokio::test]
async fn a_repeated_invite_notifies_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Invite room", "private").await);
    for _ in 0..3 {
        let resp = app
            .post_json(
                &format!("/api/v1/rooms/{room}/invites"),
                alice.auth(),
                &json!({ "user_id": bob.id }),
            )
            .await;
        assert!(
            resp.status == 200 || resp.status == 201,
            "{}",
            resp.describe()
        );
    }
    let list = all_notifications(&app, &bob).await;
    assert_eq!(of_kind(&list, "room_invite").len(), 1, "{:?}", kinds(&list));
}

// ---- deployment ----------------------------------------------------------------------

#[test]
fn the_compose_file_requires_a_jwt_secret() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml");
    let compose = std::fs::read_to_string(path).expect("docker-compose.yml");
    let settings = compose
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains("JWT_SECRET"));
    for line in settings {
        assert!(
            line.contains("${JWT_SECRET:?"),
            "a JWT_SECRET with a default (or none) in docker-compose.yml: {line}"
        );
    }
    assert!(compose.contains("${JWT_SECRET:?"), "JWT_SECRET is required");
}

fn assert_error_shape_if_error(resp: &TestResponse) {
    if resp.status >= 400 {
        assert_error_shape(resp);
    }
}

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

// ---- mentions ------------------------------------------------------------------------

#[tokio::test]
async fn one_message_notifies_at_most_twenty_mentioned_people() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Crowd", "public").await);
    let mut crowd = Vec::new();
    for n in 0..22 {
        let user = app.register(&format!("crowd{n:02}")).await;
        app.join_room(&user, &room).await;
        crowd.push(user);
    }
    let body: String = crowd.iter().map(|u| format!("@{} ", u.username)).collect();
    app.post_message(&alice, &room, &body).await;

    let mut notified = 0;
    for user in &crowd {
        if !of_kind(&all_notifications(&app, user).await, "mention").is_empty() {
            notified += 1;
        }
    }
    assert_eq!(notified, 20);
}

// ---- headers -------------------------------------------------------------------------

#[tokio::test]
async fn pages_and_answers_carry_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/rooms/anything", "/api/v1/rooms", "/healthz"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{path}: no {name}"))
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "no-referrer");
    }
}

#[tokio::test]
async fn cross_origin_browsers_are_kept_out_unless_their_origin_is_configured() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/users/me", app.address),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let closed = spawn_app().await;
    let resp = preflight(&closed, "https://elsewhere.example")
        .await
        .unwrap();
    assert!(
        resp.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        resp.headers()
    );

    let open = spawn_app_with(|s| s.cors_origins = vec!["https://app.example".into()]).await;
    let resp = preflight(&open, "https://app.example").await.unwrap();
    assert_eq!(
        resp.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.example")
    );
    let resp = preflight(&open, "https://elsewhere.example").await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
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
}

// ---- lists of people come in pages ---------------------------------------------------

/// Pages through `path` with `limit` and `after` (the id at `id_of`).
async fn all_pages(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    key: impl Fn(&serde_json::Value) -> String,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(id) => format!("limit=2&after={id}"),
            None => "limit=2".to_owned(),
        };
        let resp = app.get(&with_query(path, &query), user.auth()).await;
        assert_status(&resp, 200);
        let page: Vec<String> = resp.array().iter().map(&key).collect();
        assert!(page.len() <= 2, "{path}: a page over the limit: {page:?}");
        if page.is_empty() {
            return seen;
        }
        after = page.last().cloned();
        seen.extend(page);
    }
}

#[tokio::test]
async fn members_friends_and_read_markers_come_in_pages() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let room = id_of(&app.create_room(&owner, "Paged", "public").await);
    let message = id_of(&app.post_message(&owner, &room, "read me").await);
    let mut everyone = vec![owner.id.clone()];
    for n in 0..4 {
        let user = app.register(&format!("pal{n}")).await;
        app.join_room(&user, &room).await;
        app.mark_read(&user, &room, &message).await;
        make_friends(&app, &owner, &user).await;
        everyone.push(user.id.clone());
    }
    let resp = app
        .put_json(
            &format!("/api/v1/rooms/{room}/members/{}/role", everyone[3]),
            owner.auth(),
            &json!({ "role": "moderator" }),
        )
        .await;
    assert_status(&resp, 200);

    let members = all_pages(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/members"),
        |m| field_str(&m["user"], "id"),
    )
    .await;
    let whole = app
        .get(&format!("/api/v1/rooms/{room}/members"), owner.auth())
        .await;
    let whole: Vec<String> = whole
        .array()
        .iter()
        .map(|m| field_str(&m["user"], "id"))
        .collect();
    assert_eq!(members, whole, "pages in order add up to the list");
    assert_eq!(members.len(), 5);
    assert_eq!(members[0], owner.id, "the owner first");
    assert_eq!(members[1], everyone[3], "then the moderator");

    let friends = all_pages(&app, &owner, "/api/v1/friends", |u| field_str(u, "id")).await;
    let mut expected: Vec<String> = everyone[1..].to_vec();
    expected.sort();
    let mut got = friends.clone();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(friends.len(), 4);

    let markers = all_pages(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/read-markers"),
        |m| field_str(m, "user_id"),
    )
    .await;
    assert_eq!(markers.len(), 4, "{markers:?}");
    let distinct: std::collections::HashSet<&String> = markers.iter().collect();
    assert_eq!(distinct.len(), 4);

    // An unknown cursor is a 404, like a message cursor.
    let resp = app
        .get(
            &format!("/api/v1/rooms/{room}/members?after={}", random_id()),
            owner.auth(),
        )
        .await;
    assert_error(&resp, 404, "not_found");
}

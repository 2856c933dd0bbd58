//! Message identity, metrics, deployment and response headers.

use serde_json::json;
use themechat_tests::*;

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

/// A stored id that is not a UUID (written by hand, or by a buggy version)
/// used to come back as the nil UUID, silently naming nothing; it must fail
/// the read like any unreadable column, and never reach a client.
#[tokio::test]
async fn a_malformed_stored_id_fails_loudly_instead_of_becoming_nil() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Ids", "public").await);
    let kept = app.post_message(&alice, &room, "kept").await;
    let broken = app.post_message(&alice, &room, "broken").await;
    app.execute_in_storage(format!(
        "UPDATE messages SET id = 'not-a-uuid' WHERE id = '{}'",
        id_of(&broken)
    ))
    .await;

    let page = app
        .api()
        .get(&format!("/api/v1/rooms/{room}/messages"), alice.auth())
        .await;
    assert_error(&page, 500, "internal_error");
    assert!(
        !page
            .describe()
            .contains("00000000-0000-0000-0000-000000000000"),
        "{}",
        page.describe()
    );
    // The rest of the room is untouched: the message before it still reads.
    let thread = app
        .api()
        .get(
            &format!("/api/v1/messages/{}/thread", id_of(&kept)),
            alice.auth(),
        )
        .await;
    assert_status(&thread, 200);
    assert_eq!(thread.body["root"]["body"], "kept");
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

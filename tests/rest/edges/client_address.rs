//! The client's address behind a proxy: believed from a trusted proxy's
//! forwarded header only, and the same for every use (the sign-in limits,
//! the address a session records).

use reqwest::Method;
use serde_json::{Value, json};
use themechat_tests::*;

/// `POST /auth/login` as a proxy forwarding `forwarded_for` would send it.
async fn login_via(
    app: &TestApp,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> TestResponse {
    app.send(
        app.request(Method::POST, "/api/v1/auth/login", None)
            .header("X-Forwarded-For", forwarded_for)
            .json(&json!({ "username": username, "password": password })),
    )
    .await
}

/// The address the session of `token` recorded, from `GET /sessions`.
async fn recorded_address(app: &TestApp, token: &str) -> Value {
    let resp = app.get("/api/v1/sessions", Some(token)).await;
    assert_status(&resp, 200);
    let current = resp
        .array()
        .iter()
        .find(|d| d["current"] == true)
        .unwrap_or_else(|| panic!("no current session: {}", resp.describe()))
        .clone();
    current["address"].clone()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_sign_in_budget() {
    let app = spawn_app_with(|s| {
        s.auth_attempts_per_address = 2;
        s.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    app.register("alice").await;

    // One client behind the proxy spends its budget...
    for _ in 0..2 {
        let resp = login_via(&app, "203.0.113.1", "alice", "not her password").await;
        assert_error(&resp, 401, "invalid_credentials");
    }
    let resp = login_via(&app, "203.0.113.1", "alice", PASSWORD).await;
    assert_error(&resp, 429, "rate_limited");

    // ...and another one, through the same proxy, still has its own.
    let resp = login_via(&app, "203.0.113.2", "alice", PASSWORD).await;
    assert_status(&resp, 200);
    let token = field_str(&resp.body, "access_token");
    // The session records the same address the limit counted.
    assert_eq!(recorded_address(&app, &token).await, "203.0.113.2");

    // A client that writes the first one's address itself gets nowhere:
    // the proxy appends the address it saw, and that one counts.
    let resp = login_via(&app, "203.0.113.1, 198.51.100.9", "alice", PASSWORD).await;
    assert_status(&resp, 200);
    let token = field_str(&resp.body, "access_token");
    assert_eq!(recorded_address(&app, &token).await, "198.51.100.9");
}

#[tokio::test]
async fn a_forwarded_header_from_anyone_but_a_trusted_proxy_is_ignored() {
    // Nobody trusted (the default), and a proxy list the peer is not in.
    for trusted in [Vec::new(), vec!["10.0.0.0/8".to_owned()]] {
        let app = spawn_app_with(|s| {
            s.auth_attempts_per_address = 2;
            s.trusted_proxies = trusted.clone();
        })
        .await;
        let alice = app.register("alice").await;
        let resp = login_via(&app, "203.0.113.1", "alice", "not her password").await;
        assert_error(&resp, 401, "invalid_credentials");
        // A new forged address each time is still the one peer: its budget
        // (registering took the first attempt) is spent.
        let resp = login_via(&app, "203.0.113.2", "alice", PASSWORD).await;
        assert_error(&resp, 429, "rate_limited");
        assert_eq!(
            recorded_address(&app, &alice.access_token).await,
            "127.0.0.1",
            "trusted: {trusted:?}"
        );
    }
}

/// The shipped deployment turns it on for its own proxy, and only for it.
#[test]
fn the_shipped_deployment_trusts_its_proxy_and_only_it() {
    let read = |file: &str| {
        std::fs::read_to_string(format!("{}/../{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let value_of = |text: &str, key: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_owned())
            .collect()
    };
    let compose = read("docker-compose.yml");
    let trusted = value_of(&compose, "THEMECHAT_TRUSTED_PROXIES:");
    let proxy = value_of(&compose, "ipv4_address:");
    assert_eq!(trusted.len(), 1, "{trusted:?}");
    assert_eq!(trusted, proxy, "the nodes trust the proxy's address");
    let nginx = read("deploy/nginx.conf");
    assert_eq!(
        nginx
            .matches("X-Forwarded-For $proxy_add_x_forwarded_for;")
            .count(),
        nginx.matches("proxy_pass ").count(),
        "every location forwards the client's address"
    );
}

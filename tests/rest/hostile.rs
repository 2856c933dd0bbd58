//! Hostile input: generated JSON bodies and socket frames (proptest, a
//! bounded number of cases per run, failures kept in `proptest-regressions/`
//! as the corpus), a fixed corpus of known-nasty inputs, and malformed HTTP.
//! The rule everywhere: no panic, no 5xx, every refusal a JSON error body,
//! and the server still serves afterwards.

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use themechat_tests::socket::*;
use themechat_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Cases per generated test: enough to find the obvious, bounded for CI.
const CASES: u32 = 48;

/// Any JSON value: scalars of every kind (odd strings included), nested up
/// to a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        Just(json!("\u{0}")),
        Just(json!("\u{202e}\u{200b}")),
        Just(json!("x".repeat(5000))),
        Just(json!(uuid::Uuid::nil().to_string())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object that uses the route's real field names (so generation gets
/// past "missing field"), each with any value, plus stray fields.
fn body_for(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let known = prop::collection::vec(
        (prop::sample::select(fields), any_json()),
        0..fields.len() + 2,
    );
    let stray = prop::collection::vec(("\\PC{1,8}", any_json()), 0..2);
    (known, stray).prop_map(|(known, stray)| {
        let mut object = Map::new();
        for (key, value) in known {
            object.insert(key.to_owned(), value);
        }
        for (key, value) in stray {
            object.insert(key, value);
        }
        Value::Object(object)
    })
}

/// The answer must be a success or a client error with the JSON error body.
fn check_answer(what: &str, body: &Value, resp: &TestResponse) -> Result<(), TestCaseError> {
    if resp.status >= 500 {
        return Err(TestCaseError::fail(format!(
            "{what} with {body} -> {}",
            resp.describe()
        )));
    }
    if resp.status >= 400 {
        let code = resp.body["error"]["code"].as_str().unwrap_or("");
        let message = resp.body["error"]["message"].as_str().unwrap_or("");
        if code.is_empty() || message.is_empty() {
            return Err(TestCaseError::fail(format!(
                "{what} with {body}: no error body: {}",
                resp.describe()
            )));
        }
    }
    Ok(())
}

/// Runs `cases` generated values through `check` on the test's runtime.
fn run<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let mut config = Config::with_cases(CASES);
    config.failure_persistence = Some(Box::new(
        proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
    ));
    config.source_file = Some(concat!(env!("CARGO_MANIFEST_DIR"), "/rest/hostile.rs"));
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, check) {
        panic!("{name}: {e}");
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_json_bodies_never_get_a_server_error() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = id_of(&app.create_room(&alice, "Fuzz room", "public").await);
    app.join_room(&bob, &room).await;
    let message = id_of(&app.post_message(&alice, &room, "target").await);
    let api = app.api();
    let token = alice.access_token.clone();

    let routes: Vec<(&str, String, &'static [&'static str])> = vec![
        (
            "POST",
            "/api/v1/auth/register".into(),
            &["username", "password", "display_name"],
        ),
        (
            "POST",
            "/api/v1/auth/login".into(),
            &["username", "password"],
        ),
        ("POST", "/api/v1/auth/refresh".into(), &["refresh_token"]),
        (
            "PATCH",
            "/api/v1/users/me".into(),
            &[
                "display_name",
                "bio",
                "interests",
                "avatar_url",
                "profile_visibility",
                "email",
            ],
        ),
        (
            "POST",
            "/api/v1/rooms".into(),
            &["name", "topic", "visibility"],
        ),
        (
            "PATCH",
            format!("/api/v1/rooms/{room}"),
            &["name", "topic", "visibility"],
        ),
        (
            "POST",
            format!("/api/v1/rooms/{room}/messages"),
            &["body", "client_id", "reply_to"],
        ),
        ("PATCH", format!("/api/v1/messages/{message}"), &["body"]),
        (
            "POST",
            format!("/api/v1/rooms/{room}/read"),
            &["message_id"],
        ),
        (
            "POST",
            format!("/api/v1/rooms/{room}/invites"),
            &["user_id"],
        ),
        (
            "PUT",
            format!("/api/v1/rooms/{room}/notification-level"),
            &["level"],
        ),
        (
            "PUT",
            format!("/api/v1/rooms/{room}/members/{}/role", bob.id),
            &["role"],
        ),
        ("POST", "/api/v1/friends/requests".into(), &["user_id"]),
        ("POST", "/api/v1/blocks".into(), &["user_id"]),
        ("POST", "/api/v1/dms".into(), &["user_id"]),
    ];
    for (method, path, fields) in routes {
        let name = format!("{method} {path}");
        run(&name, body_for(fields), |body| {
            let resp = block_on(async {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let builder = api
                    .client
                    .request(method, format!("{}{path}", api.address))
                    .bearer_auth(&token)
                    .json(&body);
                api.send(builder).await
            });
            check_answer(&name, &body, &resp)
        });
    }
    // Still serving, and alice still signed in (no fuzzed password change
    // could happen without her password).
    assert_eq!(app.me(&alice).await["id"], alice.id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_socket_frames_never_break_the_connection() {
    let app = spawn_app_with(|s| s.ws_frames_per_sec = 10_000).await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Fuzz room", "public").await);
    let mut ws = WsClient::open(&app, &alice).await;
    let kinds = prop::sample::select(vec!["send", "typing", "read", "ping", "auth", "nonsense"]);
    let frame = (
        kinds,
        body_for(&[
            "room_id",
            "body",
            "client_id",
            "reply_to",
            "message_id",
            "token",
        ]),
    )
        .prop_map(|(kind, mut body)| {
            body["type"] = json!(kind);
            body
        });
    {
        // `run` takes a `Fn`: the socket is lent through a lock.
        let socket = std::sync::Mutex::new(&mut ws);
        run("socket frames", frame, |frame| {
            let mut ws = socket.lock().unwrap();
            block_on(async {
                ws.send_json(&frame).await;
                // Whatever comes back must not be an internal error.
                let until = tokio::time::Instant::now() + Duration::from_millis(30);
                while let Some(incoming) = ws.next_incoming_until(until).await {
                    match incoming {
                        Incoming::Event(event) if event["code"] == "internal_error" => {
                            return Err(TestCaseError::fail(format!("{frame} -> {event}")));
                        }
                        Incoming::Event(_) => {}
                        other => {
                            return Err(TestCaseError::fail(format!(
                                "{frame} ended it: {other:?}"
                            )));
                        }
                    }
                }
                Ok(())
            })
        });
    }
    // Text that is not JSON, binary frames, and the socket still answers.
    ws.send_text("{\"type\":").await;
    ws.send_binary(vec![0xff, 0xfe, 0x00]).await;
    ws.ping().await;
    let _ = room;
}

/// Known-nasty bodies, replayed on every run.
const CORPUS: &[&str] = &[
    "",
    "null",
    "[]",
    "\"string\"",
    "{\"body\": null}",
    "{\"body\": \"\\u0000\"}",
    "{\"body\": \"\\ud800\"}",
    "{\"name\": 1e400}",
    "{\"name\": -0}",
    "{\"name\": \"a\", \"name\": \"b\"}",
    "{\"visibility\": \"PUBLIC\"}",
    "{\"__proto__\": {\"admin\": true}}",
];

#[tokio::test]
async fn a_corpus_of_nasty_bodies_gets_client_errors() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Corpus", "public").await);
    for path in [
        "/api/v1/rooms".to_owned(),
        format!("/api/v1/rooms/{room}/messages"),
        "/api/v1/auth/register".to_owned(),
    ] {
        for body in CORPUS {
            let resp = app
                .post_raw(
                    &path,
                    alice.auth(),
                    body.as_bytes().to_vec(),
                    "application/json",
                )
                .await;
            assert!(
                resp.status < 500,
                "{path} with {body:?}: {}",
                resp.describe()
            );
            if resp.status >= 400 {
                assert_error_shape(&resp);
            }
        }
    }
}

#[tokio::test]
async fn deep_huge_and_broken_requests_are_refused() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let path = "/api/v1/rooms";
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep = app
        .post_raw(path, alice.auth(), deep.into_bytes(), "application/json")
        .await;
    assert!(matches!(deep.status, 400 | 413), "{}", deep.describe());
    let nested = format!("{}1{}", "{\"a\":".repeat(2000), "}".repeat(2000));
    let nested = app
        .post_raw(path, alice.auth(), nested.into_bytes(), "application/json")
        .await;
    assert_error(&nested, 400, "bad_request");
    let big = app
        .post_raw(path, alice.auth(), vec![b' '; 2 << 20], "application/json")
        .await;
    assert_error(&big, 413, "payload_too_large");
    let invalid_utf8 = app
        .post_raw(
            path,
            alice.auth(),
            b"{\"name\": \"\xff\xfe\"}".to_vec(),
            "application/json",
        )
        .await;
    assert_error_status(&invalid_utf8, 400);
    // (About the longest URI the client library will send.)
    let long_query = format!("/api/v1/rooms?q={}", "a".repeat(60_000));
    let resp = app
        .client
        .get(format!("{}{long_query}", app.address))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    // None of it hurt anyone.
    assert_eq!(app.me(&alice).await["id"], alice.id.as_str());
}

#[tokio::test]
async fn a_half_sent_request_is_cut_off() {
    // Slowloris: headers started and never finished must not hold a
    // connection (and its memory) for long.
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    stream
        .write_all(b"GET /api/v1/rooms HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server still holds a half-sent request after 15 s"
    );
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

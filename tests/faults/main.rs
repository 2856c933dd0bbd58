//! Faults: real server processes, and the services under them, broken on
//! purpose while clients talk. What must hold every time: nothing that was
//! acknowledged is lost, nothing is stored twice, `seq` has no gaps, and
//! the server serves again on its own once the fault is gone.
//!
//! Needs the server binary (`cargo build -p server --bin themechat-server`
//! or `THEMECHAT_SERVER_BIN`), the shared PostgreSQL and Redis for the
//! cluster tests, and `initdb`/`pg_ctl` and `redis-server` for the private
//! services the tests stop (never the shared ones).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod slow_readers;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{Value, json};
use themechat_tests::process::{Cluster, DurableStore, ServerProcess};
use themechat_tests::services::{PrivatePostgres, PrivateRedis};
use themechat_tests::socket::*;
use themechat_tests::*;
use tokio::time::Instant;

const A: usize = 0;
const B: usize = 1;

/// Every message of the room, oldest first, paging with `after`.
async fn all_messages(api: &ApiClient, user: &TestUser, room: &str) -> Vec<Value> {
    let mut all: Vec<Value> = api.history(user, room, "limit=200").await;
    // The first page is the newest: start from the oldest instead.
    if all.len() == 200 {
        all.clear();
        let mut after: Option<String> = None;
        loop {
            let query = match &after {
                Some(id) => format!("limit=200&after={id}"),
                None => "limit=200&after=00000000-0000-0000-0000-000000000000".to_owned(),
            };
            let page = api.history(user, room, &query).await;
            if page.is_empty() {
                break;
            }
            after = Some(id_of(page.last().unwrap()));
            all.extend(page);
        }
    }
    all.sort_by_key(|m| m["seq"].as_i64().unwrap());
    all
}

/// `seq` runs 1, 2, 3… with no gap and no repeat.
#[track_caller]
fn assert_gapless(messages: &[Value]) {
    let seqs = seqs(messages);
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "seq must run without gaps or repeats");
    assert_distinct_ids(messages);
}

/// Every acknowledged message is stored exactly once.
#[track_caller]
fn assert_all_stored(acked: &HashMap<String, String>, stored: &[Value]) {
    let mut by_client: HashMap<String, usize> = HashMap::new();
    for message in stored {
        if let Some(client_id) = message["client_id"].as_str() {
            *by_client.entry(client_id.to_owned()).or_default() += 1;
        }
    }
    for (client_id, id) in acked {
        assert_eq!(
            by_client.get(client_id),
            Some(&1),
            "acked {client_id} ({id}) must be stored exactly once"
        );
        assert!(
            stored.iter().any(|m| m["id"] == id.as_str()),
            "acked message {id} is missing"
        );
    }
}

/// Reads whatever the socket has until `until`: the acks (client id ->
/// message id) and the error answers; `true` once the socket ended.
async fn read_answers(
    ws: &mut WsClient,
    until: Instant,
    acked: &mut HashMap<String, String>,
    refused: &mut HashSet<String>,
) -> bool {
    while let Some(incoming) = ws.next_incoming_until(until).await {
        match incoming {
            Incoming::Event(event) if event["type"] == "ack" => {
                acked.insert(field_str(&event, "client_id"), id_of(&event["message"]));
            }
            Incoming::Event(event) if event["type"] == "error" => {
                if let Some(id) = event["client_id"].as_str() {
                    refused.insert(id.to_owned());
                }
            }
            Incoming::Event(_) => {}
            Incoming::Close(_) | Incoming::Ended(_) => return true,
        }
    }
    false
}

// ---- a node dies -------------------------------------------------------------------------

#[tokio::test]
async fn a_node_killed_mid_stream_loses_nothing_it_acknowledged() {
    let mut cluster = Cluster::start(2).await;
    let (api_a, api_b) = (cluster.node(A).clone(), cluster.node(B).clone());
    let alice = api_a.register(&unique("alice")).await;
    let bob = api_a.register(&unique("bob")).await;
    let room = api_a.public_room_with(&alice, "Doomed", &[&bob]).await;
    let mut alice_ws = WsClient::open(&api_a, &alice).await.named("alice@A");
    let mut bob_ws = WsClient::open(&api_b, &bob).await.named("bob@B");

    // Alice streams; node A is killed while her sends are in flight.
    let (mut acked, mut refused) = (HashMap::new(), HashSet::new());
    let (mut ended, mut killed) = (false, false);
    for burst in 0..200 {
        if killed {
            // Answers to what was sent may still be on their way.
            let until = Instant::now() + Duration::from_millis(200);
            ended = read_answers(&mut alice_ws, until, &mut acked, &mut refused).await;
            break;
        }
        for i in 0..10 {
            let client_id = format!("k-{burst}-{i}");
            alice_ws.send_message(&room, &client_id, &client_id).await;
        }
        if acked.len() >= 50 {
            // Sends are in flight in both directions right now.
            cluster.nodes[A].crash();
            killed = true;
        }
        let until = Instant::now() + Duration::from_millis(50);
        if read_answers(&mut alice_ws, until, &mut acked, &mut refused).await {
            ended = true;
            break;
        }
    }
    assert!(killed, "node A never acked 50 sends");
    if !ended {
        let until = Instant::now() + EVENT_TIMEOUT;
        assert!(read_answers(&mut alice_ws, until, &mut acked, &mut refused).await);
    }

    // She reconnects to the other node and finds everything acked, once.
    let mut again = WsClient::open(&api_b, &alice).await.named("alice@B");
    let stored = all_messages(&api_b, &alice, &room).await;
    assert_gapless(&stored);
    assert_all_stored(&acked, &stored);
    again.ping().await;

    // Bob, on the surviving node, heard part of it live; the rest he fills
    // from his last message on, with nothing twice.
    let mut heard: Vec<Value> = Vec::new();
    let until = Instant::now() + Duration::from_secs(2);
    while let Some(Incoming::Event(event)) = bob_ws.next_incoming_until(until).await {
        if event["type"] == "message" {
            heard.push(event["message"].clone());
        }
    }
    let query = match heard.last() {
        Some(last) => format!("limit=200&after={}", id_of(last)),
        None => "limit=200&after=00000000-0000-0000-0000-000000000000".to_owned(),
    };
    let mut seen = heard.clone();
    seen.extend(api_b.history(&bob, &room, &query).await);
    // Live delivery may skip what a dead node never published, but what
    // bob holds must be in order, each once, and end where storage ends.
    let ids: Vec<String> = ids(&seen);
    let unique_ids: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique_ids.len(), ids.len(), "bob saw a message twice");
    let bob_seqs = seqs(&seen);
    assert!(bob_seqs.windows(2).all(|w| w[0] < w[1]), "{bob_seqs:?}");
    assert_eq!(bob_seqs.last(), seqs(&stored).last());
}

// ---- SIGTERM -----------------------------------------------------------------------------

#[tokio::test]
async fn sigterm_under_load_finishes_what_it_accepted() {
    let mut cluster = Cluster::start(1).await;
    let api = cluster.node(A).clone();
    let alice = api.register(&unique("alice")).await;
    let room = id_of(&api.create_room(&alice, "Closing time", "public").await);
    let mut ws = WsClient::open(&api, &alice).await.named("alice");

    // REST posts in flight while the node is told to stop.
    let mut posts = Vec::new();
    for n in 0..20 {
        let api = api.clone();
        let (token, room) = (alice.access_token.clone(), room.clone());
        posts.push(tokio::spawn(async move {
            let path = format!("/api/v1/rooms/{room}/messages");
            let body = json!({ "body": format!("rest {n}"), "client_id": format!("rest-{n}") });
            api.client
                .post(format!("{}{path}", api.address))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let (mut acked, mut refused) = (HashMap::new(), HashSet::new());
    for i in 0..20 {
        let client_id = format!("ws-{i}");
        ws.send_message(&room, &client_id, &client_id).await;
    }
    cluster.nodes[A].terminate();

    // The socket is told goodbye properly: 1001, going away.
    let mut close = None;
    let until = Instant::now() + EVENT_TIMEOUT;
    while let Some(incoming) = ws.next_incoming_until(until).await {
        match incoming {
            Incoming::Event(event) if event["type"] == "ack" => {
                acked.insert(field_str(&event, "client_id"), id_of(&event["message"]));
            }
            Incoming::Event(event) if event["type"] == "error" => {
                refused.insert(field_str(&event, "client_id"));
            }
            Incoming::Event(_) => {}
            Incoming::Close(code) => {
                close = code;
                break;
            }
            Incoming::Ended(why) => panic!("no close frame: {why}"),
        }
    }
    assert_eq!(close, Some(1001), "sockets close with 1001 on SIGTERM");
    let status = cluster.nodes[A]
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("the node exits after SIGTERM");
    assert!(status.success(), "clean exit: {status:?}");

    // Every request that got an answer got a proper one.
    let mut answered_rest = Vec::new();
    for (n, post) in posts.into_iter().enumerate() {
        if let Ok(status) = post.await.unwrap() {
            assert!(
                status == 201 || status == 503,
                "rest-{n} answered {status} while the node stopped"
            );
            if status == 201 {
                answered_rest.push(format!("rest-{n}"));
            }
        }
    }

    // A new node on the same database has all of it.
    let fresh = cluster.add_node().await;
    let api = cluster.node(fresh).clone();
    let stored = all_messages(&api, &alice, &room).await;
    assert_gapless(&stored);
    assert_all_stored(&acked, &stored);
    let stored_ids: HashSet<&str> = stored
        .iter()
        .filter_map(|m| m["client_id"].as_str())
        .collect();
    for client_id in answered_rest {
        assert!(
            stored_ids.contains(client_id.as_str()),
            "{client_id} was answered 201"
        );
    }
}

// ---- PostgreSQL goes away ----------------------------------------------------------------

async fn health(api: &ApiClient) -> Option<u16> {
    api.client
        .get(format!("{}/healthz", api.address))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[tokio::test]
async fn postgres_stopped_and_restarted_under_load() {
    let mut pg = PrivatePostgres::start().await;
    let node = ServerProcess::start(
        "pg-fault",
        &[
            ("DATABASE_URL", pg.url()),
            ("JWT_SECRET", "fault-test-secret-".repeat(3)),
            ("THEMECHAT_DB_POOL_SIZE", "4".to_owned()),
            ("THEMECHAT_DB_CONNECT_TIMEOUT_SECS", "1".to_owned()),
        ],
    )
    .await;
    let api = node.api.clone();
    let alice = api.register(&unique("alice")).await;
    let room = id_of(&api.create_room(&alice, "Storage", "public").await);
    let mut ws = WsClient::open(&api, &alice).await.named("alice");
    let (mut acked, mut refused) = (HashMap::new(), HashSet::new());
    for i in 0..20 {
        ws.send_message(&room, "before", &format!("before-{i}"))
            .await;
    }
    let until = Instant::now() + Duration::from_secs(2);
    read_answers(&mut ws, until, &mut acked, &mut refused).await;
    assert_eq!(acked.len(), 20);

    pg.stop();
    // While it is down: no false ack, no crash, and health says so.
    for i in 0..10 {
        ws.send_message(&room, "during", &format!("during-{i}"))
            .await;
    }
    let until = Instant::now() + Duration::from_secs(15);
    while refused.len() + acked.len() < 30 && Instant::now() < until {
        let ended = read_answers(
            &mut ws,
            Instant::now() + Duration::from_millis(500),
            &mut acked,
            &mut refused,
        )
        .await;
        assert!(!ended, "the socket must survive the database going away");
    }
    assert!(
        acked.keys().all(|id| id.starts_with("before-")),
        "nothing is acked while storage is down: {acked:?}"
    );
    assert_eq!(
        refused.len(),
        10,
        "each send during the outage gets an error frame"
    );
    let post = api
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": "rest during", "client_id": "rest-during" }),
        )
        .await;
    assert_error_status(&post, 503);
    assert_eq!(health(&api).await, Some(503));

    pg.resume().await;
    // Back without a restart of the server.
    let deadline = Instant::now() + Duration::from_secs(30);
    while health(&api).await != Some(200) {
        assert!(Instant::now() < deadline, "healthz never recovered");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // What was refused is sent again, as a client does; nothing doubles.
    let mut retry: Vec<String> = refused.iter().cloned().collect();
    retry.sort();
    refused.clear();
    for client_id in &retry {
        ws.send_message(&room, "during", client_id).await;
    }
    let until = Instant::now() + EVENT_TIMEOUT;
    while acked.len() < 30 && Instant::now() < until {
        read_answers(
            &mut ws,
            Instant::now() + Duration::from_millis(200),
            &mut acked,
            &mut refused,
        )
        .await;
    }
    assert_eq!(acked.len(), 30, "refused: {refused:?}");
    let stored = all_messages(&api, &alice, &room).await;
    assert_gapless(&stored);
    assert_all_stored(&acked, &stored);
    drop(node);
}

// ---- Redis goes away -----------------------------------------------------------------

/// Redis back after a long outage: the node publishes again at once, but
/// its subscriber is still waiting to retry (up to seconds). What it
/// publishes meanwhile never comes back to it, so its own clients must get
/// their acks and events locally all the same.
#[tokio::test]
async fn a_node_acks_at_once_when_redis_is_back_before_it_resubscribed() {
    let mut redis = PrivateRedis::start().await;
    let cluster = Cluster::start_with_redis(2, redis.url()).await;
    let api = cluster.node(A).clone();
    let alice = api.register(&unique("alice")).await;
    let bob = api.register(&unique("bob")).await;
    let room = api.public_room_with(&alice, "Long outage", &[&bob]).await;
    let mut alice_ws = WsClient::open(&api, &alice).await.named("alice@A");
    let mut bob_ws = WsClient::open(&api, &bob).await.named("bob@A");

    redis.stop();
    // Long enough for the subscriber's retries to back off to seconds.
    tokio::time::sleep(Duration::from_secs(8)).await;
    redis.resume().await;
    alice_ws.send_message(&room, "back", "back-1").await;
    let ack = alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "back-1");
    let seen = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(seen["message"]["client_id"], "back-1");
}

#[tokio::test]
async fn redis_stopped_and_restarted_with_two_nodes() {
    let mut redis = PrivateRedis::start().await;
    let cluster = Cluster::start_with_redis(2, redis.url()).await;
    let (api_a, api_b) = (cluster.node(A).clone(), cluster.node(B).clone());
    let alice = api_a.register(&unique("alice")).await;
    let bob = api_a.register(&unique("bob")).await;
    let room = api_a.public_room_with(&alice, "Bus stop", &[&bob]).await;
    let mut alice_ws = WsClient::open(&api_a, &alice).await.named("alice@A");
    let mut bob_ws = WsClient::open(&api_b, &bob).await.named("bob@B");

    alice_ws.send_message(&room, "one", "one").await;
    alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    let first = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    let mut bob_seen = vec![first["message"].clone()];

    redis.stop();
    // Each node still serves its own clients.
    alice_ws.send_message(&room, "two", "two").await;
    let ack = alice_ws.next_of_type("ack", Duration::from_secs(15)).await;
    assert_eq!(ack["client_id"], "two");
    bob_ws.send_message(&room, "three", "three").await;
    let ack = bob_ws.next_of_type("ack", Duration::from_secs(15)).await;
    assert_eq!(ack["client_id"], "three");
    bob_seen.push(ack["message"].clone());

    redis.resume().await;
    // Cross-node delivery comes back by itself.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    'resumed: loop {
        assert!(Instant::now() < deadline, "events never crossed again");
        n += 1;
        let client_id = format!("after-{n}");
        alice_ws.send_message(&room, "after", &client_id).await;
        alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
        let until = Instant::now() + Duration::from_millis(500);
        while let Some(Incoming::Event(event)) = bob_ws.next_incoming_until(until).await {
            if event["type"] == "message" {
                bob_seen.push(event["message"].clone());
                if event["message"]["client_id"] == client_id.as_str() {
                    break 'resumed;
                }
            }
        }
    }
    // Bob sees the jump in seq and fills it over REST.
    let mut seqs_seen: Vec<i64> = seqs(&bob_seen);
    seqs_seen.sort();
    let missing: Vec<i64> = (1..=*seqs_seen.last().unwrap())
        .filter(|s| !seqs_seen.contains(s))
        .collect();
    assert!(!missing.is_empty(), "the outage must have hidden something");
    let stored = all_messages(&api_b, &bob, &room).await;
    assert_gapless(&stored);
    let filled: Vec<Value> = stored
        .iter()
        .filter(|m| missing.contains(&m["seq"].as_i64().unwrap()))
        .cloned()
        .collect();
    assert_eq!(filled.len(), missing.len());
    let mut all = bob_seen.clone();
    all.extend(filled);
    all.sort_by_key(|m| m["seq"].as_i64().unwrap());
    let all_ids = ids(&all);
    assert_eq!(
        all_ids,
        ids(&stored[..all.len()]),
        "filled exactly, nothing twice"
    );
}

// ---- the embedded database ---------------------------------------------------------

/// Streams sends from `ws` until `acks` were acknowledged, then runs `fault`
/// and reads what still comes until the socket ends; returns the acks.
async fn stream_into_a_fault(
    ws: &mut WsClient,
    room: &str,
    acks: usize,
    fault: impl FnOnce(),
) -> HashMap<String, String> {
    let (mut acked, mut refused) = (HashMap::new(), HashSet::new());
    let mut fault = Some(fault);
    for burst in 0..400 {
        if fault.is_none() {
            break;
        }
        for i in 0..10 {
            let client_id = format!("s-{burst}-{i}");
            ws.send_message(room, &client_id, &client_id).await;
        }
        let until = Instant::now() + Duration::from_millis(50);
        read_answers(ws, until, &mut acked, &mut refused).await;
        if acked.len() >= acks
            && let Some(fault) = fault.take()
        {
            fault();
        }
    }
    assert!(fault.is_none(), "{acks} sends were never acknowledged");
    let until = Instant::now() + EVENT_TIMEOUT;
    assert!(
        read_answers(ws, until, &mut acked, &mut refused).await,
        "the socket outlived the fault"
    );
    acked
}

/// A node on SQLite in `data`, started again on the same file by the test.
fn sqlite_env(data: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("THEMECHAT_DATA_DIR", data.display().to_string()),
        ("JWT_SECRET", "sqlite-fault-secret-".repeat(3)),
    ]
}

#[tokio::test]
async fn a_sqlite_node_killed_mid_stream_keeps_what_it_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    let env = sqlite_env(data.path());
    let mut node = ServerProcess::start("sqlite-a", &env).await;
    let alice = node.api.register(&unique("alice")).await;
    let room = id_of(&node.api.create_room(&alice, "Embedded", "public").await);
    let mut ws = WsClient::open(&node.api, &alice).await.named("alice");

    let acked = stream_into_a_fault(&mut ws, &room, 50, || node.crash()).await;

    let again = ServerProcess::start("sqlite-b", &env).await;
    let stored = all_messages(&again.api, &alice, &room).await;
    assert_gapless(&stored);
    assert_all_stored(&acked, &stored);
}

#[tokio::test]
async fn sigterm_of_a_sqlite_node_under_load_keeps_what_it_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    let env = sqlite_env(data.path());
    let mut node = ServerProcess::start("sqlite-a", &env).await;
    let alice = node.api.register(&unique("alice")).await;
    let room = id_of(&node.api.create_room(&alice, "Embedded", "public").await);
    let mut ws = WsClient::open(&node.api, &alice).await.named("alice");

    let acked = stream_into_a_fault(&mut ws, &room, 50, || node.terminate()).await;
    let status = node
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("the node exits after SIGTERM");
    assert!(status.success(), "clean exit: {status:?}");

    let again = ServerProcess::start("sqlite-b", &env).await;
    let stored = all_messages(&again.api, &alice, &room).await;
    assert_gapless(&stored);
    assert_all_stored(&acked, &stored);
}

/// Issue 24: read markers reported over a socket wait in memory for their
/// flush (one transaction for many). A SIGTERM before that flush still
/// writes them: the node stops its workers, and the flush worker's last
/// round takes what is left. (With the flush far away, the old code lost
/// the marker every time.)
#[tokio::test]
async fn sigterm_writes_the_read_markers_still_in_memory() {
    let store = DurableStore::new();
    let env = store.env(&[("THEMECHAT_READ_FLUSH_MS", "600000".to_owned())]);
    let mut node = ServerProcess::start("reads-a", &env).await;
    let alice = node.api.register(&unique("alice")).await;
    let bob = node.api.register(&unique("bob")).await;
    let room = id_of(
        &node
            .api
            .create_room(&alice, "Read before stop", "public")
            .await,
    );
    node.api.join_room(&bob, &room).await;
    let mut last = String::new();
    for i in 0..3 {
        last = id_of(&node.api.post_message(&alice, &room, &format!("m{i}")).await);
    }
    let unread = |summary: Value| summary["unread_count"].as_i64();
    assert_eq!(unread(node.api.room_summary(&bob, &room).await), Some(3));

    let mut ws = WsClient::open(&node.api, &bob).await.named("bob");
    ws.read(&room, &last).await;
    // Frames are handled in order: once the pong is back, so is the read.
    ws.ping().await;
    node.terminate();
    let status = node
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("the node exits after SIGTERM");
    assert!(status.success(), "clean exit: {status:?}");

    let again = ServerProcess::start("reads-b", &env).await;
    assert_eq!(
        unread(again.api.room_summary(&bob, &room).await),
        Some(0),
        "the read reported before the stop is stored"
    );
}

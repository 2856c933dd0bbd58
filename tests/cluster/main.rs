//! Two `themechat-server` processes on one PostgreSQL schema, fanning out
//! through Redis: what happens on one node reaches sockets on the other.
//!
//! Needs the binary (`cargo build -p server --bin themechat-server`, or
//! `THEMECHAT_SERVER_BIN`), PostgreSQL (`THEMECHAT_TEST_PG_URL`, always, not
//! only with `THEMECHAT_TEST_BACKEND=postgres`) and Redis
//! (`THEMECHAT_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use themechat_tests::process::Cluster;
use themechat_tests::socket::*;
use themechat_tests::*;

const A: usize = 0;
const B: usize = 1;

/// Two nodes; alice and bob (registered on node A) share a public room.
async fn cluster_with_room() -> (Cluster, TestUser, TestUser, String) {
    let cluster = Cluster::start(2).await;
    let api = cluster.node(A);
    let alice = api.register_with(&unique("alice"), Some("Alice")).await;
    let bob = api.register(&unique("bob")).await;
    let room = api.public_room_with(&alice, "Across", &[&bob]).await;
    (cluster, alice, bob, room)
}

/// Closes the sockets and waits until their users show offline, so that no
/// presence count is left behind in the shared Redis when the nodes die.
async fn hang_up(cluster: &Cluster, sockets: Vec<(WsClient, &TestUser)>) {
    let mut users = Vec::new();
    for (ws, user) in sockets {
        ws.close().await;
        users.push(user);
    }
    for user in users {
        let path = format!("/api/v1/users/{}", user.id);
        eventually_get(cluster.node(A), &path, user, |u| {
            u["online"] == json!(false)
        })
        .await;
    }
}

#[track_caller]
fn message_of(event: &Value) -> &Value {
    &event["message"]
}

#[tokio::test]
async fn messages_sent_on_one_node_reach_members_on_the_other_both_ways() {
    let (cluster, alice, bob, room) = cluster_with_room().await;
    let mut alice_ws = WsClient::open(cluster.node(A), &alice)
        .await
        .named("alice@A");
    let mut bob_ws = WsClient::open(cluster.node(B), &bob).await.named("bob@B");

    alice_ws.send_message(&room, "from A", "a-1").await;
    let ack = alice_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "a-1");
    let event = bob_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(message_of(&event)["id"], ack["message"]["id"]);
    assert_eq!(message_of(&event)["body"], "from A");

    bob_ws.send_message(&room, "from B", "b-1").await;
    let ack = bob_ws.next_of_type("ack", EVENT_TIMEOUT).await;
    assert_eq!(ack["client_id"], "b-1");
    assert_eq!(ack["message"]["seq"], json!(2));
    let event = alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    assert_eq!(message_of(&event)["id"], ack["message"]["id"]);

    // Each sender got an ack, not its own message back, on its node.
    tokio::join!(
        alice_ws.expect_silence(&["message", "ack"], SILENCE),
        bob_ws.expect_silence(&["message", "ack"], SILENCE),
    );
    let history = cluster.node(B).history(&bob, &room, "").await;
    assert_eq!(seqs(&history), [1, 2]);
    hang_up(&cluster, vec![(alice_ws, &alice), (bob_ws, &bob)]).await;
}

#[tokio::test]
async fn rest_posts_and_typing_cross_nodes() {
    let (cluster, alice, bob, room) = cluster_with_room().await;
    let mut alice_ws = WsClient::open(cluster.node(A), &alice)
        .await
        .named("alice@A");
    let mut bob_ws = WsClient::open(cluster.node(B), &bob).await.named("bob@B");

    let posted = cluster
        .node(A)
        .post_message(&alice, &room, "over REST")
        .await;
    for ws in [&mut bob_ws, &mut alice_ws] {
        let event = ws.next_of_type("message", EVENT_TIMEOUT).await;
        assert_eq!(message_of(&event)["id"], posted["id"], "{}", ws.label);
    }

    alice_ws.typing(&room).await;
    let typing = bob_ws.next_of_type("typing", EVENT_TIMEOUT).await;
    assert_eq!(typing["room_id"], room.as_str(), "{typing}");
    assert_eq!(typing["user"]["id"], alice.id.as_str(), "{typing}");
    assert_eq!(typing["user"]["display_name"], "Alice", "{typing}");
    alice_ws.expect_silence(&["typing"], SILENCE).await;
    hang_up(&cluster, vec![(alice_ws, &alice), (bob_ws, &bob)]).await;
}

/// `themechat_bus_events_total{outcome}` of a node.
async fn bus_events(cluster: &Cluster, node: usize, outcome: &str) -> u64 {
    let resp = cluster.node(node).get("/metrics", None).await;
    assert_status(&resp, 200);
    let series = format!("themechat_bus_events_total{{outcome=\"{outcome}\"}} ");
    resp.text
        .lines()
        .find_map(|line| line.strip_prefix(&series))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series}in\n{}", resp.text))
}

#[tokio::test]
async fn a_node_reads_only_the_events_it_has_someone_for() {
    let (cluster, alice, _bob, room) = cluster_with_room().await;
    // Node B holds only carol, who shares nothing with alice.
    let carol = cluster.node(A).register(&unique("carol")).await;
    let mut carol_ws = WsClient::open(cluster.node(B), &carol)
        .await
        .named("carol@B");
    let mut alice_ws = WsClient::open(cluster.node(A), &alice)
        .await
        .named("alice@A");
    let (skipped_on_b, delivered_on_a) = (
        bus_events(&cluster, B, "skipped").await,
        bus_events(&cluster, A, "delivered").await,
    );

    for n in 1..=3 {
        let body = format!("only for A {n}");
        cluster.node(A).post_message(&alice, &room, &body).await;
        alice_ws.next_of_type("message", EVENT_TIMEOUT).await;
    }
    carol_ws.expect_silence(&["message"], SILENCE).await;

    // Both nodes received the three; only A, where alice is, read them.
    assert!(
        bus_events(&cluster, B, "skipped").await >= skipped_on_b + 3,
        "node B decoded messages for a room nobody on it is in"
    );
    assert!(bus_events(&cluster, A, "delivered").await >= delivered_on_a + 3);
    hang_up(&cluster, vec![(alice_ws, &alice), (carol_ws, &carol)]).await;
}

#[tokio::test]
async fn presence_crosses_nodes() {
    let (cluster, alice, bob, room) = cluster_with_room().await;
    let mut bob_ws = WsClient::open(cluster.node(B), &bob).await.named("bob@B");

    let alice_ws = WsClient::open(cluster.node(A), &alice)
        .await
        .named("alice@A");
    let online = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        online,
        json!({ "type": "presence", "user_id": alice.id, "online": true })
    );
    // Node B knows alice is online although she is connected to node A.
    let path = format!("/api/v1/rooms/{room}/members");
    eventually_get(cluster.node(B), &path, &bob, |members| {
        members.as_array().is_some_and(|list| {
            list.iter()
                .any(|m| m["user"]["id"] == alice.id.as_str() && m["online"] == json!(true))
        })
    })
    .await;

    alice_ws.close().await;
    let offline = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        offline,
        json!({ "type": "presence", "user_id": alice.id, "online": false })
    );
    hang_up(&cluster, vec![(bob_ws, &bob)]).await;
}

#[tokio::test]
async fn users_of_a_node_that_crashes_go_offline_everywhere() {
    let (mut cluster, alice, bob, _room) = cluster_with_room().await;
    let mut bob_ws = WsClient::open(cluster.node(B), &bob).await.named("bob@B");
    let _alice_ws = WsClient::open(cluster.node(A), &alice)
        .await
        .named("alice@A");
    let online = bob_ws.next_of_type("presence", EVENT_TIMEOUT).await;
    assert_eq!(
        online,
        json!({ "type": "presence", "user_id": alice.id, "online": true })
    );

    // Node A dies without closing alice's socket: its lease runs out and
    // node B announces her gone.
    cluster.nodes[A].crash();
    let offline = bob_ws
        .next_of_type("presence", std::time::Duration::from_secs(20))
        .await;
    assert_eq!(
        offline,
        json!({ "type": "presence", "user_id": alice.id, "online": false })
    );
    let path = format!("/api/v1/users/{}", alice.id);
    eventually_get(cluster.node(B), &path, &bob, |u| {
        u["online"] == json!(false)
    })
    .await;
    bob_ws.close().await;
}

/// Files kept in a shared S3-compatible bucket: uploaded through one node,
/// served by the other, and removed from the bucket once their message is
/// deleted, whichever node sweeps.
#[tokio::test]
async fn an_attachment_uploaded_on_one_node_is_served_by_the_other() {
    let s3 = themechat_tests::services::PrivateS3::start().await;
    let mut env = s3.env();
    env.push(("THEMECHAT_FILE_SWEEP_SECS", "1".to_owned()));
    let cluster = Cluster::start_with_env(2, env).await;
    let (a, b) = (cluster.node(A), cluster.node(B));
    let alice = a.register(&unique("alice")).await;
    let bob = a.register(&unique("bob")).await;
    let room = a.public_room_with(&alice, "Shared files", &[&bob]).await;

    let upload = files::Upload::png("map.png", 64, 48);
    let attachment = a.attach(&alice, &room, &upload).await;
    let id = id_of(&attachment);
    let mut keys = s3.keys().await;
    keys.sort();
    assert_eq!(
        keys,
        [
            format!("attachments/{id}"),
            format!("attachments/{id}.thumbnail")
        ]
    );

    let sent = a
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": "the map", "attachments": [id] }),
        )
        .await;
    assert_status(&sent, 201);
    let fetched = b
        .get(&format!("/api/v1/attachments/{id}"), bob.auth())
        .await;
    assert_status(&fetched, 200);
    assert_eq!(fetched.bytes, upload.bytes);
    let thumbnail = b
        .get(&format!("/api/v1/attachments/{id}/thumbnail"), bob.auth())
        .await;
    assert_status(&thumbnail, 200);

    let message = id_of(&sent.body);
    assert_status(
        &b.delete(&format!("/api/v1/messages/{message}"), alice.auth())
            .await,
        204,
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !s3.keys().await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "files left: {:?}",
            s3.keys().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

// ---- events by long-poll --------------------------------------------------------------

/// Polls `queue` through `api` until it has an event after `last` that
/// satisfies `wanted`; returns every event read on the way.
async fn poll_until(
    api: &ApiClient,
    user: &TestUser,
    queue: &str,
    last: &mut i64,
    wanted: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut read = Vec::new();
    while std::time::Instant::now() < deadline {
        let path = format!("/api/v1/events?queue_id={queue}&last_event_id={last}&timeout=5");
        let resp = api.get(&path, user.auth()).await;
        assert_status(&resp, 200);
        for event in resp.body["events"].as_array().expect("events") {
            let id = event["id"].as_i64().expect("an id");
            assert_eq!(id, *last + 1, "ids count up by one: {event}");
            *last = id;
            read.push(event["event"].clone());
        }
        if read.iter().any(&wanted) {
            return read;
        }
    }
    panic!("no wanted event on queue {queue}; read {read:?}");
}

fn is_message(body: &'static str) -> impl Fn(&Value) -> bool {
    move |e| e["type"] == "message" && e["message"]["body"] == body
}

#[tokio::test]
async fn a_polled_queue_is_read_from_any_node_and_outlives_its_feeder() {
    let mut cluster = Cluster::start(2).await;
    let (api_a, api_b) = (cluster.node(A).clone(), cluster.node(B).clone());
    let alice = api_a.register(&unique("alice")).await;
    let bob = api_a.register(&unique("bob")).await;
    let room = api_a.public_room_with(&alice, "Polled", &[&bob]).await;
    let registered = api_a.post("/api/v1/events/register", alice.auth()).await;
    assert_status(&registered, 201);
    let queue = registered.body["queue_id"]
        .as_str()
        .expect("a queue")
        .to_owned();

    // Node A feeds the queue; node B answers polls from the table.
    api_b.post_message(&bob, &room, "before").await;
    let mut last = 0;
    let read = poll_until(&api_b, &alice, &queue, &mut last, is_message("before")).await;
    assert_eq!(read[0]["type"], "ready");

    // The feeder dies. What is said meanwhile is stored as ever; once its
    // claim is stale, node B takes the queue over with a fresh `ready`
    // whose room shows the newest message, and feeds it from then on.
    cluster.nodes[A].crash();
    let during = api_b.post_message(&bob, &room, "during").await;
    let read = poll_until(&api_b, &alice, &queue, &mut last, |e| e["type"] == "ready").await;
    let ready = read.last().expect("the ready");
    let rooms = ready["rooms"].as_array().expect("rooms");
    let shown = rooms
        .iter()
        .find(|r| r["id"] == room.as_str())
        .expect("the room");
    assert_eq!(
        shown["last_message"]["seq"], during["seq"],
        "the client sees what to fetch"
    );
    api_b.post_message(&bob, &room, "after").await;
    poll_until(&api_b, &alice, &queue, &mut last, is_message("after")).await;
}

/// An outgoing webhook is called by one node, once per message; when that
/// node dies, the node taking its queue over calls for what was said in
/// between (from the room's history) and goes on, without repeats.
#[tokio::test]
async fn an_outgoing_webhook_is_called_once_per_message_and_catches_up_after_its_caller_dies() {
    use themechat_tests::webhooks::Receiver;

    let private = vec![("THEMECHAT_WEBHOOK_PRIVATE_ADDRESSES", "true".to_owned())];
    // One node first, so that it is the one calling.
    let mut cluster = Cluster::start_with_env(1, private).await;
    let api_a = cluster.node(A).clone();
    let alice = api_a.register(&unique("alice")).await;
    let bob = api_a.register(&unique("bob")).await;
    let room = api_a.public_room_with(&alice, "Hooked", &[&bob]).await;
    let bot = api_a
        .post_json(
            "/api/v1/bots",
            alice.auth(),
            &json!({ "username": unique("hookbot") }),
        )
        .await;
    assert_status(&bot, 201);
    let bot_id = id_of(&bot.body);
    let joined = api_a
        .post_json(
            &format!("/api/v1/bots/{bot_id}/webhooks"),
            alice.auth(),
            &json!({ "room_id": room, "name": "joins the bot" }),
        )
        .await;
    assert_status(&joined, 201);
    let receiver = Receiver::start(Vec::new()).await;
    let set = api_a
        .put_json(
            &format!("/api/v1/bots/{bot_id}/outgoing"),
            alice.auth(),
            &json!({ "url": receiver.url, "trigger": "messages" }),
        )
        .await;
    assert_status(&set, 200);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    api_a.post_message(&bob, &room, "before").await;
    receiver.wait_for(1).await;

    let b = cluster.add_node().await;
    let api_b = cluster.node(b).clone();
    api_b.post_message(&bob, &room, "from B").await;
    receiver.wait_for(2).await;

    cluster.nodes[A].crash();
    api_b.post_message(&bob, &room, "while nobody calls").await;
    api_b.post_message(&bob, &room, "still nobody").await;
    // Node B takes the queue over once A's claim is stale (15 s).
    let calls = receiver.wait_for(4).await;
    api_b.post_message(&bob, &room, "after").await;
    let calls = if calls.len() < 5 {
        receiver.wait_for(5).await
    } else {
        calls
    };
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let calls = if receiver.calls().len() > calls.len() {
        receiver.calls()
    } else {
        calls
    };

    let bodies: Vec<String> = calls
        .iter()
        .map(|c| {
            c.json()["message"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        bodies,
        [
            "before",
            "from B",
            "while nobody calls",
            "still nobody",
            "after"
        ],
        "each message called for once, in order"
    );
    let ids: std::collections::HashSet<&str> = calls
        .iter()
        .filter_map(|c| c.header("X-ThemeChat-Delivery"))
        .collect();
    assert_eq!(ids.len(), 5);
}

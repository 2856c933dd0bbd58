//! Traffic: flood control, ordering under concurrent senders, catching up
//! after a reconnect, and a client too slow to keep up.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use themechat_tests::socket::*;
use themechat_tests::*;
use tokio::time::Instant;

/// The `seq` of the message in each `message` or `ack` event.
#[track_caller]
fn event_seqs(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| {
            e["message"]["seq"]
                .as_i64()
                .unwrap_or_else(|| panic!("no message.seq in {e}"))
        })
        .collect()
}

#[track_caller]
fn event_ids(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| id_of(&e["message"])).collect()
}

// ---- flood control ---------------------------------------------------------------------

/// The answers (`ack` or `error`) to this connection's own sends, which all
/// have client ids starting with `prefix`; other events are skipped.
async fn answers(ws: &mut WsClient, prefix: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut out = Vec::new();
    while out.len() < count {
        match ws.next_incoming_until(deadline).await {
            Some(Incoming::Event(event))
                if matches!(event_type(&event), "ack" | "error")
                    && event["client_id"]
                        .as_str()
                        .is_some_and(|id| id.starts_with(prefix)) =>
            {
                out.push(event);
            }
            Some(Incoming::Event(_)) => {}
            other => panic!(
                "{}: only {} of {count} answers, then {other:?}; {}",
                ws.label,
                out.len(),
                ws.recent_frames()
            ),
        }
    }
    out
}

#[tokio::test]
async fn flooding_from_two_connections_gets_rate_limited_errors() {
    let app = spawn_app_with(|s| {
        s.rate_limit_messages = 5;
        s.rate_limit_window_ms = 2000;
    })
    .await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let mut first = WsClient::open(&app, &alice).await.named("alice#1");
    let mut second = WsClient::open(&app, &alice).await.named("alice#2");

    // Eight sends in one burst, alternating between the two connections.
    for i in 0..4 {
        first
            .send_message(&room, "flood", &format!("one-{i}"))
            .await;
        second
            .send_message(&room, "flood", &format!("two-{i}"))
            .await;
    }
    let mut all = answers(&mut first, "one-", 4).await;
    all.extend(answers(&mut second, "two-", 4).await);

    let acks: Vec<&Value> = all.iter().filter(|e| e["type"] == "ack").collect();
    let limited: Vec<&Value> = all.iter().filter(|e| e["type"] == "error").collect();
    assert_eq!(acks.len(), 5, "5 sends fit in the window: {all:#?}");
    assert_eq!(limited.len(), 3, "the rest are refused: {all:#?}");
    for error in &limited {
        assert_ws_error(error, "rate_limited");
    }
    let answered: HashSet<&str> = all.iter().filter_map(|e| e["client_id"].as_str()).collect();
    assert_eq!(
        answered.len(),
        8,
        "every send gets exactly one answer: {all:#?}"
    );
    assert_eq!(app.history(&alice, &room, "").await.len(), 5);
}

// ---- ordering ----------------------------------------------------------------------------

const SENDERS: usize = 4;
const PER_SENDER: usize = 25;
const TOTAL: usize = SENDERS * PER_SENDER;

#[tokio::test]
async fn concurrent_senders_are_seen_in_one_gapless_order_everywhere() {
    let app = spawn_app().await;
    let mut senders = Vec::new();
    for i in 0..SENDERS {
        senders.push(app.register(&format!("sender{i}")).await);
    }
    let watcher = app.register("watcher").await;
    let mut others: Vec<&TestUser> = senders[1..].iter().collect();
    others.push(&watcher);
    let room = app.public_room_with(&senders[0], "Busy", &others).await;

    let mut sender_ws = Vec::new();
    for user in &senders {
        sender_ws.push(WsClient::open(&app, user).await);
    }
    let observers = [
        WsClient::open(&app, &watcher).await.named("watcher"),
        WsClient::open(&app, &senders[0]).await.named("sender0#2"),
    ];

    let mut tasks = Vec::new();
    for mut ws in observers {
        tasks.push(tokio::spawn(async move {
            let events = ws
                .collect(&["message", "ack"], TOTAL, Duration::from_secs(60))
                .await;
            (ws.label.clone(), false, events)
        }));
    }
    for (i, mut ws) in sender_ws.into_iter().enumerate() {
        let room = room.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..PER_SENDER {
                ws.send_message(&room, &format!("{i}/{j}"), &format!("c{i}-{j}"))
                    .await;
            }
            let events = ws
                .collect(&["message", "ack"], TOTAL, Duration::from_secs(60))
                .await;
            (ws.label.clone(), true, events)
        }));
    }

    let mut streams = Vec::new();
    for task in tasks {
        streams.push(task.await.expect("a connection task panicked"));
    }

    let history = app.history(&watcher, &room, "limit=200").await;
    let expected_seqs: Vec<i64> = (1..=TOTAL as i64).collect();
    assert_eq!(seqs(&history), expected_seqs, "history must be 1..={TOTAL}");
    assert_distinct_ids(&history);

    for (label, is_sender, events) in &streams {
        assert_eq!(
            event_seqs(events),
            expected_seqs,
            "{label}: events must arrive in seq order 1..={TOTAL} without gaps"
        );
        assert_eq!(
            event_ids(events),
            ids(&history),
            "{label}: live order and history order must agree"
        );
        let acks = events.iter().filter(|e| e["type"] == "ack").count();
        let expected_acks = if *is_sender { PER_SENDER } else { 0 };
        assert_eq!(acks, expected_acks, "{label}: acks only for its own sends");
    }
}

// ---- catching up -------------------------------------------------------------------------

#[tokio::test]
async fn after_a_reconnect_history_after_the_last_seen_id_has_exactly_the_missed_messages() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;

    let mut bob_ws = WsClient::open(&app, &bob).await;
    for i in 0..3 {
        app.post_message(&alice, &room, &format!("seen {i}")).await;
    }
    let seen = bob_ws.collect(&["message"], 3, EVENT_TIMEOUT).await;
    assert_eq!(event_seqs(&seen), [1, 2, 3]);
    let last_seen = id_of(&seen[2]["message"]);
    bob_ws.close().await;

    let mut missed = Vec::new();
    for i in 0..30 {
        missed.push(
            app.post_message(&alice, &room, &format!("missed {i}"))
                .await,
        );
    }

    let mut bob_ws = WsClient::open(&app, &bob).await;
    let caught_up = app
        .history(&bob, &room, &format!("after={last_seen}"))
        .await;
    assert_eq!(
        ids(&caught_up),
        ids(&missed),
        "exactly the missed messages, in order"
    );
    assert_eq!(seqs(&caught_up), (4..=33).collect::<Vec<i64>>());
    assert_distinct_ids(&caught_up);
    // The new connection does not replay anything.
    bob_ws.expect_silence(&["message"], SILENCE).await;
}

// ---- a slow client --------------------------------------------------------------------

/// Messages posted while one connection does not read. With 16 KB frames
/// (4000 four-byte characters) this is far more than the TCP buffers of a
/// loopback connection, the server's socket queue and the hub queue hold.
const FLOOD: usize = 300;
const DROPPED_SLOW: &str = "themechat_ws_dropped_slow_total";

/// Reads everything the slow connection still gets: the number of messages,
/// and how it ended (`None`: still open after 30 s).
async fn drain(ws: &mut WsClient) -> (usize, Option<Incoming>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut messages = 0;
    loop {
        match ws.next_incoming_until(deadline).await {
            Some(Incoming::Event(event)) => {
                if event["type"] == "message" {
                    messages += 1;
                }
            }
            end => return (messages, end),
        }
    }
}

/// Polls `/metrics` for up to `wait` until the counter is at least 1.
async fn dropped_slow(app: &TestApp, wait: Duration) -> f64 {
    let deadline = Instant::now() + wait;
    loop {
        let value = metric(app, DROPPED_SLOW).await.unwrap_or(0.0);
        if value >= 1.0 || Instant::now() >= deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_without_slowing_the_others() {
    let app = spawn_app_with(|s| s.ws_queue_capacity = 8).await;
    let alice = app.register("alice").await;
    let fast_user = app.register("fast").await;
    let slow_user = app.register("slow").await;
    let room = app
        .public_room_with(&alice, "Firehose", &[&fast_user, &slow_user])
        .await;
    assert_eq!(
        metric(&app, DROPPED_SLOW).await,
        Some(0.0),
        "the metric is listed"
    );

    let mut slow = WsClient::connect_slow_reader(&app, &slow_user).await;
    let mut fast = WsClient::open(&app, &fast_user).await.named("fast");
    let reader = tokio::spawn(async move {
        let events = fast
            .collect(&["message"], FLOOD, Duration::from_secs(180))
            .await;
        (fast, events)
    });

    let started = Instant::now();
    let padding = "🦀".repeat(3990);
    for i in 0..FLOOD {
        app.post_message(&alice, &room, &format!("{i:04} {padding}"))
            .await;
    }
    let posting = started.elapsed();
    let (_fast, received) = reader.await.expect("the fast reader panicked");
    eprintln!("posted {FLOOD} messages in {posting:?}");

    // The fast client got everything, in order.
    let expected: Vec<i64> = (1..=FLOOD as i64).collect();
    assert_eq!(
        event_seqs(&received),
        expected,
        "the fast client misses nothing"
    );

    // The slow one, still not reading, should have been hung up on by now.
    let dropped_while_stalled = dropped_slow(&app, Duration::from_secs(5)).await;

    let (slow_messages, end) = drain(&mut slow).await;
    let dropped_after_reading = dropped_slow(&app, Duration::from_secs(5)).await;
    eprintln!(
        "slow client: {slow_messages} of {FLOOD} messages, then {end:?}; \
         {DROPPED_SLOW}: {dropped_while_stalled} while stalled, {dropped_after_reading} after reading"
    );

    assert!(
        matches!(end, Some(Incoming::Close(Some(1008)))),
        "the slow connection must be told why it was cut (1008) once it reads again, \
         not just see the line drop: got {end:?} after {slow_messages} messages; {}",
        slow.recent_frames()
    );
    assert!(
        slow_messages < FLOOD,
        "the slow connection received all {FLOOD} messages: it was never behind \
         (the buffers absorbed everything), so this test proved nothing"
    );
    assert!(
        dropped_after_reading >= 1.0,
        "{DROPPED_SLOW} must count the dropped connection"
    );
    assert!(
        dropped_while_stalled >= 1.0,
        "the server closed the slow connection only after the client started reading \
         again ({DROPPED_SLOW} was {dropped_while_stalled} while it was stalled): a client \
         that stops reading keeps its connection, task and buffers forever"
    );
}

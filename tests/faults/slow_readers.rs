//! Clients that connect and never read. Each one may cost itself its
//! connection, and nothing more: the others' messages and acks go out as
//! fast as in a room without them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use themechat_tests::process::ServerProcess;
use themechat_tests::socket::*;
use themechat_tests::*;
use tokio::sync::Barrier;
use tokio::time::Instant;

/// Members who read (and write) in one room.
const READERS: usize = 20;
/// Members of another room who connect and never read a byte.
const SILENT: usize = 5;
/// Messages each reader sends, one per round.
const ROUNDS: usize = 40;
const ROUND: Duration = Duration::from_millis(250);
/// What is posted into the silent members' room meanwhile (16 kB each):
/// more than their sockets' buffers hold (about 3 MB here) and their
/// queues, so they fall behind for real.
const BULK: usize = 450;

/// What one run measured.
struct Run {
    /// From a send to its arrival at each other reader.
    delivery: Vec<Duration>,
    /// From a send to its ack.
    acks: Vec<Duration>,
    dropped_slow: f64,
}

/// The `q` quantile (0..=1) of `times`.
fn quantile(times: &mut [Duration], q: f64) -> Duration {
    assert!(!times.is_empty(), "nothing was measured");
    times.sort_unstable();
    let rank = ((times.len() as f64) * q).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

/// One node on SQLite with two rooms: `READERS` members who all write in
/// one, and `silent` members of the other who connect and never read while
/// big messages are posted there.
async fn run(silent: usize, ready: &Barrier) -> Run {
    let node = ServerProcess::start(
        &format!("silent-{silent}"),
        &[
            ("JWT_SECRET", "slow-reader-fault-secret-".repeat(2)),
            // Every reader writes four times a second, the bulk poster
            // as fast as it can.
            ("THEMECHAT_RATE_LIMIT_MESSAGES", "100000".into()),
        ],
    )
    .await;
    let api = &node.api;
    let mut readers = Vec::new();
    for i in 0..READERS {
        readers.push(api.register(&unique(&format!("reader{i}"))).await);
    }
    let room = id_of(&api.create_room(&readers[0], "Chat", "public").await);
    for reader in &readers[1..] {
        api.join_room(reader, &room).await;
    }
    let poster = api.register(&unique("poster")).await;
    let firehose = id_of(&api.create_room(&poster, "Firehose", "public").await);
    let mut silent_sockets = Vec::new();
    for i in 0..silent {
        let user = api.register(&unique(&format!("silent{i}"))).await;
        api.join_room(&user, &firehose).await;
        silent_sockets.push(WsClient::connect_slow_reader(api, &user).await);
    }
    let mut sockets = Vec::new();
    for (i, reader) in readers.iter().enumerate() {
        sockets.push(
            WsClient::open(api, reader)
                .await
                .named(&format!("reader{i}")),
        );
    }

    ready.wait().await;
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for (i, mut ws) in sockets.into_iter().enumerate() {
        let (room, sent_at) = (room.clone(), sent_at.clone());
        tasks.push(tokio::spawn(async move {
            let expected = (READERS - 1) * ROUNDS;
            let (mut delivery, mut acks) = (Vec::new(), Vec::new());
            // Readers send in turn, spread over the round.
            let offset = ROUND * i as u32 / READERS as u32;
            let mut round = 0;
            let last = start + ROUND * ROUNDS as u32 + Duration::from_secs(30);
            while delivery.len() < expected || acks.len() < ROUNDS {
                let next_send = start + offset + ROUND * round as u32;
                if round < ROUNDS && Instant::now() >= next_send {
                    let key = format!("r{i}-{round}");
                    let body = format!("{key} from reader {i}, round {round}");
                    sent_at.lock().unwrap().insert(key.clone(), Instant::now());
                    ws.send_message(&room, &body, &key).await;
                    round += 1;
                    continue;
                }
                let until = if round < ROUNDS { next_send } else { last };
                let Some(incoming) = ws.next_incoming_until(until).await else {
                    if Instant::now() >= last {
                        break;
                    }
                    continue;
                };
                let Incoming::Event(event) = incoming else {
                    panic!("reader {i} lost its socket: {incoming:?}");
                };
                let (key, into) = match event_type(&event) {
                    "message" => {
                        let body = field_str(&event["message"], "body");
                        let key = body.split(' ').next().unwrap_or_default().to_owned();
                        (key, &mut delivery)
                    }
                    "ack" => (field_str(&event, "client_id"), &mut acks),
                    _ => continue,
                };
                let at = sent_at.lock().unwrap().get(&key).copied();
                into.push(at.map_or(Duration::ZERO, |at| at.elapsed()));
            }
            assert_eq!(
                (delivery.len(), acks.len()),
                (expected, ROUNDS),
                "reader {i} must get every other reader's message and an ack for each of its own"
            );
            (delivery, acks)
        }));
    }
    let bulk = {
        let api = api.clone();
        tokio::spawn(async move {
            let padding = "🦀".repeat(3990);
            let end = start + ROUND * ROUNDS as u32;
            for i in 0..BULK {
                if Instant::now() >= end {
                    break;
                }
                api.post_message(&poster, &firehose, &format!("{i:04} {padding}"))
                    .await;
            }
        })
    };
    let mut measured = Run {
        delivery: Vec::new(),
        acks: Vec::new(),
        dropped_slow: 0.0,
    };
    bulk.await.expect("the bulk poster failed");
    for task in tasks {
        let (delivery, acks) = task.await.expect("a reader failed");
        measured.delivery.extend(delivery);
        measured.acks.extend(acks);
    }
    measured.dropped_slow = metric(api, "themechat_ws_dropped_slow_total")
        .await
        .unwrap_or_default();
    drop(silent_sockets);
    measured
}

/// Both nodes run at once, each on a node of its own, so whatever else the
/// machine is doing weighs on both alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_sockets_cost_only_themselves() {
    let ready = Barrier::new(2);
    let (mut alone, mut with_silent) = tokio::join!(run(0, &ready), run(SILENT, &ready));

    let p95_alone = quantile(&mut alone.delivery, 0.95);
    let p95_with = quantile(&mut with_silent.delivery, 0.95);
    let ack_alone = quantile(&mut alone.acks, 0.95);
    let ack_with = quantile(&mut with_silent.acks, 0.95);
    eprintln!(
        "delivery p95: {p95_alone:?} alone, {p95_with:?} with {SILENT} silent sockets \
         ({:.2}×); ack p95: {ack_alone:?} and {ack_with:?}; dropped as too slow: {}",
        p95_with.as_secs_f64() / p95_alone.as_secs_f64().max(1e-6),
        with_silent.dropped_slow,
    );
    assert!(
        with_silent.dropped_slow >= SILENT as f64,
        "the silent sockets were never cut as too slow ({} were): they were not behind, \
         so this run proved nothing",
        with_silent.dropped_slow
    );
    // Twice the quiet run's figure, plus a little for a busy two-core
    // machine: a held writer costs hundreds of milliseconds, not tens.
    let slack = Duration::from_millis(25);
    assert!(
        p95_with <= p95_alone * 2 + slack,
        "{SILENT} silent sockets among {} slowed everyone's delivery: p95 {p95_with:?} \
         against {p95_alone:?} without them",
        READERS + SILENT
    );
    assert!(
        ack_with <= ack_alone * 2 + slack,
        "{SILENT} silent sockets slowed everyone's acks: p95 {ack_with:?} against {ack_alone:?}"
    );
}

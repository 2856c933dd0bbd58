//! The hub on its own: ordering, acks, congestion, revocation.

use super::*;
use crate::delivery::{Envelope, Outbound};
use chrono::Utc;
use protocol::{Message, RoomId, ServerEvent, UserId};
use tokio::sync::mpsc;

/// A new random id of whatever kind the call site needs.
fn fresh<T: From<Uuid>>() -> T {
    Uuid::new_v4().into()
}

fn message(room: RoomId, seq: i64) -> Outbound {
    Outbound::room(
        room,
        ServerEvent::Message {
            message: Message {
                id: fresh(),
                room_id: room,
                seq,
                sender: None,
                body: format!("m{seq}"),
                created_at: Utc::now(),
                edited_at: None,
                deleted: false,
                reply_to: None,
                reply_count: 0,
                client_id: None,
                reactions: Vec::new(),
                attachments: Vec::new(),
            },
        },
    )
}

fn connect(hub: &Hub, user: UserId, rooms: &[(RoomId, i64)]) -> (ConnId, mpsc::Receiver<Frame>) {
    let (tx, rx) = mpsc::channel(16);
    let handle = ConnHandle {
        tx,
        closer: Arc::default(),
        stall: Arc::default(),
    };
    (hub.register(user, fresh(), rooms, handle).0, rx)
}

fn seqs(rx: &mut mpsc::Receiver<Frame>) -> Vec<i64> {
    let mut out = Vec::new();
    while let Ok(frame) = rx.try_recv() {
        let v: serde_json::Value = serde_json::from_str(&frame).expect("json");
        out.push(v["message"]["seq"].as_i64().expect("seq"));
    }
    out
}

#[test]
fn messages_out_of_order_are_delivered_in_seq_order() {
    let hub = Hub::new();
    let room = fresh();
    let (_, mut rx) = connect(&hub, fresh(), &[(room, 0)]);
    for seq in [2, 3, 1, 5, 4] {
        hub.deliver(Envelope::new(vec![message(room, seq)], None));
    }
    assert_eq!(seqs(&mut rx), vec![1, 2, 3, 4, 5]);
}

#[test]
fn a_gap_that_never_fills_is_given_up_on() {
    let hub = Hub::new();
    let room = fresh();
    let (_, mut rx) = connect(&hub, fresh(), &[(room, 0)]);
    hub.deliver(Envelope::new(
        vec![message(room, 2), message(room, 3)],
        None,
    ));
    assert!(seqs(&mut rx).is_empty(), "held back while 1 is missing");
    hub.flush(room, 2);
    assert_eq!(seqs(&mut rx), vec![2, 3]);
    hub.deliver(Envelope::new(vec![message(room, 4)], None));
    assert_eq!(seqs(&mut rx), vec![4]);
}

#[test]
fn the_origin_gets_an_ack_and_others_the_message() {
    let hub = Hub::new();
    let room = fresh();
    let user = fresh();
    let (sender, mut sender_rx) = connect(&hub, user, &[(room, 0)]);
    let (_, mut other_rx) = connect(&hub, user, &[(room, 0)]);
    hub.deliver(Envelope::new(
        vec![message(room, 1)],
        Some(hub.origin(sender)),
    ));
    let ack: serde_json::Value =
        serde_json::from_str(&sender_rx.try_recv().expect("ack")).expect("json");
    assert_eq!(ack["type"], "ack");
    let msg: serde_json::Value =
        serde_json::from_str(&other_rx.try_recv().expect("message")).expect("json");
    assert_eq!(msg["type"], "message");
}

#[test]
fn congestion_means_many_queues_filling_not_one() {
    let hub = Hub::new();
    let room = fresh();
    let mut queues = Vec::new();
    for _ in 0..10 {
        let (tx, rx) = mpsc::channel(4);
        let handle = ConnHandle {
            tx,
            closer: Arc::default(),
            stall: Arc::default(),
        };
        hub.register(fresh(), fresh(), &[(room, 0)], handle);
        queues.push(rx);
    }
    hub.deliver(Envelope::new(
        vec![message(room, 1), message(room, 2), message(room, 3)],
        None,
    ));
    assert!(hub.congested(), "every queue is over half full");
    for rx in queues.iter_mut().skip(1) {
        while rx.try_recv().is_ok() {}
    }
    assert!(
        !hub.congested(),
        "one full queue is a slow client, not congestion"
    );
}

#[test]
fn queues_filling_behind_clients_that_do_not_read_are_not_congestion() {
    let hub = Hub::new();
    let room = fresh();
    let mut stalls = Vec::new();
    let mut queues = Vec::new();
    for _ in 0..10 {
        let (tx, rx) = mpsc::channel(4);
        let stall = Arc::new(Stall::default());
        let handle = ConnHandle {
            tx,
            closer: Arc::default(),
            stall: stall.clone(),
        };
        hub.register(fresh(), fresh(), &[(room, 0)], handle);
        queues.push(rx);
        stalls.push(stall);
    }
    hub.deliver(Envelope::new(
        vec![message(room, 1), message(room, 2), message(room, 3)],
        None,
    ));
    // Half of them wait on sockets their clients do not read.
    let waiting: Vec<_> = stalls.iter().take(5).map(|s| s.begin()).collect();
    assert!(
        hub.congested(),
        "five queues fill while their sockets take bytes"
    );
    for rx in queues.iter_mut().skip(5) {
        while rx.try_recv().is_ok() {}
    }
    assert!(
        !hub.congested(),
        "only queues behind silent clients are full: that is not the node's congestion"
    );
    drop(waiting);
    assert!(
        hub.congested(),
        "the wait is over: those queues count again"
    );
}

#[test]
fn a_full_queue_marks_the_connection_too_slow() {
    let hub = Hub::new();
    let room = fresh();
    let (tx, _rx) = mpsc::channel(1);
    let closer = Arc::new(Closer::default());
    hub.register(
        fresh(),
        fresh(),
        &[(room, 0)],
        ConnHandle {
            tx,
            closer: closer.clone(),
            stall: Arc::default(),
        },
    );
    hub.deliver(Envelope::new(
        vec![message(room, 1), message(room, 2)],
        None,
    ));
    let woke = futures_util::FutureExt::now_or_never(closer.closed());
    assert_eq!(woke, Some(CloseWhy::TooSlow));
}

#[test]
fn a_revocation_closes_exactly_the_sessions_it_names() {
    let hub = Hub::new();
    let user = fresh();
    let (kept, ended) = (fresh(), fresh());
    let mut closers = Vec::new();
    for session in [kept, ended, ended] {
        let (tx, _rx) = mpsc::channel(1);
        let closer = Arc::new(Closer::default());
        let handle = ConnHandle {
            tx,
            closer: closer.clone(),
            stall: Arc::default(),
        };
        hub.register(user, session, &[], handle);
        closers.push(closer);
    }
    let bystander = Arc::new(Closer::default());
    let (tx, _rx) = mpsc::channel(1);
    let handle = ConnHandle {
        tx,
        closer: bystander.clone(),
        stall: Arc::default(),
    };
    hub.register(fresh(), ended, &[], handle);

    let revocation = Revocation {
        user,
        sessions: RevokedSessions::AllBut(kept),
    };
    assert_eq!(hub.revoke(&revocation), 2);
    let closed = |c: &Arc<Closer>| futures_util::FutureExt::now_or_never(c.closed());
    assert_eq!(closed(&closers[0]), None);
    assert_eq!(closed(&closers[1]), Some(CloseWhy::Revoked));
    assert_eq!(closed(&closers[2]), Some(CloseWhy::Revoked));
    assert_eq!(closed(&bystander), None, "another user's connection");
}

//! The load generator's bookkeeping on its own.

use super::member::parse_body;
use super::*;

fn plan(reads: ReadMode) -> Plan {
    Plan {
        member: 3,
        room: 0,
        room_id: Uuid::nil(),
        schedule: Schedule::Burst { count: 4 },
        sends: true,
        reads,
    }
}

#[test]
fn a_member_who_only_reads_sends_nothing() {
    let reader = Plan {
        sends: false,
        ..plan(ReadMode::None)
    };
    assert_eq!(plan(ReadMode::None).count(), 4);
    assert_eq!(reader.count(), 0);
}

fn message(kind: &str, id: u128, seq: i64, body: &str, client_id: Option<&str>) -> String {
    let client_id = client_id.map_or(String::new(), |c| format!(r#""client_id":"{c}","#));
    format!(
        r#"{{"type":"{kind}",{client_id}"message":{{"id":"{}","seq":{seq},"body":"{body}"}}}}"#,
        Uuid::from_u128(id)
    )
}

#[test]
fn bodies_round_trip() {
    assert_eq!(
        parse_body("1700000000000000 12 7"),
        Some((1_700_000_000_000_000, 12, 7))
    );
    assert_eq!(parse_body("hello there"), None);
    assert_eq!(parse_body("1 2 3 4"), None);
}

#[test]
fn paced_schedules_send_rate_times_duration() {
    let paced = Schedule::Paced {
        rate: 2.0,
        duration: Duration::from_secs(3),
    };
    assert_eq!(paced.count(), 6);
    let slow = Schedule::Paced {
        rate: 0.5,
        duration: Duration::from_secs(5),
    };
    assert_eq!(slow.count(), 3);
}

#[test]
fn repeats_are_duplicates_and_echoes_are_not_receipts() {
    let plan = plan(ReadMode::None);
    let progress = Progress::default();
    let mut log = MemberLog::new(3, 0, 4);
    let from_other = message("message", 1, 1, "1 5 0", None);
    assert!(log.on_frame(&from_other, &plan, &progress).is_none());
    log.on_frame(&from_other, &plan, &progress);
    assert_eq!(log.duplicate_messages, 1);
    assert_eq!(progress.receipts.load(Relaxed), 1);

    let own_echo = message("message", 2, 2, "1 3 0", None);
    log.on_frame(&own_echo, &plan, &progress);
    assert_eq!(progress.receipts.load(Relaxed), 1, "an echo is not owed");
    assert_eq!(log.deliveries.received.len(), 2);
    assert_eq!(log.latency.len(), 2);
}

#[test]
fn acks_resolve_sends_once() {
    let plan = plan(ReadMode::None);
    let progress = Progress::default();
    let mut log = MemberLog::new(3, 0, 4);
    let ack = message("ack", 7, 1, "1 3 2", Some("3-2"));
    log.on_frame(&ack, &plan, &progress);
    log.on_frame(&ack, &plan, &progress);
    assert_eq!(log.duplicate_acks, 1);
    assert_eq!(log.deliveries.acked, [Uuid::from_u128(7)]);
    assert_eq!(progress.acked.load(Relaxed), 1);
    assert_eq!(progress.resolved.load(Relaxed), 1);

    // Not ours, or out of range: ignored.
    log.on_frame(
        &message("ack", 8, 2, "1 4 0", Some("4-0")),
        &plan,
        &progress,
    );
    log.on_frame(
        &message("ack", 9, 3, "1 3 9", Some("3-9")),
        &plan,
        &progress,
    );
    assert_eq!(log.acked(), 1);

    let refused =
        r#"{"type":"error","code":"rate_limited","message":"slow down","client_id":"3-0"}"#;
    log.on_frame(refused, &plan, &progress);
    log.on_frame(refused, &plan, &progress);
    assert_eq!(progress.resolved.load(Relaxed), 2);
    assert_eq!(log.errors.to_string(), "rate_limited ×2");
}

#[test]
fn coalesced_reads_carry_the_newest_message() {
    let plan = plan(ReadMode::Coalesced);
    let progress = Progress::default();
    let mut log = MemberLog::new(3, 0, 0);
    log.on_frame(&message("message", 2, 2, "1 5 1", None), &plan, &progress);
    log.on_frame(&message("message", 1, 1, "1 5 0", None), &plan, &progress);
    assert_eq!(log.unread, Some(Uuid::from_u128(2)));
    assert!(log.coalesced_read(Uuid::nil()).is_some());
    assert!(log.coalesced_read(Uuid::nil()).is_none(), "nothing new");
    assert_eq!(log.reads_sent, 1);

    let per_message = self::plan(ReadMode::PerMessage);
    let mut log = MemberLog::new(3, 0, 0);
    let read = log.on_frame(
        &message("message", 1, 1, "1 5 0", None),
        &per_message,
        &progress,
    );
    assert!(read.is_some());
}

#[test]
fn completion_needs_every_answer_and_delivery() {
    let progress = Progress::default();
    progress.planned.store(2, Relaxed);
    progress.resolved.store(2, Relaxed);
    progress.acked.store(2, Relaxed);
    progress.receipts.store(3, Relaxed);
    assert!(!progress.complete(2));
    progress.receipts.store(4, Relaxed);
    assert!(progress.complete(2));
    progress.closed.store(1, Relaxed);
    assert!(!progress.complete(2));
}

//! Rooms of members exchanging messages over their own sockets: the engine
//! behind `fanout` and `burst`.
//!
//! Every member runs two tasks on the shared runtime: a writer that owns the
//! sending half (its send schedule, and the `read` frames the reader asks
//! for) and a reader that owns the receiving half and keeps the member's
//! log. Nothing is shared between members but a few atomic counters, which
//! tell when every owed delivery has arrived so that draining can stop early.
//!
//! A message's body is `<unix µs at sending> <sender index> <n>` and its
//! `client_id` is `<sender index>-<n>`: a receiver takes its latency from the
//! body (sender and receivers share this process's clock), a sender matches
//! its acks by the `client_id`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt, stream};
use protocol::ClientFrame;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use crate::Result;
use crate::api::{Account, Api};
use crate::cli::ReadMode;
use crate::procfs::{Cost, Meter};
use crate::server::Target;
use crate::socket::{self, Closed, Closes, Kind, ServerFrame, Socket};
use crate::stats::{Counts, Latencies, Summary};
use crate::tally::{Deliveries, Tally, tally};

/// Sockets connecting (and authenticating) at once during set-up.
const CONNECT_CONCURRENCY: usize = 32;
/// Between announcing the start and the first send, so that every writer
/// has heard of it before it is due.
const LEAD: Duration = Duration::from_millis(200);
/// How often draining checks whether everything arrived.
const POLL: Duration = Duration::from_millis(20);
/// Coalesced reads: at most one per room and member this often.
const READ_INTERVAL: Duration = Duration::from_secs(1);
/// The writer's last words before the member's task ends.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub rooms: usize,
    /// Per room.
    pub members: usize,
    pub schedule: Schedule,
    pub reads: ReadMode,
    /// How long to wait for acks and deliveries once sending is over
    /// (`Paced`) or from the start (`Burst`).
    pub wait: Duration,
}

/// When each member sends.
#[derive(Debug, Clone, Copy)]
pub enum Schedule {
    /// `rate` messages a second for `duration`, on a fixed schedule. Each
    /// member starts at a random point of its first period, so that the
    /// senders are spread over it. Ticks the loadgen misses (it was busy)
    /// are sent at once (`MissedTickBehavior::Burst`): the offered load stays
    /// `rate` whatever happens, rather than easing off when the client falls
    /// behind and hiding a saturated server (`Delay` would).
    Paced { rate: f64, duration: Duration },
    /// `count` messages, all sent at once without waiting for acks.
    Burst { count: u32 },
}

impl Schedule {
    /// Messages each member sends.
    pub fn count(self) -> u32 {
        match self {
            Self::Paced { rate, duration } => (rate * duration.as_secs_f64()).round() as u32,
            Self::Burst { count } => count,
        }
    }

    fn sending_time(self) -> Duration {
        match self {
            Self::Paced { duration, .. } => duration,
            Self::Burst { .. } => Duration::ZERO,
        }
    }
}

/// What a run produced, before summing up.
pub struct Outcome {
    pub scenario: Scenario,
    pub members: Vec<MemberLog>,
    /// Members whose socket never got to `ready`.
    pub connect_failures: usize,
    pub first_connect_error: Option<String>,
    /// From the first send to the end of draining.
    pub measured: Duration,
    /// Whether every owed delivery arrived before the wait ran out.
    pub complete: bool,
    pub cost: Vec<Cost>,
}

/// Registers the members, creates and joins the rooms, connects every
/// member, and once all are `ready` runs the scenario.
pub async fn run(target: &Target, scenario: Scenario) -> Result<Outcome> {
    let api = Api::new()?;
    let tag = run_tag();
    let total = scenario.rooms * scenario.members;
    eprintln!(
        "loadgen: registering {total} users on the {}",
        target.label()
    );
    let accounts = api.register_all(target, &tag, 0..total).await?;

    eprintln!("loadgen: creating {} room(s)", scenario.rooms);
    let mut room_ids = Vec::with_capacity(scenario.rooms);
    for (room, owner) in accounts.iter().step_by(scenario.members).enumerate() {
        room_ids.push(
            api.create_room(target, owner, &format!("load {tag} {room}"))
                .await?,
        );
    }
    let joins: Vec<(&Account, Uuid)> = accounts
        .iter()
        .filter(|account| account.index % scenario.members != 0)
        .map(|account| (account, room_ids[account.index / scenario.members]))
        .collect();
    api.join_all(target, &joins).await?;

    // Each member reads (and so answers the server's pings) from the moment
    // it is ready; its writer waits for the phase to become `Sending`.
    eprintln!("loadgen: connecting {total} sockets");
    let progress = Arc::new(Progress::default());
    let (phase, phases) = watch::channel(Phase::Connecting);
    let room_ids = &room_ids;
    let tasks: Vec<Result<JoinHandle<MemberLog>>> = stream::iter(&accounts)
        .map(|account| {
            let (progress, phases) = (progress.clone(), phases.clone());
            async move {
                let url = &target.node(account.index).ws;
                let (socket, _) = socket::open(url, &account.token, socket::BUSY_BUFFER).await?;
                let room = account.index / scenario.members;
                let plan = Plan {
                    member: account.index,
                    room,
                    room_id: room_ids[room],
                    schedule: scenario.schedule,
                    reads: scenario.reads,
                };
                progress
                    .planned
                    .fetch_add(u64::from(plan.schedule.count()), Relaxed);
                Ok(tokio::spawn(run_member(plan, socket, progress, phases)))
            }
        })
        .buffered(CONNECT_CONCURRENCY)
        .collect()
        .await;

    let connected = tasks.iter().filter(|t| t.is_ok()).count();
    let first_connect_error = tasks
        .iter()
        .find_map(|t| t.as_ref().err())
        .map(ToString::to_string);
    let sending = match scenario.schedule {
        Schedule::Paced { duration, .. } => format!("sending for {duration:?}"),
        Schedule::Burst { count } => format!("{count} messages each at once"),
    };
    eprintln!(
        "loadgen: {connected} of {total} members ready; measuring: {sending}, then waiting up to {:?}",
        scenario.wait
    );
    let start = Instant::now() + LEAD;
    let meter = Meter::start(target.pids());
    let _ = phase.send(Phase::Sending { start });

    let deadline = start + scenario.schedule.sending_time() + scenario.wait;
    let others = scenario.members as u64 - 1;
    let complete = loop {
        if progress.complete(others) {
            break true;
        }
        if Instant::now() >= deadline {
            break false;
        }
        tokio::time::sleep(POLL).await;
    };
    let ended = Instant::now();
    let cost = meter.finish();
    let _ = phase.send(Phase::Stopped);

    let mut members = Vec::with_capacity(total);
    for (member, task) in tasks.into_iter().enumerate() {
        let log = match task {
            Ok(task) => task.await?,
            Err(_) => MemberLog::new(member, member / scenario.members, 0),
        };
        members.push(log);
    }
    Ok(Outcome {
        scenario,
        members,
        connect_failures: total - connected,
        first_connect_error,
        measured: ended.saturating_duration_since(start),
        complete,
        cost,
    })
}

/// Eight hex digits that tell this run's users and rooms from any other's.
pub fn run_tag() -> String {
    Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// Counters shared by all members, to know when draining is done.
#[derive(Debug, Default)]
struct Progress {
    /// Sends the connected members will make.
    planned: AtomicU64,
    /// Sends answered by an `ack` or an `error`.
    resolved: AtomicU64,
    acked: AtomicU64,
    /// First receipts of other members' messages.
    receipts: AtomicU64,
    /// Sockets the server closed or that broke.
    closed: AtomicU64,
}

impl Progress {
    /// Every send answered, and every acked message at each of the `others`
    /// members of its room. A closed socket can no longer complete, so the
    /// run then waits out its time (other deliveries may still come).
    fn complete(&self, others: u64) -> bool {
        let acked = self.acked.load(Relaxed);
        self.closed.load(Relaxed) == 0
            && self.resolved.load(Relaxed) == self.planned.load(Relaxed)
            && self.receipts.load(Relaxed) == acked * others
    }
}

/// Where the run is; every member follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Members are still connecting: read, do not send.
    Connecting,
    /// Everyone is ready: send on schedule from `start`.
    Sending { start: Instant },
    /// Measuring is over: stop reading and sending.
    Stopped,
}

/// Resolves once the run is `Stopped` (or its coordinator is gone).
async fn stopped(phases: &mut watch::Receiver<Phase>) {
    let _ = phases.wait_for(|phase| *phase == Phase::Stopped).await;
}

/// When sending starts; `None` if the run stopped first.
async fn sending_start(phases: &mut watch::Receiver<Phase>) -> Option<Instant> {
    let phase = *phases
        .wait_for(|phase| *phase != Phase::Connecting)
        .await
        .ok()?;
    match phase {
        Phase::Sending { start } => Some(start),
        Phase::Connecting | Phase::Stopped => None,
    }
}

/// One member's part.
#[derive(Debug, Clone, Copy)]
struct Plan {
    member: usize,
    room: usize,
    room_id: Uuid,
    schedule: Schedule,
    reads: ReadMode,
}

/// What became of one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendState {
    Waiting,
    Acked,
    /// An `error` frame named it.
    Refused,
}

/// Everything one member saw.
#[derive(Debug)]
pub struct MemberLog {
    pub deliveries: Deliveries,
    pub sent: u32,
    sends: Vec<SendState>,
    /// `message` frames for a message this member had already received.
    pub duplicate_messages: u64,
    /// `ack` frames for a send already acked.
    pub duplicate_acks: u64,
    /// Sending → `message` at this member.
    pub latency: Latencies,
    /// Sending → `ack`, for this member's own sends.
    pub ack_latency: Latencies,
    pub reads_sent: u64,
    /// `error` frames by code.
    pub errors: Counts,
    /// How the server ended this member's socket, if it did.
    pub closed: Option<Closed>,
    /// The newest message not yet marked read (coalesced reads).
    unread: Option<Uuid>,
    newest_seq: i64,
}

impl MemberLog {
    fn new(member: usize, room: usize, sends: u32) -> Self {
        Self {
            deliveries: Deliveries {
                member,
                room,
                ..Deliveries::default()
            },
            sent: 0,
            sends: vec![SendState::Waiting; sends as usize],
            duplicate_messages: 0,
            duplicate_acks: 0,
            latency: Latencies::default(),
            ack_latency: Latencies::default(),
            reads_sent: 0,
            errors: Counts::default(),
            closed: None,
            unread: None,
            newest_seq: 0,
        }
    }

    /// The number of this member's send that `client_id` names.
    fn own_send(&self, client_id: &str) -> Option<usize> {
        let (member, n) = client_id.rsplit_once('-')?;
        (member.parse() == Ok(self.deliveries.member))
            .then(|| n.parse().ok())
            .flatten()
            .filter(|&n| n < self.sends.len())
    }

    /// Takes in one text frame; returns a `read` to send, if one is due now.
    fn on_frame(&mut self, text: &str, plan: &Plan, progress: &Progress) -> Option<WsMessage> {
        let Ok(frame) = ServerFrame::parse(text) else {
            self.errors.add("(unparsable frame)", 1);
            return None;
        };
        match frame.kind {
            Kind::Message => {
                let message = frame.message()?;
                if !self.deliveries.received.insert(message.id) {
                    self.duplicate_messages += 1;
                    return None;
                }
                let body = parse_body(&message.body);
                if let Some((sent_at, sender, _)) = body {
                    self.latency
                        .record_micros(unix_micros().saturating_sub(sent_at));
                    if sender != self.deliveries.member {
                        progress.receipts.fetch_add(1, Relaxed);
                    }
                }
                match plan.reads {
                    ReadMode::PerMessage => {
                        self.reads_sent += 1;
                        return Some(read_frame(plan.room_id, message.id));
                    }
                    ReadMode::Coalesced if message.seq > self.newest_seq => {
                        self.newest_seq = message.seq;
                        self.unread = Some(message.id);
                    }
                    ReadMode::Coalesced | ReadMode::None => {}
                }
            }
            Kind::Ack => {
                let n = frame.client_id.as_deref().and_then(|c| self.own_send(c))?;
                let message = frame.message()?;
                let state = self.sends[n];
                if state == SendState::Acked {
                    self.duplicate_acks += 1;
                    return None;
                }
                if state == SendState::Waiting {
                    progress.resolved.fetch_add(1, Relaxed);
                }
                progress.acked.fetch_add(1, Relaxed);
                self.sends[n] = SendState::Acked;
                self.deliveries.acked.push(message.id);
                if let Some((sent_at, _, _)) = parse_body(&message.body) {
                    self.ack_latency
                        .record_micros(unix_micros().saturating_sub(sent_at));
                }
            }
            Kind::Error => {
                self.errors
                    .add(frame.code.as_deref().unwrap_or("(no code)"), 1);
                let n = frame.client_id.as_deref().and_then(|c| self.own_send(c))?;
                if self.sends[n] == SendState::Waiting {
                    self.sends[n] = SendState::Refused;
                    progress.resolved.fetch_add(1, Relaxed);
                }
            }
            Kind::Ready | Kind::Other => {}
        }
        None
    }

    /// A `read` for the newest message received since the last one.
    fn coalesced_read(&mut self, room_id: Uuid) -> Option<WsMessage> {
        let id = self.unread.take()?;
        self.reads_sent += 1;
        Some(read_frame(room_id, id))
    }

    pub fn acked(&self) -> u64 {
        self.deliveries.acked.len() as u64
    }
}

/// The reader: takes in the member's frames until told to stop or the
/// socket ends, then collects what the writer sent.
async fn run_member(
    plan: Plan,
    socket: Socket,
    progress: Arc<Progress>,
    mut phases: watch::Receiver<Phase>,
) -> MemberLog {
    let (sink, mut frames) = socket.split();
    let (outbox, queued) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write(plan, sink, queued, phases.clone()));
    let mut log = MemberLog::new(plan.member, plan.room, plan.schedule.count());
    let mut reads = tokio::time::interval_at(
        Instant::now() + READ_INTERVAL.mul_f64(fastrand::f64()),
        READ_INTERVAL,
    );
    reads.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let coalesced = plan.reads == ReadMode::Coalesced;
    loop {
        tokio::select! {
            () = stopped(&mut phases) => break,
            _ = reads.tick(), if coalesced => {
                if let Some(read) = log.coalesced_read(plan.room_id) {
                    let _ = outbox.send(read);
                }
            }
            incoming = frames.next() => {
                let closed = match incoming {
                    Some(Ok(WsMessage::Text(text))) => {
                        if let Some(read) = log.on_frame(&text, &plan, &progress) {
                            let _ = outbox.send(read);
                        }
                        continue;
                    }
                    Some(Ok(WsMessage::Close(frame))) => Closed::from(frame),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => Closed::broken(&e),
                    None => Closed::ended(),
                };
                if *phases.borrow() == Phase::Stopped {
                    // The answer to our own close at the end of the run
                    // (both branches were ready): not the server's doing.
                    break;
                }
                log.closed = Some(closed);
                progress.closed.fetch_add(1, Relaxed);
                break;
            }
        }
    }
    drop(outbox);
    log.sent = writer.await.unwrap_or_default();
    log
}

/// The writer: sends on the member's schedule and passes on the reader's
/// `read` frames; returns how many messages it sent.
async fn write(
    plan: Plan,
    mut sink: SplitSink<Socket, WsMessage>,
    mut queued: mpsc::UnboundedReceiver<WsMessage>,
    mut phases: watch::Receiver<Phase>,
) -> u32 {
    let count = plan.schedule.count();
    let Some(start) = sending_start(&mut phases).await else {
        return 0;
    };
    let mut ticks = match plan.schedule {
        Schedule::Paced { rate, .. } => {
            let period = Duration::from_secs_f64(1.0 / rate);
            let first = start + period.mul_f64(fastrand::f64());
            let mut ticks = tokio::time::interval_at(first, period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
            Some(ticks)
        }
        Schedule::Burst { .. } => {
            tokio::time::sleep_until(start).await;
            None
        }
    };
    let mut sent = 0;
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut phases) => break,
            () = next_tick(&mut ticks), if sent < count => {
                if sink.send(send_frame(&plan, sent)).await.is_err() {
                    break;
                }
                sent += 1;
            }
            read = queued.recv() => match read {
                Some(read) => {
                    if sink.send(read).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.close()).await;
    sent
}

/// The next tick of a paced schedule; at once for a burst.
async fn next_tick(ticks: &mut Option<Interval>) {
    if let Some(ticks) = ticks {
        ticks.tick().await;
    }
}

fn send_frame(plan: &Plan, n: u32) -> WsMessage {
    let member = plan.member;
    socket::frame(&ClientFrame::Send {
        room_id: plan.room_id,
        body: format!("{} {member} {n}", unix_micros()),
        client_id: format!("{member}-{n}"),
        reply_to: None,
    })
}

fn read_frame(room_id: Uuid, message_id: Uuid) -> WsMessage {
    socket::frame(&ClientFrame::Read {
        room_id,
        message_id,
    })
}

fn unix_micros() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX)
}

/// `<unix µs> <sender> <n>` back into its parts.
fn parse_body(body: &str) -> Option<(u64, usize, u32)> {
    let mut parts = body.split_ascii_whitespace();
    let sent_at = parts.next()?.parse().ok()?;
    let sender = parts.next()?.parse().ok()?;
    let n = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((sent_at, sender, n))
}

/// A run summed up over all members.
#[derive(Debug)]
pub struct Totals {
    pub sent: u64,
    pub acked: u64,
    pub tally: Tally,
    /// Repeated `message` frames plus repeated `ack` frames.
    pub duplicates: u64,
    pub latency: Summary,
    pub ack_latency: Summary,
    pub reads_sent: u64,
    pub errors: Counts,
    pub closes: Closes,
}

impl Outcome {
    pub fn totals(&mut self) -> Totals {
        let rooms = vec![self.scenario.members; self.scenario.rooms];
        let tally = tally(&rooms, self.members.iter().map(|m| &m.deliveries));
        let mut latency = Latencies::default();
        let mut ack_latency = Latencies::default();
        let mut errors = Counts::default();
        let mut closes = Closes::default();
        for member in &mut self.members {
            latency.append(&mut member.latency);
            ack_latency.append(&mut member.ack_latency);
            errors.merge(&member.errors);
            if let Some(closed) = &member.closed {
                closes.add(closed);
            }
        }
        let sum = |f: fn(&MemberLog) -> u64| self.members.iter().map(f).sum::<u64>();
        Totals {
            sent: sum(|m| u64::from(m.sent)),
            acked: sum(MemberLog::acked),
            tally,
            duplicates: sum(|m| m.duplicate_messages + m.duplicate_acks),
            latency: latency.summary(),
            ack_latency: ack_latency.summary(),
            reads_sent: sum(|m| m.reads_sent),
            errors,
            closes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(reads: ReadMode) -> Plan {
        Plan {
            member: 3,
            room: 0,
            room_id: Uuid::nil(),
            schedule: Schedule::Burst { count: 4 },
            reads,
        }
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
}

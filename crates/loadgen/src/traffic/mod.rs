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

mod log;
mod member;
#[cfg(test)]
mod tests;

pub use log::MemberLog;
use member::run_member;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use futures_util::{StreamExt, stream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

use crate::Result;
use crate::api::{Account, Api};
use crate::cli::ReadMode;
use crate::procfs::{Cost, Meter};
use crate::server::Target;
use crate::socket::{self, Closes};
use crate::stats::{Counts, Latencies, Summary};
use crate::tally::{Tally, tally};
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
    /// Members per room who send (the first ones); the rest only read, as
    /// most of a big room does.
    pub senders: usize,
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
                    sends: account.index % scenario.members < scenario.senders,
                    reads: scenario.reads,
                };
                progress.planned.fetch_add(u64::from(plan.count()), Relaxed);
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
    /// Whether this member sends at all.
    sends: bool,
    reads: ReadMode,
}

impl Plan {
    /// Messages this member sends.
    fn count(&self) -> u32 {
        if self.sends { self.schedule.count() } else { 0 }
    }
}

/// What became of one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendState {
    Waiting,
    Acked,
    /// An `error` frame named it.
    Refused,
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

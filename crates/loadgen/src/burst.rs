//! `burst`: one room, every member sending all its messages at once — the
//! scenario whose "before" figures docs/BENCHMARKS.md keeps.
//!
//! Figures keep their old meaning: messages stored per second is acks per
//! second; frames delivered counts acks and `message` frames together, out
//! of `users × messages × users` expected (each send acked to its sender and
//! delivered to every other member).

use std::process::ExitCode;

use serde::Serialize;

use crate::Result;
use crate::cli::{BurstArgs, ReadMode};
use crate::procfs::{self, Cost};
use crate::report::{self, Report, per_sec, round2};
use crate::server::Target;
use crate::socket::Closes;
use crate::stats::{Counts, Summary};
use crate::traffic::{self, Scenario, Schedule};

#[derive(Debug, Serialize)]
struct BurstReport {
    workload: &'static str,
    target: String,
    users: u32,
    messages_per_user: u32,
    connect_failures: usize,
    sent: u64,
    acked: u64,
    expected_frames: u64,
    frames: u64,
    /// Expected frames that never came: unacked sends and missing deliveries.
    lost: u64,
    duplicates: u64,
    complete: bool,
    measured_secs: f64,
    messages_stored_per_sec: f64,
    frames_delivered_per_sec: f64,
    ack_latency: Summary,
    fanout_latency: Summary,
    errors: Counts,
    closes: Closes,
    server: Vec<Cost>,
}

pub async fn run(args: &BurstArgs, target: &Target, json: bool) -> Result<ExitCode> {
    let scenario = Scenario {
        rooms: 1,
        members: args.users as usize,
        senders: args.users as usize,
        schedule: Schedule::Burst {
            count: args.messages,
        },
        reads: ReadMode::None,
        wait: args.timeout,
    };
    let mut outcome = traffic::run(target, scenario).await?;
    let totals = outcome.totals();
    let users = u64::from(args.users);
    let expected_frames = users * u64::from(args.messages) * users;
    let frames = totals.acked + totals.tally.received;
    let measured = outcome.measured.as_secs_f64();
    let report = BurstReport {
        workload: "burst",
        target: target.label().to_owned(),
        users: args.users,
        messages_per_user: args.messages,
        connect_failures: outcome.connect_failures,
        sent: totals.sent,
        acked: totals.acked,
        expected_frames,
        frames,
        lost: expected_frames.saturating_sub(frames),
        duplicates: totals.duplicates,
        complete: outcome.complete,
        measured_secs: round2(measured),
        messages_stored_per_sec: round2(per_sec(totals.acked, measured)),
        frames_delivered_per_sec: round2(per_sec(frames, measured)),
        ack_latency: totals.ack_latency,
        fanout_latency: totals.latency,
        errors: totals.errors,
        closes: totals.closes,
        server: outcome.cost,
    };
    report::print(&report, json)?;
    let faulty = report.lost > 0 || report.duplicates > 0;
    Ok(if faulty && !args.allow_loss {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

impl Report for BurstReport {
    fn print_text(&self) {
        println!(
            "burst: {} users × {} messages, one room, every member online ({})",
            self.users, self.messages_per_user, self.target
        );
        println!("ack latency      {}", self.ack_latency);
        println!("fan-out latency  {}", self.fanout_latency);
        println!(
            "throughput       {:.0} messages stored/s, {:.0} frames delivered/s \
             ({} of {} frames in {:.2} s)",
            self.messages_stored_per_sec,
            self.frames_delivered_per_sec,
            self.frames,
            self.expected_frames,
            self.measured_secs
        );
        println!(
            "lost {}, duplicates {}, connect failures {}",
            self.lost, self.duplicates, self.connect_failures
        );
        println!("error frames: {}", self.errors);
        println!("closed by the server: {}", self.closes);
        println!("server: {}", procfs::describe(&self.server));
    }
}

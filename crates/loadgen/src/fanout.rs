//! `fanout`: many rooms, every member sending at a steady rate; what got
//! lost or duplicated, how long deliveries took, what it cost the server.

use std::process::ExitCode;

use serde::Serialize;

use crate::Result;
use crate::cli::{FanoutArgs, ReadMode};
use crate::procfs::{self, Cost};
use crate::report::{self, Report, per_sec, round2};
use crate::server::Target;
use crate::socket::Closes;
use crate::stats::{Counts, Summary};
use crate::traffic::{self, Scenario, Schedule};

#[derive(Debug, Serialize)]
struct FanoutReport {
    workload: &'static str,
    target: String,
    rooms: u32,
    members: u32,
    /// Members per room who send.
    senders: u32,
    rate: f64,
    duration_secs: f64,
    reads: &'static str,
    connect_failures: usize,
    sent: u64,
    acked: u64,
    /// Sends that never got an `ack`.
    unacked: u64,
    expected: u64,
    received: u64,
    lost: u64,
    duplicates: u64,
    /// Deliveries of messages nobody was owed (never acked, or echoed back).
    unowed: u64,
    /// Whether everything owed arrived before the drain ran out.
    complete: bool,
    measured_secs: f64,
    deliveries_per_sec: f64,
    latency: Summary,
    ack_latency: Summary,
    reads_sent: u64,
    errors: Counts,
    closes: Closes,
    server: Vec<Cost>,
    #[serde(skip)]
    first_connect_error: Option<String>,
}

pub async fn run(args: &FanoutArgs, target: &Target, json: bool) -> Result<ExitCode> {
    let scenario = Scenario {
        rooms: args.rooms as usize,
        members: args.members as usize,
        senders: args.senders.map_or(args.members, |n| n.min(args.members)) as usize,
        schedule: Schedule::Paced {
            rate: args.rate,
            duration: args.duration,
        },
        reads: args.reads,
        wait: args.drain,
    };
    let mut outcome = traffic::run(target, scenario).await?;
    let totals = outcome.totals();
    let measured = outcome.measured.as_secs_f64();
    let report = FanoutReport {
        workload: "fanout",
        target: target.label().to_owned(),
        rooms: args.rooms,
        members: args.members,
        senders: scenario.senders as u32,
        rate: args.rate,
        duration_secs: args.duration.as_secs_f64(),
        reads: reads_name(args.reads),
        connect_failures: outcome.connect_failures,
        sent: totals.sent,
        acked: totals.acked,
        unacked: totals.sent - totals.acked.min(totals.sent),
        expected: totals.tally.expected,
        received: totals.tally.received,
        lost: totals.tally.lost,
        duplicates: totals.duplicates,
        unowed: totals.tally.unowed,
        complete: outcome.complete,
        measured_secs: round2(measured),
        deliveries_per_sec: round2(per_sec(totals.tally.received, measured)),
        latency: totals.latency,
        ack_latency: totals.ack_latency,
        reads_sent: totals.reads_sent,
        errors: totals.errors,
        closes: totals.closes,
        server: outcome.cost,
        first_connect_error: outcome.first_connect_error.take(),
    };
    report::print(&report, json)?;
    let faulty = report.lost > 0 || report.duplicates > 0;
    Ok(if faulty && !args.allow_loss {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn reads_name(reads: ReadMode) -> &'static str {
    match reads {
        ReadMode::Coalesced => "coalesced",
        ReadMode::PerMessage => "per-message",
        ReadMode::None => "none",
    }
}

impl Report for FanoutReport {
    fn print_text(&self) {
        println!(
            "fanout: {} room(s) × {} members, {} of them sending {} msg/s each for {:.1} s, reads {} ({})",
            self.rooms,
            self.members,
            self.senders,
            self.rate,
            self.duration_secs,
            self.reads,
            self.target
        );
        print!(
            "sent {}, acked {} ({} never acked)",
            self.sent, self.acked, self.unacked
        );
        match &self.first_connect_error {
            Some(e) => println!(
                ", {} sockets failed to connect (first: {e})",
                self.connect_failures
            ),
            None => println!(),
        }
        println!(
            "deliveries: expected {}, received {}, lost {}, duplicates {}{}",
            self.expected,
            self.received,
            self.lost,
            self.duplicates,
            if self.unowed > 0 {
                format!(
                    ", and {} deliveries nobody was owed (unacked or echoed)",
                    self.unowed
                )
            } else {
                String::new()
            }
        );
        println!(
            "throughput: {:.0} deliveries/s over {:.2} s{}",
            self.deliveries_per_sec,
            self.measured_secs,
            if self.complete {
                ""
            } else {
                " (drain ran out)"
            }
        );
        println!("latency:    {}", self.latency);
        println!(
            "ack:        p50 {:.2} ms  p99 {:.2} ms  (n={})",
            self.ack_latency.p50_ms, self.ack_latency.p99_ms, self.ack_latency.count
        );
        println!("reads sent: {}", self.reads_sent);
        println!("error frames: {}", self.errors);
        println!("closed by the server: {}", self.closes);
        println!("server: {}", procfs::describe(&self.server));
    }
}

//! `themechat-loadgen`: puts a real ThemeChat server under load through its
//! public REST and WebSocket API (`API.md`, nothing else) and reports what
//! it measured.
//!
//! # The server
//!
//! Without `--url`, it spawns `themechat-server` (`--server-bin`, else
//! `$THEMECHAT_SERVER_BIN`, else the one next to this executable) on a free
//! port with a clean environment: a temporary data directory, SQLite or a
//! fresh PostgreSQL schema (`--backend postgres`, in
//! `$THEMECHAT_BENCH_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`;
//! dropped afterwards), rate limits raised out of the way, `RUST_LOG=warn`;
//! `--server-env KEY=VALUE` adds or overrides variables. Its output goes to
//! stderr, and its CPU time and memory are read from /proc.
//!
//! With `--url` (repeatable: clients are spread over the nodes round-robin)
//! it drives servers that are already running, e.g. two nodes sharing
//! PostgreSQL and Redis. `--server-pid` (repeatable) names their processes
//! for the CPU and memory figures. Such servers need raised rate limits
//! (`THEMECHAT_RATE_LIMIT_MESSAGES`) for `fanout` and `burst`.
//!
//! The open-file limit is raised to its hard limit first (a spawned server
//! inherits it): every socket is a file on both sides.
//!
//! # Workloads
//!
//! - `fanout`: `--rooms` rooms of `--members` members; every member has its
//!   own socket and, once all of them are `ready`, sends `--rate` messages a
//!   second for `--duration` seconds on a fixed schedule (an open loop:
//!   sends do not wait for acks, and ticks missed while the loadgen was busy
//!   are made up at once, so the offered load does not ease off when the
//!   server falls behind). Members mark messages read like the web app
//!   (`--reads`). Then it waits up to `--drain` seconds for what is still
//!   on its way. Counted: every acked message is owed to each other member
//!   of its room; lost = owed − received (unique per receiver and message
//!   id); duplicates = repeated `message` frames and repeated `ack`s.
//!   Latency is end to end (the sender's clock in the body against the
//!   receiver's); ack latency is send → `ack`. Exits 1 on any loss or
//!   duplicate unless `--allow-loss`, so CI can assert on it. `--senders N`
//!   lets only the first N members of each room send (a big room: many
//!   readers, a few talkers).
//! - `burst`: one room of `--users` members who all send `--messages`
//!   messages at once: messages stored/s, frames delivered/s, ack and
//!   fan-out latency (the scenario of docs/BENCHMARKS.md).
//! - `conns`: `--count` idle authenticated sockets over `--users` users,
//!   opened 200 at a time: connect → `ready` time, how many are still open
//!   after `--hold` seconds, and the server's resident memory per
//!   connection. `--reconnect` then drops them all and reconnects them all
//!   at once (a proxy restart), timing until every one is `ready` again.
//! - `history`: one room seeded with `--messages` messages (pipelined sends
//!   from 20 members), then `--samples` requests each of the newest page,
//!   `before=` and `after=` a random message, one at a time. `--url … --room
//!   ID --token T` reuses a room seeded before.
//!
//! # Reading the figures
//!
//! The loadgen and a spawned server share the machine, and its cores: read
//! figures as ratios between runs on one machine (SQLite against
//! PostgreSQL, before against after a change), not as capacity. `--json`
//! prints exactly one JSON line per run, for scripts; progress and server
//! output always go to stderr. End-to-end latencies compare clocks, so they
//! are only meaningful with senders and receivers in one process (or on
//! machines with synchronised clocks).
//!
//! # Examples
//!
//! ```text
//! cargo build --release -p server --bin themechat-server
//! cargo run --release -p loadgen -- fanout --rooms 15 --members 25 --rate 8 --duration 20 --backend postgres
//! cargo run --release -p loadgen -- fanout --rooms 4 --members 50 --rate 2 --duration 30 --reads per-message
//! cargo run --release -p loadgen -- fanout --rooms 1 --members 10000 --senders 20 --rate 1 --duration 20 --backend postgres
//! cargo run --release -p loadgen -- burst --users 20 --messages 50 --backend sqlite
//! cargo run --release -p loadgen -- conns --count 5000 --hold 30 --reconnect
//! cargo run --release -p loadgen -- history --messages 100000 --samples 1000 --backend postgres
//!
//! # two nodes (started by hand, with REDIS_URL and one DATABASE_URL), clients spread over both
//! themechat-loadgen fanout --url http://127.0.0.1:8081 --url http://127.0.0.1:8082 \
//!     --server-pid 4101 --server-pid 4102 --rooms 10 --members 20 --rate 4 --duration 30
//! ```
//!
//! One process can hold about as many sockets as its open-file limit
//! allows (20 000 here). For more, split a `conns` run over processes with
//! `--shard K/N`; each opens its share of `--count` and `--users`. For
//! memory per connection to count only each shard's own sockets, start the
//! second once the first says its sockets are open:
//!
//! ```text
//! themechat-loadgen conns --url http://127.0.0.1:8080 --server-pid 4100 --count 30000 --hold 120 --shard 1/2 &
//! # … "loadgen: 15000 of 15000 sockets open" …
//! themechat-loadgen conns --url http://127.0.0.1:8080 --server-pid 4100 --count 30000 --hold 60 --shard 2/2
//! ```

mod api;
mod burst;
mod cli;
mod conns;
mod fanout;
mod history;
mod pg;
mod procfs;
mod report;
mod server;
mod socket;
mod stats;
mod tally;
mod traffic;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::server::Target;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The run itself failed (as opposed to 1: it found loss or duplicates).
const EXIT_ERROR: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("loadgen: could not raise the open-file limit: {e}");
    }
    // On Ctrl-C the run is dropped, which stops a spawned server and drops
    // its schema.
    let outcome = tokio::select! {
        outcome = run(&cli) => outcome,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("themechat-loadgen: {e}");
        ExitCode::from(EXIT_ERROR)
    })
}

async fn run(cli: &Cli) -> Result<ExitCode> {
    let target = Target::start(&cli.target).await?;
    match &cli.command {
        Command::Fanout(args) => fanout::run(args, &target, cli.json).await,
        Command::Burst(args) => burst::run(args, &target, cli.json).await,
        Command::Conns(args) => conns::run(args, &target, cli.json).await,
        Command::History(args) => history::run(args, &target, cli.json).await,
    }
}

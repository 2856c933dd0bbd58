//! Command line: the target server (shared by every workload) and one
//! subcommand per workload.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(
    name = "themechat-loadgen",
    version,
    about = "Drives a real ThemeChat server through its public API and reports \
             throughput, latency, loss and what it cost the server",
    after_help = "Exit status: 0 done, 1 messages were lost or duplicated \
                  (fanout, burst; see --allow-loss), 2 the run itself failed."
)]
pub struct Cli {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print exactly one machine-readable JSON line instead of the text
    /// report (progress still goes to stderr).
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Which server to drive. Without `--url` one is spawned for the run.
#[derive(Debug, Args)]
#[command(next_help_heading = "Server")]
pub struct TargetArgs {
    /// A running server, e.g. `http://127.0.0.1:8080`. Repeat it for several
    /// nodes: clients (their sign-up and their socket) are spread over them
    /// round-robin.
    #[arg(long = "url", value_name = "URL", global = true)]
    pub urls: Vec<String>,
    /// The process id of a server behind `--url` (repeatable), to report its
    /// CPU seconds and memory from /proc.
    #[arg(
        long = "server-pid",
        value_name = "PID",
        global = true,
        requires = "urls"
    )]
    pub server_pids: Vec<u32>,
    /// The `themechat-server` binary to spawn. Default: `$THEMECHAT_SERVER_BIN`,
    /// else `themechat-server` next to this executable.
    #[arg(long, value_name = "PATH", global = true, conflicts_with = "urls")]
    pub server_bin: Option<PathBuf>,
    /// The spawned server's database: a temporary SQLite file, or a fresh
    /// schema in `$THEMECHAT_BENCH_PG_URL` (default
    /// postgres://postgres@127.0.0.1:5432/test) [default: sqlite].
    #[arg(long, value_enum, global = true, conflicts_with = "urls")]
    pub backend: Option<Backend>,
    /// An environment variable for the spawned server (repeatable); wins over
    /// the loadgen's own settings, e.g. `THEMECHAT_WORKERS=1`.
    #[arg(
        long = "server-env",
        value_name = "KEY=VALUE",
        value_parser = key_value,
        global = true,
        conflicts_with = "urls"
    )]
    pub server_env: Vec<(String, String)>,
    /// Spawned nodes: more than one share one PostgreSQL schema (so
    /// `--backend postgres`) and fan out through Redis; clients are spread
    /// over them round-robin.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        global = true,
        conflicts_with = "urls"
    )]
    pub nodes: usize,
    /// The Redis of several spawned nodes [default: $THEMECHAT_BENCH_REDIS_URL,
    /// else redis://127.0.0.1:6379]; each run uses keys of its own.
    #[arg(long, value_name = "URL", global = true, conflicts_with = "urls")]
    pub redis: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Many rooms, every member sending at a steady rate: loss, duplicates,
    /// end-to-end latency and server cost under a sustained load.
    Fanout(FanoutArgs),
    /// One room, every member sending all its messages at once (the
    /// scenario of docs/BENCHMARKS.md).
    Burst(BurstArgs),
    /// Many idle authenticated sockets: connect time, memory per
    /// connection, and optionally a reconnect storm.
    Conns(ConnsArgs),
    /// Paging through a long room history: newest page, `before`, `after`.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct FanoutArgs {
    /// Rooms, each with its own members.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    pub rooms: u32,
    /// Members per room (one owner, the others join), each on its own socket.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(2..))]
    pub members: u32,
    /// Members per room who send (the others only read, as most of a big
    /// room does); all of them when not given.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub senders: Option<u32>,
    /// Messages per second each sending member sends.
    #[arg(long, default_value_t = 8.0, value_parser = positive)]
    pub rate: f64,
    /// Seconds of sending (the measured phase, before draining).
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = seconds)]
    pub duration: Duration,
    /// How members mark messages read.
    #[arg(long, value_enum, default_value_t = ReadMode::Coalesced)]
    pub reads: ReadMode,
    /// Seconds to wait after sending for deliveries still on their way.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub drain: Duration,
    /// Exit 0 even when messages were lost or duplicated.
    #[arg(long)]
    pub allow_loss: bool,
}

/// How a member marks messages read, as a web client would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadMode {
    /// At most one `read` per room per second, for the latest message.
    Coalesced,
    /// One `read` for every message received.
    PerMessage,
    /// No reads.
    None,
}

#[derive(Debug, Args)]
pub struct BurstArgs {
    /// Members of the one room, each on its own socket.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..))]
    pub users: u32,
    /// Messages each member sends, all at once. The server refuses more than
    /// 256 sends waiting on one connection, so keep this below that.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub messages: u32,
    /// Seconds to wait for every ack and delivery.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    pub timeout: Duration,
    /// Exit 0 even when messages were lost or duplicated.
    #[arg(long)]
    pub allow_loss: bool,
}

#[derive(Debug, Args)]
pub struct ConnsArgs {
    /// Sockets to open (in total over all shards).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// Seconds to hold them open once all are open.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub hold: Duration,
    /// Users the sockets are spread over (in total over all shards)
    /// [default: min(count, 200)].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub users: Option<u32>,
    /// After the hold, drop every socket and reconnect them all at once.
    #[arg(long)]
    pub reconnect: bool,
    /// Open only part K of N (1-based) of the sockets and users, so that
    /// several processes can share a run, e.g. `--shard 1/2` and `--shard 2/2`.
    #[arg(long, value_name = "K/N", default_value = "1/1", value_parser = shard)]
    pub shard: Shard,
}

/// Part `index` (1-based) of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub of: u32,
}

impl Shard {
    /// How many of `total` items fall in this shard: item `i` belongs to shard
    /// `i % of + 1`.
    pub fn share(self, total: u32) -> u32 {
        let (k, n) = (self.index - 1, self.of);
        total / n + u32::from(k < total % n)
    }
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Messages to seed the room with (through WebSocket sends).
    #[arg(long, required_unless_present = "room", value_parser = clap::value_parser!(u32).range(1..))]
    pub messages: Option<u32>,
    /// Requests of each kind to time.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: u32,
    /// An already seeded room on `--url` (skips seeding; needs `--token`).
    #[arg(long, requires_all = ["token", "urls"])]
    pub room: Option<Uuid>,
    /// An access token of a member of `--room`.
    #[arg(long, requires = "room")]
    pub token: Option<String>,
}

fn positive(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("{raw:?} is not a positive number")),
    }
}

/// Seconds, fractions allowed: `20`, `0.5`.
fn seconds(raw: &str) -> Result<Duration, String> {
    raw.parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("{raw:?} is not a number of seconds"))
}

fn key_value(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("{raw:?} is not KEY=VALUE")),
    }
}

fn shard(raw: &str) -> Result<Shard, String> {
    let parsed = raw
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((index, of)) if of >= 1 && (1..=of).contains(&index) => Ok(Shard { index, of }),
        _ => Err(format!("{raw:?} is not K/N with 1 <= K <= N")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn shards_split_everything_exactly_once() {
        for total in [0, 1, 7, 200, 20_001] {
            for of in 1..=4 {
                let sum: u32 = (1..=of).map(|index| Shard { index, of }.share(total)).sum();
                assert_eq!(sum, total, "{total} over {of} shards");
            }
        }
        assert_eq!(shard("2/3"), Ok(Shard { index: 2, of: 3 }));
        assert!(shard("0/2").is_err());
        assert!(shard("3/2").is_err());
        assert!(shard("1").is_err());
    }

    #[test]
    fn target_options_go_before_or_after_the_workload() {
        let cli = Cli::try_parse_from([
            "loadgen",
            "fanout",
            "--rooms",
            "2",
            "--backend",
            "postgres",
            "--server-env",
            "A=b=c",
            "--json",
        ])
        .expect("valid");
        assert_eq!(cli.target.backend, Some(Backend::Postgres));
        assert_eq!(cli.target.server_env, [("A".into(), "b=c".into())]);
        assert!(cli.json);
        let Command::Fanout(fanout) = cli.command else {
            panic!("not fanout")
        };
        assert_eq!(fanout.rooms, 2);
        assert_eq!(fanout.reads, ReadMode::Coalesced);

        // clap keeps one level's values of a global option: repeat `--url`
        // in one place.
        let cli = Cli::try_parse_from([
            "loadgen", "conns", "--url", "http://a", "--url", "http://b", "--shard", "2/2",
        ])
        .expect("valid");
        assert_eq!(cli.target.urls, ["http://a", "http://b"]);
        assert!(
            Cli::try_parse_from([
                "loadgen",
                "burst",
                "--url",
                "http://a",
                "--backend",
                "sqlite"
            ])
            .is_err(),
            "a remote server has no backend to choose"
        );
        assert!(
            Cli::try_parse_from([
                "loadgen",
                "history",
                "--room",
                &Uuid::nil().to_string(),
                "--token",
                "t"
            ])
            .is_err(),
            "--room is a room of a running server"
        );
        assert!(
            Cli::try_parse_from(["loadgen", "history"]).is_err(),
            "nothing to page through"
        );
    }
}

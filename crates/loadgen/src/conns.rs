//! `conns`: many idle authenticated sockets. How long connecting takes,
//! how many stay open, what each costs the server in memory, and (with
//! `--reconnect`) how the server copes when all of them come back at once.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::Result;
use crate::api::{Account, Api};
use crate::cli::ConnsArgs;
use crate::procfs;
use crate::report::{self, Report, round2};
use crate::server::Target;
use crate::socket::{self, Closed, Closes, Socket};
use crate::stats::{Latencies, Summary};
use crate::traffic::run_tag;

/// Sockets opening at once.
const OPEN_CONCURRENCY: usize = 200;
/// Unless `--users` says: the most sockets share one user.
const DEFAULT_USERS: u32 = 200;

#[derive(Debug, Serialize)]
struct ConnsReport {
    workload: &'static str,
    target: String,
    /// `K/N`.
    shard: String,
    /// Sockets this process tried to open.
    count: u32,
    users: u32,
    opened: u64,
    failed: u64,
    first_error: Option<String>,
    open_after_hold: u64,
    hold_secs: f64,
    /// Sockets the server closed (or that broke) during the hold.
    closes: Closes,
    /// From starting to connect until `ready`.
    connect: Summary,
    memory: Vec<Memory>,
    reconnect: Option<Reconnect>,
}

/// A server process's memory before and after the sockets were opened.
#[derive(Debug, Serialize)]
struct Memory {
    pid: u32,
    rss_before_kib: Option<u64>,
    rss_after_kib: Option<u64>,
    /// (after − before) / sockets opened.
    rss_per_connection_kib: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Reconnect {
    attempted: u64,
    ready: u64,
    failed: u64,
    first_error: Option<String>,
    /// From dropping every socket until the last one is `ready` again.
    all_ready_secs: f64,
    connect: Summary,
}

pub async fn run(args: &ConnsArgs, target: &Target, json: bool) -> Result<ExitCode> {
    let count = args.shard.share(args.count);
    let total_users = args.users.unwrap_or(args.count.min(DEFAULT_USERS));
    let users = args.shard.share(total_users).max(1);
    let api = Api::new()?;
    eprintln!(
        "loadgen: registering {users} users on the {}",
        target.label()
    );
    let accounts = api
        .register_all(target, &run_tag(), 0..users as usize)
        .await?;

    let before: Vec<_> = target.pids().iter().map(|&pid| procfs::read(pid)).collect();
    eprintln!("loadgen: opening {count} sockets, {OPEN_CONCURRENCY} at a time");
    let (stop, stopped) = watch::channel(false);
    let closed = Arc::new(AtomicU64::new(0));
    let done = AtomicU64::new(0);
    let accounts = &accounts;
    let results: Vec<Result<(Duration, JoinHandle<Option<Closed>>)>> =
        stream::iter(0..count as usize)
            .map(|i| {
                let (stopped, closed, done) = (stopped.clone(), closed.clone(), &done);
                async move {
                    let opened = open(target, i, accounts).await;
                    report_progress(done.fetch_add(1, Relaxed) + 1, count);
                    let (socket, took) = opened?;
                    Ok((took, tokio::spawn(hold(socket, stopped, closed))))
                }
            })
            .buffer_unordered(OPEN_CONCURRENCY)
            .collect()
            .await;
    let after: Vec<_> = target.pids().iter().map(|&pid| procfs::read(pid)).collect();

    let mut connect = Latencies::default();
    let mut holders = Vec::with_capacity(results.len());
    let mut first_error = None;
    for result in results {
        match result {
            Ok((took, holder)) => {
                connect.record(took);
                holders.push(holder);
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let opened = holders.len() as u64;
    eprintln!(
        "loadgen: {opened} of {count} sockets open; holding them {:?}",
        args.hold
    );
    tokio::time::sleep(args.hold).await;
    let open_after_hold = opened - closed.load(Relaxed);

    // Dropping the holders' sockets cuts the connections without a close
    // frame, like a network failure or a proxy restart.
    let _ = stop.send(true);
    let mut closes = Closes::default();
    for holder in holders {
        if let Some(closed) = holder.await? {
            closes.add(&closed);
        }
    }

    let reconnect = if args.reconnect {
        Some(reconnect_all(target, opened as usize, accounts).await)
    } else {
        None
    };

    let memory = target
        .pids()
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(&pid, (before, after))| {
            let (before, after) = (before.map(|r| r.rss_kib), after.map(|r| r.rss_kib));
            Memory {
                pid,
                rss_before_kib: before,
                rss_after_kib: after,
                rss_per_connection_kib: before
                    .zip(after)
                    .filter(|_| opened > 0)
                    .map(|(b, a)| round2((a as f64 - b as f64) / opened as f64)),
            }
        })
        .collect();

    let report = ConnsReport {
        workload: "conns",
        target: target.label().to_owned(),
        shard: format!("{}/{}", args.shard.index, args.shard.of),
        count,
        users,
        opened,
        failed: u64::from(count) - opened,
        first_error,
        open_after_hold,
        hold_secs: args.hold.as_secs_f64(),
        closes,
        connect: connect.summary(),
        memory,
        reconnect,
    };
    report::print(&report, json)?;
    Ok(ExitCode::SUCCESS)
}

/// Socket `i`: on its node and as its user, both round-robin.
async fn open(target: &Target, i: usize, accounts: &[Account]) -> Result<(Socket, Duration)> {
    let account = &accounts[i % accounts.len()];
    socket::open(&target.node(i).ws, &account.token, socket::IDLE_BUFFER).await
}

/// Keeps a socket alive (reading is what answers the server's pings) until
/// told to stop; returns how the server ended it, if it did.
async fn hold(
    mut socket: Socket,
    mut stop: watch::Receiver<bool>,
    closed: Arc<AtomicU64>,
) -> Option<Closed> {
    let ended = loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return None,
            incoming = socket.next() => match incoming {
                Some(Ok(WsMessage::Close(frame))) => break Closed::from(frame),
                Some(Ok(_)) => {}
                Some(Err(e)) => break Closed::broken(&e),
                None => break Closed::ended(),
            },
        }
    };
    closed.fetch_add(1, Relaxed);
    Some(ended)
}

/// Opens `count` sockets all at once and waits until each is `ready`.
async fn reconnect_all(target: &Target, count: usize, accounts: &[Account]) -> Reconnect {
    eprintln!("loadgen: reconnecting {count} sockets at once");
    let started = Instant::now();
    let attempts: Vec<_> = (0..count)
        .map(|i| {
            let url = target.node(i).ws.clone();
            let token = accounts[i % accounts.len()].token.clone();
            tokio::spawn(async move { socket::open(&url, &token, socket::IDLE_BUFFER).await })
        })
        .collect();
    let mut connect = Latencies::default();
    // Kept open until the last is ready, so that all are open together.
    let mut sockets = Vec::with_capacity(count);
    let mut first_error = None;
    for attempt in attempts {
        match attempt.await {
            Ok(Ok((socket, took))) => {
                connect.record(took);
                sockets.push(socket);
            }
            Ok(Err(e)) => {
                first_error.get_or_insert_with(|| e.to_string());
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let all_ready = started.elapsed();
    let ready = sockets.len() as u64;
    Reconnect {
        attempted: count as u64,
        ready,
        failed: count as u64 - ready,
        first_error,
        all_ready_secs: round2(all_ready.as_secs_f64()),
        connect: connect.summary(),
    }
}

/// `opened 10% (2000 of 20000)` on stderr, once per tenth.
fn report_progress(done: u64, total: u32) {
    let total = u64::from(total);
    if total >= 1000 && done * 10 / total > (done - 1) * 10 / total {
        eprintln!(
            "loadgen: opened {}% ({done} of {total})",
            done * 100 / total
        );
    }
}

impl Report for ConnsReport {
    fn print_text(&self) {
        println!(
            "conns: {} sockets over {} users, shard {} ({})",
            self.count, self.users, self.shard, self.target
        );
        print!("opened {}, failed {}", self.opened, self.failed);
        match &self.first_error {
            Some(e) => println!(" (first: {e})"),
            None => println!(),
        }
        println!("connect → ready: {}", self.connect);
        println!(
            "still open after {:.1} s: {}; closed by the server: {}",
            self.hold_secs, self.open_after_hold, self.closes
        );
        if self.memory.is_empty() {
            println!("server memory: not measured (no --server-pid)");
        }
        for m in &self.memory {
            let kib = |v: Option<u64>| v.map_or("n/a".to_owned(), |v| format!("{v} KiB"));
            let per = m
                .rss_per_connection_kib
                .map_or("n/a".to_owned(), |v| format!("{v:.1} KiB"));
            println!(
                "server pid {} RSS: before {}, after {}: {per} per connection",
                m.pid,
                kib(m.rss_before_kib),
                kib(m.rss_after_kib)
            );
        }
        if let Some(r) = &self.reconnect {
            print!(
                "reconnect: {} of {} ready again after {:.2} s",
                r.ready, r.attempted, r.all_ready_secs
            );
            match &r.first_error {
                Some(e) => println!(", {} failed (first: {e})", r.failed),
                None => println!(),
            }
            println!("reconnect → ready: {}", r.connect);
        }
    }
}

//! `history`: one room with a long history, and how long its pages take:
//! the newest page, `before` a random message, `after` a random message.
//!
//! The room is seeded through the public API like any chat: WebSocket sends
//! from several members, pipelined (up to `WINDOW` unacked sends per
//! socket). Message ids come from the acks. `--room` and `--token` reuse a
//! room seeded earlier; its ids are then read back page by page.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt, stream};
use protocol::ClientFrame;
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use crate::Result;
use crate::api::{Account, Api, Cursor};
use crate::cli::HistoryArgs;
use crate::report::{self, Report, per_sec, round2};
use crate::server::Target;
use crate::socket::{self, Closed, Kind, ServerFrame, Socket};
use crate::stats::{Latencies, Summary};
use crate::traffic::run_tag;

/// Members seeding the room, each on its own socket. One: every other
/// online member would receive every seeded message, and a million of them
/// through a busy machine is a reader that falls behind (1008), not a
/// history benchmark. One socket with a full window keeps the server's
/// writer busy on its own.
const SEEDERS: u32 = 1;
/// Unacked sends per seeding socket (the server accepts up to 256).
const WINDOW: usize = 200;
/// A refused (`rate_limited`) send is tried again after this long.
const RETRY_PAUSE: Duration = Duration::from_millis(500);
/// Seeding gives up when a socket hears nothing for this long.
const SILENCE: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize)]
struct HistoryReport {
    workload: &'static str,
    target: String,
    room: Uuid,
    /// Messages in the room.
    messages: usize,
    seeding: Option<Seeding>,
    newest: Timing,
    before: Timing,
    after: Timing,
}

#[derive(Debug, Serialize)]
struct Seeding {
    messages: u64,
    secs: f64,
    messages_per_sec: f64,
    /// Sends refused as rate limited, and sent again.
    retried: u64,
}

#[derive(Debug, Serialize)]
struct Timing {
    requests: u32,
    failed: u32,
    first_error: Option<String>,
    /// Messages per page, on average.
    page_size: f64,
    latency: Summary,
}

pub async fn run(args: &HistoryArgs, target: &Target, json: bool) -> Result<ExitCode> {
    let api = Api::new()?;
    let (room, token, ids, seeding) = match (args.room, &args.token, args.messages) {
        (Some(room), Some(token), _) => {
            eprintln!("loadgen: reading the message ids of room {room}");
            let ids = api.all_message_ids(target.node(0), token, room).await?;
            (room, token.clone(), ids, None)
        }
        (_, _, Some(messages)) => {
            let seeded = seed(&api, target, messages).await?;
            (seeded.room, seeded.token, seeded.ids, Some(seeded.seeding))
        }
        _ => return Err("history needs --messages, or --room with --token".into()),
    };
    if ids.is_empty() {
        return Err(format!("room {room} has no messages to page through").into());
    }

    eprintln!(
        "loadgen: timing {} requests of each kind over {} messages",
        args.samples,
        ids.len()
    );
    let random_id = || ids[fastrand::usize(..ids.len())];
    let timings = Timings {
        api: &api,
        target,
        token: &token,
        room,
        samples: args.samples,
    };
    let newest = timings.time(|| Cursor::Newest).await;
    let before = timings.time(|| Cursor::Before(random_id())).await;
    let after = timings.time(|| Cursor::After(random_id())).await;

    let report = HistoryReport {
        workload: "history",
        target: target.label().to_owned(),
        room,
        messages: ids.len(),
        seeding,
        newest,
        before,
        after,
    };
    report::print(&report, json)?;
    Ok(ExitCode::SUCCESS)
}

struct Timings<'a> {
    api: &'a Api,
    target: &'a Target,
    token: &'a str,
    room: Uuid,
    samples: u32,
}

impl Timings<'_> {
    /// Times `samples` requests one after the other (spread round-robin over
    /// the nodes), each starting where `cursor` says.
    async fn time(&self, mut cursor: impl FnMut() -> Cursor) -> Timing {
        let mut latency = Latencies::default();
        let (mut failed, mut first_error, mut messages) = (0, None, 0);
        for i in 0..self.samples {
            let node = self.target.node(i as usize);
            match self
                .api
                .timed_page(node, self.token, self.room, cursor())
                .await
            {
                Ok((took, n)) => {
                    latency.record(took);
                    messages += n;
                }
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert_with(|| e.to_string());
                }
            }
        }
        let ok = latency.len();
        Timing {
            requests: self.samples,
            failed,
            first_error,
            page_size: round2(if ok > 0 {
                messages as f64 / ok as f64
            } else {
                0.0
            }),
            latency: latency.summary(),
        }
    }
}

struct Seeded {
    room: Uuid,
    /// The room owner's.
    token: String,
    ids: Vec<Uuid>,
    seeding: Seeding,
}

/// Creates a room, has `SEEDERS` members post `messages` into it, and
/// returns the ids of what they posted.
async fn seed(api: &Api, target: &Target, messages: u32) -> Result<Seeded> {
    let seeders = messages.min(SEEDERS) as usize;
    let tag = run_tag();
    eprintln!(
        "loadgen: registering {seeders} users on the {}",
        target.label()
    );
    let accounts = api.register_all(target, &tag, 0..seeders).await?;
    let room = api
        .create_room(target, &accounts[0], &format!("history {tag}"))
        .await?;
    let joins: Vec<(&Account, Uuid)> = accounts[1..].iter().map(|a| (a, room)).collect();
    api.join_all(target, &joins).await?;
    let sockets: Vec<Socket> = stream::iter(&accounts)
        .map(|account| async move {
            let url = &target.node(account.index).ws;
            let (socket, _) = socket::open(url, &account.token, socket::BUSY_BUFFER).await?;
            Ok::<_, crate::Error>(socket)
        })
        .buffered(seeders)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;

    eprintln!("loadgen: seeding room {room} with {messages} messages");
    let started = Instant::now();
    let progress = Arc::new(Progress {
        total: u64::from(messages),
        ..Progress::default()
    });
    let per = messages / seeders as u32;
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let share = per + u32::from((i as u32) < messages % seeders as u32);
            tokio::spawn(seed_from(socket, room, i, share, progress.clone()))
        })
        .collect();
    let mut ids = Vec::with_capacity(messages as usize);
    for task in tasks {
        ids.extend(task.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    let seeding = Seeding {
        messages: ids.len() as u64,
        secs: round2(secs),
        messages_per_sec: round2(per_sec(ids.len() as u64, secs)),
        retried: progress.retried.load(Relaxed),
    };
    let token = accounts.into_iter().next().ok_or("no owner")?.token;
    Ok(Seeded {
        room,
        token,
        ids,
        seeding,
    })
}

#[derive(Debug, Default)]
struct Progress {
    total: u64,
    acked: AtomicU64,
    retried: AtomicU64,
}

impl Progress {
    /// Counts one ack, and says so on stderr at every tenth.
    fn ack(&self) {
        let done = self.acked.fetch_add(1, Relaxed) + 1;
        if done * 10 / self.total > (done - 1) * 10 / self.total {
            eprintln!(
                "loadgen: seeded {}% ({done} of {})",
                done * 100 / self.total,
                self.total
            );
        }
    }
}

/// Member `member` posts `share` messages over `socket`, at most `WINDOW`
/// unacked at a time; returns the ids from the acks.
async fn seed_from(
    socket: Socket,
    room: Uuid,
    member: usize,
    share: u32,
    progress: Arc<Progress>,
) -> Result<Vec<Uuid>> {
    let (sink, mut frames) = socket.split();
    let window = Arc::new(Semaphore::new(WINDOW));
    // Sends to make again: refused as rate limited.
    let (retry, retries) = mpsc::unbounded_channel::<u32>();
    let writer = tokio::spawn(send_share(
        sink,
        window.clone(),
        retries,
        room,
        member,
        share,
    ));
    let acks = collect_acks(&mut frames, member, share, &window, &retry, &progress).await;
    drop(retry);
    match acks {
        Ok(ids) => {
            writer.await?;
            Ok(ids)
        }
        Err(e) => {
            writer.abort();
            Err(e)
        }
    }
}

/// Sends messages `0..share`, and again those the reader hands back, each
/// once a window slot is free; ends when the reader drops `retries`.
async fn send_share(
    mut sink: SplitSink<Socket, WsMessage>,
    window: Arc<Semaphore>,
    mut retries: mpsc::UnboundedReceiver<u32>,
    room: Uuid,
    member: usize,
    share: u32,
) {
    let mut next = 0;
    loop {
        let (n, again) = match retries.try_recv() {
            Ok(n) => (n, true),
            Err(_) if next < share => {
                next += 1;
                (next - 1, false)
            }
            Err(_) => match retries.recv().await {
                Some(n) => (n, true),
                None => break,
            },
        };
        if again {
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        let Ok(permit) = window.acquire().await else {
            break;
        };
        permit.forget();
        let frame = socket::frame(&ClientFrame::Send {
            room_id: room.into(),
            body: format!("history seed {member}-{n}: the quick brown fox jumps over the lazy dog"),
            client_id: format!("{member}-{n}"),
            reply_to: None,
            attachments: Vec::new(),
        });
        if sink.send(frame).await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

/// Reads acks until all of `share` are in; hands rate-limited sends back
/// through `retry`. Any other refusal ends the seeding.
async fn collect_acks(
    frames: &mut SplitStream<Socket>,
    member: usize,
    share: u32,
    window: &Semaphore,
    retry: &mpsc::UnboundedSender<u32>,
    progress: &Progress,
) -> Result<Vec<Uuid>> {
    let prefix = format!("{member}-");
    let mut acked = vec![false; share as usize];
    let mut ids = Vec::with_capacity(share as usize);
    while ids.len() < share as usize {
        let incoming = tokio::time::timeout(SILENCE, frames.next())
            .await
            .map_err(|_| format!("seeding: nothing heard for {SILENCE:?}"))?;
        let text = match incoming {
            Some(Ok(WsMessage::Text(text))) => text,
            Some(Ok(WsMessage::Close(frame))) => {
                let closed = Closed::from(frame);
                return Err(format!("seeding: the server closed a socket: {closed}").into());
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("seeding: {e}").into()),
            None => return Err("seeding: a socket ended".into()),
        };
        let frame = ServerFrame::parse(&text)?;
        let n = frame
            .client_id
            .as_deref()
            .and_then(|c| c.strip_prefix(&prefix)?.parse::<u32>().ok())
            .filter(|&n| n < share);
        match (frame.kind, n) {
            (Kind::Ack, Some(n)) if !acked[n as usize] => {
                let message = frame
                    .message()
                    .ok_or("seeding: an ack without its message")?;
                acked[n as usize] = true;
                ids.push(message.id);
                window.add_permits(1);
                progress.ack();
            }
            (Kind::Error, Some(n)) if frame.code.as_deref() == Some("rate_limited") => {
                progress.retried.fetch_add(1, Relaxed);
                window.add_permits(1);
                let _ = retry.send(n);
            }
            (Kind::Error, _) => {
                let code = frame.code.unwrap_or_default();
                return Err(format!("seeding: a send was refused with error {code}").into());
            }
            _ => {}
        }
    }
    Ok(ids)
}

impl Report for HistoryReport {
    fn print_text(&self) {
        println!(
            "history: room {} with {} messages ({})",
            self.room, self.messages, self.target
        );
        if let Some(s) = &self.seeding {
            println!(
                "seeded {} messages in {:.2} s: {:.0} messages/s ({} retried after rate_limited)",
                s.messages, s.secs, s.messages_per_sec, s.retried
            );
        }
        for (kind, timing) in [
            ("newest page", &self.newest),
            ("before=<id>", &self.before),
            ("after=<id> ", &self.after),
        ] {
            println!(
                "{kind}  {}  ({:.1} messages a page)",
                timing.latency, timing.page_size
            );
            if let Some(e) = &timing.first_error {
                println!(
                    "             {} of {} failed (first: {e})",
                    timing.failed, timing.requests
                );
            }
        }
    }
}

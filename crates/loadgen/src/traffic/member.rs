//! One member's tasks: a writer on its send schedule and a reader that
//! keeps its log.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use protocol::ClientFrame;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use super::*;
use crate::cli::ReadMode;
use crate::socket::{self, Closed, Socket};

/// The reader: takes in the member's frames until told to stop or the
/// socket ends, then collects what the writer sent.
pub(super) async fn run_member(
    plan: Plan,
    socket: Socket,
    progress: Arc<Progress>,
    mut phases: watch::Receiver<Phase>,
) -> MemberLog {
    let (sink, mut frames) = socket.split();
    let (outbox, queued) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write(plan, sink, queued, phases.clone()));
    let mut log = MemberLog::new(plan.member, plan.room, plan.count());
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
pub(super) async fn write(
    plan: Plan,
    mut sink: SplitSink<Socket, WsMessage>,
    mut queued: mpsc::UnboundedReceiver<WsMessage>,
    mut phases: watch::Receiver<Phase>,
) -> u32 {
    let count = plan.count();
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
pub(super) async fn next_tick(ticks: &mut Option<Interval>) {
    if let Some(ticks) = ticks {
        ticks.tick().await;
    }
}

pub(super) fn send_frame(plan: &Plan, n: u32) -> WsMessage {
    let member = plan.member;
    socket::frame(&ClientFrame::Send {
        room_id: plan.room_id.into(),
        body: format!("{} {member} {n}", unix_micros()),
        client_id: format!("{member}-{n}"),
        reply_to: None,
        attachments: Vec::new(),
    })
}

pub(super) fn read_frame(room_id: Uuid, message_id: Uuid) -> WsMessage {
    socket::frame(&ClientFrame::Read {
        room_id: room_id.into(),
        message_id: message_id.into(),
    })
}

pub(super) fn unix_micros() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX)
}

/// `<unix µs> <sender> <n>` back into its parts.
pub(super) fn parse_body(body: &str) -> Option<(u64, usize, u32)> {
    let mut parts = body.split_ascii_whitespace();
    let sent_at = parts.next()?.parse().ok()?;
    let sender = parts.next()?.parse().ok()?;
    let n = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((sent_at, sender, n))
}

//! The one write path for new messages: REST and the socket both submit
//! here, and a single writer stores what arrives together in one
//! transaction (group commit).
//!
//! Why one writer: every message of a room takes the next `seq` under the
//! room's row lock, so concurrent transactions of one room only queue behind
//! each other, each paying its own round trips and commit flush. One writer
//! that takes everything waiting (from every room) and stores it with a few
//! statements pays that cost once per batch instead of once per message; the
//! busier the server, the larger the batches. Nothing is answered before its
//! batch committed, and events are published after the commit, in `seq`
//! order.
//!
//! The queue in front of the writer is bounded: when storing falls behind,
//! senders first feel slower acks, then `rate_limited`, and what was acked
//! is durable.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus::{Histogram, HistogramOpts, IntCounter, Registry};
use protocol::{RoomId, UserId};
use tokio::sync::{mpsc, oneshot};

use super::Presence;
use super::events::{Origin, Outbound};
use super::messages::{Draft, NewPost, Posted, post_batch};
use crate::error::{DomainError, DomainResult, Race};
use storage::{Database, DbConn, write_tx};

/// Most posts stored in one transaction (SQLite binds at most 32,766
/// parameters in a statement; a message row has eleven).
const MAX_BATCH: usize = 256;

/// What the writers count, registered with the node's other metrics.
#[derive(Clone)]
pub struct PostingMetrics {
    messages_stored: IntCounter,
    /// Posts stored per write transaction (group commit).
    batch_size: Histogram,
    /// Time one batch's transaction took.
    store_seconds: Histogram,
    /// From a post's submission to its answer (queueing included).
    ack_seconds: Histogram,
}

impl PostingMetrics {
    pub fn registered(registry: &Registry) -> Result<Self, prometheus::Error> {
        let latency_buckets = vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
        ];
        let metrics = Self {
            messages_stored: IntCounter::new("messages_stored_total", "Messages stored")?,
            batch_size: Histogram::with_opts(
                HistogramOpts::new("message_batch_size", "Posts stored per transaction")
                    .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
            )?,
            store_seconds: Histogram::with_opts(
                HistogramOpts::new("message_store_seconds", "One batch's write transaction")
                    .buckets(latency_buckets.clone()),
            )?,
            ack_seconds: Histogram::with_opts(
                HistogramOpts::new("message_ack_seconds", "A post from submission to answer")
                    .buckets(latency_buckets),
            )?,
        };
        registry.register(Box::new(metrics.messages_stored.clone()))?;
        registry.register(Box::new(metrics.batch_size.clone()))?;
        registry.register(Box::new(metrics.store_seconds.clone()))?;
        registry.register(Box::new(metrics.ack_seconds.clone()))?;
        Ok(metrics)
    }
}

/// Where committed posts go (the bus, in the server), and whether it can
/// take more.
pub trait Outlet: Send + Sync {
    fn publish(&self, events: Vec<Outbound>, origin: Option<Origin>);
    /// True while live delivery is behind (connections' queues filling up
    /// because the machine cannot write them out fast enough).
    fn congested(&self) -> bool;
}

/// How long the writer holds back while delivery is congested before it
/// stores anyway (a stuck outlet must not stop storing for good).
const MAX_HOLD: Duration = Duration::from_secs(1);

/// What a writer's queue carries: posts, and at the end the node's stop.
enum Job {
    Post(Queued),
    /// Store what came before, then end (answered when done).
    Stop(oneshot::Sender<()>),
}

struct Queued {
    post: NewPost,
    origin: Option<Origin>,
    queued_at: Instant,
    reply: oneshot::Sender<DomainResult<Posted>>,
}

/// The handle REST and the gateway submit posts through.
#[derive(Clone)]
pub struct Poster {
    /// One queue per writer; a room always goes to the same writer, so its
    /// posts keep their order while other rooms' are stored in parallel.
    queues: Arc<[mpsc::Sender<Job>]>,
}

impl Poster {
    /// Starts `writers` writer threads (at least one), each with room for
    /// `capacity` waiting posts; one more is refused as `rate_limited`.
    ///
    /// Several writers pay off where the database works in parallel and a
    /// commit waits on a flush (PostgreSQL): one writer's commit overlaps
    /// another's statements. SQLite has one writer at a time anyway.
    pub fn start(
        db: Database,
        presence: Arc<dyn Presence>,
        outlet: Arc<dyn Outlet>,
        metrics: PostingMetrics,
        writers: usize,
        capacity: usize,
    ) -> std::io::Result<Self> {
        let mut queues = Vec::new();
        for n in 0..writers.max(1) {
            let (queue, jobs) = mpsc::channel(capacity.max(1));
            let writer = Writer {
                db: db.clone(),
                presence: presence.clone(),
                outlet: outlet.clone(),
                metrics: metrics.clone(),
                conn: None,
            };
            std::thread::Builder::new()
                .name(format!("message-writer-{n}"))
                .spawn(move || writer.run(jobs))?;
            queues.push(queue);
        }
        Ok(Self {
            queues: queues.into(),
        })
    }

    /// Queues a post; the future resolves once it is stored (or refused).
    /// Queuing happens now, so posts are stored in the order of the calls.
    pub fn submit(
        &self,
        sender: UserId,
        room_id: RoomId,
        draft: Draft,
        origin: Option<Origin>,
    ) -> impl Future<Output = DomainResult<Posted>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let job = Job::Post(Queued {
            post: NewPost {
                sender,
                room_id,
                draft,
            },
            origin,
            queued_at: Instant::now(),
            reply,
        });
        let queued = self.queue_of(room_id).try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => DomainError::rate_limited(),
            mpsc::error::TrySendError::Closed(_) => {
                DomainError::Unavailable("the message writer has stopped".into())
            }
        });
        async move {
            queued?;
            answer
                .await
                .map_err(|_| DomainError::internal("the message writer dropped a post"))?
        }
    }
}

impl Poster {
    /// Stores every post queued so far, then ends the writer threads: the
    /// node's stop, once nothing submits any more (HTTP drained, sockets
    /// closed). A post submitted after it is refused as `unavailable`.
    pub async fn stop(&self) {
        let mut stopped = Vec::new();
        for queue in self.queues.iter() {
            let (done, writer_done) = oneshot::channel();
            // Behind every post already queued, so those are stored first.
            if queue.send(Job::Stop(done)).await.is_ok() {
                stopped.push(writer_done);
            }
        }
        for writer_done in stopped {
            // An error means the writer is gone already: stopped all the same.
            let _ = writer_done.await;
        }
    }

    fn queue_of(&self, room_id: RoomId) -> &mpsc::Sender<Job> {
        // UUIDv7's low bits are random: an even spread over the writers.
        let n = (room_id.uuid().as_u128() % self.queues.len() as u128) as usize;
        &self.queues[n]
    }
}

struct Writer {
    db: Database,
    presence: Arc<dyn Presence>,
    outlet: Arc<dyn Outlet>,
    metrics: PostingMetrics,
    /// Kept between batches: no pool checkout (and its test query) per batch.
    conn: Option<storage::Pooled>,
}

impl Writer {
    fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = jobs.blocking_recv() {
            let mut stop = None;
            match first {
                Job::Post(queued) => {
                    self.hold_while_congested();
                    batch.push(queued);
                }
                Job::Stop(done) => stop = Some(done),
            }
            while stop.is_none() && batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(Job::Post(queued)) => batch.push(queued),
                    Ok(Job::Stop(done)) => stop = Some(done),
                    Err(_) => break,
                }
            }
            if !batch.is_empty() {
                self.store(std::mem::take(&mut batch));
            }
            if let Some(done) = stop {
                tracing::debug!("message writer stopped: the node stops");
                let _ = done.send(());
                return;
            }
        }
        tracing::debug!("message writer stopped: no more submitters");
    }

    /// Overload is felt by senders, not readers: while connections' queues
    /// are filling, the writer waits, its own queue fills, and new posts are
    /// refused (`rate_limited`) instead of readers being cut off as too slow.
    fn hold_while_congested(&self) {
        let started = Instant::now();
        while self.outlet.congested() && started.elapsed() < MAX_HOLD {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn store(&mut self, batch: Vec<Queued>) {
        let started = Instant::now();
        let posts: Vec<NewPost> = batch.iter().map(|j| j.post.clone()).collect();
        let results = match self.attempt(&posts) {
            Ok(results) => results,
            // A concurrent writer (another node) stored one of these
            // `client_id`s first: once it committed, the retry sees it.
            Err(e) if is_retryable(&e) => match self.attempt(&posts) {
                Ok(results) => results,
                Err(_) => self.one_by_one(&posts),
            },
            // Storage itself is away (no connection): every post gets that
            // answer now rather than waiting out a checkout each.
            Err(e @ DomainError::Unavailable(_)) => {
                let cause = e.to_string();
                posts
                    .iter()
                    .map(|_| Err(DomainError::Unavailable(cause.clone())))
                    .collect()
            }
            Err(_) if posts.len() > 1 => self.one_by_one(&posts),
            Err(e) => vec![Err(e)],
        };
        self.metrics.batch_size.observe(posts.len() as f64);
        self.metrics
            .store_seconds
            .observe(started.elapsed().as_secs_f64());
        for (job, result) in batch.into_iter().zip(results) {
            let result = result.map(|mut posted| {
                if posted.created {
                    self.metrics.messages_stored.inc();
                    self.outlet
                        .publish(std::mem::take(&mut posted.events), job.origin);
                }
                posted
            });
            self.metrics
                .ack_seconds
                .observe(job.queued_at.elapsed().as_secs_f64());
            // The submitter may have gone (a closed socket): the message
            // stays stored and published all the same.
            let _ = job.reply.send(result);
        }
    }

    /// Alone, each post fails or succeeds on its own (one bad row must not
    /// fail the others), unless storage goes away meanwhile.
    fn one_by_one(&mut self, posts: &[NewPost]) -> Vec<DomainResult<Posted>> {
        let mut unavailable: Option<String> = None;
        posts
            .iter()
            .map(|post| {
                if let Some(cause) = &unavailable {
                    return Err(DomainError::Unavailable(cause.clone()));
                }
                let single = std::slice::from_ref(post);
                let attempt = self.attempt(single).or_else(|e| {
                    if is_retryable(&e) {
                        self.attempt(single)
                    } else {
                        Err(e)
                    }
                });
                match attempt {
                    Ok(mut results) => results.pop().unwrap_or_else(|| {
                        Err(DomainError::internal("a batch of one gave no answer"))
                    }),
                    Err(DomainError::Unavailable(cause)) => {
                        unavailable = Some(cause.clone());
                        Err(DomainError::Unavailable(cause))
                    }
                    Err(e) => Err(e),
                }
            })
            .collect()
    }

    fn attempt(&mut self, posts: &[NewPost]) -> DomainResult<Vec<DomainResult<Posted>>> {
        let presence = self.presence.clone();
        let conn = self.connection()?;
        let result = write_tx(conn, |c: &mut DbConn| post_batch(c, posts, &*presence));
        if let Err(e) = &result
            && !is_retryable(e)
        {
            tracing::warn!(error = %e, posts = posts.len(), "storing a batch failed");
            // The connection may be what broke; a fresh one costs little.
            self.conn = None;
        }
        result
    }

    fn connection(&mut self) -> DomainResult<&mut DbConn> {
        if self.conn.is_none() {
            self.conn = Some(self.db.checkout()?);
        }
        self.conn
            .as_deref_mut()
            .ok_or_else(|| DomainError::internal("no connection"))
    }
}

/// A lost race with another writer (a `client_id`, or an attachment sent
/// with another message): the same batch, retried, sees the winner.
fn is_retryable(e: &DomainError) -> bool {
    matches!(e, DomainError::Race(Race::ClientId | Race::Attachment))
}

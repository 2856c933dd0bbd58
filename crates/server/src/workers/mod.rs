//! Every loop that runs on its own beside the requests: the read-marker
//! flush, the session sweep, the file sweep, outgoing webhook calls, the
//! sweep of idle event queues, the presence lease and the clean-up of rate
//! limiters.
//!
//! Each one hears the node's stop (a [`CancellationToken`]) between
//! rounds, never in the middle of one, and [`Workers::stop`] waits until
//! all have ended: the read markers still in memory are written then, so a
//! SIGTERM loses none of them. The message writer threads (the domain's
//! `Poster`) stop last, once every post queued before the stop is stored.

mod file_sweep;
mod limiter_cleanup;
mod presence_lease;
mod queue_sweep;
mod read_flush;
mod session_sweep;
mod webhook_calls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;
use domain::posting::Poster;

/// The workers of one node, running.
pub struct Workers {
    stop: CancellationToken,
    running: Vec<(&'static str, JoinHandle<()>)>,
    /// The message writers' handle, to stop them.
    poster: Poster,
}

impl Workers {
    /// Starts every worker this node runs (the presence lease only with
    /// Redis, where other nodes watch it).
    pub fn start(state: &Arc<AppState>) -> Self {
        let mut workers = Self {
            stop: CancellationToken::new(),
            running: Vec::new(),
            poster: state.poster.clone(),
        };
        workers.spawn("read markers", |stop| read_flush::run(state.clone(), stop));
        workers.spawn("session sweep", |stop| {
            session_sweep::run(state.clone(), stop)
        });
        workers.spawn("limiter clean-up", |stop| {
            limiter_cleanup::run(state.clone(), stop)
        });
        workers.spawn("file sweep", |stop| file_sweep::run(state.clone(), stop));
        workers.spawn("event queue sweep", |stop| {
            queue_sweep::run(state.clone(), stop)
        });
        workers.spawn("webhook calls", |stop| {
            webhook_calls::run(state.clone(), stop)
        });
        if state.bus.is_clustered() {
            workers.spawn("presence lease", |stop| {
                presence_lease::run(state.clone(), stop)
            });
        }
        workers
    }

    fn spawn<F, Fut>(&mut self, name: &'static str, worker: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let task = tokio::spawn(worker(self.stop.child_token()));
        self.running.push((name, task));
    }

    /// Tells every worker to stop and waits until each has finished its
    /// round (and the read markers their last flush), then until the
    /// message writers have stored what was queued.
    pub async fn stop(self) {
        self.stop.cancel();
        for (name, task) in self.running {
            if let Err(e) = task.await {
                tracing::error!(worker = name, error = %e, "a worker failed");
            }
        }
        self.poster.stop().await;
    }
}

/// Runs `round` every `period` until `stop`; a round under way finishes
/// first. The first round runs at once.
async fn every<F, Fut>(stop: CancellationToken, period: Duration, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        round().await;
    }
}

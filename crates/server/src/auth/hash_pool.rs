//! A small pool of threads of its own for password hashing.
//!
//! Argon2 is slow and memory-hard by design (19 MiB and tens of milliseconds
//! per hash with the default settings). Run on the shared blocking pool, a
//! burst of sign-ups or login attempts would hash hundreds at once: the
//! database calls queue behind them, and every thread keeps its 19 MiB in
//! its allocator arena for good. Here at most one hash runs per core, on the
//! same few threads, and a bounded number wait; beyond that the caller gets
//! 503 with `Retry-After` at once rather than a server that stalls.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use domain::error::DomainError;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct HashPool {
    queue: SyncSender<Job>,
}

impl HashPool {
    /// `threads` hashing threads (0: one per core) and room for `waiting`
    /// more requests in line.
    pub fn start(threads: usize, waiting: usize) -> std::io::Result<Self> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let (queue, jobs) = sync_channel::<Job>(waiting);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&jobs))?;
        }
        Ok(Self { queue })
    }

    /// Runs `f` on a hashing thread; 503 when the line is full.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DomainError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(f());
        });
        self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                DomainError::Unavailable("too many password checks at once".into())
            }
            TrySendError::Disconnected(_) => DomainError::internal("the hashing threads stopped"),
        })?;
        answer
            .await
            .map_err(|_| DomainError::internal("a password hash panicked"))
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, so the
        // threads take turns at the queue, not at hashing.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            Err(_) => return, // the pool is gone
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_refuses_beyond_the_line() {
        let pool = HashPool::start(1, 1).expect("threads");
        assert_eq!(pool.run(|| 2 + 2).await.expect("ran"), 4);

        // One job holds the only thread, one waits in line: the third is refused.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || hold.recv().ok()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|| 1).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let refused = pool.run(|| 0).await;
        assert!(
            matches!(refused, Err(DomainError::Unavailable(_))),
            "{refused:?}"
        );
        release.send(()).expect("release");
        assert!(busy.await.expect("join").is_ok());
        assert_eq!(queued.await.expect("join").expect("ran"), 1);
    }
}

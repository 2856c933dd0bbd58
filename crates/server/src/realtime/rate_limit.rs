//! Flood control: at most N sends per user in a sliding window, counted
//! across all of the user's connections (and REST posts) on this node.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

#[derive(Clone)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    hits: Arc<Mutex<HashMap<Uuid, VecDeque<Instant>>>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit: limit as usize,
            window,
            hits: Arc::default(),
        }
    }

    /// Counts one send; false when it is over the limit (and then it does not
    /// count, so a flooder is let through again once they slow down).
    pub fn allow(&self, user: Uuid) -> bool {
        self.allow_at(user, Instant::now())
    }

    fn allow_at(&self, user: Uuid, now: Instant) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        // Forget idle users now and then so the map stays small.
        if hits.len() > 10_000 {
            hits.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let queue = hits.entry(user).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.limit {
            return false;
        }
        queue.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_the_window_and_recovers() {
        let limiter = RateLimiter::new(3, Duration::from_secs(2));
        let user = Uuid::new_v4();
        let t0 = Instant::now();
        assert!(limiter.allow_at(user, t0));
        assert!(limiter.allow_at(user, t0));
        assert!(limiter.allow_at(user, t0));
        assert!(!limiter.allow_at(user, t0 + Duration::from_millis(500)));
        assert!(limiter.allow_at(Uuid::new_v4(), t0), "per user");
        assert!(limiter.allow_at(user, t0 + Duration::from_secs(2)));
    }
}

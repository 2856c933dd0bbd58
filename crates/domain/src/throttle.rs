//! Per-key rate limits (GCRA, from `governor`): flood control for messages,
//! and the brakes on password guessing.
//!
//! A limit is a burst and a refill rate: `burst` attempts at once, then one
//! more every `burst / per` as time passes. A refused attempt does not
//! count, so whoever slows down gets through again soon; nobody is locked
//! out for longer than one refill period.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A refused attempt: how long until the next one would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one (the `Retry-After` header's unit).
    pub fn secs(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

/// At most `burst` attempts per key in `per`, refilled evenly.
pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn new(burst: u32, per: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let period = (per / burst.get()).max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// Counts one attempt for `key`, or says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), RetryAfter> {
        self.limiter.check_key(key).map_err(|not_until| {
            RetryAfter(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }

    /// Forgets keys whose limit is back to full, so idle keys cost nothing.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The limits on password checks (sign-up, sign-in, password change,
/// account deletion): per client address, and per account for sign-ins, so
/// neither one address guessing many accounts nor many addresses guessing
/// one account get far.
pub struct AuthThrottle {
    pub by_address: Throttle<IpAddr>,
    pub by_account: Throttle<String>,
}

impl AuthThrottle {
    pub fn new(per_address: u32, per_account: u32, per: Duration) -> Self {
        Self {
            by_address: Throttle::new(per_address, per),
            by_account: Throttle::new(per_account, per),
        }
    }

    pub fn forget_idle(&self) {
        self.by_address.forget_idle();
        self.by_account.forget_idle();
    }
}

/// Flood control of message sends, per user, across REST and sockets.
pub type SendThrottle = Throttle<protocol::UserId>;

/// Flood control of message edits, per user: each edit is kept as a
/// version and announced to the whole room, so they get a limit of their
/// own, well below that of sends.
pub type EditThrottle = Throttle<protocol::UserId>;

/// Uploads per user (attachments, photos and avatars together): each costs
/// a transfer, storage and often a decode.
pub type UploadThrottle = Throttle<protocol::UserId>;

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_burst_passes_then_the_rest_wait() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        let key = Uuid::new_v4();
        for _ in 0..3 {
            assert!(throttle.check(&key).is_ok());
        }
        let wait = throttle.check(&key).expect_err("the fourth waits");
        assert!(wait.0 <= Duration::from_secs(20), "{wait:?}");
        assert!(wait.secs() >= 1);
        assert!(throttle.check(&Uuid::new_v4()).is_ok(), "per key");
    }
}

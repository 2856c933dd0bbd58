//! A connection as the hub holds it: its queue's sender and the signal that
//! tells its task to hang up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use tokio::sync::{Notify, mpsc};

/// A serialised frame. Clones share one buffer, so a message serialised once
/// reaches every recipient without a copy.
pub type Frame = bytestring::ByteString;

/// The hub's side of one connection.
pub struct ConnHandle {
    pub tx: mpsc::Sender<Frame>,
    /// Tells the connection's task to hang up, and why.
    pub closer: Arc<Closer>,
    /// Set while the task waits for its client to take bytes.
    pub stall: Arc<Stall>,
}

/// Whether a connection's task is waiting on its client: a socket write
/// that did not go through at once. A queue that fills while its client is
/// not reading is that client's own problem (it is cut when the queue
/// overflows); only queues that fill while their sockets take bytes mean
/// the node cannot keep up (see `Hub::congested`).
#[derive(Default)]
pub struct Stall(AtomicBool);

impl Stall {
    /// Marks the connection as waiting on its client until the guard goes.
    pub fn begin(&self) -> StallGuard<'_> {
        self.0.store(true, Ordering::Release);
        StallGuard(self)
    }

    pub fn is_stalled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Clears the [`Stall`] however the wait ends (written, abandoned, dropped).
pub struct StallGuard<'a>(&'a Stall);

impl Drop for StallGuard<'_> {
    fn drop(&mut self) {
        self.0.0.store(false, Ordering::Release);
    }
}

/// Why the hub wants a connection gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseWhy {
    /// Its queue overflowed: the client does not keep up.
    TooSlow = 1,
    /// Its session was revoked or ended (sign-out, password change,
    /// account deletion, expiry).
    Revoked = 2,
}

/// A one-shot "close this connection" signal. The first reason given sticks:
/// a connection told it was revoked is not later told it was merely slow.
#[derive(Default)]
pub struct Closer {
    why: AtomicU8,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, why: CloseWhy) {
        let _ = self
            .why
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Acquire);
        self.notify.notify_one();
    }

    /// Resolves once [`close`](Self::close) was called.
    pub async fn closed(&self) -> CloseWhy {
        loop {
            match self.why.load(Ordering::Acquire) {
                1 => return CloseWhy::TooSlow,
                2 => return CloseWhy::Revoked,
                _ => self.notify.notified().await,
            }
        }
    }
}

//! A connection as the hub holds it: its queue's sender and the signal that
//! tells its task to hang up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::{Notify, mpsc};

/// A serialised frame. Clones share one buffer, so a message serialised once
/// reaches every recipient without a copy.
pub type Frame = bytestring::ByteString;

/// The hub's side of one connection.
pub struct ConnHandle {
    pub tx: mpsc::Sender<Frame>,
    /// Tells the connection's task to hang up, and why.
    pub closer: Arc<Closer>,
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

//! Which long-poll queues this node feeds, and what wakes the polls
//! waiting on each. Delivery state, held by the app state; the long-poll
//! transport (`polling.rs`) starts and ends the feeds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use protocol::EventQueueId;
use tokio::sync::Notify;

/// The queues this node feeds, and the polls waiting on them.
#[derive(Default)]
pub struct Pollers {
    fed: Mutex<HashMap<EventQueueId, Arc<Notify>>>,
}

/// A queue's place in [`Pollers`]: taken by this call, or another feed's.
pub enum Place {
    /// Already fed here: wait on this.
    Fed(Arc<Notify>),
    /// Taken for a feed about to start (given back with [`Pollers::forget`]
    /// if it does not).
    Taken(Arc<Notify>),
}

impl Pollers {
    fn lock(&self) -> MutexGuard<'_, HashMap<EventQueueId, Arc<Notify>>> {
        self.fed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the place of `queue` unless a feed has it, in one step, so
    /// that two polls arriving together start one feed.
    pub fn take(&self, queue: EventQueueId) -> Place {
        let mut fed = self.lock();
        if let Some(wake) = fed.get(&queue) {
            return Place::Fed(wake.clone());
        }
        let wake = Arc::new(Notify::new());
        fed.insert(queue, wake.clone());
        Place::Taken(wake)
    }

    /// The feed of `queue` ended (or never started).
    pub fn forget(&self, queue: EventQueueId) {
        self.lock().remove(&queue);
    }
}
